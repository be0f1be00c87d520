/**
 * P4: one uncached `getParameter` through the live layer against raw `fetch` and `node:http`
 * keep-alive, all against the same emulator running in a child process (so `process.cpuUsage()`
 * here is the client's CPU alone). Latency p50/p99, requests/s and client CPU per request, at 1
 * and 16 requests in flight, medians over interleaved rounds.
 *
 *   pnpm --filter @secrets-config/bench p4            (ROUNDS=5 REQUESTS=1500 by default)
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { SecretsConfig } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as http from "node:http"
import { performance } from "node:perf_hooks"
import * as emulator from "./lib/emulator.js"
import * as LeanNodeClient from "./lib/lean-node-client.js"
import { check, environment, fmt, interleaved, median, percentile, ratio, table } from "./lib/stats.js"

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const REQUESTS = Number(process.env.REQUESTS ?? 1500)
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
const nodeHttp: Get = () =>
  new Promise((resolve, reject) => {
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
  })

const options = { port: server.port, token: Redacted.make(server.token) }

const viaLayer = (label: string, client: Layer.Layer<HttpClient.HttpClient>) => {
  const runtime = ManagedRuntime.make(LambdaExtension.layer(options).pipe(Layer.provide(client)))
  const get = SecretsConfig.parameterValue(NAME)
  return { label, runtime, get: (() => runtime.runPromise(get).then(Redacted.value)) as Get }
}

// The floor under any Effect client: HttpClient.execute + text + JSON.parse through runPromise.
const bareRuntime = ManagedRuntime.make(FetchHttpClient.layer)
const bareGet = Effect.flatMap(HttpClient.HttpClient, (client) =>
  Effect.flatMap(client.get(server.url + path, { headers }), (response) =>
    Effect.map(response.text, (text) => JSON.parse(text).Parameter.Value as string)
  )
)
const bareEffect: Get = () => bareRuntime.runPromise(bareGet)
// The same over the cheapest HttpClient this script could write (HttpClient.make over node:http).
const leanRuntime = ManagedRuntime.make(LeanNodeClient.layer)
const leanEffect: Get = () => leanRuntime.runPromise(bareGet)

const layered = [
  viaLayer("live layer + FetchHttpClient (layerFetch)", FetchHttpClient.layer),
  viaLayer("live layer + NodeHttpClient.layer (as shipped)", NodeHttpClient.layer),
  viaLayer(
    "live layer + NodeHttpClient, keepAlive agent",
    NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))
  ),
  viaLayer("live layer + HttpClient.make over node:http keep-alive", LeanNodeClient.layer)
]

const clients: ReadonlyArray<{ readonly label: string; readonly get: Get }> = [
  { label: "raw fetch", get: rawFetch },
  { label: "node:http keep-alive", get: nodeHttp },
  { label: "bare Effect HttpClient (fetch), no checks", get: bareEffect },
  { label: "bare Effect HttpClient.make over node:http keep-alive, no checks", get: leanEffect },
  ...layered
]

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
console.log(`emulator (child process, --ttl 300) at ${server.url}; ${ROUNDS} rounds × ${REQUESTS} requests each\n`)

for (const client of clients) check((await client.get()) === EXPECTED, `${client.label} reads the value`)

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
  const med = (label: string, key: keyof Round) => median(results.get(label)!.map((r) => r[key]))
  const base = "raw fetch"
  console.log(`### ${inFlight} in flight\n`)
  console.log(
    table(
      ["client", "p50 µs", "p99 µs", "req/s", "client CPU µs/req", "CPU vs fetch", "p50 vs fetch"],
      clients.map(({ label }) => [
        label,
        fmt(med(label, "p50"), 0),
        fmt(med(label, "p99"), 0),
        fmt(med(label, "rps"), 0),
        fmt(med(label, "cpuUs"), 0),
        ratio(med(label, "cpuUs"), med(base, "cpuUs")),
        ratio(med(label, "p50"), med(base, "p50"))
      ])
    )
  )
  console.log("")
}

for (const { runtime } of layered) await runtime.dispose()
await bareRuntime.dispose()
await leanRuntime.dispose()
agent.destroy()
LeanNodeClient.agent.destroy()
await server.close()
