/**
 * P4: one uncached `getParameter` through the live layer against raw `fetch` and `node:http`
 * keep-alive, all against the same emulator running in a child process (so `process.cpuUsage()`
 * here is the client's CPU alone). Latency p50/p99, requests/s and client CPU per request, at 1
 * and 16 requests in flight. The clients are interleaved (ABCD DCBA …); every ratio is taken within
 * a round against raw fetch's figures of the same round, then summarised as the median of the
 * rounds' ratios with their range.
 *
 * Besides the contenders, a ladder from `node:http` up to the layer, one step at a time: the same
 * `node:http` get inside `Effect.async` through `runPromise` (a fiber per call), then
 * `@effect/platform`'s `HttpClient` over `LoopbackHttpClient` with no checks (the `HttpClient`
 * machinery), then the layer over that same client (`layerNode`: what secrets-config adds).
 *
 *   pnpm --filter @secrets-config/bench p4            (ROUNDS=15 REQUESTS=800 by default)
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { SecretsConfig } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as http from "node:http"
import { performance } from "node:perf_hooks"
import * as emulator from "./lib/emulator.js"
import { check, environment, fmt, interleaved, median, percentile, ratios, spread, table } from "./lib/stats.js"

const ROUNDS = Number(process.env.ROUNDS ?? 15)
const REQUESTS = Number(process.env.REQUESTS ?? 800)
const WARMUP = 300
const NAME = "/demo/greeting"
const EXPECTED = "Hello from the secrets-config emulator"

const server = await emulator.child(["--ttl", "300"])
const path = `/systemsmanager/parameters/get?name=${encodeURIComponent(NAME)}&withDecryption=true`
const headers = { "X-Aws-Parameters-Secrets-Token": server.token }

type Get = () => Promise<string>

// --- the clients -------------------------------------------------------------------------------

const rawFetch: Get = async () => {
  const response = await fetch(server.url + path, { headers })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`status ${response.status}`)
  return JSON.parse(text).Parameter.Value
}

const agent = new http.Agent({ keepAlive: true })
const nodeGet = (resolve: (value: string) => void, reject: (error: unknown) => void) => {
  const request = http.get(server.url + path, { agent, headers }, (response) => {
    let text = ""
    response.setEncoding("utf8")
    response.on("data", (chunk: string) => {
      text += chunk
    })
    response.on("end", () => {
      if (response.statusCode !== 200) reject(new Error(`status ${response.statusCode}`))
      else resolve(JSON.parse(text).Parameter.Value)
    })
    response.on("error", reject)
  })
  request.on("error", reject)
}
const nodeHttp: Get = () => new Promise(nodeGet)

// The same node:http get as an Effect, through runPromise: the cost of a fiber per call.
const asyncGet = Effect.async<string, unknown>((resume) =>
  nodeGet(
    (value) => resume(Effect.succeed(value)),
    (error) => resume(Effect.fail(error))
  )
)
const nodeInEffect: Get = () => Effect.runPromise(asyncGet)

const options = { port: server.port, token: Redacted.make(server.token) }

const runtimes: Array<ManagedRuntime.ManagedRuntime<never, unknown>> = []
const viaLayer = (live: Layer.Layer<SecretsConfig.SecretsConfig, unknown>): Get => {
  const runtime = ManagedRuntime.make(live)
  runtimes.push(runtime)
  const get = SecretsConfig.parameterValue(NAME)
  return () => runtime.runPromise(get).then(Redacted.value)
}

// The HttpClient machinery with no checks: client.get + text + JSON.parse through runPromise.
const bareGet = Effect.flatMap(HttpClient.HttpClient, (client) =>
  Effect.flatMap(client.get(server.url + path, { headers }), (response) =>
    Effect.map(response.text, (text) => JSON.parse(text).Parameter.Value as string)
  )
)
const bare = (client: Layer.Layer<HttpClient.HttpClient>): Get => {
  const runtime = ManagedRuntime.make(client)
  runtimes.push(runtime)
  return () => runtime.runPromise(bareGet)
}

interface Client {
  readonly label: string
  readonly get: Get
  /** Context, not a contender: shown in the tables, left out of the targets. */
  readonly ladder?: boolean
}

const clients: ReadonlyArray<Client> = [
  { label: "raw fetch", get: rawFetch },
  { label: "node:http keep-alive", get: nodeHttp },
  { label: "node:http keep-alive in Effect.async, runPromise", get: nodeInEffect, ladder: true },
  {
    label: "bare HttpClient over LoopbackHttpClient, no checks",
    get: bare(LoopbackHttpClient.layer()),
    ladder: true
  },
  { label: "bare HttpClient over FetchHttpClient, no checks", get: bare(FetchHttpClient.layer), ladder: true },
  {
    label: "live layer: layerNode (LoopbackHttpClient, the default)",
    get: viaLayer(LambdaExtension.layerNode(options))
  },
  { label: "live layer: layerFetch (FetchHttpClient)", get: viaLayer(LambdaExtension.layerFetch(options)) },
  {
    label: "live layer + NodeHttpClient, keep-alive agent",
    get: viaLayer(
      LambdaExtension.layer(options).pipe(
        Layer.provide(NodeHttpClient.layerWithoutAgent),
        Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
      )
    )
  }
]
const BASE = "raw fetch"
const OURS = "live layer: layerNode (LoopbackHttpClient, the default)"

// --- the measurement ---------------------------------------------------------------------------

interface Round {
  readonly p50: number
  readonly p99: number
  readonly rps: number
  readonly cpuUs: number
}

const measure = async (get: Get, inFlight: number, requests: number): Promise<Round> => {
  const latencies = new Array<number>(requests)
  let next = 0
  const worker = async () => {
    while (next < requests) {
      const i = next++
      const start = performance.now()
      const value = await get()
      latencies[i] = performance.now() - start
      if (value !== EXPECTED) throw new Error("wrong value")
    }
  }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: inFlight }, worker))
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return {
    p50: percentile(latencies, 50) * 1000,
    p99: percentile(latencies, 99) * 1000,
    rps: requests / (wall / 1000),
    cpuUs: (cpu.user + cpu.system) / requests
  }
}

console.log(`P4 — uncached get, ${environment()}`)
console.log(
  `emulator (child process, --ttl 300) at ${server.url}; ${ROUNDS} rounds × ${REQUESTS} requests per client, interleaved; ` +
    `figures: medians of the rounds; ratios: median of the rounds' ratios to raw fetch (min–max)\n`
)

for (const client of clients) check((await client.get()) === EXPECTED, `${client.label} reads the value`)

const verdicts: Array<string> = []
for (const inFlight of [1, 16]) {
  const results = new Map<string, Array<Round>>()
  for (const client of clients) {
    await measure(client.get, inFlight, WARMUP)
    results.set(client.label, [])
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const client of interleaved(clients, round))
      results.get(client.label)!.push(await measure(client.get, inFlight, REQUESTS))
  }
  const series = (label: string, key: keyof Round) => results.get(label)!.map((r) => r[key])
  const med = (label: string, key: keyof Round) => median(series(label, key))
  const vsBase = (label: string, key: keyof Round) => ratios(series(label, key), series(BASE, key))
  console.log(`### ${inFlight} in flight\n`)
  console.log(
    table(
      ["client", "p50 µs", "p99 µs", "req/s", "client CPU µs/req", "CPU vs fetch", "p50 vs fetch", "req/s vs fetch"],
      clients.map(({ label }) => [
        label,
        fmt(med(label, "p50"), 0),
        fmt(med(label, "p99"), 0),
        fmt(med(label, "rps"), 0),
        fmt(med(label, "cpuUs"), 0),
        spread(vsBase(label, "cpuUs")),
        spread(vsBase(label, "p50")),
        spread(vsBase(label, "rps"))
      ])
    )
  )
  // The ladder: each step against the one below it, per round.
  const steps: ReadonlyArray<readonly [string, string]> = [
    ["node:http keep-alive in Effect.async, runPromise", "node:http keep-alive"],
    ["bare HttpClient over LoopbackHttpClient, no checks", "node:http keep-alive in Effect.async, runPromise"],
    [OURS, "bare HttpClient over LoopbackHttpClient, no checks"],
    ["live layer: layerFetch (FetchHttpClient)", "bare HttpClient over FetchHttpClient, no checks"]
  ]
  console.log(`\nstep by step, ${inFlight} in flight: per-round CPU µs/req added and ratios (median, min–max)\n`)
  console.log(
    table(
      ["step", "over", "CPU µs/req added", "CPU ratio", "p50 ratio"],
      steps.map(([step, over]) => {
        const added = series(step, "cpuUs").map((x, i) => x - series(over, "cpuUs")[i]!)
        return [
          step,
          over,
          `${fmt(median(added), 0)} (${fmt(Math.min(...added), 0)}…${fmt(Math.max(...added), 0)})`,
          spread(ratios(series(step, "cpuUs"), series(over, "cpuUs"))),
          spread(ratios(series(step, "p50"), series(over, "p50")))
        ]
      })
    )
  )
  console.log("")
  if (inFlight === 1) {
    const cpu = median(vsBase(OURS, "cpuUs"))
    const p50 = median(vsBase(OURS, "p50"))
    verdicts.push(
      `- 1 in flight, client CPU ${cpu.toFixed(2)}× raw fetch (target ≤ 1.4×): ${cpu <= 1.4 ? "met" : "NOT met"}`,
      `- 1 in flight, p50 ${p50.toFixed(2)}× raw fetch (target ≤ 1.4×): ${p50 <= 1.4 ? "met" : "NOT met"}`
    )
  } else {
    const rps = median(vsBase(OURS, "rps"))
    verdicts.push(
      `- ${inFlight} in flight, throughput ${rps.toFixed(2)}× raw fetch's (target ≥ 1×): ${rps >= 1 ? "met" : "NOT met"}`
    )
  }
}
console.log(`targets (${OURS}, medians of per-round ratios):\n${verdicts.join("\n")}\n`)

for (const runtime of runtimes) await runtime.dispose()
agent.destroy()
await server.close()
