/**
 * `pnpm demo`: starts the bundled emulator of the AWS Parameters and Secrets Lambda Extension with
 * the sample store, and drives the example handler through a Lambda life — INIT, a cold start inside
 * the extension's not-ready window, warm invocations, a secret rotation, a missing parameter, a
 * missing token — printing one line per invocation with the endpoint requests it caused. No AWS
 * account needed. Secrets are shown only as fingerprints.
 */
import { Emulator, Store } from "@secrets-config/emulator"
import { Effect, Layer } from "effect"
import { performance } from "node:perf_hooks"

const CACHE_TTL_SECONDS = 2

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s)
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)

const context = (budgetMs: number) => {
  const end = performance.now() + budgetMs
  return { getRemainingTimeInMillis: () => Math.max(0, Math.round(end - performance.now())) }
}

const describeRequests = (entries: ReadonlyArray<Emulator.RequestLogEntry>): string => {
  if (entries.length === 0) return "0 endpoint requests"
  const byStatus = new Map<string, number>()
  for (const e of entries) {
    const key = e.status === 400 && e.tokenOk ? "400" : String(e.status)
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1)
  }
  const parts = [...byStatus.entries()].map(([status, n]) => `${n}×${status}`)
  return `${entries.length} endpoint request${entries.length === 1 ? "" : "s"} (${parts.join(", ")})`
}

const summarize = (statusCode: number, body: string): string => {
  const parsed = JSON.parse(body)
  if (statusCode === 200) {
    const f = parsed.fingerprints
    return `greeting=${JSON.stringify(parsed.greeting)} flags=${parsed.featureFlags.join("|")} db=${parsed.db.username}@${parsed.db.host}:${parsed.db.port} apiKey=sha256:${f.apiKey} dbPassword=sha256:${f.dbPassword}`
  }
  return `${parsed.error}`
}

const program = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  const { control } = emulator
  // What Lambda sets for a function with the extension layer attached.
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(emulator.port)
  process.env.AWS_SESSION_TOKEN = emulator.token

  console.log(
    bold("secrets-config demo") +
      dim(` — emulator of the AWS Parameters and Secrets Lambda Extension at ${emulator.url}`)
  )
  console.log(
    dim(`store: the emulator's sample (/demo/* parameters, secret demo/db); handler cache TTL ${CACHE_TTL_SECONDS} s\n`)
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
  const handler = makeHandler(
    makeLayer(LambdaExtension.layerNode(), { prefix: "/demo", cacheTtlSeconds: CACHE_TTL_SECONDS })
  )
  const initMs = performance.now() - t0
  console.log(
    `${"INIT".padEnd(30)} ${"—".padEnd(4)} ${initMs.toFixed(1).padStart(7)} ms  ${describeRequests(yield* newRequests)}  ${dim("module loaded; no endpoint call during INIT")}`
  )

  let n = 0
  const invoke = (stage: string, event: Record<string, unknown> = {}, note = "", h = handler) =>
    Effect.gen(function* () {
      n++
      const start = performance.now()
      const result = yield* Effect.promise(() => h(event, context(3000)))
      const ms = performance.now() - start
      const requests = yield* newRequests
      console.log(
        `${`#${n} ${stage}`.padEnd(30)} ${String(result.statusCode).padEnd(4)} ${ms.toFixed(1).padStart(7)} ms  ${describeRequests(requests)}  ${summarize(result.statusCode, result.body)}${note ? dim(`  ${note}`) : ""}`
      )
      return { result, requests }
    })

  // 1. Cold start: the extension answers "not ready" to the first requests.
  yield* control.updateFaults({ notReady: { requests: 2 } })
  const cold = yield* invoke(
    "cold start",
    {},
    "the first 2 answers were 400 'not ready': retried with backoff, then served"
  )
  yield* control.clearFaults

  // 2. Warm invocations: everything from the in-process cache.
  yield* invoke("warm")
  yield* invoke("warm")

  // 3. Rotation: the old password until the cache TTL passes, then the new one.
  yield* control.rotateSecret(
    "demo/db",
    JSON.stringify({
      engine: "postgres",
      host: "db.internal",
      port: 5432,
      username: "app",
      password: "rotated-password-not-real"
    })
  )
  console.log(dim(`   … secret demo/db rotated (new AWSCURRENT version)`))
  const before = yield* invoke("warm, after rotation", {}, "still the old password: cached")
  yield* Effect.sleep(`${CACHE_TTL_SECONDS * 1000 + 200} millis`)
  console.log(dim(`   … ${CACHE_TTL_SECONDS} s later, the cache TTL has passed`))
  const after = yield* invoke("after the TTL", {}, "the new password")

  // 4. A parameter that does not exist: the extension's ambiguous 400, typed and explained.
  const missing = yield* invoke("missing parameter", { lookup: "/demo/does-not-exist" })
  console.log(dim(`   ${JSON.parse(missing.result.body).message}`))

  // 5. No token (as with SnapStart): a new container without AWS_SESSION_TOKEN.
  delete process.env.AWS_SESSION_TOKEN
  const noToken = yield* invoke(
    "new container, no token",
    {},
    "",
    makeHandler(makeLayer(LambdaExtension.layerNode(), { prefix: "/demo", cacheTtlSeconds: CACHE_TTL_SECONDS }))
  )
  console.log(dim(`   ${JSON.parse(noToken.result.body).message.split(". ").slice(0, 2).join(". ")}.`))

  const fp = (r: { result: { body: string } }) => JSON.parse(r.result.body).fingerprints?.dbPassword
  const checks = [
    [
      "cold start served after not-ready answers",
      cold.result.statusCode === 200 && cold.requests.some((r) => r.status === 400)
    ],
    ["rotation visible only after the TTL", fp(before) === fp(cold) && fp(after) !== fp(cold)],
    ["missing parameter → UpstreamError", JSON.parse(missing.result.body).error === "UpstreamError"],
    [
      "missing token → MissingToken, nothing sent",
      JSON.parse(noToken.result.body).error === "MissingToken" && noToken.requests.length === 0
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
