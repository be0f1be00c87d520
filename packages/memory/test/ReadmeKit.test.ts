import { assert, it } from "@effect/vitest"
import { SecretsConfig } from "@secrets-config/core"
import { MemorySecretsConfig } from "@secrets-config/memory"
import * as TestKit from "@secrets-config/memory/TestKit"
import { Effect, Redacted } from "effect"

const seed = TestKit.store(TestKit.parameter("/app/host", "db.internal"), TestKit.jsonSecret("app/db", { user: "app" }))
const host = Effect.map(SecretsConfig.parameterValue("/app/host"), Redacted.value)

// Your own implementation, held to the same contract (here: the memory layer itself).
TestKit.runContract("my SecretsConfig", (seed) => MemorySecretsConfig.layer(seed))

// Last in the file: @effect/vitest's it.layer changes `it` for what follows it.
it.layer(TestKit.layer(seed))("my config", (it) => {
  it.effect("a test may change the store", () =>
    Effect.gen(function* () {
      yield* MemorySecretsConfig.putParameter("/app/host", "changed")
      assert.strictEqual(yield* host, "changed")
    })
  )
  it.effect("the next one starts from the seed", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* host, "db.internal")
    })
  )
})
