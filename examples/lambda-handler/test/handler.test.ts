import { assert, describe, it } from "@effect/vitest"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Emulator, Store } from "@secrets-config/emulator"
import { Effect } from "effect"
import { makeHandler, makeLayer } from "../src/handler.js"

const context = { getRemainingTimeInMillis: () => 3000 }

const withEmulator = <A, E>(f: (emulator: Emulator.Emulator) => Effect.Effect<A, E>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store: Store.sample })
      process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(emulator.port)
      process.env.AWS_SESSION_TOKEN = emulator.token
      return yield* f(emulator)
    })
  )

describe("the example handler", () => {
  it.live("calls nothing at INIT, then serves the app config without revealing a secret", () =>
    withEmulator((emulator) =>
      Effect.gen(function* () {
        const handler = makeHandler(makeLayer(LambdaExtension.layerNode(), { prefix: "/demo", cacheTtlSeconds: 60 }))
        assert.strictEqual((yield* emulator.control.requests).length, 0)
        const result = yield* Effect.promise(() => handler({}, context))
        assert.strictEqual(result.statusCode, 200)
        const body = JSON.parse(result.body)
        assert.strictEqual(body.greeting, "Hello from the secrets-config emulator")
        assert.deepStrictEqual(body.featureFlags, ["checkout", "search", "dark-mode"])
        assert.deepStrictEqual(body.db, { host: "db.internal", port: 5432, username: "app", password: "<redacted>" })
        assert.strictEqual(body.apiKey, "<redacted>")
        assert.notInclude(result.body, "demo-password-not-real")
        assert.notInclude(result.body, "demo-api-key-0000-not-a-real-key")
        // One concurrent burst: the four parameters and the secret, once each.
        assert.strictEqual((yield* emulator.control.requests).length, 5)
        yield* Effect.promise(() => handler({}, context))
        assert.strictEqual((yield* emulator.control.requests).length, 5)
        yield* Effect.promise(() => handler.runtime.dispose())
      })
    )
  )

  it.live("answers a typed error as a clean response", () =>
    withEmulator(() =>
      Effect.gen(function* () {
        const handler = makeHandler(makeLayer(LambdaExtension.layerNode(), { prefix: "/demo" }))
        const result = yield* Effect.promise(() => handler({ lookup: "/demo/nope" }, context))
        assert.strictEqual(result.statusCode, 500)
        const body = JSON.parse(result.body)
        assert.strictEqual(body.error, "UpstreamError")
        assert.include(body.message, "CloudWatch")
        const missingConfig = makeHandler(makeLayer(LambdaExtension.layerNode(), { prefix: "/elsewhere" }))
        const failed = yield* Effect.promise(() => missingConfig({}, context))
        assert.strictEqual(JSON.parse(failed.body).error, "UpstreamError")
        yield* Effect.promise(() => Promise.all([handler.runtime.dispose(), missingConfig.runtime.dispose()]))
      })
    )
  )
})
