/**
 * The demo itself (`demo.ts` prints its first line and loads this). See `demo.ts`.
 */
import { Emulator, Store } from "@secrets-config/emulator"
import { Effect, Layer } from "effect"
import { performance } from "node:perf_hooks"

const CACHE_TTL_SECONDS = 2
const WIDTH = 100

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s)

/** Words wrapped at `WIDTH` columns, every line indented. */
const wrap = (text: string, indent = "   "): string => {
  const lines: Array<string> = []
  let line = indent
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > WIDTH && line.trim().length > 0) {
      lines.push(line)
      line = indent
    }
    line += line.trim().length === 0 ? word : ` ${word}`
  }
  if (line.trim().length > 0) lines.push(line)
  return lines.join("\n")
}

const context = (budgetMs: number) => {
  const end = performance.now() + budgetMs
  return { getRemainingTimeInMillis: () => Math.max(0, Math.round(end - performance.now())) }
}

const describeRequests = (entries: ReadonlyArray<Emulator.RequestLogEntry>): string => {
  if (entries.length === 0) return "0"
  const byStatus = new Map<string, number>()
  for (const e of entries) byStatus.set(String(e.status), (byStatus.get(String(e.status)) ?? 0) + 1)
  return `${entries.length} (${[...byStatus.entries()].map(([status, n]) => `${n}×${status}`).join(", ")})`
}

/** A row: stage, status, handler time, endpoint requests, what it shows (at most 100 columns). */
const row = (stage: string, status: string, ms: string, requests: string, shows: string) =>
  `${stage.padEnd(24)}${status.padEnd(7)}${ms.padStart(9)}   ${requests.padEnd(17)}${shows}`

const program = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  const { control } = emulator
  // What Lambda sets for a function with the extension layer attached.
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(emulator.port)
  process.env.AWS_SESSION_TOKEN = emulator.token
  console.log(
    dim(
      `emulator ${emulator.url} · sample store: /demo/* and secret demo/db · handler cache TTL ${CACHE_TTL_SECONDS} s`
    )
  )

  let seen = 0
  const newRequests = Effect.map(control.requests, (all) => {
    const fresh = all.slice(seen)
    seen = all.length
    return fresh
  })

  // INIT: importing the handler builds nothing and calls nothing.
  const t0 = performance.now()
  const { makeHandler, makeLayer } = yield* Effect.promise(() => import("./handler.js"))
  const { LambdaExtension } = yield* Effect.promise(() => import("@secrets-config/lambda-extension"))
  const newHandler = () =>
    makeHandler(makeLayer(LambdaExtension.layerNode(), { prefix: "/demo", cacheTtlSeconds: CACHE_TTL_SECONDS }))
  const handler = newHandler()
  const initMs = performance.now() - t0
  console.log()
  console.log(dim(row("stage", "status", "handler", "endpoint calls", "what it shows")))
  console.log(
    row(
      "INIT: module loaded",
      "—",
      `${initMs.toFixed(0)} ms`,
      describeRequests(yield* newRequests),
      "nothing sent in INIT"
    )
  )

  /** The runtime (layers, HTTP client) is built by the first call: timed apart, so rows show the handler. */
  const warmUp = (h: ReturnType<typeof newHandler>) =>
    Effect.gen(function* () {
      const start = performance.now()
      yield* Effect.promise(() => h.runtime.runtime())
      return performance.now() - start
    })

  let n = 0
  const invoke = (stage: string, event: Record<string, unknown> = {}, h = handler) =>
    Effect.gen(function* () {
      n++
      const start = performance.now()
      const result = yield* Effect.promise(() => h(event, context(3000)))
      const ms = performance.now() - start
      const requests = yield* newRequests
      const body = JSON.parse(result.body)
      const shows =
        result.statusCode === 200 ? `db ${body.db.host}, password ${body.db.password}` : (body.error as string)
      console.log(
        row(`#${n} ${stage}`, String(result.statusCode), `${ms.toFixed(1)} ms`, describeRequests(requests), shows)
      )
      return { result, body, requests }
    })

  // 1. Cold start: the extension answers "not ready" to the first requests.
  yield* control.updateFaults({ notReady: { requests: 2 } })
  const built = yield* warmUp(handler)
  console.log(dim(`   first call: the runtime is built (layers, HTTP client) in ${built.toFixed(0)} ms, then:`))
  const cold = yield* invoke("cold start")
  yield* control.clearFaults
  console.log(dim(wrap("the first 2 answers were 400 'not ready': retried with backoff, then served, in one burst")))
  console.log(
    dim(
      wrap(
        `config: greeting ${JSON.stringify(cold.body.greeting)}, flags ${cold.body.featureFlags.join("|")}, ` +
          `log level ${cold.body.logLevel}, api key ${cold.body.apiKey}`
      )
    )
  )

  // 2. Warm invocations: everything from the in-process cache.
  yield* invoke("warm")
  yield* invoke("warm")
  console.log(dim("   warm: served from the in-process cache; the time is the handler's own work"))

  // 3. Rotation: the old value until the cache TTL passes, then the new one (a new host shows it).
  yield* control.rotateSecret(
    "demo/db",
    JSON.stringify({
      engine: "postgres",
      host: "db-2.internal",
      port: 5432,
      username: "app",
      password: "rotated-password-not-real"
    })
  )
  console.log(dim("   … secret demo/db rotated: a new AWSCURRENT version, new host db-2.internal"))
  const before = yield* invoke("warm, after rotation")
  yield* Effect.sleep(`${CACHE_TTL_SECONDS * 1000 + 200} millis`)
  console.log(dim(`   … ${CACHE_TTL_SECONDS} s later, the cache TTL has passed`))
  const after = yield* invoke("after the TTL")

  // 4. A parameter that does not exist: the extension's ambiguous 400, typed and explained.
  const missing = yield* invoke("missing parameter", { lookup: "/demo/does-not-exist" })
  console.log(dim(wrap(missing.body.message)))

  // 5. No token (as with SnapStart): a new container without AWS_SESSION_TOKEN.
  delete process.env.AWS_SESSION_TOKEN
  const noToken = yield* invoke("no token", {}, newHandler())
  console.log(dim(wrap(`${noToken.body.message.split(". ").slice(0, 2).join(". ")}.`)))

  const checks = [
    [
      "cold start served after not-ready answers",
      cold.result.statusCode === 200 && cold.requests.some((r) => r.status === 400)
    ],
    [
      "rotation visible only after the TTL",
      before.body.db?.host === "db.internal" && after.body.db?.host === "db-2.internal"
    ],
    ["missing parameter → UpstreamError", missing.body.error === "UpstreamError"],
    [
      "missing token → MissingToken, nothing sent",
      noToken.body.error === "MissingToken" && noToken.requests.length === 0
    ]
  ] as const
  console.log()
  for (const [what, ok] of checks) console.log(`${ok ? "✓" : "✗"} ${what}`)
  if (checks.some(([, ok]) => !ok)) return yield* Effect.die(new Error("the demo did not go as expected"))
})

program.pipe(Effect.provide(Layer.fresh(Emulator.layer({ store: Store.sample }))), Effect.runPromise).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
