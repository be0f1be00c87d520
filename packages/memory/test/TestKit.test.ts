import { assert, describe, it } from "@effect/vitest"
import { SecretsConfig, SecretsConfigCache } from "@secrets-config/core"
import { MemorySecretsConfig } from "@secrets-config/memory"
import * as TestKit from "@secrets-config/memory/TestKit"
import { Effect, Exit, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const seed = TestKit.store(
  TestKit.parameter("/app/host", "db.internal"),
  TestKit.parameter("/app/hosts", ["a", "b"]),
  TestKit.secureString("/app/key", TestKit.CANARY),
  TestKit.secret("app/token", "t-1"),
  TestKit.jsonSecret("app/db", { user: "app", password: TestKit.CANARY })
)

const host = Effect.map(SecretsConfig.parameterValue("/app/host"), Redacted.value)

describe("TestKit", () => {
  it.effect("builders: a list is a StringList, secureString a SecureString, jsonSecret JSON text", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* SecretsConfig.parameterList("/app/hosts"), ["a", "b"])
      assert.strictEqual((yield* SecretsConfig.getParameter("/app/key")).type, "SecureString")
      const db = JSON.parse(Redacted.value(yield* SecretsConfig.secretValue("app/db")))
      assert.deepStrictEqual(db, { user: "app", password: TestKit.CANARY })
    }).pipe(Effect.provide(TestKit.layer(seed)))
  )

  it.effect("control: found through SecretsConfig when a helper's type forgot Control", () =>
    Effect.gen(function* () {
      // What a generic helper returns: the type says only SecretsConfig.
      const helper = (): Layer.Layer<SecretsConfig.SecretsConfig> => MemorySecretsConfig.layer(seed)
      const program = Effect.gen(function* () {
        const control = yield* TestKit.control
        yield* control.rotateSecret("app/token", "t-2")
        return Redacted.value(yield* SecretsConfig.secretValue("app/token"))
      })
      assert.strictEqual(yield* program.pipe(Effect.provide(helper())), "t-2")
      // The same through the kit's own layer.
      assert.strictEqual(
        yield* program.pipe(Effect.provide(TestKit.layer(seed) as Layer.Layer<SecretsConfig.SecretsConfig>)),
        "t-2"
      )
    })
  )

  it.effect("control: hidden by a cache in front (said so), kept with provideMerge", () =>
    Effect.gen(function* () {
      const hidden = SecretsConfigCache.layer().pipe(Layer.provide(MemorySecretsConfig.layer(seed)))
      const exit = yield* Effect.exit(TestKit.control.pipe(Effect.provide(hidden)))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), "provideMerge")
      const merged = SecretsConfigCache.layer().pipe(Layer.provideMerge(TestKit.layer(seed)))
      const rotated = yield* Effect.gen(function* () {
        yield* (yield* TestKit.control).rotateSecret("app/token", "t-3")
        return Redacted.value(yield* SecretsConfig.secretValue("app/token"))
      }).pipe(Effect.provide(merged))
      assert.strictEqual(rotated, "t-3")
    })
  )

  it("fromFile reads the emulator's store format; a bad file is named, its values are not", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "testkit-"))
    try {
      const good = path.join(dir, "store.json")
      fs.writeFileSync(good, JSON.stringify({ parameters: [{ name: "/a", value: "x" }], secrets: [] }))
      assert.deepStrictEqual(TestKit.fromFile(good).parameters, [{ name: "/a", value: "x" }])
      const bad = path.join(dir, "bad.json")
      fs.writeFileSync(bad, JSON.stringify({ parameters: [{ name: "/a", value: 42, extra: TestKit.CANARY }] }))
      let error: Error | undefined
      try {
        TestKit.fromFile(bad)
      } catch (e) {
        error = e as Error
      }
      assert.include(error?.message, bad)
      assert.include(error?.message, "parameters.0")
      assert.notInclude(error?.message, TestKit.CANARY)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it.effect("an invalid seed is a defect naming the field", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(host.pipe(Effect.provide(TestKit.layer(TestKit.parameter("/aws/x", "v")))))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), "parameters.0.name")
    })
  )
})
