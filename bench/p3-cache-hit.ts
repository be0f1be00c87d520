/**
 * P3: a warm get served by `SecretsConfigCache` — nanoseconds per get, the value already cached.
 * No I/O after the first read: the underlying layer is the live one against the emulator, but only
 * the first get of each round reaches it. Medians over interleaved rounds. The last rows time the
 * steps of makePromiseClient's hit alone (validation, the cache's peek, the awaited Promise), and the
 * hit as it was before the client kept each name's validated request, for a per-round ratio.
 *
 *   pnpm --filter @secrets-config/bench p3            (ROUNDS=9 GETS=20000 by default)
 */
import { SecretsConfig, SecretsConfigCache } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Effect, Either, Layer, ManagedRuntime, Redacted } from "effect"
import { performance } from "node:perf_hooks"
import * as emulator from "./lib/emulator.js"
import { check, environment, fmt, interleaved, median, ratio, ratios, spread, table } from "./lib/stats.js"

const ROUNDS = Number(process.env.ROUNDS ?? 9)
const GETS = Number(process.env.GETS ?? 20_000)
const NAME = "/demo/greeting"

const server = await emulator.inProcess({ ttlSeconds: 300 })
const runtime = ManagedRuntime.make(
  SecretsConfigCache.layer({ ttl: "5 minutes" }).pipe(
    Layer.provideMerge(LambdaExtension.layerFetch({ port: server.port, token: Redacted.make(server.token) }))
  )
)
const get = SecretsConfig.getParameter(NAME)
const client = SecretsConfigCache.makePromiseClient(runtime)

// A hand-written memo, for scale: a Map lookup and a TTL check.
const memo = new Map<string, { readonly value: string; readonly at: number }>()
memo.set(NAME, { value: "x", at: Date.now() })
const memoGet = (name: string) => {
  const hit = memo.get(name)
  return hit !== undefined && Date.now() - hit.at < 300_000 ? hit.value : undefined
}

type Case = { readonly label: string; readonly run: (n: number) => Promise<void> }
const cases: ReadonlyArray<Case> = [
  {
    label: "hand-written Map + TTL check (sync, for scale)",
    run: async (n) => {
      for (let i = 0; i < n; i++) if (memoGet(NAME) === undefined) throw new Error("miss")
    }
  },
  {
    label: "SecretsConfigCache.makePromiseClient(runtime).getParameter",
    run: async (n) => {
      for (let i = 0; i < n; i++) await client.getParameter(NAME)
    }
  },
  {
    label: "runtime.runPromise(SecretsConfig.getParameter(name))",
    run: async (n) => {
      for (let i = 0; i < n; i++) await runtime.runPromise(get)
    }
  },
  {
    label: "runtime.runSync(SecretsConfig.getParameter(name))",
    run: async (n) => {
      for (let i = 0; i < n; i++) runtime.runSync(get)
    }
  },
  {
    label: "inside one Effect (a loop of yield* gets, no Promise)",
    run: (n) =>
      runtime.runPromise(
        Effect.gen(function* () {
          for (let i = 0; i < n; i++) yield* get
        })
      )
  },
  // makePromiseClient's hit, one part at a time: what each of its steps costs alone.
  {
    label: "part of it: SecretsConfig.parameterRequest(name) (validation, cache key)",
    run: async (n) => {
      for (let i = 0; i < n; i++) if (Either.isLeft(SecretsConfig.parameterRequest(NAME))) throw new Error("invalid")
    }
  },
  {
    label: "part of it: SecretsConfig.peek(service, request) (store, clock, hit count)",
    run: async (n) => {
      for (let i = 0; i < n; i++) if (SecretsConfig.peek(service!, request) === undefined) throw new Error("miss")
    }
  },
  {
    label: "part of it: await Promise.resolve(value)",
    run: async (n) => {
      for (let i = 0; i < n; i++) await Promise.resolve(request)
    }
  },
  {
    label: "makePromiseClient's hit as before (the name validated on every call)",
    run: async (n) => {
      for (let i = 0; i < n; i++) await previousHit(NAME)
    }
  }
]
// makePromiseClient's hit path before it kept validated requests, step for step.
const previousHit = (name: string) => {
  const validated = SecretsConfig.parameterRequest(name)
  const value = Either.isRight(validated) ? SecretsConfig.peek(service!, validated.right) : undefined
  return value !== undefined ? Promise.resolve(value) : client.getParameter(name)
}
let service: SecretsConfig.SecretsConfig.Service | undefined
const request = Either.getOrThrow(SecretsConfig.parameterRequest(NAME))

console.log(`P3 — cache hit, ${environment()}`)
console.log(`${ROUNDS} rounds × ${GETS} gets of one cached parameter, interleaved; medians\n`)

const first = await runtime.runPromise(get) // the one endpoint request: warms the cache
check(Redacted.value(first.value).length > 0, "the parameter was read")
check(Redacted.value((await client.getParameter(NAME)).value) === Redacted.value(first.value), "the client reads it")
service = await runtime.runPromise(SecretsConfig.SecretsConfig)
check(SecretsConfig.peek(service, request) !== undefined, "peek finds the value")

const results = new Map<string, Array<number>>(cases.map((c) => [c.label, []]))
for (const c of cases) await c.run(GETS) // warm-up, JIT
for (let round = 0; round < ROUNDS; round++) {
  for (const c of interleaved(cases, round)) {
    const t0 = performance.now()
    await c.run(GETS)
    results.get(c.label)!.push(((performance.now() - t0) * 1e6) / GETS)
  }
}
const requests = (await Effect.runPromise(server.control.requests)).length
check(requests === 1, `only the first get reached the endpoint (${requests} requests)`)

const promiseApi = median(results.get(cases[1]!.label)!)
console.log(
  table(
    ["how", "ns per get", "vs runPromise"],
    cases.map((c) => [
      c.label,
      fmt(median(results.get(c.label)!), 0),
      ratio(median(results.get(c.label)!), median(results.get(cases[2]!.label)!))
    ])
  )
)
console.log(`
target: a cache hit through a Promise API costs at most 2.5 µs: ${fmt(promiseApi / 1000, 2)} µs with makePromiseClient — ${promiseApi <= 2500 ? "met" : "NOT met"}; ${fmt(median(results.get(cases[2]!.label)!) / 1000, 2)} µs with runtime.runPromise
makePromiseClient's hit / the same hit validating the name on every call, per round: ${spread(
  ratios(results.get(cases[1]!.label)!, results.get(cases[cases.length - 1]!.label)!)
)}
endpoint requests during the run: ${requests}`)

await runtime.dispose()
await server.close()
