import { assert, describe, it } from "@effect/vitest"
import { FileSystem, Headers, HttpClient } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import {
  Config,
  ConfigProvider,
  Context,
  Duration,
  Effect,
  Exit,
  Fiber,
  FiberRef,
  Layer,
  Option,
  Redacted,
  Schedule,
  TestClock
} from "effect"
import * as fc from "fast-check"
import {
  fakeClient,
  json,
  makeService,
  okHandler,
  parameterBody,
  secretBody,
  settle,
  text,
  TOKEN,
  TransportFailure
} from "./utils/fake.js"

const GENERIC = "an unexpected error occurred while executing request"
const NOT_READY = "not ready to serve traffic, please wait"

/** No retries: one attempt per call, for the mapping tests. */
const once = { retry: Schedule.stop }
/** Retries without jitter, for exact timing. */
const exact = (retries: number) =>
  Schedule.exponential(Duration.millis(25), 2).pipe(Schedule.intersect(Schedule.recurs(retries)))

/** A string secret's value. */
const textOf = (secret: { readonly value: Redacted.Redacted<string> | Redacted.Redacted<Uint8Array> }) =>
  Redacted.value(secret.value as Redacted.Redacted<string>)

describe("LambdaExtension", () => {
  describe("requests (PROTOCOL §1)", () => {
    const parameterCases: ReadonlyArray<readonly [string, SecretsConfig.GetParameterOptions | undefined, string]> = [
      ["/app/db-host", { withDecryption: false }, "/systemsmanager/parameters/get?name=%2Fapp%2Fdb-host"],
      ["/app/db-host", undefined, "/systemsmanager/parameters/get?name=%2Fapp%2Fdb-host&withDecryption=true"],
      [
        "/app/list",
        { version: 1, withDecryption: false },
        "/systemsmanager/parameters/get?name=%2Fapp%2Flist&version=1"
      ],
      [
        "/app/secure",
        { label: "Dev" },
        "/systemsmanager/parameters/get?name=%2Fapp%2Fsecure&label=Dev&withDecryption=true"
      ],
      ["/app/x:3", undefined, "/systemsmanager/parameters/get?name=%2Fapp%2Fx%3A3&withDecryption=true"],
      ["/app/x:Prod", { withDecryption: false }, "/systemsmanager/parameters/get?name=%2Fapp%2Fx%3AProd"],
      ["a+b&c=d", { withDecryption: false }, "/systemsmanager/parameters/get?name=a%2Bb%26c%3Dd"],
      ["/a b/c#d%e?f", { withDecryption: false }, "/systemsmanager/parameters/get?name=%2Fa%20b%2Fc%23d%25e%3Ff"],
      [
        "/app/ünï-€-😀",
        { withDecryption: false },
        `/systemsmanager/parameters/get?name=${encodeURIComponent("/app/ünï-€-😀")}`
      ],
      [
        "/app/x",
        { label: "a+b &c", withDecryption: false },
        "/systemsmanager/parameters/get?name=%2Fapp%2Fx&label=a%2Bb%20%26c"
      ],
      [
        "/aws/reference/secretsmanager/app/db",
        { withDecryption: false },
        "/systemsmanager/parameters/get?name=%2Faws%2Freference%2Fsecretsmanager%2Fapp%2Fdb&withDecryption=true"
      ],
      [
        "/aws/reference/secretsmanager/app/db",
        { label: "AWSPREVIOUS" },
        "/systemsmanager/parameters/get?name=%2Faws%2Freference%2Fsecretsmanager%2Fapp%2Fdb&label=AWSPREVIOUS&withDecryption=true"
      ],
      [
        "arn:aws:ssm:us-east-1:123456789012:parameter/shared/x",
        { version: 2 },
        "/systemsmanager/parameters/get?name=arn%3Aaws%3Assm%3Aus-east-1%3A123456789012%3Aparameter%2Fshared%2Fx&version=2&withDecryption=true"
      ]
    ]
    for (const [name, options, target] of parameterCases) {
      it.effect(`getParameter(${JSON.stringify(name)}, ${JSON.stringify(options)}) → ${target}`, () =>
        Effect.gen(function* () {
          const { requests, service } = yield* makeService(okHandler)
          yield* service.getParameter(name, options)
          assert.strictEqual(requests.length, 1)
          assert.strictEqual(requests[0]!.target, target)
          assert.strictEqual(requests[0]!.method, "GET")
        })
      )
    }

    const secretCases: ReadonlyArray<readonly [string, SecretsConfig.GetSecretOptions | undefined, string]> = [
      ["app/db", undefined, "/secretsmanager/get?secretId=app%2Fdb"],
      ["app/db", { versionStage: "AWSPREVIOUS" }, "/secretsmanager/get?secretId=app%2Fdb&versionStage=AWSPREVIOUS"],
      ["app/db", { versionId: "v-1" }, "/secretsmanager/get?secretId=app%2Fdb&versionId=v-1"],
      [
        "app/db",
        { versionId: "v 1", versionStage: "A&B" },
        "/secretsmanager/get?secretId=app%2Fdb&versionId=v%201&versionStage=A%26B"
      ],
      ["a+b/ü", undefined, "/secretsmanager/get?secretId=a%2Bb%2F%C3%BC"],
      [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf",
        undefined,
        "/secretsmanager/get?secretId=arn%3Aaws%3Asecretsmanager%3Aus-east-1%3A123456789012%3Asecret%3Aapp%2Fdb-AbCdEf"
      ]
    ]
    for (const [secretId, options, target] of secretCases) {
      for (const dialect of ["extension", "agent"] as const) {
        it.effect(`getSecret(${JSON.stringify(secretId)}, ${JSON.stringify(options)}) [${dialect}] → ${target}`, () =>
          Effect.gen(function* () {
            const { requests, service } = yield* makeService(okHandler, { dialect })
            yield* service.getSecret(secretId, options)
            assert.deepStrictEqual(
              requests.map((r) => r.target),
              [target]
            )
          })
        )
      }
    }

    it.effect("every query value round-trips through the URL parser (property)", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(okHandler)
        const names = fc.sample(
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).filter((s) => !s.includes(":")),
          200
        )
        for (const name of names) {
          const result = yield* Effect.either(service.getParameter(name, { withDecryption: false }))
          if (result._tag === "Left") {
            assert.strictEqual(result.left._tag, "InvalidRequest")
            continue
          }
          const url = new URL(requests[requests.length - 1]!.url)
          assert.strictEqual(url.searchParams.get("name"), name)
          assert.deepStrictEqual([...url.searchParams.keys()], ["name"])
          assert.notInclude(url.search, "+")
        }
      })
    )

    it.effect("the token header is sent on every request, to 127.0.0.1:2773 by default", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(okHandler)
        yield* service.getParameter("/a")
        yield* service.getSecret("b")
        assert.strictEqual(requests.length, 2)
        for (const r of requests) {
          assert.strictEqual(r.headers["x-aws-parameters-secrets-token"], TOKEN)
          assert.isTrue(r.url.startsWith("http://127.0.0.1:2773/"))
          assert.isUndefined(r.headers["x-forwarded-for"])
        }
      })
    )

    it.effect("the port comes from PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, an option wins", () =>
      Effect.gen(function* () {
        const env = { AWS_SESSION_TOKEN: TOKEN, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: "4321" }
        const fromEnv = yield* makeService(okHandler, {}, env)
        yield* fromEnv.service.getSecret("x")
        assert.isTrue(fromEnv.requests[0]!.url.startsWith("http://127.0.0.1:4321/"))
        const fromOption = yield* makeService(okHandler, { port: 9999, host: "::1" }, env)
        yield* fromOption.service.getSecret("x")
        assert.isTrue(fromOption.requests[0]!.url.startsWith("http://[::1]:9999/"))
      })
    )

    it.effect("the token header is redacted while the request runs", () =>
      Effect.gen(function* () {
        let names: ReadonlyArray<string | RegExp> = []
        const { client } = fakeClient(() => json(secretBody({ Name: "x", SecretString: "v" })))
        const spy = HttpClient.tapRequest(client, () =>
          Effect.map(FiberRef.get(Headers.currentRedactedNames), (n) => {
            names = n
          })
        )
        const service = yield* LambdaExtension.make({ token: Redacted.make(TOKEN) }).pipe(
          Effect.provideService(HttpClient.HttpClient, spy)
        )
        yield* service.getSecret("x")
        assert.include(names, LambdaExtension.tokenHeader)
        assert.include(names, "authorization")
      })
    )

    it.effect("transformClient is applied to the application's client", () =>
      Effect.gen(function* () {
        let seen = 0
        const { requests, service } = yield* makeService(okHandler, {
          transformClient: HttpClient.mapRequest((request) => {
            seen++
            return request
          })
        })
        yield* service.getSecret("x")
        assert.strictEqual(seen, 1)
        assert.strictEqual(requests.length, 1)
      })
    )

    it.effect("the agent dialect refuses getParameter with InvalidRequest and no I/O", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(okHandler, { dialect: "agent" })
        const error = yield* Effect.flip(service.getParameter("/app/x"))
        assert.strictEqual(error._tag, "InvalidRequest")
        assert.include(error.message, "serves only Secrets Manager")
        assert.strictEqual(requests.length, 0)
      })
    )

    it.effect("a name that cannot be percent-encoded fails with InvalidRequest and no I/O", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(okHandler)
        const error = yield* Effect.flip(service.getSecret("bad-\uD800"))
        assert.strictEqual(error._tag, "InvalidRequest")
        assert.strictEqual(requests.length, 0)
      })
    )
  })

  describe("success bodies (PROTOCOL §2)", () => {
    it.effect("decodes a parameter", () =>
      Effect.gen(function* () {
        const { service } = yield* makeService(() =>
          json(parameterBody({ Name: "/app/list", Type: "StringList", Value: "a,b", Version: 3, Selector: ":3" }))
        )
        const parameter = yield* service.getParameter("/app/list", { version: 3 })
        assert.strictEqual(parameter.name, "/app/list")
        assert.strictEqual(parameter.type, "StringList")
        assert.strictEqual(Redacted.value(parameter.value), "a,b")
        assert.strictEqual(parameter.version, 3)
        assert.deepStrictEqual(parameter.selector, Option.some(":3"))
      })
    )

    it.effect("decodes a binary secret in the Agent's shape (epoch CreatedDate, no ResultMetadata)", () =>
      Effect.gen(function* () {
        const body = `{"ARN":"arn:aws:secretsmanager:us-east-1:1:secret:b-Xy","Name":"b","VersionId":"v1","SecretBinary":"AAEC/w==","VersionStages":["AWSCURRENT"],"CreatedDate":"1569534789.046"}`
        const { service } = yield* makeService(() => new Response(body, { status: 200 }), { dialect: "agent" })
        const secret = yield* service.getSecret("b")
        assert.isTrue(secret.isBinary)
        assert.deepStrictEqual(
          Array.from(Redacted.value(secret.value as Redacted.Redacted<Uint8Array>)),
          [0, 1, 2, 255]
        )
        assert.strictEqual(secret.createdDate.getTime(), 1569534789046)
      })
    )
  })

  describe("errors (PROTOCOL §3)", () => {
    type Case = readonly [
      description: string,
      answer: () => Response,
      tag: SecretsConfigError.SecretsConfigError["_tag"],
      check?: (error: any) => void
    ]
    const extensionCases: ReadonlyArray<Case> = [
      [
        "401 bad session token",
        () => text(401, "bad session token or header key", { "x-amzn-errortype": "AccessDeniedException" }),
        "TokenRejected",
        (e) => assert.strictEqual(e.status, 401)
      ],
      ["400 not ready", () => text(400, NOT_READY), "ExtensionNotReady"],
      [
        "400 generic (ambiguous)",
        () => text(400, GENERIC),
        "UpstreamError",
        (e) => {
          assert.strictEqual(e.status, 400)
          assert.strictEqual(e.body, GENERIC)
          assert.isFalse(e.transient)
        }
      ],
      [
        "400 generic with a trailing newline",
        () => text(400, `${GENERIC}\n`),
        "UpstreamError",
        (e) => assert.strictEqual(e.body, GENERIC)
      ],
      ["400 with an empty body", () => new Response(null, { status: 400 }), "UpstreamError"],
      ["401 with no body", () => new Response(null, { status: 401 }), "TokenRejected"],
      ["500 plain", () => text(500, "internal error"), "UpstreamError", (e) => assert.isTrue(e.transient)],
      ["301 redirect", () => text(301, "", { location: "http://example.com/" }), "InvalidResponse"],
      ["204 no content", () => new Response(null, { status: 204 }), "InvalidResponse"]
    ]
    const agentCases: ReadonlyArray<Case> = [
      ["403 Bad Token", () => text(403, "Bad Token"), "TokenRejected", (e) => assert.strictEqual(e.status, 403)],
      [
        "404 Not found",
        () => text(404, "Not found"),
        "UpstreamError",
        (e) => {
          assert.strictEqual(e.status, 404)
          assert.isFalse(e.transient)
        }
      ],
      ["405 Not allowed", () => text(405, "Not allowed"), "UpstreamError", (e) => assert.isFalse(e.transient)],
      [
        "400 unknown parameter",
        () => text(400, "unknown parameter: foo"),
        "UpstreamError",
        (e) => {
          assert.strictEqual(e.body, "unknown parameter: foo")
          assert.isFalse(e.transient)
        }
      ],
      ["429 Connection limit exceeded", () => text(429, "Connection limit exceeded"), "Throttled"],
      [
        "400 ResourceNotFoundException",
        () =>
          new Response(
            `{"__type":"ResourceNotFoundException", "message":"Secrets Manager can't find the specified secret."}`,
            {
              status: 400
            }
          ),
        "NotFound"
      ],
      [
        "400 AccessDeniedException",
        () =>
          new Response(
            `{"__type":"AccessDeniedException", "message":"User: arn:aws:sts::1:assumed-role/r is not authorized"}`,
            {
              status: 400
            }
          ),
        "AccessDenied",
        (e) => assert.include(e.detail, "is not authorized")
      ],
      [
        "400 ThrottlingException",
        () => new Response(`{"__type":"ThrottlingException", "message":"Rate exceeded"}`, { status: 400 }),
        "Throttled"
      ],
      [
        "400 with an unescaped quote in the message (invalid JSON)",
        () =>
          new Response(`{"__type":"ResourceNotFoundException", "message":"can't find "app/db" at all"}`, {
            status: 400
          }),
        "NotFound"
      ],
      [
        "400 with a namespaced __type",
        () =>
          new Response(`{"__type":"com.amazonaws.secretsmanager#AccessDeniedException", "message":"no"}`, {
            status: 400
          }),
        "AccessDenied"
      ],
      [
        "504 TimeoutError",
        () => new Response(`{"__type":"TimeoutError", "message":"Timeout"}`, { status: 504 }),
        "RequestTimeout",
        (e) => assert.strictEqual(e.scope, "upstream")
      ],
      [
        "502 ConnectionError",
        () => new Response(`{"__type":"ConnectionError", "message":"Read Error"}`, { status: 502 }),
        "UpstreamError",
        (e) => {
          assert.isTrue(e.transient)
          assert.strictEqual(e.status, 502)
        }
      ],
      [
        "500 InternalFailure",
        () => new Response(`{"__type":"InternalFailure"}`, { status: 500 }),
        "UpstreamError",
        (e) => assert.isTrue(e.transient)
      ],
      [
        "400 InternalFailure (an upstream 400 without a message)",
        () => new Response(`{"__type":"InternalFailure"}`, { status: 400 }),
        "UpstreamError",
        (e) => assert.isFalse(e.transient)
      ],
      [
        "400 unknown __type",
        () => new Response(`{"__type":"InvalidRequestException", "message":"marked for deletion"}`, { status: 400 }),
        "UpstreamError",
        (e) => assert.isFalse(e.transient)
      ],
      ["400 Forwarded", () => text(400, "Forwarded"), "UpstreamError"]
    ]
    for (const [dialect, cases] of [
      ["extension", extensionCases],
      ["agent", agentCases]
    ] as const) {
      for (const [description, answer, tag, check] of cases) {
        it.effect(`${dialect}: ${description} → ${tag}`, () =>
          Effect.gen(function* () {
            const { requests, service } = yield* makeService(() => answer(), { ...once, dialect })
            const error = yield* Effect.flip(service.getSecret("app/db"))
            assert.strictEqual(error._tag, tag)
            assert.strictEqual(error.kind, "secret")
            assert.strictEqual(error.resource, "app/db")
            assert.strictEqual(requests.length, 1)
            check?.(error)
          })
        )
      }
    }

    it.effect("a 200 that is not JSON → InvalidResponse, without JSON.parse's message", () =>
      Effect.gen(function* () {
        const { service } = yield* makeService(() => text(200, "hunter2-not-json {"), once)
        const error = yield* Effect.flip(service.getSecret("x"))
        assert.strictEqual(error._tag, "InvalidResponse")
        if (error._tag !== "InvalidResponse") return
        assert.strictEqual(error.status, 200)
        assert.strictEqual(error.reason, "the body is not JSON")
        assert.notInclude(error.message, "hunter2")
        assert.notInclude(JSON.stringify(error), "hunter2")
      })
    )

    it.effect("a 200 with the wrong shape → InvalidResponse naming paths, never values", () =>
      Effect.gen(function* () {
        const { service } = yield* makeService(
          () => json({ Parameter: { Name: "/x", Value: "hunter2", Type: "Weird" } }),
          once
        )
        const error = yield* Effect.flip(service.getParameter("/x"))
        assert.strictEqual(error._tag, "InvalidResponse")
        assert.include(error.message, "GetParameter")
        assert.notInclude(error.message, "hunter2")
        assert.notInclude(error.message, "Weird")
      })
    )

    it.effect("an empty 200 → InvalidResponse", () =>
      Effect.gen(function* () {
        const { service } = yield* makeService(() => new Response(null, { status: 200 }), once)
        const error = yield* Effect.flip(service.getSecret("x"))
        assert.strictEqual(error._tag, "InvalidResponse")
      })
    )

    it.effect("an oversized body → InvalidResponse (streamed, no Content-Length)", () =>
      Effect.gen(function* () {
        const big = JSON.stringify(secretBody({ Name: "x", SecretString: "v".repeat(5000) }))
        const { service } = yield* makeService(() => new Response(big, { status: 200 }), {
          ...once,
          maxResponseBytes: 4096
        })
        const error = yield* Effect.flip(service.getSecret("x"))
        assert.strictEqual(error._tag, "InvalidResponse")
        assert.include(error.message, "4096 bytes")
      })
    )

    it.effect("an oversized body → InvalidResponse (Content-Length checked before reading)", () =>
      Effect.gen(function* () {
        const body = "x".repeat(2048)
        const { service } = yield* makeService(
          () => new Response(body, { status: 200, headers: { "content-length": String(body.length) } }),
          { ...once, maxResponseBytes: 1024 }
        )
        const error = yield* Effect.flip(service.getSecret("x"))
        assert.strictEqual(error._tag, "InvalidResponse")
        assert.include(error.message, "1024 bytes")
      })
    )

    it.effect("a body at the limit is read", () =>
      Effect.gen(function* () {
        const body = JSON.stringify(secretBody({ Name: "x", SecretString: "v" }))
        const { service } = yield* makeService(() => new Response(body, { status: 200 }), {
          ...once,
          maxResponseBytes: new TextEncoder().encode(body).length
        })
        const secret = yield* service.getSecret("x")
        assert.strictEqual(textOf(secret), "v")
      })
    )

    it.effect("long error bodies are cut on UpstreamError", () =>
      Effect.gen(function* () {
        const { service } = yield* makeService(() => text(400, "e".repeat(10_000)), once)
        const error = yield* Effect.flip(service.getSecret("x"))
        assert.strictEqual(error._tag, "UpstreamError")
        if (error._tag === "UpstreamError") assert.isAtMost(error.body.length, 600)
      })
    )
  })

  describe("transport errors", () => {
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:2773"), { code: "ECONNREFUSED" })
    })
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
    const aggregate = Object.assign(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]), {})

    for (const [description, cause, reason] of [
      ["ECONNREFUSED (fetch wraps it)", refused, "connection refused"],
      ["ECONNRESET", reset, "connection reset"],
      ["an AggregateError of ECONNREFUSED", aggregate, "connection refused"],
      ["an unknown cause", new Error(`leaky ${TOKEN}`), "transport error"]
    ] as const) {
      it.effect(`${description} → ExtensionUnreachable "${reason}"`, () =>
        Effect.gen(function* () {
          const { service } = yield* makeService(() => new TransportFailure(cause), once)
          const error = yield* Effect.flip(service.getSecret("x"))
          assert.strictEqual(error._tag, "ExtensionUnreachable")
          if (error._tag !== "ExtensionUnreachable") return
          assert.strictEqual(error.reason, reason)
          assert.strictEqual(error.url, "http://127.0.0.1:2773")
          assert.isTrue(error.cause === undefined || typeof error.cause === "string")
          assert.notInclude(JSON.stringify(error), TOKEN)
          assert.notInclude(String(error), TOKEN)
        })
      )
    }

    it.effect("a connection dropped mid-body → ExtensionUnreachable (transient)", () =>
      Effect.gen(function* () {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(`{"ARN":"a","Na`))
            controller.error(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }))
          }
        })
        const { service } = yield* makeService(() => new Response(stream, { status: 200 }), once)
        const error = yield* Effect.flip(service.getSecret("x"))
        assert.strictEqual(error._tag, "ExtensionUnreachable")
        assert.include(error.message, "closed while the answer was being read")
        assert.isTrue(SecretsConfigError.isTransient(error))
      })
    )
  })

  describe("retries", () => {
    it.effect("transient errors are retried with exponential backoff (TestClock)", () =>
      Effect.gen(function* () {
        const times: Array<number> = []
        const { service } = yield* makeService(
          () =>
            Effect.map(TestClock.currentTimeMillis, (now) => {
              times.push(now)
              return text(400, NOT_READY)
            }),
          { retry: exact(4) }
        )
        const fiber = yield* Effect.fork(service.getSecret("x"))
        yield* settle
        for (const step of [25, 50, 100, 200]) {
          const before = times.length
          yield* TestClock.adjust(step - 1)
          yield* settle
          assert.strictEqual(times.length, before, `no attempt before ${step} ms`)
          yield* TestClock.adjust(1)
          yield* settle
          assert.strictEqual(times.length, before + 1, `an attempt after ${step} ms`)
        }
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag, "ExtensionNotReady")
        assert.deepStrictEqual(times, [0, 25, 75, 175, 375])
      })
    )

    it.effect("success after transient failures", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(
          (request, n) =>
            n === 0
              ? new TransportFailure({ code: "ECONNREFUSED" })
              : n === 1
                ? text(400, NOT_READY)
                : n === 2
                  ? text(429, "Connection limit exceeded")
                  : okHandler(request, n),
          { retry: exact(5) }
        )
        const fiber = yield* Effect.fork(service.getSecret("x"))
        for (let i = 0; i < 10; i++) {
          yield* settle
          yield* TestClock.adjust(100)
        }
        const secret = yield* Fiber.join(fiber)
        assert.strictEqual(textOf(secret), "s3cr3t")
        assert.strictEqual(requests.length, 4)
      })
    )

    const permanent: ReadonlyArray<readonly [string, () => Response]> = [
      ["TokenRejected", () => text(401, "bad session token or header key")],
      ["the ambiguous UpstreamError", () => text(400, GENERIC)],
      ["NotFound", () => new Response(`{"__type":"ResourceNotFoundException", "message":"x"}`, { status: 400 })],
      ["AccessDenied", () => new Response(`{"__type":"AccessDeniedException", "message":"x"}`, { status: 400 })],
      ["InvalidResponse", () => text(200, "not json")]
    ]
    for (const [what, answer] of permanent) {
      it.effect(`${what} is never retried`, () =>
        Effect.gen(function* () {
          const { requests, service } = yield* makeService(answer, { retry: exact(5), dialect: "agent" })
          yield* Effect.flip(service.getSecret("x"))
          assert.strictEqual(requests.length, 1)
        })
      )
    }

    it.effect("MissingToken and InvalidRequest do no I/O", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(okHandler, {}, {})
        const missing = yield* Effect.flip(service.getSecret("x"))
        assert.strictEqual(missing._tag, "MissingToken")
        const invalid = yield* Effect.flip(service.getParameter("/x", { version: 1, label: "L" }))
        assert.strictEqual(invalid._tag, "InvalidRequest")
        assert.strictEqual(requests.length, 0)
      })
    )

    it.effect("the default schedule makes at most 6 attempts, jittered, inside the deadline", () =>
      Effect.gen(function* () {
        const times: Array<number> = []
        const { service } = yield* makeService(() =>
          Effect.map(TestClock.currentTimeMillis, (now) => {
            times.push(now)
            return text(400, NOT_READY)
          })
        )
        const fiber = yield* Effect.fork(service.getSecret("x"))
        for (let i = 0; i < 200 && fiber.unsafePoll() === null; i++) {
          yield* settle
          yield* TestClock.adjust(5)
        }
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag, "ExtensionNotReady")
        assert.strictEqual(times.length, 6)
        const gaps = times.slice(1).map((t, i) => t - times[i]!)
        ;[25, 50, 100, 200, 400].forEach((base, i) => {
          assert.isAtLeast(gaps[i]!, Math.floor(base * 0.8) - 5)
          assert.isAtMost(gaps[i]!, Math.ceil(base * 1.2) + 5)
        })
      })
    )
  })

  describe("timeouts and deadlines", () => {
    const never = () => Effect.never

    it.effect("an attempt that never answers fails with RequestTimeout after the timeout", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(never, { ...once, timeout: "300 millis" })
        const fiber = yield* Effect.fork(service.getSecret("x"))
        yield* settle
        yield* TestClock.adjust(299)
        assert.isNull(fiber.unsafePoll())
        yield* TestClock.adjust(1)
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag, "RequestTimeout")
        if (error._tag !== "RequestTimeout") return
        assert.strictEqual(error.scope, "attempt")
        assert.strictEqual(error.timeoutMillis, 300)
        assert.strictEqual(requests.length, 1)
      })
    )

    it.effect("with the defaults, a hung endpoint fails with RequestTimeout at the 5 s deadline", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(never)
        const fiber = yield* Effect.fork(service.getSecret("x"))
        let elapsed = 0
        while (fiber.unsafePoll() === null && elapsed < 10_000) {
          yield* settle
          yield* TestClock.adjust(50)
          elapsed += 50
        }
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag, "RequestTimeout")
        if (error._tag !== "RequestTimeout") return
        assert.strictEqual(error.scope, "deadline")
        assert.strictEqual(error.timeoutMillis, 5000)
        assert.isAtMost(elapsed, 5050)
        assert.isAtLeast(elapsed, 5000)
        assert.strictEqual(requests.length, 5)
      })
    )

    it.effect("no retry starts when its delay would end past the deadline: the last error is kept", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(() => text(400, NOT_READY), {
          deadline: "60 millis",
          retry: exact(10)
        })
        const fiber = yield* Effect.fork(service.getSecret("x"))
        for (let i = 0; i < 10; i++) {
          yield* settle
          yield* TestClock.adjust(10)
        }
        const error = yield* Effect.flip(Fiber.join(fiber))
        // attempts at 0 and 25; the next would start at 75 > 60
        assert.strictEqual(error._tag, "ExtensionNotReady")
        assert.strictEqual(requests.length, 2)
      })
    )

    it.effect("withDeadline shortens the deadline of calls inside it", () =>
      Effect.gen(function* () {
        const { service } = yield* makeService(never, { timeout: "10 seconds", deadline: "30 seconds" })
        const fiber = yield* Effect.fork(LambdaExtension.withDeadline(service.getSecret("x"), "200 millis"))
        yield* settle
        yield* TestClock.adjust(199)
        assert.isNull(fiber.unsafePoll())
        yield* TestClock.adjust(1)
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag, "RequestTimeout")
        if (error._tag === "RequestTimeout") {
          assert.strictEqual(error.scope, "deadline")
          assert.strictEqual(error.timeoutMillis, 200)
        }
      })
    )

    it.effect("withRemainingTime keeps a safety margin from the Lambda's remaining time", () =>
      Effect.gen(function* () {
        const { service } = yield* makeService(never, { timeout: "10 seconds", deadline: "30 seconds" })
        const context = { getRemainingTimeInMillis: () => 1500 }
        const fiber = yield* Effect.fork(service.getSecret("x").pipe(LambdaExtension.withRemainingTime(context)))
        yield* settle
        yield* TestClock.adjust(999)
        assert.isNull(fiber.unsafePoll())
        yield* TestClock.adjust(1)
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag, "RequestTimeout")
      })
    )

    it.effect("a deadline already passed fails at once, with no I/O", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(okHandler)
        const context = { getRemainingTimeInMillis: () => 100 }
        const error = yield* Effect.flip(
          LambdaExtension.withRemainingTime(service.getSecret("x"), context, { safetyMargin: "200 millis" })
        )
        assert.strictEqual(error._tag, "RequestTimeout")
        assert.strictEqual(requests.length, 0)
      })
    )

    it.effect("an outer deadline is not lengthened by an inner one", () =>
      Effect.gen(function* () {
        const { service } = yield* makeService(never, { timeout: "10 seconds", deadline: "30 seconds" })
        const fiber = yield* Effect.fork(
          service
            .getSecret("x")
            .pipe(LambdaExtension.withDeadline("5 seconds"), LambdaExtension.withDeadline("100 millis"))
        )
        yield* settle
        yield* TestClock.adjust(100)
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag, "RequestTimeout")
      })
    )
  })

  describe("concurrency", () => {
    it.effect("at most maxConcurrency requests are in flight", () =>
      Effect.gen(function* () {
        let inFlight = 0
        let max = 0
        const { requests, service } = yield* makeService(
          (request, n) =>
            Effect.acquireUseRelease(
              Effect.sync(() => {
                inFlight++
                max = Math.max(max, inFlight)
              }),
              () => Effect.as(Effect.sleep(10), okHandler(request, n) as Response),
              () => Effect.sync(() => inFlight--)
            ),
          { maxConcurrency: 3 }
        )
        const fiber = yield* Effect.fork(
          Effect.forEach(
            Array.from({ length: 12 }, (_, i) => `s${i}`),
            (id) => service.getSecret(id),
            {
              concurrency: "unbounded"
            }
          )
        )
        for (let i = 0; i < 10; i++) {
          yield* settle
          yield* TestClock.adjust(10)
        }
        const secrets = yield* Fiber.join(fiber)
        assert.strictEqual(secrets.length, 12)
        assert.strictEqual(requests.length, 12)
        assert.strictEqual(max, 3)
      })
    )
  })

  describe("options and the token", () => {
    const build = (options: LambdaExtension.Options, env: Record<string, string> = {}) =>
      LambdaExtension.make(options).pipe(
        Effect.provideService(HttpClient.HttpClient, fakeClient(okHandler).client),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
      )

    for (const host of ["169.254.170.2", "example.com", "10.0.0.1", "0.0.0.0"]) {
      it.effect(`a non-loopback host (${host}) is refused at build time`, () =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(build({ host }))
          assert.include(String(error), "not a loopback address")
        })
      )
    }

    it.effect("a non-loopback host is allowed when asked for", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(okHandler, { host: "10.0.0.1", allowNonLoopbackHost: true })
        yield* service.getSecret("x")
        assert.isTrue(requests[0]!.url.startsWith("http://10.0.0.1:2773/"))
      })
    )

    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
      it.effect(`a loopback host (${host}) is accepted`, () => Effect.asVoid(build({ host })))
    }

    for (const [options, key] of [
      [{ port: 0 }, "port"],
      [{ port: 70000 }, "port"],
      [{ timeout: 0 }, "timeout"],
      [{ deadline: "-1 millis" as Duration.DurationInput }, "deadline"],
      [{ maxConcurrency: 0 }, "maxConcurrency"],
      [{ maxResponseBytes: 0 }, "maxResponseBytes"],
      [{ dialect: "vault" as any }, "dialect"]
    ] as const) {
      it.effect(`invalid ${key} fails the build with a ConfigError`, () =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(build(options))
          assert.include(String(error), key)
        })
      )
    }

    it.effect("an invalid PARAMETERS_SECRETS_EXTENSION_HTTP_PORT fails the build", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(build({}, { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: "abc" }))
        assert.include(String(error), "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT")
      })
    )

    it.effect("a missing token builds, and fails each call with MissingToken", () =>
      Effect.gen(function* () {
        const extension = yield* build({})
        const e1 = yield* Effect.flip(extension.getParameter("/x"))
        assert.strictEqual(e1._tag, "MissingToken")
        if (e1._tag === "MissingToken") assert.deepStrictEqual(e1.variables, ["AWS_SESSION_TOKEN"])
        const agent = yield* build({ dialect: "agent" })
        const e2 = yield* Effect.flip(agent.getSecret("x"))
        assert.strictEqual(e2._tag, "MissingToken")
        if (e2._tag === "MissingToken") {
          assert.deepStrictEqual(e2.variables, ["AWS_TOKEN", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"])
        }
      })
    )

    const tokenOf = (options: LambdaExtension.Options, env: Record<string, string>) =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(okHandler, options, env)
        yield* service.getSecret("x")
        return requests[0]!.headers["x-aws-parameters-secrets-token"]
      })

    it.effect("extension: AWS_SESSION_TOKEN only, never another variable", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* tokenOf({}, { AWS_SESSION_TOKEN: "session", AWS_TOKEN: "agent" }), "session")
        const { service } = yield* makeService(
          okHandler,
          {},
          { AWS_TOKEN: "agent", AWS_CONTAINER_AUTHORIZATION_TOKEN: "c" }
        )
        assert.strictEqual((yield* Effect.flip(service.getSecret("x")))._tag, "MissingToken")
      })
    )

    it.effect("agent: the first set of AWS_TOKEN, AWS_SESSION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN", () =>
      Effect.gen(function* () {
        const agent = { dialect: "agent" } as const
        const all = { AWS_TOKEN: "t1", AWS_SESSION_TOKEN: "t2", AWS_CONTAINER_AUTHORIZATION_TOKEN: "t3" }
        assert.strictEqual(yield* tokenOf(agent, all), "t1")
        assert.strictEqual(
          yield* tokenOf(agent, { AWS_SESSION_TOKEN: "t2", AWS_CONTAINER_AUTHORIZATION_TOKEN: "t3" }),
          "t2"
        )
        assert.strictEqual(yield* tokenOf(agent, { AWS_CONTAINER_AUTHORIZATION_TOKEN: "t3" }), "t3")
      })
    )

    it.scoped("agent: a file:// AWS_TOKEN is read from the file and trimmed", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const path = `${dir}/token`
        yield* fs.writeFileString(path, "  file-token-9\n")
        assert.strictEqual(
          yield* tokenOf({ dialect: "agent" }, { AWS_TOKEN: `file://${path}`, AWS_SESSION_TOKEN: "t2" }),
          "file-token-9"
        )
        // A plain value is not trimmed or read.
        assert.strictEqual(yield* tokenOf({ dialect: "agent" }, { AWS_TOKEN: "plain" }), "plain")
        // The extension dialect never reads files.
        assert.strictEqual(yield* tokenOf({}, { AWS_SESSION_TOKEN: `file://${path}` }), `file://${path}`)
      }).pipe(Effect.provide(NodeFileSystem.layer))
    )

    it.scoped("agent: a file:// token read with node:fs when no FileSystem is provided", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const path = `${dir}/token`
        yield* fs.writeFileString(path, "node-token\n")
        // NodeFileSystem is only used to write the file: the layer is built without it.
        const value = yield* Effect.provide(
          tokenOf({ dialect: "agent" }, { AWS_TOKEN: `file://${path}` }),
          Context.empty()
        )
        assert.strictEqual(value, "node-token")
      }).pipe(Effect.provide(NodeFileSystem.layer))
    )

    it.effect("agent: an unreadable token file fails calls with MissingToken naming the file", () =>
      Effect.gen(function* () {
        const { requests, service } = yield* makeService(
          okHandler,
          { dialect: "agent" },
          { AWS_TOKEN: "file:///nonexistent/dir/token", AWS_SESSION_TOKEN: "t2" }
        )
        const error = yield* Effect.flip(service.getSecret("x"))
        assert.strictEqual(error._tag, "MissingToken")
        assert.include(error.message, "/nonexistent/dir/token")
        assert.strictEqual(requests.length, 0)
      })
    )

    it.effect("an explicit token wins over the environment", () =>
      Effect.gen(function* () {
        assert.strictEqual(
          yield* tokenOf({ token: Redacted.make("explicit") }, { AWS_SESSION_TOKEN: "env" }),
          "explicit"
        )
      })
    )

    it.effect("layerConfig reads options from Config", () =>
      Effect.gen(function* () {
        const { client, requests } = fakeClient(okHandler)
        const layer = LambdaExtension.layerConfig({
          port: Config.integer("MY_PORT"),
          token: Config.redacted("MY_TOKEN"),
          dialect: Config.literal("extension", "agent")("MY_DIALECT")
        }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
        yield* SecretsConfig.getSecret("x").pipe(
          Effect.provide(layer),
          Effect.withConfigProvider(
            ConfigProvider.fromMap(
              new Map([
                ["MY_PORT", "3000"],
                ["MY_TOKEN", "cfg-token"],
                ["MY_DIALECT", "agent"]
              ])
            )
          )
        )
        assert.isTrue(requests[0]!.url.startsWith("http://127.0.0.1:3000/"))
        assert.strictEqual(requests[0]!.headers["x-aws-parameters-secrets-token"], "cfg-token")
        const error = yield* Effect.flip(
          SecretsConfig.getParameter("/x").pipe(
            Effect.provide(layer),
            Effect.withConfigProvider(
              ConfigProvider.fromMap(
                new Map([
                  ["MY_PORT", "3000"],
                  ["MY_TOKEN", "t"],
                  ["MY_DIALECT", "agent"]
                ])
              )
            )
          )
        )
        assert.strictEqual(error._tag, "InvalidRequest")
      })
    )

    it.effect("layerConfig fails the build with a ConfigError for missing config", () =>
      Effect.gen(function* () {
        const layer = LambdaExtension.layerConfig({ port: Config.integer("MISSING_PORT") }).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, fakeClient(okHandler).client))
        )
        const exit = yield* Effect.exit(
          SecretsConfig.getSecret("x").pipe(
            Effect.provide(layer),
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
          )
        )
        assert.isTrue(Exit.isFailure(exit))
        assert.include(String(exit), "MISSING_PORT")
      })
    )
  })

  it.effect("defaults are documented values", () =>
    Effect.sync(() => {
      assert.strictEqual(LambdaExtension.defaults.host, "127.0.0.1")
      assert.strictEqual(LambdaExtension.defaults.port, 2773)
      assert.strictEqual(Duration.toMillis(LambdaExtension.defaults.timeout), 1000)
      assert.strictEqual(Duration.toMillis(LambdaExtension.defaults.deadline), 5000)
      assert.strictEqual(LambdaExtension.defaults.maxConcurrency, 16)
      assert.strictEqual(LambdaExtension.defaults.maxResponseBytes, 1048576)
    })
  )
})
