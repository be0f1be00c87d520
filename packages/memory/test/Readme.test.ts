/** The examples of README.md, kept here so that they keep compiling and passing. */
import { assert, describe, it } from "@effect/vitest"
import { SecretsConfig, SecretsConfigError } from "@secrets-config/core"
import { MemorySecretsConfig } from "@secrets-config/memory"
import { Effect, Fiber, Redacted, Schema, TestClock } from "effect"

// The code under test: reads its configuration through SecretsConfig.
const loadConfig = Effect.gen(function* () {
  const port = yield* SecretsConfig.parameterAs("/my-app/port", Schema.NumberFromString)
  const hosts = yield* SecretsConfig.parameterList("/my-app/hosts")
  const password = yield* SecretsConfig.secretValue("my-app/db")
  return { port, hosts, password }
})

const TestSecrets = () =>
  MemorySecretsConfig.layer({
    parameters: [
      { name: "/my-app/port", value: "8080" },
      { name: "/my-app/hosts", value: ["a.internal", "b.internal"] },
      {
        name: "/my-app/api-key",
        type: "SecureString",
        versions: [{ value: "k-000", labels: ["Prod"] }, { value: "k-123" }]
      }
    ],
    secrets: [{ name: "my-app/db", value: "s3cr3t" }]
  })

describe("README", () => {
  it.effect("reads the seeded store", () =>
    Effect.gen(function* () {
      const config = yield* loadConfig
      assert.strictEqual(config.port, 8080)
      assert.deepStrictEqual(config.hosts, ["a.internal", "b.internal"])
      assert.strictEqual(Redacted.value(config.password), "s3cr3t")
    }).pipe(Effect.provide(TestSecrets()))
  )

  it.effect("sees a rotation", () =>
    Effect.gen(function* () {
      yield* MemorySecretsConfig.rotateSecret("my-app/db", "n3w-s3cr3t")
      const { password } = yield* loadConfig
      assert.strictEqual(Redacted.value(password), "n3w-s3cr3t")
      const previous = yield* SecretsConfig.secretValue("my-app/db", { versionStage: "AWSPREVIOUS" })
      assert.strictEqual(Redacted.value(previous), "s3cr3t")
    }).pipe(Effect.provide(TestSecrets()))
  )

  it.effect("survives a cold start", () =>
    Effect.gen(function* () {
      yield* MemorySecretsConfig.failNext(
        2,
        new SecretsConfigError.ExtensionNotReady({ kind: "parameter", resource: "/my-app/port" })
      )
      yield* MemorySecretsConfig.setLatency("200 millis") // Effect.sleep: TestClock drives it
      // No retry of our own: the layer retries transient failures as the live layer does.
      const fiber = yield* Effect.fork(loadConfig)
      yield* TestClock.adjust("2 seconds")
      const config = yield* Fiber.join(fiber)
      assert.strictEqual(config.port, 8080)
      const log = yield* MemorySecretsConfig.requests
      assert.deepStrictEqual(
        log.map((request) => request.outcome),
        ["ExtensionNotReady", "ExtensionNotReady", "Success", "Success", "Success"]
      )
    }).pipe(Effect.provide(TestSecrets()))
  )

  it.effect("a missing name fails as the extension does", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(SecretsConfig.getParameter("/my-app/typo"))
      assert.strictEqual(error._tag, "UpstreamError")
      const exact = yield* Effect.flip(SecretsConfig.getParameter("/my-app/typo")).pipe(
        Effect.provide(MemorySecretsConfig.layer({}, { missing: "exact" }))
      )
      assert.strictEqual(exact._tag, "NotFound")
    }).pipe(Effect.provide(TestSecrets()))
  )
})
