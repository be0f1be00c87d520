import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import * as SecretsConfigPolicy from "@secrets-config/core/SecretsConfigPolicy"
import { Effect, Exit, Fiber, Layer, Option, Schedule, TestClock } from "effect"
import * as fakes from "./helpers/fake.js"

const notReady = new SecretsConfigError.ExtensionNotReady({ kind: "parameter", resource: "/a" })

describe("SecretsConfigPolicy in front of any SecretsConfig", () => {
  it.effect("layer: transient failures are retried with backoff under TestClock, then served", () =>
    Effect.gen(function* () {
      const fake = fakes.makeFake({ values: { "/a": "x" } })
      fake.state.failures.push(notReady, notReady)
      const fiber = yield* Effect.fork(
        SecretsConfig.parameterValue("/a").pipe(
          Effect.provide(SecretsConfigPolicy.layer().pipe(Layer.provide(fake.layer)))
        )
      )
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(fake.state.calls.length, 1, "the first retry waits about 25 ms")
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      assert.strictEqual(fake.state.calls.length, 3)
    })
  )

  it.effect("withPolicy: a non-transient failure is returned at once", () =>
    Effect.gen(function* () {
      const fake = fakes.makeFake({ missing: "UpstreamError" })
      const policy = yield* SecretsConfigPolicy.resolve()
      const service = SecretsConfigPolicy.withPolicy(policy)(fake.service)
      const error = yield* Effect.flip(service.getParameter("/missing"))
      assert.strictEqual(error._tag, "UpstreamError")
      assert.strictEqual(fake.state.calls.length, 1)
    })
  )

  it.effect("each attempt is bounded by the timeout; the call by the deadline", () =>
    Effect.gen(function* () {
      const fake = fakes.makeFake({ values: { "/a": "x" }, latency: "1 hour" })
      const policy = yield* SecretsConfigPolicy.resolve({ timeout: "100 millis", deadline: "1 second" })
      const fiber = yield* Effect.fork(
        Effect.flip(SecretsConfigPolicy.withPolicy(policy)(fake.service).getParameter("/a"))
      )
      yield* TestClock.adjust("2 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "RequestTimeout")
      assert.isAbove(fake.state.calls.length, 1, "timed-out attempts are retried")
      assert.strictEqual(fake.state.inFlight, 0, "every attempt was interrupted")
    })
  )

  it.effect("a shorter deadline from withDeadline wins; Schedule.stop means one attempt", () =>
    Effect.gen(function* () {
      const fake = fakes.makeFake({ values: { "/a": "x" }, latency: "1 hour" })
      const policy = yield* SecretsConfigPolicy.resolve({ retry: Schedule.stop })
      const fiber = yield* Effect.fork(
        Effect.flip(
          SecretsConfigPolicy.withPolicy(policy)(fake.service).getParameter("/a").pipe(SecretsConfig.withDeadline(300))
        )
      )
      yield* TestClock.adjust("300 millis")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag === "RequestTimeout" && error.scope, "deadline")
      assert.strictEqual(fake.state.calls.length, 1)
    })
  )

  it.effect("invalid options are a ConfigError naming the option", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(SecretsConfigPolicy.resolve({ deadline: -1 }))
      assert.include(String(error), "deadline")
    })
  )

  describe("coldStartRetry (opt-in): the extension's ambiguous 400 during the first seconds", () => {
    const ambiguous = new SecretsConfigError.UpstreamError({
      kind: "parameter",
      resource: "/a",
      status: 400,
      body: SecretsConfigError.GENERIC_ERROR_BODY,
      transient: false
    })

    it.effect("off by default: the 400 is returned at once", () =>
      Effect.gen(function* () {
        const fake = fakes.makeFake({ values: { "/a": "x" } })
        fake.state.failures.push(ambiguous)
        const policy = yield* SecretsConfigPolicy.resolve()
        const error = yield* Effect.flip(SecretsConfigPolicy.withPolicy(policy)(fake.service).getParameter("/a"))
        assert.strictEqual(error._tag, "UpstreamError")
        assert.strictEqual(fake.state.calls.length, 1)
      })
    )

    it.effect("on: a throttled scale-out's 400s are retried with backoff, then served", () =>
      Effect.gen(function* () {
        const fake = fakes.makeFake({ values: { "/a": "x" } })
        fake.state.failures.push(ambiguous, ambiguous, ambiguous)
        const policy = yield* SecretsConfigPolicy.resolve({ coldStartRetry: true })
        const fiber = yield* Effect.fork(SecretsConfigPolicy.withPolicy(policy)(fake.service).getParameter("/a"))
        yield* TestClock.adjust("50 millis")
        assert.strictEqual(fake.state.calls.length, 1, "the first wait is about 100 ms")
        yield* TestClock.adjust("2 seconds")
        assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
        assert.strictEqual(fake.state.calls.length, 4)
      })
    )

    it.effect("a name really missing costs the deadline, then its 400 is returned", () =>
      Effect.gen(function* () {
        const fake = fakes.makeFake({ missing: "UpstreamError" })
        // Waits of about 0.1, 0.2, 0.4, 0.8, 1.6 s (jittered ±20 %): the fifth retry starts after
        // 2.5–3.7 s, well inside the 5 s deadline, so at 2 s the call is still waiting.
        const policy = yield* SecretsConfigPolicy.resolve({ coldStartRetry: true, deadline: "5 seconds" })
        const fiber = yield* Effect.fork(
          Effect.flip(SecretsConfigPolicy.withPolicy(policy)(fake.service).getParameter("/missing"))
        )
        yield* TestClock.adjust("2 seconds")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "still retrying inside the deadline")
        yield* TestClock.adjust("4 seconds")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "UpstreamError")
        assert.isAbove(fake.state.calls.length, 2)
      })
    )

    it.effect("after the window, the 400 is returned at once again", () =>
      Effect.gen(function* () {
        const fake = fakes.makeFake({ missing: "UpstreamError" })
        const policy = yield* SecretsConfigPolicy.resolve({ coldStartRetry: { window: "10 seconds" } })
        yield* TestClock.adjust("11 seconds")
        const error = yield* Effect.flip(SecretsConfigPolicy.withPolicy(policy)(fake.service).getParameter("/missing"))
        assert.strictEqual(error._tag, "UpstreamError")
        assert.strictEqual(fake.state.calls.length, 1)
      })
    )

    it.effect("other non-transient failures are never retried, window or not", () =>
      Effect.gen(function* () {
        const fake = fakes.makeFake({ missing: "NotFound" })
        const policy = yield* SecretsConfigPolicy.resolve({ coldStartRetry: true })
        const error = yield* Effect.flip(SecretsConfigPolicy.withPolicy(policy)(fake.service).getParameter("/missing"))
        assert.strictEqual(error._tag, "NotFound")
        assert.strictEqual(fake.state.calls.length, 1)
      })
    )
  })
})
