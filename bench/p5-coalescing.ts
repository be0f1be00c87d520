/**
 * P5: coalescing. 1,000 concurrent gets of 1 key, and of 100 keys (10 each), through
 * `SecretsConfigCache` over the live layer, each time on a fresh runtime (empty cache); the
 * endpoint requests and the most in flight at once are counted by the emulator, which answers after
 * 20 ms so that the gets overlap. Without the cache, and with raw fetch, for comparison.
 *
 *   pnpm --filter @secrets-config/bench p5            (RUNS=5 by default)
 */
import { SecretsConfig, SecretsConfigCache } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { performance } from "node:perf_hooks"
import * as emulator from "./lib/emulator.js"
import { check, environment, fmt, median, table } from "./lib/stats.js"
import * as store from "./lib/store.js"

const RUNS = Number(process.env.RUNS ?? 5)
const GETS = 1000
const server = await emulator.inProcess({ store: store.parameters(100), faults: { latency: { ms: 20 } } })
const options = { port: server.port, token: Redacted.make(server.token) }
const headers = { "X-Aws-Parameters-Secrets-Token": server.token }
const maxConcurrency = LambdaExtension.defaults.maxConcurrency

const names = (keys: number) => Array.from({ length: GETS }, (_, i) => `/bench/key-${i % keys}`)

const viaLayer = (layer: () => Layer.Layer<SecretsConfig.SecretsConfig, any>) => async (keys: number) => {
  const runtime = ManagedRuntime.make(layer())
  try {
    return await runtime.runPromise(
      Effect.forEach(names(keys), (name) => Effect.map(SecretsConfig.parameterValue(name), Redacted.value), {
        concurrency: "unbounded"
      })
    )
  } finally {
    await runtime.dispose()
  }
}

const viaPromiseClient = async (keys: number) => {
  const runtime = ManagedRuntime.make(
    SecretsConfigCache.layer().pipe(Layer.provideMerge(LambdaExtension.layerFetch(options)))
  )
  try {
    const client = SecretsConfigCache.makePromiseClient(runtime)
    return await Promise.all(names(keys).map((name) => client.getParameter(name).then((p) => Redacted.value(p.value))))
  } finally {
    await runtime.dispose()
  }
}

const rawFetch = (keys: number) =>
  Promise.all(
    names(keys).map(async (name) => {
      const response = await fetch(
        `${server.url}/systemsmanager/parameters/get?name=${encodeURIComponent(name)}&withDecryption=true`,
        { headers }
      )
      return JSON.parse(await response.text()).Parameter.Value as string
    })
  )

const cases: ReadonlyArray<{ readonly label: string; readonly run: (keys: number) => Promise<Array<string>> }> = [
  {
    label: "SecretsConfigCache over the live layer (Effect.forEach, unbounded)",
    run: viaLayer(() => SecretsConfigCache.layer().pipe(Layer.provideMerge(LambdaExtension.layerFetch(options))))
  },
  { label: "SecretsConfigCache.makePromiseClient (Promise.all)", run: viaPromiseClient },
  {
    // 1,000 requests queue for 16 slots, and queueing counts against the deadline: give it room.
    label: "the live layer alone, no cache (deadline 60 s)",
    run: viaLayer(() => LambdaExtension.layerFetch({ ...options, deadline: "60 seconds" }))
  },
  { label: "raw fetch, Promise.all", run: rawFetch }
]

console.log(`P5 — coalescing, ${GETS} concurrent gets, 20 ms per request; ${environment()}`)
console.log(`${RUNS} runs per row on a fresh runtime; medians; live layer maxConcurrency ${maxConcurrency}\n`)

const rows: Array<Array<string>> = []
for (const keys of [1, 100]) {
  for (const c of cases) {
    const times: Array<number> = []
    const requests: Array<number> = []
    const inFlight: Array<number> = []
    for (let run = 0; run < RUNS; run++) {
      await Effect.runPromise(Effect.zipRight(server.control.clearRequests, server.control.resetStats))
      const t0 = performance.now()
      const values = await c.run(keys)
      times.push(performance.now() - t0)
      check(
        values.every((v, i) => v === `value-${i % keys}`),
        `${c.label} read the right values`
      )
      requests.push((await Effect.runPromise(server.control.requests)).length)
      inFlight.push((await Effect.runPromise(server.control.stats)).maxInFlight)
    }
    rows.push([
      `${keys === 1 ? "1 key" : "100 keys"}: ${c.label}`,
      String(median(requests)),
      String(Math.max(...inFlight)),
      fmt(median(times))
    ])
  }
}
console.log(table(["1,000 gets of", "endpoint requests", "max in flight", "ms (median)"], rows))

await server.close()
