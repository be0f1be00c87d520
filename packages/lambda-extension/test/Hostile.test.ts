/**
 * The live layer against hostile endpoints on real sockets, for every flavour of client: redirects
 * to another origin, compression bombs, endless bodies, tokens a header cannot carry, invalid UTF-8,
 * answers for another resource, a storm of slow 503s, resets and silence. Each endpoint is our own
 * raw `node:http` / `node:net` server, so that what reaches it (and when the client lets go of a
 * connection) is seen from the server's side.
 */
import { assert, describe, it } from "@effect/vitest"
import { NodeHttpClient } from "@effect/platform-node"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import type { SecretsConfigError } from "@secrets-config/core/SecretsConfigError"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { ConfigProvider, Context, Duration, Effect, Either, Layer, Redacted, Schedule } from "effect"
import type { ConfigError } from "effect/ConfigError"
import * as fs from "node:fs"
import * as zlib from "node:zlib"
import { parameterBody, secretBody } from "./utils/fake.js"
import { closeByServer, eventually, httpServer, netServer, sendJson, sendText, slowServer } from "./utils/rawServer.js"
import { checkRecorded, RECORDED_PATH, recordedCases, runRecorded } from "./utils/recorded.js"

const TOKEN = "tok-hostile-7f3a"
const TOKEN_HEADER = LambdaExtension.tokenHeader
const MiB = 1024 * 1024

// --- flavours --------------------------------------------------------------------------------

interface Flavour {
  readonly name: string
  readonly layer: (options: LambdaExtension.Options) => Layer.Layer<SecretsConfig.SecretsConfig, ConfigError>
}

const flavours: ReadonlyArray<Flavour> = [
  { name: "layerNode", layer: LambdaExtension.layerNode },
  { name: "layerFetch", layer: LambdaExtension.layerFetch },
  {
    name: "layer + NodeHttpClient.layer",
    layer: (options) => Layer.provide(LambdaExtension.layer(options), NodeHttpClient.layer)
  },
  {
    name: "layer + NodeHttpClient.layerUndici",
    layer: (options) => Layer.provide(LambdaExtension.layer(options), NodeHttpClient.layerUndici)
  }
]

/**
 * The service of a flavour, pointed at `server`, living as long as the test's scope. The
 * environment it sees is `env` only (nothing from the process).
 */
const serviceFor = (
  flavour: Flavour,
  server: { readonly port: number },
  options: LambdaExtension.Options = {},
  env: Record<string, string> = {}
) =>
  Layer.build(flavour.layer({ port: server.port, token: Redacted.make(TOKEN), ...options })).pipe(
    Effect.map(Context.get(SecretsConfig.SecretsConfig)),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

/** Runs a call, measuring real time; fails the test if it outlives `bound` ms. */
const timed = <A>(self: Effect.Effect<A, SecretsConfigError>, bound = 4000) =>
  Effect.gen(function* () {
    const start = performance.now()
    const result = yield* Effect.either(self).pipe(
      Effect.timeoutFail({ duration: Duration.millis(bound), onTimeout: () => new Error("the call hung") })
    )
    return { result, elapsed: performance.now() - start }
  })

/** The error of a failed call, which must carry `tag`. */
const failure = <T extends SecretsConfigError["_tag"]>(
  result: Either.Either<unknown, SecretsConfigError>,
  tag: T
): Extract<SecretsConfigError, { readonly _tag: T }> => {
  if (Either.isRight(result)) return assert.fail(`expected ${tag}, got a success`)
  assert.strictEqual(result.left._tag, tag, `expected ${tag}, got ${result.left._tag}: ${result.left.message}`)
  return result.left as Extract<SecretsConfigError, { readonly _tag: T }>
}

/** The value of a successful call. */
const success = <A>(result: Either.Either<A, SecretsConfigError>): A => {
  if (Either.isLeft(result)) return assert.fail(`expected a success, got ${result.left._tag}: ${result.left.message}`)
  return result.right
}

const textOf = (value: Redacted.Redacted<string> | Redacted.Redacted<Uint8Array>) => {
  const raw = Redacted.value(value as Redacted.Redacted<unknown>)
  return typeof raw === "string" ? raw : assert.fail("a binary value")
}

/** No retries: one attempt shows what one answer does. */
const once: LambdaExtension.Options = { retry: Schedule.stop }

const ACCOUNT = "arn:aws:secretsmanager:eu-west-1:111122223333:secret"
const SECRET_ARN = `${ACCOUNT}:app/db-Ab12Cd`
const PARAMETER_ARN = "arn:aws:ssm:eu-west-1:111122223333:parameter/app/x"

/** Answers every GetSecretValue with the secret named as asked (by name only). */
const answerSecret = (target: string) => {
  const id = new URL(target, "http://x").searchParams.get("secretId") ?? ""
  return secretBody({ Name: id, SecretString: "s3cr3t" })
}

// --- fixtures built once ---------------------------------------------------------------------

/** 64 MiB of zeros, gzipped (~64 KB). */
let bomb: Buffer | undefined
const gzipBomb = () => (bomb ??= zlib.gzipSync(Buffer.alloc(64 * MiB), { level: 9 }))

/** A 200 GetSecretValue body whose SecretString holds the bytes 0xC3 0x28 (not UTF-8). */
const invalidUtf8Secret = () => {
  const text = JSON.stringify(secretBody({ Name: "app/db", SecretString: "pre@@post" }))
  const at = Buffer.from(text.slice(0, text.indexOf("@@")), "utf8")
  const rest = Buffer.from(text.slice(text.indexOf("@@") + 2), "utf8")
  return Buffer.concat([at, Buffer.from([0xc3, 0x28]), rest])
}

// --- the recorded answers, when ../shared is there (as in CI) ---------------------------------

const recorded: Record<string, { readonly response: unknown }> | undefined = fs.existsSync(RECORDED_PATH)
  ? JSON.parse(fs.readFileSync(RECORDED_PATH, "utf8"))
  : undefined
if (recorded === undefined) {
  console.warn(`recorded fixtures not found at ${RECORDED_PATH}: the recorded answers over a raw server are skipped`)
}

// --- the suite -------------------------------------------------------------------------------

describe("hostile endpoints", () => {
  for (const flavour of flavours) {
    describe(flavour.name, () => {
      // 1. Redirects: never followed, the token never leaves the endpoint.
      for (const status of [301, 302, 303, 307, 308]) {
        it.scopedLive(`${status} to another origin → InvalidResponse, nothing reaches the other origin`, () =>
          Effect.gen(function* () {
            const elsewhere = yield* httpServer((req, res) => sendJson(res, answerSecret(req.url ?? "")))
            const endpoint = yield* httpServer((req, res) => {
              res.writeHead(status, { location: `${elsewhere.origin}${req.url}`, "content-length": 0 })
              res.end()
            })
            const service = yield* serviceFor(flavour, endpoint)
            const { result } = yield* timed(service.getSecret("app/db"))
            const error = failure(result, "InvalidResponse")
            assert.strictEqual(error.status, status)
            assert.include(error.reason, "redirect")
            assert.strictEqual(endpoint.requests.length, 1)
            assert.strictEqual(endpoint.requests[0]!.headers[TOKEN_HEADER], TOKEN)
            // Give a follower time to get there before counting.
            yield* Effect.sleep("50 millis")
            assert.strictEqual(elsewhere.connections.length, 0)
            assert.strictEqual(elsewhere.requests.length, 0)
            assert.isFalse(elsewhere.requests.some((r) => TOKEN_HEADER in r.headers))
          })
        )
      }

      it.scopedLive("a same-origin redirect → InvalidResponse, and it is not followed", () =>
        Effect.gen(function* () {
          const endpoint = yield* httpServer((req, res) => {
            if (req.url?.includes("followed=1")) return sendJson(res, answerSecret(req.url))
            res.writeHead(307, { location: `${req.url}&followed=1`, "content-length": 0 })
            res.end()
          })
          const service = yield* serviceFor(flavour, endpoint)
          const { result } = yield* timed(service.getSecret("app/db"))
          assert.strictEqual(failure(result, "InvalidResponse").status, 307)
          yield* Effect.sleep("50 millis")
          assert.deepStrictEqual(
            endpoint.requests.map((r) => r.target),
            ["/secretsmanager/get?secretId=app%2Fdb"]
          )
        })
      )

      // 2. Bodies larger than the limit, compressed or not.
      it.scopedLive("a gzip bomb (64 MiB in ~64 KB, honest Content-Length) → InvalidResponse within the deadline", () =>
        Effect.gen(function* () {
          const body = gzipBomb()
          const endpoint = yield* httpServer((_req, res) => {
            res.writeHead(200, {
              "content-type": "application/json",
              "content-encoding": "gzip",
              "content-length": body.length
            })
            res.end(body)
          })
          const service = yield* serviceFor(flavour, endpoint, { deadline: "2 seconds" })
          const { elapsed, result } = yield* timed(service.getSecret("app/db"))
          const error = failure(result, "InvalidResponse")
          assert.include(error.reason, "Content-Encoding")
          assert.isBelow(elapsed, 2000)
          assert.strictEqual(endpoint.requests.length, 1)
          assert.strictEqual(endpoint.requests[0]!.headers["accept-encoding"], "identity")
        })
      )

      it.scopedLive("an endless chunked body (no Content-Length) → InvalidResponse; the client hangs up mid-body", () =>
        Effect.gen(function* () {
          const total = 16 * MiB
          const chunk = Buffer.alloc(64 * 1024, 0x61)
          let written = 0
          let closedMidBody = false
          const endpoint = yield* httpServer((req, res) => {
            res.writeHead(200, { "content-type": "application/json" })
            req.socket.once("close", () => {
              if (written < total) closedMidBody = true
            })
            // Bounded: at most total / chunk writes, each waiting for the socket to drain.
            const pump = () => {
              while (written < total) {
                if (res.destroyed || req.socket.destroyed) return
                written += chunk.length
                if (written >= total) return void res.end(chunk)
                if (!res.write(chunk)) return void res.once("drain", pump)
              }
            }
            pump()
          })
          const service = yield* serviceFor(flavour, endpoint, { ...once, deadline: "2 seconds" })
          const { elapsed, result } = yield* timed(service.getSecret("app/db"))
          const error = failure(result, "InvalidResponse")
          assert.include(error.reason, "larger than 1048576 bytes")
          assert.isBelow(elapsed, 2000)
          assert.strictEqual(endpoint.requests.length, 1)
          const connection = endpoint.requests[0]!.connection
          assert.isTrue(yield* eventually(() => connection.closedAt !== undefined), "the client closes the connection")
          assert.isTrue(closedMidBody, "the connection closed before the server had written everything")
          assert.isTrue(connection.closedByClient)
          assert.isBelow(written, total)
        })
      )

      // 3. Tokens a header cannot carry: refused before any I/O.
      for (const [description, token] of [
        ["CR/LF", "abc\r\nX-Evil: 1"],
        ["a character above U+00FF", "tok-\u20ac"]
      ] as const) {
        it.scopedLive(`a token with ${description} → MissingToken, nothing sent`, () =>
          Effect.gen(function* () {
            const endpoint = yield* httpServer((req, res) => sendJson(res, answerSecret(req.url ?? "")))
            const service = yield* serviceFor(flavour, endpoint, { token: Redacted.make(token) })
            const secret = yield* timed(service.getSecret("app/db"))
            const parameter = yield* timed(service.getParameter("/app/x"))
            for (const { result } of [secret, parameter]) {
              const error = failure(result, "MissingToken")
              assert.include(error.detail ?? "", "header cannot carry")
              assert.notInclude(error.message, token)
            }
            yield* Effect.sleep("20 millis")
            assert.strictEqual(endpoint.connections.length, 0)
            assert.strictEqual(endpoint.requests.length, 0)
          })
        )
      }

      // 4. Invalid UTF-8 in a 200 body.
      it.scopedLive("invalid UTF-8 inside a SecretString → InvalidResponse, not U+FFFD", () =>
        Effect.gen(function* () {
          const body = invalidUtf8Secret()
          const endpoint = yield* httpServer((_req, res) => {
            res.writeHead(200, { "content-type": "application/json", "content-length": body.length })
            res.end(body)
          })
          const service = yield* serviceFor(flavour, endpoint, once)
          const { result } = yield* timed(service.getSecret("app/db"))
          const error = failure(result, "InvalidResponse")
          assert.strictEqual(error.status, 200)
          assert.include(error.reason, "UTF-8")
        })
      )

      // 5. The answer must be for what was asked.
      for (const [description, call, body] of [
        [
          "a parameter answered as another (/other for /app/x)",
          (s: SecretsConfig.SecretsConfig.Service) => s.getParameter("/app/x"),
          parameterBody({ Name: "/other", Value: "v" })
        ],
        [
          "a secret answered as another (Name app/other for app/db)",
          (s: SecretsConfig.SecretsConfig.Service) => s.getSecret("app/db"),
          secretBody({ Name: "app/other", SecretString: "s3cr3t" })
        ],
        [
          "a secret asked by ARN answered with another secret's ARN",
          (s: SecretsConfig.SecretsConfig.Service) => s.getSecret(SECRET_ARN),
          { ...secretBody({ Name: "app/db", SecretString: "s3cr3t" }), ARN: `${ACCOUNT}:app/other-Zz99Yy` }
        ],
        [
          "a secret asked by partial ARN answered with another secret's ARN",
          (s: SecretsConfig.SecretsConfig.Service) => s.getSecret(`${ACCOUNT}:app/db`),
          { ...secretBody({ Name: "app/db", SecretString: "s3cr3t" }), ARN: `${ACCOUNT}:app/dbx-Ab12Cd` }
        ]
      ] as const) {
        it.scopedLive(`${description} → InvalidResponse`, () =>
          Effect.gen(function* () {
            const endpoint = yield* httpServer((_req, res) => sendJson(res, body))
            const service = yield* serviceFor(flavour, endpoint, once)
            const { result } = yield* timed(call(service) as Effect.Effect<unknown, SecretsConfigError>)
            const error = failure(result, "InvalidResponse")
            assert.include(error.reason, "not the one asked for")
            assert.strictEqual(endpoint.requests.length, 1)
          })
        )
      }

      it.scopedLive("a secret asked by full ARN and by partial ARN, answered rightly → the secret", () =>
        Effect.gen(function* () {
          const endpoint = yield* httpServer((_req, res) =>
            sendJson(res, secretBody({ Name: "app/db", SecretString: "s3cr3t" }))
          )
          const service = yield* serviceFor(flavour, endpoint, once)
          for (const id of [SECRET_ARN, `${ACCOUNT}:app/db`]) {
            const { result } = yield* timed(service.getSecret(id))
            const secret = success(result)
            assert.strictEqual(secret.arn, SECRET_ARN)
            assert.strictEqual(secret.name, "app/db")
            assert.strictEqual(textOf(secret.value), "s3cr3t")
          }
          assert.deepStrictEqual(
            endpoint.requests.map((r) => new URL(r.target, endpoint.origin).searchParams.get("secretId")),
            [SECRET_ARN, `${ACCOUNT}:app/db`]
          )
        })
      )

      it.scopedLive("a parameter asked by ARN, answered with its Name and that ARN → the parameter", () =>
        Effect.gen(function* () {
          const endpoint = yield* httpServer((_req, res) =>
            sendJson(res, parameterBody({ Name: "/app/x", Value: "v", ARN: PARAMETER_ARN }))
          )
          const service = yield* serviceFor(flavour, endpoint, once)
          const { result } = yield* timed(service.getParameter(PARAMETER_ARN))
          const parameter = success(result)
          assert.strictEqual(parameter.name, "/app/x")
          assert.strictEqual(parameter.arn, PARAMETER_ARN)
          assert.strictEqual(Redacted.value(parameter.value), "v")
          assert.strictEqual(
            new URL(endpoint.requests[0]!.target, endpoint.origin).searchParams.get("name"),
            PARAMETER_ARN
          )
        })
      )

      // 6. A storm of slow answers: attempts that time out must close their requests before
      // their slot is reused. The endpoint counts on its own thread (see `slowServer`).
      for (const maxConcurrency of [4, 16]) {
        it.scopedLive(`a storm of slow 503s: never more than maxConcurrency (${maxConcurrency}) requests open`, () =>
          Effect.gen(function* () {
            const endpoint = yield* slowServer(300)
            const service = yield* serviceFor(flavour, endpoint, {
              timeout: "100 millis",
              deadline: "1500 millis",
              maxConcurrency
            })
            const calls = Array.from({ length: 40 }, (_, i) => Effect.either(service.getSecret(`storm/${i}`)))
            const { elapsed, result } = yield* timed(Effect.all(calls, { concurrency: "unbounded" }), 4000)
            for (const outcome of success(result)) failure(outcome, "RequestTimeout")
            assert.isBelow(elapsed, 3000)
            const log = yield* endpoint.log
            assert.isAbove(log.requests, maxConcurrency, "a real storm")
            assert.isAtMost(log.maxInFlight, maxConcurrency)
            // Every request ends: within a second, none is left open at the endpoint.
            let open = log.inFlight
            for (let i = 0; i < 100 && open > 0; i++) {
              yield* Effect.sleep("10 millis")
              open = (yield* endpoint.log).inFlight
            }
            assert.strictEqual(open, 0, "every request ends")
          })
        )
      }

      // 7. Which token is sent, from the environment.
      it.scopedLive("agent dialect, AWS_TOKEN='' and AWS_SESSION_TOKEN set → the empty AWS_TOKEN is sent", () =>
        Effect.gen(function* () {
          const endpoint = yield* httpServer((req, res) => sendJson(res, answerSecret(req.url ?? "")))
          const service = yield* serviceFor(
            flavour,
            endpoint,
            { ...once, dialect: "agent", token: undefined },
            { AWS_TOKEN: "", AWS_SESSION_TOKEN: "real" }
          )
          const { result } = yield* timed(service.getSecret("app/db"))
          success(result)
          assert.strictEqual(endpoint.requests.length, 1)
          const sent = endpoint.requests[0]!.rawHeaders.filter(([name]) => name.toLowerCase() === TOKEN_HEADER)
          assert.deepStrictEqual(
            sent.map(([, value]) => value),
            [""],
            "the header is present, with the empty value"
          )
        })
      )

      it.scopedLive("extension dialect, AWS_SESSION_TOKEN='' → MissingToken, nothing sent", () =>
        Effect.gen(function* () {
          const endpoint = yield* httpServer((req, res) => sendJson(res, answerSecret(req.url ?? "")))
          const service = yield* serviceFor(
            flavour,
            endpoint,
            { ...once, token: undefined },
            { AWS_SESSION_TOKEN: "", AWS_TOKEN: "agent-only" }
          )
          const { result } = yield* timed(service.getSecret("app/db"))
          const error = failure(result, "MissingToken")
          assert.deepStrictEqual(error.variables, ["AWS_SESSION_TOKEN"])
          yield* Effect.sleep("20 millis")
          assert.strictEqual(endpoint.connections.length, 0)
        })
      )

      // 8. The recorded answers of the real extension, served byte for byte.
      if (recorded === undefined) {
        it.skip("the 17 recorded answers over a raw server (the file is missing)", () => {})
      } else {
        const file = recorded
        it.scopedLive("the 17 recorded answers, served by a raw server, decode as recorded", () =>
          Effect.gen(function* () {
            const endpoint = yield* httpServer((req, res) => {
              const entry = file[req.url ?? ""]
              if (entry === undefined) return sendText(res, 404, "Not found")
              const response = entry.response as { readonly error?: unknown }
              if (typeof response.error === "string") {
                // The recording client wrote `<status> <reason>: <body>`; the extension sent the body as text.
                const m = /^(\d{3}) [^:]*: (.*)$/.exec(response.error)!
                return sendText(res, Number(m[1]), m[2]!)
              }
              sendJson(res, entry.response)
            })
            const service = yield* serviceFor(flavour, endpoint)
            assert.deepStrictEqual(Object.keys(file).sort(), recordedCases.map((c) => c.key).sort())
            for (const c of recordedCases) {
              const before = endpoint.requests.length
              const result = yield* runRecorded(service, c)
              checkRecorded(c, result)
              assert.deepStrictEqual(
                endpoint.requests.slice(before).map((r) => r.target),
                c.expected._tag === "error" && !c.expected.io ? [] : [c.key],
                c.key
              )
            }
          })
        )
      }

      // 9. Resets and silence.
      it.scopedLive("a connection reset mid-body → ExtensionUnreachable within the deadline", () =>
        Effect.gen(function* () {
          const endpoint = yield* netServer((socket, { connection, later, onRequest }) =>
            onRequest((_request, answer) => {
              // Headers promising 500 bytes, the first 80 of them, then an RST.
              answer(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n" +
                  '{"ARN":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-Ab12Cd","Name":"ap'
              )
              later(20, () => closeByServer(socket, connection, true))
            })
          )
          const service = yield* serviceFor(flavour, endpoint, {
            timeout: "500 millis",
            deadline: "1 second",
            retry: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(2)))
          })
          const { elapsed, result } = yield* timed(service.getSecret("app/db"))
          const error = failure(result, "ExtensionUnreachable")
          assert.match(error.reason, /connection (reset|closed)/)
          assert.isBelow(elapsed, 1000)
          assert.strictEqual(endpoint.connections.length, 3, "transient: retried twice")
        })
      )

      // Requests, not connections, are counted: after an abort, fetch's dispatcher opens a fresh
      // idle connection to the origin at once (no request on it, so no token).
      it.scopedLive("an endpoint that never answers → RequestTimeout (attempt); the client closes the socket", () =>
        Effect.gen(function* () {
          const endpoint = yield* netServer((_socket, { onRequest }) => onRequest(() => {}))
          const service = yield* serviceFor(flavour, endpoint, { ...once, timeout: "100 millis", deadline: "1 second" })
          const start = performance.now()
          const { elapsed, result } = yield* timed(service.getSecret("app/db"))
          const error = failure(result, "RequestTimeout")
          assert.strictEqual(error.scope, "attempt")
          assert.strictEqual(error.timeoutMillis, 100)
          assert.isAtLeast(elapsed, 95)
          assert.isBelow(elapsed, 1000)
          assert.strictEqual(endpoint.requests.length, 1)
          const connection = endpoint.requests[0]!.connection
          assert.isTrue(yield* eventually(() => connection.closedAt !== undefined), "the client closes the connection")
          assert.isTrue(connection.closedByClient)
          assert.isAtLeast(connection.hungUpAt! - start, 95, "not before the timeout")
        })
      )

      it.scopedLive(
        "an endpoint that never answers, with a retry → RequestTimeout (deadline); every socket closed",
        () =>
          Effect.gen(function* () {
            const endpoint = yield* netServer((_socket, { onRequest }) => onRequest(() => {}))
            // The first attempt times out at 100 ms; the retry (10 ms later) has only ~90 ms of the
            // 200 ms deadline left, so the deadline ends it.
            const service = yield* serviceFor(flavour, endpoint, {
              timeout: "100 millis",
              deadline: "200 millis",
              retry: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(10)))
            })
            const start = performance.now()
            const { elapsed, result } = yield* timed(service.getSecret("app/db"))
            const error = failure(result, "RequestTimeout")
            assert.strictEqual(error.scope, "deadline")
            assert.strictEqual(error.timeoutMillis, 200)
            assert.isAtLeast(elapsed, 195)
            assert.isBelow(elapsed, 1000)
            assert.strictEqual(endpoint.requests.length, 2)
            const [first, second] = endpoint.requests.map((r) => r.connection)
            assert.notStrictEqual(first, second, "each attempt on its own connection")
            assert.isTrue(
              yield* eventually(() => first!.closedAt !== undefined && second!.closedAt !== undefined),
              "both connections closed"
            )
            assert.isTrue(first!.closedByClient)
            assert.isTrue(second!.closedByClient)
            assert.isAtLeast(first!.hungUpAt! - start, 95, "the first held for its whole timeout")
            assert.isAtLeast(second!.hungUpAt! - start, 195, "the second held until the deadline")
          })
      )
    })
  }
})
