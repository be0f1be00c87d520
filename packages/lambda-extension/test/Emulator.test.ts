/**
 * Integration over real sockets: the live layer against `@secrets-config/emulator` in both
 * dialects. Every fault must end in the right typed outcome within the deadline — never a hang.
 */
import { assert, describe, it } from "@effect/vitest"
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import type { SecretsConfigError } from "@secrets-config/core/SecretsConfigError"
import { Emulator, type Faults } from "@secrets-config/emulator"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import { ConfigProvider, Duration, Effect, Layer, Redacted, Schedule } from "effect"

const store: Emulator.StoreSeed = {
  parameters: [
    { name: "/app/db-host", value: "db.internal" },
    { name: "/app/zones", type: "StringList", value: ["a", "b", "c"] },
    { name: "/app/password", type: "SecureString", value: "pw-1", ciphertext: "AQICAHhCIPHERTEXT==" },
    {
      name: "/app/flag",
      versions: [
        { value: "off", labels: ["Old"] },
        { value: "on", labels: ["Prod"] }
      ]
    },
    { name: "/odd/a+b&c d/ü", value: "odd" }
  ],
  secrets: [
    { name: "app/db", json: { user: "app", password: "s3cr3t" } },
    { name: "app/cert", value: new Uint8Array([0, 1, 2, 254, 255]) },
    { name: "odd+name/é", value: "odd-secret" }
  ]
}

const TIMEOUT = 150
const DEADLINE = 600
/** Fast retries so that persistent faults end quickly: 4 attempts, 10/20/40 ms apart. */
const quick: LambdaExtension.Options = {
  timeout: Duration.millis(TIMEOUT),
  deadline: Duration.millis(DEADLINE),
  retry: Schedule.exponential(Duration.millis(10), 2).pipe(Schedule.intersect(Schedule.recurs(3)))
}

/** An emulator and a service pointed at it through the emulator's environment variables. */
const setup = (
  dialect: Emulator.Dialect,
  options: LambdaExtension.Options = quick,
  emulatorOptions: Emulator.Options = {}
) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.make({ dialect, store, ...emulatorOptions })
    const service = yield* LambdaExtension.make({ dialect, ...options }).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(emulator.env))))
    )
    return { emulator, service }
  })

/** Runs a call, measuring real time; fails the test if it ever outlives the deadline by much. */
const timed = <A>(self: Effect.Effect<A, SecretsConfigError>) =>
  Effect.gen(function* () {
    const start = performance.now()
    const result = yield* Effect.either(self).pipe(
      Effect.timeoutFail({ duration: Duration.millis(DEADLINE * 3), onTimeout: () => new Error("the call hung") })
    )
    return { result, elapsed: performance.now() - start }
  })

type Expect = SecretsConfigError["_tag"] | "Success"

interface FaultCase {
  readonly description: string
  readonly faults: Faults.Faults
  readonly expect: { readonly extension: Expect; readonly agent: Expect }
  /** How many requests the endpoint should see at most (and at least, when exact). */
  readonly requests?: { readonly extension?: number; readonly agent?: number }
  readonly check?: (error: SecretsConfigError, dialect: Emulator.Dialect) => void
}

const faultCases: ReadonlyArray<FaultCase> = [
  {
    description: "notReady until cleared",
    faults: { notReady: {} },
    expect: { extension: "ExtensionNotReady", agent: "ExtensionUnreachable" },
    requests: { extension: 4 },
    check: (e, dialect) => {
      if (dialect === "agent" && e._tag === "ExtensionUnreachable") assert.strictEqual(e.reason, "connection refused")
    }
  },
  {
    description: "notReady for the first 2 requests",
    faults: { notReady: { requests: 2 } },
    expect: { extension: "Success", agent: "Success" },
    requests: { extension: 3, agent: 3 }
  },
  {
    description: "refused connections",
    faults: { refuseConnections: { mode: "refuse" } },
    expect: { extension: "ExtensionUnreachable", agent: "ExtensionUnreachable" },
    check: (e) => e._tag === "ExtensionUnreachable" && assert.strictEqual(e.reason, "connection refused")
  },
  {
    description: "connections reset on arrival",
    faults: { refuseConnections: { mode: "reset" } },
    expect: { extension: "ExtensionUnreachable", agent: "ExtensionUnreachable" },
    requests: { extension: 4, agent: 4 },
    check: (e) => e._tag === "ExtensionUnreachable" && assert.strictEqual(e.reason, "connection reset")
  },
  {
    description: "latency beyond the timeout",
    faults: { latency: { ms: 1000 } },
    expect: { extension: "RequestTimeout", agent: "RequestTimeout" }
  },
  {
    description: "latency beyond the timeout, once",
    faults: { latency: { ms: 1000, times: 1 } },
    expect: { extension: "Success", agent: "Success" },
    requests: { extension: 2, agent: 2 }
  },
  {
    description: "throttling",
    faults: { throttle: {} },
    expect: { extension: "UpstreamError", agent: "Throttled" },
    requests: { extension: 1, agent: 4 }
  },
  {
    description: "throttling, once",
    faults: { throttle: { times: 1 } },
    expect: { extension: "UpstreamError", agent: "Success" },
    requests: { extension: 1, agent: 2 }
  },
  {
    description: "throttling with 429",
    faults: { throttle: { status: 429 } },
    expect: { extension: "Throttled", agent: "Throttled" },
    requests: { extension: 4, agent: 4 }
  },
  {
    description: "an upstream failure",
    faults: { serverError: {} },
    expect: { extension: "UpstreamError", agent: "UpstreamError" },
    requests: { extension: 1, agent: 4 },
    check: (e, dialect) => {
      if (e._tag !== "UpstreamError") return
      assert.strictEqual(e.transient, dialect === "agent")
      assert.strictEqual(e.status, dialect === "agent" ? 500 : 400)
    }
  },
  {
    description: "a 502 upstream connection error",
    faults: { serverError: { status: 502 } },
    expect: { extension: "UpstreamError", agent: "UpstreamError" },
    requests: { extension: 4, agent: 4 },
    check: (e) => e._tag === "UpstreamError" && assert.isTrue(e.transient)
  },
  {
    description: "a 504 upstream timeout",
    faults: { serverError: { status: 504 } },
    expect: { extension: "RequestTimeout", agent: "RequestTimeout" },
    requests: { extension: 4, agent: 4 },
    check: (e) => e._tag === "RequestTimeout" && assert.strictEqual(e.scope, "upstream")
  },
  {
    description: "a 503, once",
    faults: { serverError: { status: 503, times: 1 } },
    expect: { extension: "Success", agent: "Success" },
    requests: { extension: 2, agent: 2 }
  },
  {
    description: "the connection dropped mid-body",
    faults: { dropMidBody: {} },
    expect: { extension: "ExtensionUnreachable", agent: "ExtensionUnreachable" },
    requests: { extension: 4, agent: 4 }
  },
  {
    description: "the connection dropped mid-body, once",
    faults: { dropMidBody: { times: 1 } },
    expect: { extension: "Success", agent: "Success" },
    requests: { extension: 2, agent: 2 }
  },
  {
    description: "a malformed 200",
    faults: { malformedBody: {} },
    expect: { extension: "InvalidResponse", agent: "InvalidResponse" },
    requests: { extension: 1, agent: 1 }
  },
  {
    description: "an oversized 200",
    faults: { oversizedBody: { bytes: 2 * 1024 * 1024 } },
    expect: { extension: "InvalidResponse", agent: "InvalidResponse" },
    requests: { extension: 1, agent: 1 },
    check: (e) => assert.include(e.message, "larger than")
  },
  {
    description: "a body that trickles",
    faults: { slowBody: { chunkBytes: 1, intervalMs: 20 } },
    expect: { extension: "RequestTimeout", agent: "RequestTimeout" }
  }
]

const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["loopback", LoopbackHttpClient.layer()],
  ["fetch", FetchHttpClient.layer],
  ["undici", NodeHttpClient.layerUndici]
]

describe("LambdaExtension against the emulator", () => {
  for (const dialect of ["extension", "agent"] as const) {
    describe(dialect, () => {
      it.scopedLive("reads what the store holds", () =>
        Effect.gen(function* () {
          const { emulator, service } = yield* setup(dialect)
          const secret = yield* service.getSecret("app/db")
          assert.deepStrictEqual(JSON.parse(Redacted.value(secret.value as Redacted.Redacted<string>)), {
            user: "app",
            password: "s3cr3t"
          })
          const cert = yield* service.getSecret("app/cert")
          assert.deepStrictEqual(
            Array.from(Redacted.value(cert.value as Redacted.Redacted<Uint8Array>)),
            [0, 1, 2, 254, 255]
          )
          const odd = yield* service.getSecret("odd+name/é")
          assert.strictEqual(Redacted.value(odd.value as Redacted.Redacted<string>), "odd-secret")
          if (dialect === "extension") {
            const host = yield* service.getParameter("/app/db-host")
            assert.strictEqual(Redacted.value(host.value), "db.internal")
            const zones = yield* SecretsConfig.parameterList("/app/zones").pipe(
              Effect.provideService(SecretsConfig.SecretsConfig, service)
            )
            assert.deepStrictEqual(zones, ["a", "b", "c"])
            const plain = yield* service.getParameter("/app/password")
            assert.strictEqual(Redacted.value(plain.value), "pw-1")
            const cipher = yield* service.getParameter("/app/password", { withDecryption: false })
            assert.strictEqual(Redacted.value(cipher.value), "AQICAHhCIPHERTEXT==")
            assert.strictEqual(
              Redacted.value((yield* service.getParameter("/app/flag", { label: "Old" })).value),
              "off"
            )
            assert.strictEqual(Redacted.value((yield* service.getParameter("/app/flag", { version: 2 })).value), "on")
            assert.strictEqual(Redacted.value((yield* service.getParameter("/app/flag:1")).value), "off")
            assert.strictEqual(Redacted.value((yield* service.getParameter("/odd/a+b&c d/ü")).value), "odd")
            const ref = yield* service.getParameter("/aws/reference/secretsmanager/app/db")
            assert.strictEqual(ref.type, "SecureString")
            assert.isTrue(ref.secret._tag === "Some")
          }
          // Every request carried the token and was answered from the store.
          const log = yield* emulator.control.requests
          assert.isTrue(log.every((r) => r.tokenOk && r.status === 200))
        }).pipe(Effect.provide(FetchHttpClient.layer))
      )

      it.scopedLive("not found", () =>
        Effect.gen(function* () {
          const { service } = yield* setup(dialect)
          const error = yield* Effect.flip(service.getSecret("app/missing"))
          // The extension cannot say; the Agent can.
          assert.strictEqual(error._tag, dialect === "agent" ? "NotFound" : "UpstreamError")
        }).pipe(Effect.provide(FetchHttpClient.layer))
      )

      it.scopedLive("a wrong token is rejected, and not retried", () =>
        Effect.gen(function* () {
          const { emulator } = yield* setup(dialect)
          const service = yield* LambdaExtension.make({
            ...quick,
            dialect,
            port: emulator.port,
            token: Redacted.make("wrong")
          })
          const error = yield* Effect.flip(service.getSecret("app/db"))
          assert.strictEqual(error._tag, "TokenRejected")
          if (error._tag === "TokenRejected") assert.strictEqual(error.status, dialect === "agent" ? 403 : 401)
          assert.strictEqual((yield* emulator.control.requests).length, 1)
        }).pipe(Effect.provide(FetchHttpClient.layer))
      )

      for (const [clientName, clientLayer] of clients) {
        for (const c of faultCases) {
          const expected = c.expect[dialect]
          it.scopedLive(`[${clientName}] ${c.description} → ${expected}, within the deadline`, () =>
            Effect.gen(function* () {
              const { emulator, service } = yield* setup(dialect)
              yield* emulator.control.setFaults(c.faults)
              const { elapsed, result } = yield* timed(service.getSecret("app/db"))
              assert.isAtMost(elapsed, DEADLINE + 250, `took ${elapsed} ms`)
              if (expected === "Success") {
                if (result._tag === "Left")
                  assert.fail(`expected success, got ${result.left._tag}: ${result.left.message}`)
              } else {
                assert.isTrue(result._tag === "Left", "expected a failure")
                if (result._tag === "Left") {
                  assert.strictEqual(result.left._tag, expected, result.left.message)
                  c.check?.(result.left, dialect)
                }
              }
              const count = c.requests?.[dialect]
              if (count !== undefined) {
                const log = yield* emulator.control.requests
                assert.strictEqual(log.length, count, JSON.stringify(log.map((r) => r.status)))
              }
            }).pipe(Effect.provide(clientLayer))
          )
        }
      }

      it.scopedLive("maxConcurrency bounds the requests in flight at the endpoint", () =>
        Effect.gen(function* () {
          const { emulator, service } = yield* setup(dialect, { ...quick, maxConcurrency: 3, deadline: "5 seconds" })
          yield* emulator.control.setFaults({ latency: { ms: 20 } })
          yield* Effect.forEach(Array.from({ length: 24 }), () => service.getSecret("app/db"), {
            concurrency: "unbounded"
          })
          const stats = yield* emulator.control.stats
          assert.strictEqual(stats.total, 24)
          assert.isAtMost(stats.maxInFlight, 3)
          assert.isAtLeast(stats.maxInFlight, 2)
        }).pipe(Effect.provide(FetchHttpClient.layer))
      )
    })
  }

  it.scopedLive("agent: the connection limit (429) is retried", () =>
    Effect.gen(function* () {
      const { emulator, service } = yield* setup(
        "agent",
        {
          ...quick,
          retry: Schedule.spaced("30 millis").pipe(Schedule.intersect(Schedule.recurs(20))),
          deadline: "5 seconds"
        },
        { maxConnections: 1 }
      )
      yield* emulator.control.setFaults({ latency: { ms: 30 } })
      const results = yield* Effect.forEach(
        Array.from({ length: 4 }),
        () => Effect.either(service.getSecret("app/db")),
        {
          concurrency: "unbounded"
        }
      )
      const log = yield* emulator.control.requests
      assert.isTrue(
        results.every((r) => r._tag === "Right"),
        JSON.stringify(results.map((r) => (r._tag === "Left" ? r.left._tag : "ok")))
      )
      assert.isTrue(
        log.some((r) => r.status === 429),
        "some connection was over the limit"
      )
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))
  )

  it.scopedLive("a stopped endpoint (nothing listening) → ExtensionUnreachable within the deadline", () =>
    Effect.gen(function* () {
      const port = yield* Effect.scoped(Effect.map(Emulator.make({}), (emulator) => emulator.port))
      const service = yield* LambdaExtension.make({ ...quick, port, token: Redacted.make("t") })
      const { elapsed, result } = yield* timed(service.getSecret("x"))
      assert.isTrue(result._tag === "Left" && result.left._tag === "ExtensionUnreachable")
      assert.isAtMost(elapsed, DEADLINE)
    }).pipe(Effect.provide(FetchHttpClient.layer))
  )

  it.scopedLive(
    "layerFetch with the default options reads PARAMETERS_SECRETS_EXTENSION_HTTP_PORT and AWS_SESSION_TOKEN",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.make({ store })
        const value = yield* SecretsConfig.parameterValue("/app/db-host").pipe(
          Effect.provide(LambdaExtension.layerFetch()),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(emulator.env))))
        )
        assert.strictEqual(Redacted.value(value), "db.internal")
      })
  )

  it.scopedLive("withRemainingTime bounds a hung call by the Lambda's remaining time", () =>
    Effect.gen(function* () {
      const { emulator, service } = yield* setup("extension", { timeout: "10 seconds", deadline: "10 seconds" })
      yield* emulator.control.setFaults({ latency: { ms: 5000 } })
      const context = { getRemainingTimeInMillis: () => 800 }
      const { elapsed, result } = yield* timed(
        LambdaExtension.withRemainingTime(service.getSecret("app/db"), context, { safetyMargin: "500 millis" })
      )
      assert.isTrue(result._tag === "Left" && result.left._tag === "RequestTimeout")
      assert.isAtMost(elapsed, 600)
      assert.isAtLeast(elapsed, 250)
    }).pipe(Effect.provide(FetchHttpClient.layer))
  )
})
