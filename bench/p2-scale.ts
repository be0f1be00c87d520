/**
 * P2 at scale: a cold load of an app `Config` of 10, 100 and 500 parameters through
 * `SecretsConfigProvider` (a fresh runtime each time: empty cache, the live layer over
 * `LoopbackHttpClient` as `layerNode` builds it, whose `maxConcurrency` is 16) against raw `fetch` of the same keys
 * with `Promise.all` bounded to the same 16 at once. The emulator answers every request after 20 ms.
 * Interleaved rounds; the median of per-round ratios, with their range; then where our time goes
 * (layers built, the load, the runtime disposed — each load timed in those three parts) and, for
 * both, where the requests fall within a load (from the emulator's request log).
 *
 *   pnpm --filter @secrets-config/bench p2:scale      (ROUNDS=9 by default)
 */
import { SecretsConfigCache, SecretsConfigProvider } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import type { Emulator } from "@secrets-config/emulator"
import { Config, Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as http from "node:http"
import { performance } from "node:perf_hooks"
import * as emulator from "./lib/emulator.js"
import { rawParameterGet } from "./lib/raw.js"
import { check, environment, fmt, interleaved, median, table } from "./lib/stats.js"
import * as store from "./lib/store.js"

const ROUNDS = Number(process.env.ROUNDS ?? 9)
const LATENCY_MS = 20
const CONCURRENCY = LambdaExtension.defaults.maxConcurrency
const SIZES = [10, 100, 500] as const

const server = await emulator.inProcess({ store: store.parameters(500), faults: { latency: { ms: LATENCY_MS } } })
const options = { port: server.port, token: Redacted.make(server.token) }

const keys = (n: number) => Array.from({ length: n }, (_, i) => `key-${i}`)

// Kept-alive connections outlive a load on both sides: fetch's pool is global, and ours is given
// one agent for all its runtimes, so neither pays for new connections after the first round.
const agent = new http.Agent({ keepAlive: true, scheduling: "lifo" })

/** Where each of our loads went, ms: building the layers, the load itself, disposing the runtime. */
interface Phases {
  readonly build: number
  readonly load: number
  readonly dispose: number
}
let lastPhases: Phases | undefined

const ours = async (n: number): Promise<Record<string, string>> => {
  const t0 = performance.now()
  const runtime = ManagedRuntime.make(
    SecretsConfigProvider.layer({ prefix: "/bench" }).pipe(
      Layer.provideMerge(SecretsConfigCache.layer({ ttl: "5 minutes" })),
      Layer.provideMerge(LambdaExtension.layer(options).pipe(Layer.provide(LoopbackHttpClient.layer({ agent }))))
    )
  )
  let t1 = t0
  let t2 = t0
  try {
    // What `runPromise` would do first anyway (build the layers), timed apart.
    await runtime.runtime()
    t1 = performance.now()
    const values = await runtime.runPromise(
      Config.all(Object.fromEntries(keys(n).map((key) => [key, Config.string(key)])))
    )
    t2 = performance.now()
    return values
  } finally {
    await runtime.dispose()
    lastPhases = { build: t1 - t0, load: t2 - t1, dispose: performance.now() - t2 }
  }
}

/** A load against the emulator's request log (the same process, the same clock), ms. */
interface Timeline {
  readonly requests: number
  readonly maxInFlight: number
  /** From the start of the load to the first request reaching the emulator. */
  readonly before: number
  /** From the first request's start to the last answer's end. */
  readonly window: number
  /** From the last answer's end to the load's end. */
  readonly after: number
}
const timeline = (log: ReadonlyArray<Emulator.RequestLogEntry>, start: number, end: number): Timeline => {
  const first = Math.min(...log.map((r) => r.startedAtMs))
  const last = Math.max(...log.map((r) => r.endedAtMs))
  const events = log
    .flatMap((r) => [
      [r.startedAtMs, 1],
      [r.endedAtMs, -1]
    ])
    .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
  let inFlight = 0
  let maxInFlight = 0
  for (const [, d] of events) maxInFlight = Math.max(maxInFlight, (inFlight += d!))
  return { requests: log.length, maxInFlight, before: first - start, window: last - first, after: end - last }
}

const rawGet = rawParameterGet(server.url, server.token)

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
const phaseRows: Array<Array<string>> = []
const timelineRows: Array<Array<string>> = []
for (const n of SIZES) {
  const ms = new Map<string, Array<number>>(contenders.map((c) => [c.label, []]))
  const ratios: Array<number> = []
  const loadRatios: Array<number> = []
  const phases: Array<Phases> = []
  const timelines = new Map<string, Array<Timeline>>(contenders.map((c) => [c.label, []]))
  for (let round = 0; round < ROUNDS; round++) {
    const took = new Map<string, number>()
    for (const c of interleaved(contenders, round)) {
      await Effect.runPromise(server.control.clearRequests)
      const t0 = performance.now()
      const values = await c.run(n)
      const elapsed = performance.now() - t0
      check(Object.keys(values).length === n, `${c.label} read ${n} values`)
      took.set(c.label, elapsed)
      ms.get(c.label)!.push(elapsed)
      timelines.get(c.label)!.push(timeline(await Effect.runPromise(server.control.requests), t0, t0 + elapsed))
    }
    ratios.push(took.get(contenders[0].label)! / took.get(contenders[1].label)!)
    phases.push(lastPhases!)
    loadRatios.push(lastPhases!.load / took.get(contenders[1].label)!)
  }
  phaseRows.push([
    String(n),
    fmt(median(phases.map((p) => p.build))),
    fmt(median(phases.map((p) => p.load))),
    fmt(median(phases.map((p) => p.dispose))),
    `${fmt(median(loadRatios), 2)}× (${fmt(Math.min(...loadRatios), 2)}–${fmt(Math.max(...loadRatios), 2)}×)`
  ])
  for (const c of contenders) {
    const ts = timelines.get(c.label)!
    const m = (f: (t: Timeline) => number) => fmt(median(ts.map(f)))
    timelineRows.push([
      String(n),
      c.label,
      m((t) => t.requests),
      m((t) => t.maxInFlight),
      m((t) => t.before),
      m((t) => t.window),
      m((t) => t.after)
    ])
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
console.log(`\nwhere SecretsConfigProvider's time goes, ms (median over rounds)\n`)
console.log(
  table(
    [
      "keys",
      "layers built",
      "the load",
      "runtime disposed",
      "the load alone / raw, median of per-round ratios (range)"
    ],
    phaseRows
  )
)
console.log(`\nagainst the emulator's request log, ms (median over rounds)\n`)
console.log(
  table(
    [
      "keys",
      "how",
      "requests",
      "max in flight",
      "load start → first request",
      "first request → last answer",
      "last answer → load end"
    ],
    timelineRows
  )
)
await server.close()
