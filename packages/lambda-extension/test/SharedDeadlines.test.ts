/**
 * Per-caller deadlines under single-flight: several callers of one key through `SecretsConfigCache`
 * over the live layer share one fetch, yet each ends by its own deadline, the long ones succeed, and
 * the shared fetch is interrupted only when every caller has left. In virtual time over a fake
 * endpoint (TestClock), and in real time against the emulator.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
import { Emulator } from "@secrets-config/emulator"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import { Clock, Effect, Either, Fiber, Redacted, Schedule, TestClock } from "effect"
import { json, makeService, secretBody, text } from "./utils/fake.js"

const NOT_READY = "not ready to serve traffic, please wait"
/** Retries every 50 ms until the deadline: the deadline, not the schedule, ends a call. */
const untilDeadline: LambdaExtension.Options = { retry: Schedule.spaced("50 millis"), deadline: "30 seconds" }

interface Outcome {
  readonly deadline: number
  readonly endedAt: number
  readonly result: Either.Either<string, string>
}

/** A caller of `app/db` under its own deadline, reporting when and how it ended. */
const caller = (deadline: number) =>
  SecretsConfig.secretValue("app/db").pipe(
    SecretsConfig.withDeadline(deadline),
    Effect.map(Redacted.value),
    Effect.mapError((e) => e._tag),
    Effect.either,
    Effect.flatMap((result) =>
      Effect.map(Clock.currentTimeMillis, (endedAt): Outcome => ({ deadline, endedAt, result }))
    )
  )

/** The live layer over a fake endpoint that is not ready until `readyAt` (virtual time), then answers. */
const notReadyUntil = (readyAt: number) =>
  Effect.gen(function* () {
    let open = 0
    let maxOpen = 0
    const { requests, service } = yield* makeService(
      () =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            maxOpen = Math.max(maxOpen, ++open)
          }),
          () =>
            Effect.map(Clock.currentTimeMillis, (now) =>
              now < readyAt ? text(400, NOT_READY) : json(secretBody({ Name: "app/db", SecretString: "s3cr3t" }))
            ),
          () =>
            Effect.sync(() => {
              open--
            })
        ),
      untilDeadline
    )
    const cached = yield* SecretsConfigCache.make(service)
    return { cached: cached.service, requests, maxOpen: () => maxOpen }
  })

/** Forks the callers in the given order, runs the clock forward, and collects their outcomes. */
const race = (service: SecretsConfig.SecretsConfig.Service, deadlines: ReadonlyArray<number>, until: number) =>
  Effect.gen(function* () {
    const fibers = yield* Effect.forEach(deadlines, (deadline) =>
      Effect.fork(Effect.provideService(caller(deadline), SecretsConfig.SecretsConfig, service))
    )
    for (let t = 0; t < until; t += 50) yield* TestClock.adjust("50 millis")
    return yield* Effect.forEach(fibers, Fiber.join)
  })

const check = (outcomes: ReadonlyArray<Outcome>, readyAt: number) => {
  for (const { deadline, endedAt, result } of outcomes) {
    // Everyone ends by their own deadline.
    assert.isAtMost(endedAt, deadline, `the caller with ${deadline} ms ended at ${endedAt} ms`)
    if (deadline < readyAt) {
      assert.deepStrictEqual(result, Either.left("RequestTimeout"), `the caller with ${deadline} ms`)
      assert.strictEqual(endedAt, deadline, `the caller with ${deadline} ms left at its own deadline`)
    } else if (deadline >= readyAt + 100) {
      assert.deepStrictEqual(result, Either.right("s3cr3t"), `the caller with ${deadline} ms`)
      assert.isAtLeast(endedAt, readyAt)
    }
  }
}

describe("per-caller deadlines under single-flight (TestClock)", () => {
  for (const [label, deadlines] of [
    ["the short caller first", [800, 6000]],
    ["the long caller first", [6000, 800]],
    ["a 300 ms caller beside a 6 s one", [300, 6000]],
    ["a 6 s caller beside a 300 ms one", [6000, 300]]
  ] as const) {
    it.effect(`two callers, ${label}: each ends by its own deadline, the long one succeeds`, () =>
      Effect.gen(function* () {
        const { cached, maxOpen, requests } = yield* notReadyUntil(1500)
        const outcomes = yield* race(cached, deadlines, 2000)
        check(outcomes, 1500)
        // One fetch, shared: never two requests at once.
        assert.strictEqual(maxOpen(), 1)
        assert.isAbove(requests.length, 1)
      })
    )
  }

  for (const order of ["ascending", "descending", "interleaved"] as const) {
    it.effect(`twenty callers with mixed deadlines (${order}): each by its own, the long ones succeed`, () =>
      Effect.gen(function* () {
        const ascending = Array.from({ length: 20 }, (_, i) => 150 * (i + 1)) // 150 … 3000 ms
        const deadlines =
          order === "ascending"
            ? ascending
            : order === "descending"
              ? [...ascending].reverse()
              : ascending.map((_, i) => ascending[(i * 7) % 20]!)
        const { cached, maxOpen } = yield* notReadyUntil(1500)
        const outcomes = yield* race(cached, deadlines, 3100)
        check(outcomes, 1500)
        assert.strictEqual(maxOpen(), 1)
      })
    )
  }

  it.effect("the shared fetch is interrupted only when the last caller leaves", () =>
    Effect.gen(function* () {
      let interrupted = 0
      let started = 0
      const { service } = yield* makeService(
        () =>
          Effect.sync(() => started++).pipe(
            Effect.zipRight(Effect.never),
            Effect.onInterrupt(() => Effect.sync(() => interrupted++))
          ),
        { ...untilDeadline, timeout: "1 minute" }
      )
      const { service: cached } = yield* SecretsConfigCache.make(service)
      const read = Effect.provideService(SecretsConfig.getSecret("app/db"), SecretsConfig.SecretsConfig, cached)
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(read))
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(started, 1)
      yield* Fiber.interrupt(fibers[0]!)
      yield* Fiber.interrupt(fibers[1]!)
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(interrupted, 0, "two callers left, one still waits: the fetch goes on")
      yield* Fiber.interrupt(fibers[2]!)
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(interrupted, 1, "the last caller left: the fetch is interrupted")
      // A new caller starts a new fetch (nothing of the old one is served).
      const fiber = yield* Effect.fork(read)
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(started, 2)
      yield* Fiber.interrupt(fiber)
    })
  )

  it.effect("a caller whose deadline has passed fails at once and starts nothing", () =>
    Effect.gen(function* () {
      const { cached, requests } = yield* notReadyUntil(0)
      const outcome = yield* Effect.provideService(caller(0), SecretsConfig.SecretsConfig, cached)
      assert.deepStrictEqual(outcome.result, Either.left("RequestTimeout"))
      assert.strictEqual(requests.length, 0)
    })
  )
})

describe("per-caller deadlines under single-flight (the emulator, real time)", () => {
  for (const [label, deadlines] of [
    ["short first", [800, 6000]],
    ["long first", [6000, 800]]
  ] as const) {
    it.scopedLive(
      `an endpoint not ready for 1.5 s, ${label}: the 800 ms caller fails by then, the 6 s one succeeds`,
      () =>
        Effect.gen(function* () {
          const emulator = yield* Emulator.make({ store: { secrets: [{ name: "app/db", value: "s3cr3t" }] } })
          yield* emulator.control.setFaults({ notReady: { forMs: 1500 } })
          const live = yield* LambdaExtension.make({
            ...untilDeadline,
            port: emulator.port,
            token: Redacted.make(emulator.token)
          }).pipe(Effect.provide(LoopbackHttpClient.layer()))
          const { service } = yield* SecretsConfigCache.make(live)
          const start = Date.now()
          const outcomes = yield* Effect.forEach(
            deadlines,
            (deadline) => Effect.provideService(caller(deadline), SecretsConfig.SecretsConfig, service),
            { concurrency: "unbounded" }
          )
          for (const { deadline, endedAt, result } of outcomes) {
            const elapsed = endedAt - start
            if (deadline === 800) {
              assert.deepStrictEqual(result, Either.left("RequestTimeout"))
              assert.isAtMost(elapsed, 800 + 150, `the 800 ms caller ended after ${elapsed} ms`)
            } else {
              assert.deepStrictEqual(result, Either.right("s3cr3t"), `the 6 s caller, after ${elapsed} ms`)
              assert.isAtLeast(elapsed, 1400)
            }
          }
          // One fetch at a time: the emulator never answered two of these requests at once.
          const log = yield* emulator.control.requests
          for (let i = 1; i < log.length; i++) assert.isAtLeast(log[i]!.startedAtMs, log[i - 1]!.endedAtMs)
        })
    )
  }
})
