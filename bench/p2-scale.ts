/**
 * P2 at scale: a cold load of an app `Config` of 10, 100 and 500 parameters through
 * `SecretsConfigProvider` (a fresh runtime each time: empty cache, the live layer over
 * `LoopbackHttpClient` as `layerNode` builds it, whose `maxConcurrency` is 16) against raw `fetch` of the same keys
 * with `Promise.all` bounded to the same 16 at once. The emulator answers every request after 20 ms.
 * Interleaved rounds; the median of per-round ratios, with their range.
 *
 *   pnpm --filter @secrets-config/bench p2:scale      (ROUNDS=9 by default)
 */
import { SecretsConfigCache, SecretsConfigProvider } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import { Config, Layer, ManagedRuntime, Redacted } from "effect"
import * as http from "node:http"
import { performance } from "node:perf_hooks"
import * as emulator from "./lib/emulator.js"
import { check, environment, fmt, interleaved, median, table } from "./lib/stats.js"
import * as store from "./lib/store.js"

const ROUNDS = Number(process.env.ROUNDS ?? 9)
const LATENCY_MS = 20
const CONCURRENCY = LambdaExtension.defaults.maxConcurrency
const SIZES = [10, 100, 500] as const

const server = await emulator.inProcess({ store: store.parameters(500), faults: { latency: { ms: LATENCY_MS } } })
const options = { port: server.port, token: Redacted.make(server.token) }
const headers = { "X-Aws-Parameters-Secrets-Token": server.token }

const keys = (n: number) => Array.from({ length: n }, (_, i) => `key-${i}`)

// Kept-alive connections outlive a load on both sides: fetch's pool is global, and ours is given
// one agent for all its runtimes, so neither pays for new connections after the first round.
const agent = new http.Agent({ keepAlive: true, scheduling: "lifo" })

const ours = async (n: number): Promise<Record<string, string>> => {
  const runtime = ManagedRuntime.make(
    SecretsConfigProvider.layer({ prefix: "/bench" }).pipe(
      Layer.provideMerge(SecretsConfigCache.layer({ ttl: "5 minutes" })),
      Layer.provideMerge(LambdaExtension.layer(options).pipe(Layer.provide(LoopbackHttpClient.layer({ agent }))))
    )
  )
  try {
    return await runtime.runPromise(Config.all(Object.fromEntries(keys(n).map((key) => [key, Config.string(key)]))))
  } finally {
    await runtime.dispose()
  }
}

const rawGet = async (key: string) => {
  const response = await fetch(
    `${server.url}/systemsmanager/parameters/get?name=${encodeURIComponent(`/bench/${key}`)}&withDecryption=true`,
    { headers }
  )
  const text = await response.text()
  if (response.status !== 200) throw new Error(`status ${response.status}`)
  return JSON.parse(text).Parameter.Value as string
}

/** `Promise.all` over the keys, at most `CONCURRENCY` requests at once. */
const raw = async (n: number): Promise<Record<string, string>> => {
  const pending = keys(n)
  const values: Record<string, string> = {}
  const worker = async () => {
    for (let key = pending.shift(); key !== undefined; key = pending.shift()) values[key] = await rawGet(key)
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return values
}

const contenders = [
  { label: "SecretsConfigProvider (LoopbackHttpClient, cold)", run: ours },
  { label: `raw fetch, Promise.all bounded to ${CONCURRENCY}`, run: raw }
] as const

for (const c of contenders) {
  const values = await c.run(10)
  check(
    keys(10).every((key, i) => values[key] === `value-${i}`),
    `${c.label} read the values`
  )
}

console.log(`P2 at scale — cold loads, ${LATENCY_MS} ms per request; ${environment()}`)
console.log(`${ROUNDS} interleaved rounds per size; ms per load (median over rounds)\n`)
const rows: Array<Array<string>> = []
for (const n of SIZES) {
  const ms = new Map<string, Array<number>>(contenders.map((c) => [c.label, []]))
  const ratios: Array<number> = []
  for (let round = 0; round < ROUNDS; round++) {
    const took = new Map<string, number>()
    for (const c of interleaved(contenders, round)) {
      const t0 = performance.now()
      const values = await c.run(n)
      const elapsed = performance.now() - t0
      check(Object.keys(values).length === n, `${c.label} read ${n} values`)
      took.set(c.label, elapsed)
      ms.get(c.label)!.push(elapsed)
    }
    ratios.push(took.get(contenders[0].label)! / took.get(contenders[1].label)!)
  }
  const ourMs = ms.get(contenders[0].label)!
  const rawMs = ms.get(contenders[1].label)!
  rows.push([
    String(n),
    `${fmt(median(ourMs))} (${fmt(Math.min(...ourMs))}–${fmt(Math.max(...ourMs))})`,
    `${fmt(median(rawMs))} (${fmt(Math.min(...rawMs))}–${fmt(Math.max(...rawMs))})`,
    `${fmt(median(ratios), 2)}× (${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}×)`,
    fmt(median(ourMs) / n, 2)
  ])
}
console.log(
  table(
    [
      "keys",
      "SecretsConfigProvider ms (range)",
      "raw fetch ms (range)",
      "ours / raw, median of per-round ratios (range)",
      "ours ms per key"
    ],
    rows
  )
)
await server.close()
