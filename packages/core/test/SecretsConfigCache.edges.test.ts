/**
 * Edges of the cache found by review, each pinned: an application's `staleIfError.when` that
 * throws never hangs the readers; a
 * whole-name invalidation reaches the last good value too; a stale value keeps its fetch time for
 * `withMaxAge`; and the provider's warm path honours `withMaxAge`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import { Config, Effect, Either, Fiber, Layer, Redacted, TestClock } from "effect"
import * as fakes from "./helpers/fake.js"

const value = (name: string) => Effect.map(SecretsConfig.parameterValue(name), Redacted.value)

const unreachable = (name: string) =>
  new SecretsConfigError.ExtensionUnreachable({
    kind: "parameter",
    resource: name,
    url: "http://127.0.0.1:2773",
    reason: "connection refused"
  })

describe("SecretsConfigCache edges", () => {
  it.effect("a staleIfError.when that throws fails the read with its error, it does not hang", () =>
    Effect.gen(function* () {
      const fake = fakes.makeFake({ values: { "/app/a": "a-1" } })
      const { service } = yield* SecretsConfigCache.make(fake.service, {
        ttl: "1 second",
        staleIfError: {
          maxStaleness: "1 hour",
          when: () => {
            throw new Error("the application's predicate broke")
          }
        }
      })
      const read = Effect.provideService(value("/app/a"), SecretsConfig.SecretsConfig, service)
      assert.strictEqual(yield* read, "a-1")
      yield* TestClock.adjust("2 seconds")
      fake.state.failures.push(unreachable("/app/a"))
      const fiber = yield* Effect.fork(Effect.either(read))
      yield* TestClock.adjust("10 millis")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(Either.isLeft(result) && result.left._tag === "ExtensionUnreachable")
    })
  )

  it.effect("invalidating a name drops its last good value too, even one the store no longer holds", () =>
    Effect.gen(function* () {
      const fake = fakes.makeFake({ values: { "/A": "a-1", "/B": "b-OLD", "/C": "c-1" } })
      const { control, service } = yield* SecretsConfigCache.make(fake.service, {
        capacity: 2,
        ttl: "1 second",
        staleIfError: { maxStaleness: "1 hour" }
      })
      const read = (name: string) =>
        Effect.provideService(Effect.either(value(name)), SecretsConfig.SecretsConfig, service)
      yield* read("/A")
      yield* read("/B")
      yield* TestClock.adjust("2 seconds")
      fake.state.failures.push(unreachable("/A"))
      assert.deepStrictEqual(yield* read("/A"), Either.right("a-1")) // served stale: /A is the newest entry
      yield* read("/C") // the store now holds /A and /C; /B's last good value is still kept
      yield* control.invalidateParameter("/B")
      fake.state.failures.push(unreachable("/B"))
      const after = yield* read("/B")
      assert.isTrue(Either.isLeft(after), "the invalidated value is never served again")
    })
  )

  it.effect("a stale value keeps the time it was fetched: withMaxAge does not take it as fresh", () =>
    Effect.gen(function* () {
      const fake = fakes.makeFake({ values: { "/app/a": "a-1" } })
      const { service } = yield* SecretsConfigCache.make(fake.service, {
        ttl: "1 second",
        staleIfError: { maxStaleness: "1 hour", retryAfter: "1 minute" }
      })
      const read = Effect.provideService(value("/app/a"), SecretsConfig.SecretsConfig, service)
      yield* read
      yield* TestClock.adjust("10 seconds")
      fake.state.failures.push(unreachable("/app/a"))
      assert.strictEqual(yield* read, "a-1") // stale, served for `retryAfter`
      fake.state.values.set("/app/a", "a-2")
      const calls = fake.state.calls.length
      assert.strictEqual(yield* read, "a-1") // within retryAfter: from memory
      assert.strictEqual(fake.state.calls.length, calls)
      assert.strictEqual(yield* SecretsConfigCache.withMaxAge(read, "5 seconds"), "a-2") // fetched 10 s ago: too old
      assert.strictEqual(fake.state.calls.length, calls + 1)
    })
  )

  it.effect("the provider's warm path honours withMaxAge", () =>
    Effect.gen(function* () {
      const fake = fakes.makeFake({ values: { "/app/GREETING": "hello-1" } })
      const layer = SecretsConfigProvider.layer({ prefix: "/app" }).pipe(
        Layer.provideMerge(SecretsConfigCache.layer({ ttl: "1 hour" })),
        Layer.provide(fake.layer)
      )
      yield* Effect.gen(function* () {
        assert.strictEqual(yield* Config.string("GREETING"), "hello-1")
        fake.state.values.set("/app/GREETING", "hello-2")
        yield* TestClock.adjust("1 minute")
        assert.strictEqual(yield* Config.string("GREETING"), "hello-1") // warm: from the cache
        assert.strictEqual(yield* SecretsConfigCache.withMaxAge(Config.string("GREETING"), "10 seconds"), "hello-2")
      }).pipe(Effect.provide(layer))
    })
  )
})
