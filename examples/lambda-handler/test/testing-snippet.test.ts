import { assert, describe, it } from "@effect/vitest"
import { SecretsConfigError } from "@secrets-config/core"
import { MemorySecretsConfig } from "@secrets-config/memory"
import * as TestKit from "@secrets-config/memory/TestKit"
import { Effect, Fiber, TestClock } from "effect"
import { handle, makeLayer } from "../src/readme.js"

const seed = TestKit.store(
  TestKit.parameter("/my-app/greeting", "hello"),
  TestKit.secureString("/my-app/api-key", "k-123"),
  TestKit.jsonSecret("my-app/db", { host: "db.test", password: "p-1" })
)
const context = { getRemainingTimeInMillis: () => 3000 }

describe("handler", () => {
  it.effect("survives a cold start and sees a rotation", () =>
    Effect.gen(function* () {
      // The extension is not ready yet: retried with backoff, as the live layer does (TestClock).
      yield* MemorySecretsConfig.failNext(
        1,
        new SecretsConfigError.ExtensionNotReady({ kind: "parameter", resource: "/my-app/greeting" })
      )
      const first = yield* Effect.fork(handle({}, context))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(first)).body, "hello (db at db.test)")

      yield* MemorySecretsConfig.rotateSecret("my-app/db", JSON.stringify({ host: "db2.test", password: "p-2" }))
      yield* TestClock.adjust("5 minutes") // the cache's TTL
      assert.strictEqual((yield* handle({}, context)).body, "hello (db at db2.test)")
    }).pipe(Effect.provide(makeLayer(TestKit.layer(seed))))
  )
})
