/** `SecretsConfigRotation` over the memory layer and the cache, on TestClock, with a capturing tracer. */
import { assert, describe, it } from "@effect/vitest"
import { SecretsConfig, SecretsConfigCache, SecretsConfigRotation } from "@secrets-config/core"
import { MemorySecretsConfig } from "@secrets-config/memory"
import * as TestKit from "@secrets-config/memory/TestKit"
import { Data, Effect, Layer, Redacted, Schema } from "effect"
import { makeCapturingTracer } from "../../core/test/utils/tracer.js"

class AuthFailed extends Data.TaggedError("AuthFailed")<{}> {}
class Unavailable extends Data.TaggedError("Unavailable")<{}> {}

const seed = TestKit.store(TestKit.jsonSecret("app/db", { user: "app", password: "pw-1" }))
const Credentials = Schema.parseJson(Schema.Struct({ user: Schema.String, password: Schema.Redacted(Schema.String) }))

/** A memory store behind a 5-minute cache, with Control kept. */
const layer = SecretsConfigCache.layer({ ttl: "5 minutes" }).pipe(Layer.provideMerge(TestKit.layer(seed)))

/** The downstream service: accepts only the password now current in the store. */
const login = (calls: Array<string>) => (credentials: typeof Credentials.Type) =>
  Effect.gen(function* () {
    const password = Redacted.value(credentials.password)
    calls.push(password)
    // The store rotated to pw-2 before the first login: only pw-2 works.
    return password === "pw-2" ? "logged in" : yield* Effect.fail(new AuthFailed())
  })

describe("SecretsConfigRotation", () => {
  it.effect("fails once with the user's auth error, re-reads past the cache, succeeds with the new value", () =>
    Effect.gen(function* () {
      const tracer = makeCapturingTracer()
      // Cached before the rotation.
      yield* SecretsConfig.secretValue("app/db")
      yield* MemorySecretsConfig.rotateSecret("app/db", JSON.stringify({ user: "app", password: "pw-2" }))
      const calls: Array<string> = []
      const result = yield* SecretsConfigRotation.withSecretAs("app/db", Credentials, login(calls), {
        isAuthError: (e) => e._tag === "AuthFailed"
      }).pipe(Effect.withSpan("handler"), Effect.provide(tracer.layer))
      assert.strictEqual(result, "logged in")
      assert.deepStrictEqual(calls, ["pw-1", "pw-2"])
      const reads = (yield* MemorySecretsConfig.requests).filter((r) => r.operation === "getSecret")
      assert.deepStrictEqual(
        reads.map((r) => r.operation === "getSecret" && r.refreshNow),
        [false, true],
        "the first read came from the store, then the cache; the re-read asked for a fresh value"
      )
      const handler = tracer.spans.find((s) => s.name === "handler")
      const detected = handler?.events.filter((e) => e.name === SecretsConfigRotation.rotationDetectedEvent)
      assert.deepStrictEqual(
        detected?.map((e) => e.attributes?.["secrets_config.name"]),
        ["app/db"]
      )
      assert.notInclude(JSON.stringify(handler?.events), "pw-")
      // The cache now holds the new value.
      assert.include(Redacted.value(yield* SecretsConfig.secretValue("app/db")), "pw-2")
    }).pipe(Effect.provide(layer))
  )

  it.effect("a second auth failure is returned, not retried", () =>
    Effect.gen(function* () {
      let runs = 0
      const error = yield* Effect.flip(
        SecretsConfigRotation.withSecret(
          "app/db",
          () =>
            Effect.suspend(() => {
              runs++
              return Effect.fail(new AuthFailed())
            }),
          { isAuthError: (e) => e._tag === "AuthFailed" }
        )
      )
      assert.strictEqual(error._tag, "AuthFailed")
      assert.strictEqual(runs, 2)
    }).pipe(Effect.provide(layer))
  )

  it.effect("other failures are returned at once; a throwing predicate means no", () =>
    Effect.gen(function* () {
      let runs = 0
      const use = () =>
        Effect.suspend(() => {
          runs++
          return Effect.fail(new Unavailable())
        })
      const first = yield* Effect.flip(
        SecretsConfigRotation.withSecret("app/db", use, { isAuthError: (e) => e._tag === ("AuthFailed" as string) })
      )
      assert.strictEqual(first._tag, "Unavailable")
      const second = yield* Effect.flip(
        SecretsConfigRotation.withSecret("app/db", use, {
          isAuthError: () => {
            throw new Error("boom")
          }
        })
      )
      assert.strictEqual(second._tag, "Unavailable")
      assert.strictEqual(runs, 2)
      assert.strictEqual((yield* MemorySecretsConfig.requests).length, 1, "one read, cached")
    }).pipe(Effect.provide(layer))
  )

  it.effect("a failed read is the read's error; use never runs", () =>
    Effect.gen(function* () {
      let runs = 0
      const error = yield* Effect.flip(
        SecretsConfigRotation.withSecret("app/missing", () => Effect.sync(() => runs++), { isAuthError: () => true })
      )
      assert.strictEqual(error._tag, "UpstreamError")
      assert.strictEqual(runs, 0)
    }).pipe(Effect.provide(layer))
  )
})
