import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import * as Metrics from "@secrets-config/core/SecretsConfigMetrics"
import { type Duration, Effect, Fiber, Layer, Logger, Metric, Redacted, Runtime, TestClock } from "effect"
import * as fakes from "./helpers/fake.js"

const makeFake = (options?: { readonly latency?: Duration.DurationInput }) => {
  const fake = fakes.makeFake({
    values: { "/app/a": "a-1", "/app/b": "b-1", "/app/c": "c-1", "app/db": "db-1" },
    ...(options?.latency === undefined ? {} : { latency: options.latency })
  })
  const layer = (cacheOptions?: SecretsConfigCache.Options) =>
    SecretsConfigCache.layer(cacheOptions).pipe(Layer.provide(fake.layer))
  return { state: fake.state, layer }
}

const value = (name: string, options?: SecretsConfig.GetParameterOptions) =>
  Effect.map(SecretsConfig.parameterValue(name, options), Redacted.value)

const unreachable = () =>
  new SecretsConfigError.ExtensionUnreachable({
    kind: "parameter",
    resource: "/app/a",
    url: "http://127.0.0.1:2773",
    reason: "connection refused"
  })

describe("SecretsConfigCache", () => {
  it.effect("serves from memory until the TTL passes, then fetches again (a rotation shows after the TTL)", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      assert.strictEqual(yield* value("/app/a"), "a-1")
      fake.state.values.set("/app/a", "a-2")
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(yield* value("/app/a"), "a-1")
      assert.strictEqual(fake.state.calls.length, 1)
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(yield* value("/app/a"), "a-2")
      assert.strictEqual(fake.state.calls.length, 2)
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect("honours a configured TTL", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      yield* value("/app/a")
      yield* TestClock.adjust("4 seconds")
      yield* value("/app/a")
      assert.strictEqual(fake.state.calls.length, 1)
      yield* TestClock.adjust("2 seconds")
      yield* value("/app/a")
      assert.strictEqual(fake.state.calls.length, 2)
    }).pipe(Effect.provide(fake.layer({ ttl: "5 seconds" })))
  })

  it.effect("withMaxAge: a per-call TTL shorter than the default fetches an older entry again", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      yield* value("/app/a")
      yield* TestClock.adjust("10 seconds")
      yield* value("/app/a")
      assert.strictEqual(fake.state.calls.length, 1)
      fake.state.values.set("/app/a", "a-2")
      assert.strictEqual(yield* value("/app/a").pipe(SecretsConfigCache.withMaxAge("5 seconds")), "a-2")
      assert.strictEqual(fake.state.calls.length, 2)
      assert.strictEqual(yield* value("/app/a").pipe(SecretsConfigCache.withMaxAge("5 seconds")), "a-2")
      assert.strictEqual(fake.state.calls.length, 2)
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect("never caches a failure: the next call fetches again", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      fake.state.failures.push(
        new SecretsConfigError.ExtensionNotReady({ kind: "parameter", resource: "/app/a" }),
        new SecretsConfigError.UpstreamError({
          kind: "parameter",
          resource: "/app/a",
          status: 400,
          body: SecretsConfigError.GENERIC_ERROR_BODY,
          transient: false
        })
      )
      assert.strictEqual((yield* Effect.flip(value("/app/a")))._tag, "ExtensionNotReady")
      assert.strictEqual((yield* Effect.flip(value("/app/a")))._tag, "UpstreamError")
      assert.strictEqual(yield* value("/app/a"), "a-1")
      assert.strictEqual(yield* value("/app/a"), "a-1")
      assert.strictEqual(fake.state.calls.length, 3)
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect(
    "single-flight: 1,000 concurrent reads of one key make one fetch; other keys and variants fetch apart",
    () => {
      const fake = makeFake({ latency: "100 millis" })
      return Effect.gen(function* () {
        const fiber = yield* Effect.fork(
          Effect.all(
            [
              Effect.forEach(Array.from({ length: 1000 }), () => value("/app/a"), { concurrency: "unbounded" }),
              value("/app/a", { withDecryption: false }),
              value("/app/a", { version: 1 }),
              value("/app/a:1"),
              value("/app/b")
            ],
            { concurrency: "unbounded" }
          )
        )
        yield* TestClock.adjust("100 millis")
        const [many] = yield* Fiber.join(fiber)
        assert.isTrue(many.every((v) => v === "a-1"))
        // "/app/a" once, its undecrypted variant, ":1" (shared by version: 1 and the inline "/app/a:1"), and "/app/b".
        assert.strictEqual(fake.state.calls.length, 4)
      }).pipe(Effect.provide(fake.layer()))
    }
  )

  it.effect("concurrent readers share a failure but it is not kept", () => {
    const fake = makeFake({ latency: "100 millis" })
    return Effect.gen(function* () {
      fake.state.failures.push(unreachable())
      const fiber = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 10 }), () => Effect.either(value("/app/a")), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("100 millis")
      const results = yield* Fiber.join(fiber)
      assert.isTrue(results.every((r) => r._tag === "Left"))
      assert.strictEqual(fake.state.calls.length, 1)
      const again = yield* Effect.fork(value("/app/a"))
      yield* TestClock.adjust("100 millis")
      assert.strictEqual(yield* Fiber.join(again), "a-1")
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect("stale-if-error: serves the last good value inside its bound, with a warning; fails past it", () => {
    const fake = makeFake()
    const warnings: Array<unknown> = []
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") warnings.push(message)
    })
    return Effect.gen(function* () {
      assert.strictEqual(yield* value("/app/a"), "a-1")
      yield* TestClock.adjust("61 seconds")
      fake.state.failures.push(unreachable())
      assert.strictEqual(yield* value("/app/a"), "a-1")
      assert.strictEqual(warnings.length, 1)
      // A stale value is kept only `retryAfter` (5 s), then the endpoint is tried again.
      yield* TestClock.adjust("3 seconds")
      yield* value("/app/a")
      assert.strictEqual(fake.state.calls.length, 2)
      yield* TestClock.adjust("3 seconds")
      fake.state.values.set("/app/a", "a-2")
      assert.strictEqual(yield* value("/app/a"), "a-2")
      assert.strictEqual(fake.state.calls.length, 3)
      // Past the bound (2 minutes after the last good fetch), the error comes through.
      yield* TestClock.adjust("121 seconds")
      fake.state.failures.push(unreachable())
      assert.strictEqual((yield* Effect.flip(value("/app/a")))._tag, "ExtensionUnreachable")
      // A definite NotFound is never papered over.
      yield* value("/app/b")
      yield* TestClock.adjust("61 seconds")
      fake.state.values.delete("/app/b")
      assert.strictEqual((yield* Effect.flip(value("/app/b")))._tag, "NotFound")
    }).pipe(
      Effect.provide(fake.layer({ staleIfError: { maxStaleness: "2 minutes" } })),
      Effect.provide(Logger.add(logger))
    )
  })

  it.effect("stale-if-error never serves a value past maxStaleness, whatever retryAfter says", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      yield* value("/app/a")
      yield* TestClock.adjust("11 seconds")
      fake.state.failures.push(unreachable())
      assert.strictEqual(yield* value("/app/a"), "a-1")
      assert.strictEqual(fake.state.calls.length, 2)
      yield* TestClock.adjust("2 seconds")
      fake.state.failures.push(unreachable())
      assert.strictEqual((yield* Effect.flip(value("/app/a")))._tag, "ExtensionUnreachable")
      assert.strictEqual(fake.state.calls.length, 3)
    }).pipe(
      Effect.provide(
        fake.layer({ ttl: "10 seconds", staleIfError: { maxStaleness: "12 seconds", retryAfter: "60 seconds" } })
      )
    )
  })

  it.effect("an invalidation while a fetch is in flight wins over that fetch's result", () => {
    const fake = makeFake({ latency: "100 millis" })
    return Effect.gen(function* () {
      const cache = yield* SecretsConfigCache.SecretsConfigCache
      const fiber = yield* Effect.fork(value("/app/a"))
      yield* TestClock.adjust("50 millis")
      yield* cache.invalidateParameter("/app/a")
      yield* TestClock.adjust("50 millis")
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(fiber)
      // The first fetch's result was dropped and read again; the second is kept.
      assert.strictEqual(fake.state.calls.length, 2)
      const again = yield* Effect.fork(value("/app/a"))
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(again)
      assert.strictEqual(fake.state.calls.length, 2)
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect("invalidate and refresh, one entry or all", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      const cache = yield* SecretsConfigCache.SecretsConfigCache
      yield* value("/app/a")
      yield* value("/app/a", { withDecryption: false })
      yield* value("/app/b")
      yield* SecretsConfig.secretValue("app/db")
      assert.strictEqual(fake.state.calls.length, 4)
      fake.state.values.set("/app/a", "a-2")
      yield* cache.invalidateParameter("/app/a")
      assert.strictEqual(yield* value("/app/a"), "a-2")
      assert.strictEqual(yield* value("/app/a", { withDecryption: false }), "a-2")
      assert.strictEqual(yield* value("/app/b"), "b-1")
      assert.strictEqual(fake.state.calls.length, 6)
      fake.state.values.set("/app/b", "b-2")
      const refreshed = yield* cache.refreshParameter("/app/b")
      assert.strictEqual(Redacted.value(refreshed.value), "b-2")
      assert.strictEqual(yield* value("/app/b"), "b-2")
      assert.strictEqual(fake.state.calls.length, 7)
      fake.state.values.set("app/db", "db-2")
      yield* cache.invalidateSecret("app/db")
      assert.strictEqual(Redacted.value(yield* SecretsConfig.secretValue("app/db")), "db-2")
      yield* cache.refreshAll
      assert.strictEqual(fake.state.calls.length, 8 + 4)
      yield* cache.invalidateAll
      yield* value("/app/a")
      assert.strictEqual(fake.state.calls.length, 13)
      const stats = yield* cache.stats
      assert.isAbove(stats.hits, 0)
      assert.isAbove(stats.misses, 0)
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect("keeps at most `capacity` entries", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      yield* value("/app/a")
      yield* value("/app/b")
      yield* value("/app/c")
      yield* value("/app/a")
      assert.strictEqual(fake.state.calls.length, 4)
    }).pipe(Effect.provide(fake.layer({ capacity: 2 })))
  })

  it.effect("refuses a bad request before any I/O", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      assert.strictEqual((yield* Effect.flip(value("/app/a", { version: 1, label: "x" })))._tag, "InvalidRequest")
      assert.strictEqual((yield* Effect.flip(value("")))._tag, "InvalidRequest")
      assert.strictEqual(fake.state.calls.length, 0)
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect("counts hits and misses in metrics", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      const before = yield* Metric.value(Metrics.cacheHits)
      const missesBefore = yield* Metric.value(Metrics.cacheMisses)
      yield* value("/app/c")
      yield* value("/app/c")
      yield* value("/app/c")
      assert.strictEqual((yield* Metric.value(Metrics.cacheHits)).count - before.count, 2)
      assert.strictEqual((yield* Metric.value(Metrics.cacheMisses)).count - missesBefore.count, 1)
    }).pipe(Effect.provide(fake.layer()))
  })
})

describe("SecretsConfigCache.makePromiseClient", () => {
  // The client over the test fiber's own runtime, so that its Clock is the TestClock.
  const client = Effect.map(
    Effect.runtime<SecretsConfig.SecretsConfig | SecretsConfigCache.SecretsConfigCache>(),
    SecretsConfigCache.makePromiseClient
  )
  const read = (c: SecretsConfigCache.PromiseClient, name: string) =>
    Effect.promise(() => c.getParameter(name).then((p) => Redacted.value(p.value)))
  const failure = (promise: Promise<unknown>) =>
    Effect.promise(() =>
      promise.then(
        () => assert.fail("expected a rejection"),
        (error: unknown) => {
          assert.isTrue(Runtime.isFiberFailure(error))
          const cause = (error as Runtime.FiberFailure)[Runtime.FiberFailureCauseId]
          return cause._tag === "Fail"
            ? (cause.error as SecretsConfigError.SecretsConfigError)
            : assert.fail("not a Fail")
        }
      )
    )

  it.effect("serves a fresh cached value without another fetch, and counts the hits", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      const c = yield* client
      const hitsBefore = yield* Metric.value(Metrics.cacheHits)
      assert.strictEqual(yield* read(c, "/app/a"), "a-1")
      fake.state.values.set("/app/a", "a-2")
      assert.strictEqual(yield* read(c, "/app/a"), "a-1")
      assert.strictEqual(yield* read(c, "/app/a"), "a-1")
      assert.strictEqual(
        Redacted.value((yield* Effect.promise(() => c.getSecret("app/db"))).value as Redacted.Redacted<string>),
        "db-1"
      )
      assert.deepStrictEqual(fake.state.calls, ["/app/a", "app/db"])
      assert.strictEqual((yield* Metric.value(Metrics.cacheHits)).count - hitsBefore.count, 2)
      const control = yield* SecretsConfigCache.SecretsConfigCache
      assert.strictEqual((yield* control.stats).hits, 2)
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect("each call answers its own request: past the validated names it keeps, with options, invalid names", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      const c = yield* client
      // More names than the client keeps validated requests for (1,024): read twice, each its own value,
      // the second round all from the cache.
      const names = Array.from({ length: 2_500 }, (_, i) => `/many/p-${i}`)
      for (const name of names) fake.state.values.set(name, `v${name}`)
      for (const _round of [1, 2]) for (const name of names) assert.strictEqual(yield* read(c, name), `v${name}`)
      assert.strictEqual(fake.state.calls.length, 2_500)
      // Options make another request: a version is fetched apart from the plain name, then cached.
      const versioned = () => Effect.promise(() => c.getParameter("/many/p-1", { version: 2 }))
      yield* versioned()
      yield* versioned()
      assert.strictEqual(fake.state.calls.length, 2_501)
      // refreshNow is never answered from the cache.
      yield* Effect.promise(() => c.getSecret("app/db"))
      yield* Effect.promise(() => c.getSecret("app/db", { refreshNow: true }))
      yield* Effect.promise(() => c.getSecret("app/db"))
      assert.deepStrictEqual(fake.state.calls.slice(2_501), ["app/db", "app/db"])
      // An invalid name is refused every time, never kept as valid.
      for (const _ of [1, 2]) {
        assert.strictEqual((yield* failure(c.getParameter("")))._tag, "InvalidRequest")
        assert.strictEqual(
          (yield* failure(c.getParameter("/many/p-1", { version: 1, label: "x" })))._tag,
          "InvalidRequest"
        )
      }
      assert.strictEqual(fake.state.calls.length, 2_503)
    }).pipe(Effect.provide(fake.layer({ capacity: 5_000 })))
  })

  it.effect("honours the TTL on the runtime's Clock", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      const c = yield* client
      yield* read(c, "/app/a")
      yield* read(c, "/app/a")
      fake.state.values.set("/app/a", "a-2")
      yield* TestClock.adjust("4999 millis")
      assert.strictEqual(yield* read(c, "/app/a"), "a-1")
      assert.strictEqual(fake.state.calls.length, 1)
      yield* TestClock.adjust("2 millis")
      assert.strictEqual(yield* read(c, "/app/a"), "a-2")
      assert.strictEqual(fake.state.calls.length, 2)
    }).pipe(Effect.provide(fake.layer({ ttl: "5 seconds" })))
  })

  it.effect("never serves a failure: it rejects as runPromise does, and the next read fetches again", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      const c = yield* client
      fake.state.failures.push(unreachable())
      assert.strictEqual((yield* failure(c.getParameter("/app/a")))._tag, "ExtensionUnreachable")
      assert.strictEqual(yield* read(c, "/app/a"), "a-1")
      assert.strictEqual((yield* failure(c.getParameter("")))._tag, "InvalidRequest")
      assert.strictEqual(fake.state.calls.length, 2)
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect("does not serve what the cache dropped: invalidate, refresh, invalidateAll", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      const c = yield* client
      const control = yield* SecretsConfigCache.SecretsConfigCache
      yield* read(c, "/app/a")
      fake.state.values.set("/app/a", "a-2")
      yield* control.invalidateParameter("/app/a")
      assert.strictEqual(yield* read(c, "/app/a"), "a-2")
      fake.state.values.set("/app/a", "a-3")
      yield* control.refreshParameter("/app/a")
      assert.strictEqual(yield* read(c, "/app/a"), "a-3")
      fake.state.values.set("/app/a", "a-4")
      yield* control.invalidateAll
      assert.strictEqual(yield* read(c, "/app/a"), "a-4")
      assert.strictEqual(fake.state.calls.length, 4)
    }).pipe(Effect.provide(fake.layer()))
  })

  it.effect("never serves a stale-if-error value from memory: such reads go through the cache", () => {
    const fake = makeFake()
    return Effect.gen(function* () {
      const c = yield* client
      yield* read(c, "/app/a")
      yield* TestClock.adjust("61 seconds")
      fake.state.failures.push(unreachable())
      assert.strictEqual(yield* read(c, "/app/a").pipe(Effect.provide(Logger.remove(Logger.defaultLogger))), "a-1")
      assert.strictEqual(fake.state.calls.length, 2)
      fake.state.values.set("/app/a", "a-2")
      yield* TestClock.adjust("6 seconds")
      assert.strictEqual(yield* read(c, "/app/a"), "a-2")
      assert.strictEqual(fake.state.calls.length, 3)
    }).pipe(Effect.provide(fake.layer({ staleIfError: { maxStaleness: "1 hour" } })))
  })
})
