/**
 * P6: a warm invocation's config load. The example handler's `AppConfig` (parameters, a list, a
 * SecureString, a default, a JSON secret's keys) with every value already in `SecretsConfigCache`,
 * loaded through `SecretsConfigProvider`, against the same `Config` loaded from Effect's own
 * `ConfigProvider.fromMap` holding the same values. Both run through `runtime.runPromise`, as a
 * handler does. Interleaved rounds; the median of the per-round ratios, with their range.
 *
 *   pnpm --filter @secrets-config/bench p6            (ROUNDS=15 LOADS=2000 by default)
 */
import { SecretsConfigCache, SecretsConfigProvider } from "@secrets-config/core"
import { AppConfig } from "@secrets-config/example-lambda-handler"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { ConfigProvider, Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { performance } from "node:perf_hooks"
import * as emulator from "./lib/emulator.js"
import { check, environment, fmt, interleaved, median, table } from "./lib/stats.js"

const ROUNDS = Number(process.env.ROUNDS ?? 15)
const LOADS = Number(process.env.LOADS ?? 2000)

const server = await emulator.inProcess()
const options = { port: server.port, token: Redacted.make(server.token) }

const ours = ManagedRuntime.make(
  SecretsConfigProvider.layer({ prefix: "/demo", secrets: { db: "demo/db" } }).pipe(
    Layer.provideMerge(SecretsConfigCache.layer({ ttl: "1 hour" })),
    Layer.provideMerge(LambdaExtension.layerNode(options))
  )
)
// The first load fills the cache; every load timed below is served from memory.
const filled = await ours.runPromise(AppConfig)
const requestsAfterFill = (await Effect.runPromise(server.control.requests)).length

const map = ConfigProvider.fromMap(
  new Map([
    ["greeting", filled.greeting],
    ["feature-flags", filled.featureFlags.join(",")],
    ["api-key", Redacted.value(filled.apiKey)],
    ["db.host", filled.db.host],
    ["db.port", String(filled.db.port)],
    ["db.username", filled.db.username],
    ["db.password", Redacted.value(filled.db.password)]
  ])
)
const theirs = ManagedRuntime.make(Layer.setConfigProvider(map))
const fromMap = await theirs.runPromise(AppConfig)
check(JSON.stringify(fromMap) === JSON.stringify(filled), "fromMap loads the same values")

const contenders = [
  { label: "SecretsConfigProvider, all cached", run: () => ours.runPromise(AppConfig) },
  { label: "ConfigProvider.fromMap", run: () => theirs.runPromise(AppConfig) }
] as const

// Warm-up: both paths compiled before the first round.
for (const c of contenders) for (let i = 0; i < LOADS; i++) await c.run()

const micros = new Map<string, Array<number>>(contenders.map((c) => [c.label, []]))
const ratios: Array<number> = []
for (let round = 0; round < ROUNDS; round++) {
  const took = new Map<string, number>()
  for (const c of interleaved(contenders, round)) {
    const t0 = performance.now()
    for (let i = 0; i < LOADS; i++) await c.run()
    const perLoad = ((performance.now() - t0) * 1000) / LOADS
    took.set(c.label, perLoad)
    micros.get(c.label)!.push(perLoad)
  }
  ratios.push(took.get(contenders[0].label)! / took.get(contenders[1].label)!)
}
check(
  (await Effect.runPromise(server.control.requests)).length === requestsAfterFill,
  "no endpoint request after the fill"
)

console.log(`P6 — a warm load of the example's AppConfig; ${environment()}`)
console.log(`${ROUNDS} interleaved rounds of ${LOADS} loads each; µs per load (median over rounds)\n`)
console.log(
  table(
    ["how", "µs per load (median)", "range"],
    contenders.map((c) => {
      const xs = micros.get(c.label)!
      return [c.label, fmt(median(xs)), `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`]
    })
  )
)
console.log(
  `\nSecretsConfigProvider / fromMap: median of per-round ratios ${fmt(median(ratios), 2)}× (range ${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}×)`
)

await ours.dispose()
await theirs.dispose()
await server.close()
