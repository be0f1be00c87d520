/**
 * `TestKit.layer` under `it.layer`. In its own file: @effect/vitest 0.30's `it.layer` assigns its
 * testers onto vitest's shared `it`, so every `it.effect` after the block in the same file would
 * run with the block's layer too.
 */
import { assert, it } from "@effect/vitest"
import { SecretsConfig, SecretsConfigError } from "@secrets-config/core"
import { MemorySecretsConfig } from "@secrets-config/memory"
import * as TestKit from "@secrets-config/memory/TestKit"
import { Effect, Fiber, Redacted, TestClock } from "effect"

const seed = TestKit.store(TestKit.parameter("/app/host", "db.internal"), TestKit.secret("app/token", "t-1"))

const host = Effect.map(SecretsConfig.parameterValue("/app/host"), Redacted.value)

// One layer for the block, built once: every test still starts from the seed.
it.layer(TestKit.layer(seed))("TestKit.layer under it.layer", (it) => {
  it.effect("a test changes the store and fills the log", () =>
    Effect.gen(function* () {
      yield* MemorySecretsConfig.putParameter("/app/host", "changed.internal")
      assert.strictEqual(yield* host, "changed.internal")
      assert.strictEqual((yield* MemorySecretsConfig.requests).length, 1)
      // A fault left behind: the next test must not meet it.
      yield* MemorySecretsConfig.failNext(
        Infinity,
        new SecretsConfigError.Throttled({ kind: "secret", resource: "x", status: 429 })
      )
    })
  )

  it.effect("the next test sees the seed again: no change, no fault, an empty log", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* MemorySecretsConfig.requests, [])
      assert.strictEqual(yield* host, "db.internal")
      assert.strictEqual(Redacted.value(yield* SecretsConfig.secretValue("app/token")), "t-1")
    })
  )

  it.effect("faults are retried as in production, under the test's TestClock", () =>
    Effect.gen(function* () {
      yield* MemorySecretsConfig.failNext(
        2,
        new SecretsConfigError.ExtensionNotReady({ kind: "parameter", resource: "/app/host" })
      )
      const fiber = yield* Effect.fork(host)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "db.internal")
      assert.deepStrictEqual(
        (yield* MemorySecretsConfig.requests).map((r) => r.outcome),
        ["ExtensionNotReady", "ExtensionNotReady", "Success"]
      )
    })
  )

  // A retried attempt starts from the seed too: the first attempt changes the store, then fails.
  let attempts = 0
  it.effect(
    "a retried test starts from the seed again",
    () =>
      Effect.gen(function* () {
        attempts++
        assert.strictEqual(yield* host, "db.internal", `attempt ${attempts} saw the last attempt's store`)
        yield* MemorySecretsConfig.putParameter("/app/host", "changed by the attempt")
        if (attempts === 1) assert.fail("the first attempt fails on purpose")
      }),
    { retry: 1 }
  )
})
