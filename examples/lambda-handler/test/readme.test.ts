/**
 * The README's handler (`src/readme.ts`, the same text as the README's snippet) tested as users
 * should test theirs: `handle` over the memory layer of the test kit, under TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { SecretsConfigError, SecretsConfigProvider } from "@secrets-config/core"
import { MemorySecretsConfig } from "@secrets-config/memory"
import * as TestKit from "@secrets-config/memory/TestKit"
import { ConfigError, Effect, Fiber, Option, TestClock } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { handle, makeHandler, makeLayer } from "../src/readme.js"

// The store `pnpm invoke` serves, so the tests and the local run agree.
const seed = TestKit.fromFile(path.join(import.meta.dirname, "..", "stores", "my-app.json"))
const context = { getRemainingTimeInMillis: () => 3000 }
const withStore = (store = seed) => Effect.provide(makeLayer(TestKit.layer(store)))

/** The SecretsConfigError behind a failed Config read. */
const sourceOf = (error: ConfigError.ConfigError) => Option.getOrUndefined(SecretsConfigProvider.sourceError(error))

describe("the README's handler", () => {
  it.effect("answers from the store; no secret in the response", () =>
    Effect.gen(function* () {
      const result = yield* handle({}, context)
      assert.strictEqual(result.statusCode, 200)
      assert.strictEqual(result.body, "Hello from /my-app/greeting, served by the emulator (db at db.local)")
      assert.notInclude(result.body, "local-password-not-real")
      assert.notInclude(result.body, "local-api-key-not-real")
      // One burst: two parameters and the secret, once each.
      assert.strictEqual((yield* MemorySecretsConfig.requests).length, 3)
    }).pipe(withStore())
  )

  it.effect("a rotation shows once the cache's 5 minutes have passed (TestClock)", () =>
    Effect.gen(function* () {
      yield* handle({}, context)
      yield* MemorySecretsConfig.rotateSecret("my-app/db", JSON.stringify({ host: "db2.local", password: "p2" }))
      assert.include((yield* handle({}, context)).body, "db at db.local")
      yield* TestClock.adjust("5 minutes")
      assert.include((yield* handle({}, context)).body, "db at db2.local")
    }).pipe(withStore())
  )

  it.effect("a cold start inside the extension's not-ready window is retried, then served", () =>
    Effect.gen(function* () {
      yield* MemorySecretsConfig.failNext(
        3,
        (request) =>
          new SecretsConfigError.ExtensionNotReady({
            kind: request._tag === "ParameterRequest" ? "parameter" : "secret",
            resource: request._tag === "ParameterRequest" ? request.name : request.secretId
          })
      )
      const fiber = yield* Effect.fork(handle({}, context))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(fiber)).statusCode, 200)
      const outcomes = (yield* MemorySecretsConfig.requests).map((r) => r.outcome)
      assert.strictEqual(outcomes.filter((o) => o === "ExtensionNotReady").length, 3)
      assert.strictEqual(outcomes.filter((o) => o === "Success").length, 3)
    }).pipe(withStore())
  )

  it.effect("a missing value fails the invocation with the extension's ambiguous 400, named", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(handle({}, context))
      assert.isTrue(ConfigError.isConfigError(error))
      const source = sourceOf(error)
      assert.strictEqual(source?._tag, "UpstreamError")
      assert.strictEqual(source?.resource, "/my-app/greeting")
    }).pipe(withStore(TestKit.store({ ...seed, parameters: seed.parameters?.slice(1) })))
  )

  it.effect("a missing token fails every read with MissingToken, nothing retried", () =>
    Effect.gen(function* () {
      yield* MemorySecretsConfig.failNext(
        Infinity,
        (request) =>
          new SecretsConfigError.MissingToken({
            kind: request._tag === "ParameterRequest" ? "parameter" : "secret",
            resource: request._tag === "ParameterRequest" ? request.name : request.secretId,
            variables: ["AWS_SESSION_TOKEN"]
          })
      )
      const error = yield* Effect.flip(handle({}, context))
      assert.strictEqual(sourceOf(error)?._tag, "MissingToken")
      assert.strictEqual((yield* MemorySecretsConfig.requests).length, 3)
    }).pipe(withStore())
  )
})

describe("README.md", () => {
  it("shows src/readme.ts as it is (so the snippet type-checks and is tested)", () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8")
    const source = fs.readFileSync(path.join(import.meta.dirname, "..", "src", "readme.ts"), "utf8")
    assert.include(readme, `\`\`\`ts\n${source}\`\`\``)
  })
})

describe("README.md, Testing", () => {
  it("shows test/testing-snippet.test.ts as it is", () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8")
    const source = fs.readFileSync(path.join(import.meta.dirname, "testing-snippet.test.ts"), "utf8")
    assert.include(readme, `\`\`\`ts\n${source}\`\`\``)
  })
})

describe("the README's handler, as Lambda runs it", () => {
  it("a failed read rejects with one line per failing key and the explanation once", async () => {
    // Neither the greeting nor the api key exists: two keys fail with the extension's ambiguous 400.
    const handler = makeHandler(makeLayer(TestKit.layer(TestKit.store({ ...seed, parameters: [] }))))
    const error: Error = await handler({}, context).then(
      () => assert.fail("expected a rejection"),
      (e: Error) => e
    )
    const lines = error.message.split("\n")
    assert.strictEqual(lines[0], "The configuration could not be read (2 keys):")
    assert.deepStrictEqual(lines.slice(1, 3), [
      "- greeting: UpstreamError reading parameter /my-app/greeting",
      "- api-key: UpstreamError reading parameter /my-app/api-key"
    ])
    assert.strictEqual(error.message.split("several causes").length - 1, 1, "the explanation, once")
    assert.notInclude(error.message, "local-password-not-real")
  })
})
