/**
 * P2: an app `Config` of 10 parameters, read cold (a fresh runtime each time: empty cache, layer
 * built by the read) against the emulator answering every request after 20 ms. Our
 * `SecretsConfigProvider` (one concurrent burst) against reading one key after another.
 * Medians over interleaved runs.
 *
 *   pnpm --filter @secrets-config/bench p2            (RUNS=15 by default)
 */
import { SecretsConfig, SecretsConfigCache, SecretsConfigProvider } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Config, Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { performance } from "node:perf_hooks"
import * as emulator from "./lib/emulator.js"
import { rawParameterGet } from "./lib/raw.js"
import { check, environment, fmt, interleaved, median, ratio, table } from "./lib/stats.js"
import * as store from "./lib/store.js"

const RUNS = Number(process.env.RUNS ?? 15)
const LATENCY_MS = 20
const KEYS = Array.from({ length: 10 }, (_, i) => `key-${i}`)

const server = await emulator.inProcess({ store: store.parameters(10), faults: { latency: { ms: LATENCY_MS } } })
const options = { port: server.port, token: Redacted.make(server.token) }

const AppConfig = Config.all(Object.fromEntries(KEYS.map((key) => [key, Config.string(key)])))

const live = () =>
  SecretsConfigCache.layer({ ttl: "5 minutes" }).pipe(Layer.provideMerge(LambdaExtension.layerFetch(options)))

type Case = { readonly label: string; readonly run: () => Promise<Record<string, string>> }

const fresh = async <A>(layer: Layer.Layer<any, any>, effect: Effect.Effect<A, any, any>): Promise<A> => {
  const runtime = ManagedRuntime.make(layer)
  try {
    return await runtime.runPromise(effect)
  } finally {
    await runtime.dispose()
  }
}

const rawGet = rawParameterGet(server.url, server.token)

const cases: ReadonlyArray<Case> = [
  {
    label: "SecretsConfigProvider: yield* AppConfig (one burst)",
    run: () => fresh(SecretsConfigProvider.layer({ prefix: "/bench" }).pipe(Layer.provideMerge(live())), AppConfig)
  },
  {
    label: "SecretsConfig.parameterValue, one key after another",
    run: () =>
      fresh(
        live(),
        Effect.gen(function* () {
          const values: Record<string, string> = {}
          for (const key of KEYS) values[key] = Redacted.value(yield* SecretsConfig.parameterValue(`/bench/${key}`))
          return values
        })
      )
  },
  {
    label: "raw fetch, one key after another",
    run: async () => {
      const values: Record<string, string> = {}
      for (const key of KEYS) values[key] = await rawGet(key)
      return values
    }
  },
  {
    label: "raw fetch, Promise.all (for scale)",
    run: async () => Object.fromEntries(await Promise.all(KEYS.map(async (key) => [key, await rawGet(key)])))
  }
]

console.log(`P2 — a Config of 10 parameters, cold, ${LATENCY_MS} ms per request; ${environment()}`)
console.log(`${RUNS} runs per case, interleaved, emulator in this process; medians\n`)

for (const c of cases) {
  const values = await c.run()
  check(
    KEYS.every((key, i) => values[key] === `value-${i}`),
    `${c.label} read the 10 values`
  )
}

const times = new Map<string, Array<number>>(cases.map((c) => [c.label, []]))
const requests = new Map<string, Array<number>>(cases.map((c) => [c.label, []]))
for (let run = 0; run < RUNS; run++) {
  for (const c of interleaved(cases, run)) {
    await Effect.runPromise(server.control.clearRequests)
    const t0 = performance.now()
    await c.run()
    times.get(c.label)!.push(performance.now() - t0)
    requests.get(c.label)!.push((await Effect.runPromise(server.control.requests)).length)
  }
}

const ours = median(times.get(cases[0]!.label)!)
console.log(
  table(
    ["how", "ms (median)", "endpoint requests", "vs SecretsConfigProvider"],
    cases.map((c) => [
      c.label,
      fmt(median(times.get(c.label)!)),
      String(median(requests.get(c.label)!)),
      ratio(median(times.get(c.label)!), ours)
    ])
  )
)
console.log(
  `\nthe burst is ${ratio(median(times.get(cases[1]!.label)!), ours)} faster than one key after another through the same layer`
)

await server.close()
