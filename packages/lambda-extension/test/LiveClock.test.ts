/**
 * The attempt's timer for an application's own `HttpClient` under Effect's live Clock (real time):
 * `Effect.timeoutFail` ends the exchange, and the attempt's scope aborts it. The TestClock tests in
 * LambdaExtension.test.ts cover the same path in virtual time; LoopbackHttpClient.test.ts and
 * Hostile.test.ts cover the default transport, whose timer is the socket's own.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Redacted, Schedule } from "effect"
import { makeService, okHandler } from "./utils/fake.js"

const once = { retry: Schedule.stop }

describe("timeouts under the live Clock", () => {
  it.live("an attempt that never answers is interrupted and fails with RequestTimeout after the timeout", () =>
    Effect.gen(function* () {
      let interrupted = 0
      const { requests, service } = yield* makeService(
        () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++))),
        { ...once, timeout: "50 millis" }
      )
      const start = Date.now()
      const error = yield* Effect.flip(service.getSecret("x"))
      const elapsed = Date.now() - start
      assert.strictEqual(error._tag, "RequestTimeout")
      if (error._tag !== "RequestTimeout") return
      assert.strictEqual(error.scope, "attempt")
      assert.strictEqual(error.timeoutMillis, 50)
      assert.strictEqual(interrupted, 1)
      assert.strictEqual(requests.length, 1)
      assert.isAtLeast(elapsed, 45)
      assert.isBelow(elapsed, 2000)
    })
  )

  it.live("the deadline, when shorter than the timeout, bounds the attempt (scope deadline)", () =>
    Effect.gen(function* () {
      const { service } = yield* makeService(() => Effect.never, {
        ...once,
        timeout: "10 seconds",
        deadline: "60 millis"
      })
      const error = yield* Effect.flip(service.getSecret("x"))
      assert.strictEqual(error._tag, "RequestTimeout")
      if (error._tag !== "RequestTimeout") return
      assert.strictEqual(error.scope, "deadline")
      assert.strictEqual(error.timeoutMillis, 60)
    })
  )

  it.live("an answer in time is returned, and retries still work", () =>
    Effect.gen(function* () {
      let calls = 0
      const { service } = yield* makeService(
        (request, index) => {
          calls++
          return index === 0 ? Effect.never : okHandler(request, index)
        },
        { timeout: "40 millis", retry: Schedule.recurs(1) }
      )
      const secret = yield* service.getSecret("app/db")
      assert.isTrue(Redacted.isRedacted(secret.value))
      assert.strictEqual(calls, 2)
    })
  )

  it.live("interrupting the call interrupts the exchange at once", () =>
    Effect.gen(function* () {
      let interrupted = 0
      const { service } = yield* makeService(
        () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++))),
        { ...once, timeout: "10 seconds" }
      )
      const fiber = yield* Effect.fork(service.getSecret("x"))
      yield* Effect.sleep("20 millis")
      const start = Date.now()
      yield* Fiber.interrupt(fiber)
      assert.isBelow(Date.now() - start, 1000)
      assert.strictEqual(interrupted, 1)
    })
  )
})
