/** Regressions of a second review of this line's changes: each test failed before its fix. */
import { assert, describe, it } from "@effect/vitest"
import {
  SecretsConfig,
  SecretsConfigCache,
  SecretsConfigError,
  SecretsConfigProvider,
  StoreModel
} from "@secrets-config/core"
import { MemorySecretsConfig } from "@secrets-config/memory"
import * as TestKit from "@secrets-config/memory/TestKit"
import { Cause, Config, ConfigError, Effect, Fiber, Layer, ManagedRuntime, Redacted, TestClock } from "effect"

const seed = TestKit.store(TestKit.secret("app/db", "v1"), TestKit.parameter("/app/host", "h"))
const text = (options?: SecretsConfig.GetSecretOptions) =>
  Effect.map(SecretsConfig.secretValue("app/db", options), (v) => Redacted.value(v))
const cached = () => SecretsConfigCache.layer({ ttl: "5 minutes" }).pipe(Layer.provideMerge(TestKit.layer(seed)))

describe("review regressions", () => {
  it("the Promise client's refreshNow is fresh too (not answered from the cache)", async () => {
    const runtime = ManagedRuntime.make(cached())
    try {
      const client = SecretsConfigCache.makePromiseClient(runtime)
      await client.getSecret("app/db")
      await runtime.runPromise(MemorySecretsConfig.rotateSecret("app/db", "v2"))
      const fresh = await client.getSecret("app/db", { refreshNow: true })
      assert.strictEqual(Redacted.value(fresh.value as Redacted.Redacted<string>), "v2")
    } finally {
      await runtime.dispose()
    }
  })

  it.effect("ten concurrent refreshNow reads share one fetch", () =>
    Effect.gen(function* () {
      yield* text()
      yield* MemorySecretsConfig.setLatency("100 millis")
      const fiber = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 10 }, () => text({ refreshNow: true })),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      const fresh = (yield* MemorySecretsConfig.requests).filter((r) => r.operation === "getSecret" && r.refreshNow)
      assert.strictEqual(fresh.length, 1)
    }).pipe(Effect.provide(cached()))
  )

  it.effect("coldStartRetry: a transient failure then the ambiguous 400, inside the window, is retried", () =>
    Effect.gen(function* () {
      yield* MemorySecretsConfig.failNext(
        1,
        new SecretsConfigError.ExtensionNotReady({ kind: "secret", resource: "app/db" })
      )
      yield* MemorySecretsConfig.failNext(
        1,
        new SecretsConfigError.UpstreamError({
          kind: "secret",
          resource: "app/db",
          status: 400,
          body: SecretsConfigError.GENERIC_ERROR_BODY,
          transient: false
        })
      )
      const fiber = yield* Effect.fork(text())
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(yield* Fiber.join(fiber), "v1")
    }).pipe(Effect.provide(MemorySecretsConfig.layer(seed, { policy: { coldStartRetry: true } })))
  )

  it("reads lists a JSON secret read as a map (Config.hashMap)", () => {
    const reads = SecretsConfigProvider.reads(
      Config.all({ flags: Config.hashMap(Config.boolean(), "FLAGS"), host: Config.string("host") }),
      { prefix: "/app", secrets: { FLAGS: "app/flags" } }
    )
    assert.deepStrictEqual(
      reads.map((read) => [read.kind, read.name, read.paths]),
      [
        ["secret", "app/flags", ["FLAGS.*"]],
        ["parameter", "/app/host", ["host"]]
      ]
    )
  })

  it("a refused change leaves the id counter as it was; a list keeps a parameter's type", () => {
    const store = new StoreModel.StoreModel()
    assert.throws(() =>
      store.seedSecret({ name: "a", versions: [{ value: "x" }, { value: "y", createdDate: "bad" }] }, 0)
    )
    assert.strictEqual(store.putSecret("b", "z"), "00000000-0000-4000-8000-000000000001")
    store.putParameter("/p", "secret", { type: "SecureString" })
    store.putParameter("/p", ["a", "b"])
    assert.strictEqual(store.resolveParameter("/p")?.version.type, "SecureString")
  })

  it("the stand-in ciphertext is not the plaintext masked (XOR of two ciphertexts reveals nothing)", () => {
    const a = Buffer.from(StoreModel.ciphertext("arn#1", "aaaaaaaaaaaaaaaa"), "base64")
    const b = Buffer.from(StoreModel.ciphertext("arn#1", "bbbbbbbbbbbbbbbb"), "base64")
    const xor = a.subarray(37, 53).map((byte, i) => byte ^ b[37 + i]!)
    // With a mask, a ⊕ b would be "a" ⊕ "b" = 3 in every byte.
    assert.notDeepEqual(
      [...xor],
      Array.from({ length: 16 }, () => 3)
    )
  })

  it.effect("explain gives each distinct cause once, not one per error tag", () =>
    Effect.gen(function* () {
      const upstream = (resource: string, status: number, body: string) =>
        ConfigError.SourceUnavailable(
          [resource],
          "x",
          // a SecretsConfigError as the provider wraps it
          Cause.fail(
            new SecretsConfigError.UpstreamError({
              kind: "parameter",
              resource,
              status,
              body,
              transient: status >= 500
            })
          )
        )
      const error = ConfigError.And(
        upstream("/a", 400, SecretsConfigError.GENERIC_ERROR_BODY),
        ConfigError.And(upstream("/b", 500, "internal"), upstream("/c", 400, SecretsConfigError.GENERIC_ERROR_BODY))
      )
      const lines = SecretsConfigProvider.explain(error).split("\n")
      assert.strictEqual(lines[0], "The configuration could not be read (3 keys):")
      assert.strictEqual(lines.filter((line) => line.startsWith("UpstreamError: ")).length, 2)
    })
  )
})
