/**
 * P4, step by step without a transport: what the live layer costs per get over the `HttpClient`
 * under it, with no socket in the way (on this VM the socket calls are most of every client's CPU,
 * and the noisiest part). The client answers at once with the emulator's own bytes for
 * `/demo/greeting` (fetched once at start), so only code runs:
 *
 * - `runPromise` of a value: the floor of any Promise API over Effect;
 * - the bare `HttpClient` (`client.get`, `text`, `JSON.parse`, no checks) and the live layer's
 *   `getParameter`, both over a client handing over the answer in memory and marked as honouring
 *   the attempt's limits, as `LoopbackHttpClient` does (the path `layerNode` takes);
 * - the same two over a client handing over a web `Response` (`HttpClientResponse.fromWeb`, as
 *   `FetchHttpClient` does) and not so marked: the path `layerFetch` and any other client take.
 *
 * CPU per get, interleaved rounds; ratios are medians of per-round ratios (min–max).
 *
 *   pnpm --filter @secrets-config/bench p4:steps        (ROUNDS=9 GETS=5000 by default)
 *   node --cpu-prof --import tsx p4-steps.ts            (with a CPU profile, from bench/)
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import { SecretsConfig } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Effect, Inspectable, Layer, ManagedRuntime, Option, Redacted, Stream } from "effect"
import * as emulator from "./lib/emulator.js"
import { check, environment, fmt, interleaved, median, ratios, spread, table } from "./lib/stats.js"

const ROUNDS = Number(process.env.ROUNDS ?? 9)
const GETS = Number(process.env.GETS ?? 5000)
const NAME = "/demo/greeting"
const EXPECTED = "Hello from the secrets-config emulator"
const PORT = 2773

// The emulator's answer, byte for byte, with its headers.
const server = await emulator.child(["--ttl", "300"])
const answer = await fetch(
  `${server.url}/systemsmanager/parameters/get?name=${encodeURIComponent(NAME)}&withDecryption=true`,
  { headers: { "X-Aws-Parameters-Secrets-Token": server.token } }
)
const bytes = new Uint8Array(await answer.arrayBuffer())
const rawHeaders: Record<string, string> = Object.fromEntries(answer.headers)
await server.close()
check(answer.status === 200, `the emulator answered ${answer.status}`)

const decoder = new TextDecoder()

/** An answer already in memory, as `LoopbackHttpClient` hands it over. */
class InMemory extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly status = 200
  readonly headers = Headers.fromInput(rawHeaders)
  readonly cookies = Cookies.empty
  readonly remoteAddress = Option.none<string>()
  constructor(readonly request: HttpClientRequest.HttpClientRequest) {
    super()
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.succeed(bytes.slice().buffer)
  }
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.sync(() => decoder.decode(bytes))
  }
  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.sync(() => JSON.parse(decoder.decode(bytes)))
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.succeed(UrlParams.empty)
  }
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.die("not read")
  }
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.succeed(bytes)
  }
  toJSON(): unknown {
    return { status: this.status }
  }
}

// Marked as LoopbackHttpClient is: the layer then leaves the attempt's deadline and byte limit to
// the transport (internal/attempt.ts; the symbol is global).
const BOUNDED = Symbol.for("@secrets-config/lambda-extension/BoundedClient")
const inMemory = Object.assign(
  HttpClient.make((request) => Effect.succeed(new InMemory(request))),
  { [BOUNDED]: BOUNDED }
)
const webResponse = HttpClient.make((request) =>
  Effect.sync(() =>
    HttpClientResponse.fromWeb(request, new Response(bytes.slice(), { status: 200, headers: rawHeaders }))
  )
)

const url = `http://127.0.0.1:${PORT}/systemsmanager/parameters/get?name=${encodeURIComponent(NAME)}&withDecryption=true`
const bareGet = Effect.flatMap(HttpClient.HttpClient, (client) =>
  Effect.flatMap(client.get(url, { headers: { "X-Aws-Parameters-Secrets-Token": "x" } }), (response) =>
    Effect.map(response.text, (text) => JSON.parse(text).Parameter.Value as string)
  )
)
const layerGet = Effect.map(SecretsConfig.parameterValue(NAME), Redacted.value)

type Get = () => Promise<string>
const runtimes: Array<ManagedRuntime.ManagedRuntime<never, unknown>> = []
const over = (client: HttpClient.HttpClient, withLayer: boolean): Get => {
  const http = Layer.succeed(HttpClient.HttpClient, client)
  if (!withLayer) {
    const runtime = ManagedRuntime.make(http)
    runtimes.push(runtime)
    return () => runtime.runPromise(bareGet)
  }
  const runtime = ManagedRuntime.make(
    LambdaExtension.layer({ port: PORT, token: Redacted.make("x") }).pipe(Layer.provide(http))
  )
  runtimes.push(runtime)
  return () => runtime.runPromise(layerGet)
}
const floor = ManagedRuntime.make(Layer.empty)
runtimes.push(floor)
const value = Effect.succeed(EXPECTED)

const steps: ReadonlyArray<{ readonly key: string; readonly label: string; readonly get: Get }> = [
  { key: "floor", label: "runPromise(Effect.succeed(value))", get: () => floor.runPromise(value) },
  { key: "bare-mem", label: "bare HttpClient, answer in memory (as LoopbackHttpClient)", get: over(inMemory, false) },
  { key: "layer-mem", label: "live layer, answer in memory (layerNode's path)", get: over(inMemory, true) },
  { key: "bare-web", label: "bare HttpClient, web Response (as FetchHttpClient)", get: over(webResponse, false) },
  { key: "layer-web", label: "live layer, web Response (layerFetch's path)", get: over(webResponse, true) }
]

const measure = async (get: Get, gets: number): Promise<number> => {
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < gets; i++) if ((await get()) !== EXPECTED) throw new Error("wrong value")
  const cpu = process.cpuUsage(cpu0)
  return (cpu.user + cpu.system) / gets
}

console.log(`P4 steps — uncached get without a transport, ${environment()}`)
console.log(`${ROUNDS} rounds × ${GETS} gets per step, interleaved; CPU µs per get, medians of the rounds\n`)
for (const step of steps) check((await step.get()) === EXPECTED, `${step.label} reads the value`)
for (const step of steps) await measure(step.get, Math.min(GETS, 2000))

const samples = new Map<string, Array<number>>(steps.map((s) => [s.key, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const step of interleaved(steps, round)) samples.get(step.key)!.push(await measure(step.get, GETS))
}
const series = (key: string) => samples.get(key)!
const added = (key: string, over: string) => {
  const ds = series(key).map((x, i) => x - series(over)[i]!)
  return `${fmt(median(ds), 0)} (${fmt(Math.min(...ds), 0)}…${fmt(Math.max(...ds), 0)})`
}
const against: Record<string, string> = {
  "bare-mem": "floor",
  "layer-mem": "bare-mem",
  "bare-web": "floor",
  "layer-web": "bare-web"
}
console.log(
  table(
    ["step", "CPU µs/get", "over", "µs added (min…max)", "ratio (min–max)"],
    steps.map((step) => {
      const o = against[step.key]
      return [
        step.label,
        fmt(median(series(step.key)), 1),
        o === undefined ? "" : steps.find((s) => s.key === o)!.label,
        o === undefined ? "" : added(step.key, o),
        o === undefined ? "" : spread(ratios(series(step.key), series(o)))
      ]
    })
  )
)

for (const runtime of runtimes) await runtime.dispose()
