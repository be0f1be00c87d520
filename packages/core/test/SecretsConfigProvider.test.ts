import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import { Config, ConfigError, ConfigProvider, Effect, Fiber, Layer, Option, Redacted, Schema, TestClock } from "effect"
import * as fakes from "./helpers/fake.js"

const CANARY = "canary-7f3a9c-secret"

const values = {
  "/app/prod/DB_HOST": "db.internal",
  "/app/prod/PORT": "5432",
  "/app/prod/API_KEY": CANARY,
  "/app/prod/http/TIMEOUT_MS": "2500",
  "/app/prod/ZONES": "a,b,c",
  "/app/prod/FLAG": "true",
  "app/db": JSON.stringify({ user: "app", password: CANARY, pool: { max: 10 } }),
  "app/stripe": CANARY
}

const withProvider = (fake: ReturnType<typeof fakes.makeFake>, options?: Partial<SecretsConfigProvider.Options>) =>
  Effect.provide(
    SecretsConfigProvider.layer({
      prefix: "/app/prod/",
      secrets: { db: "app/db", STRIPE_KEY: "app/stripe" },
      ...options
    }).pipe(Layer.provide(fake.layer))
  )

describe("SecretsConfigProvider", () => {
  it.effect("maps keys to parameters under the prefix, nested configs to path segments", () => {
    const fake = fakes.makeFake({ values })
    return Effect.gen(function* () {
      const config = yield* Config.all({
        host: Config.string("DB_HOST"),
        port: Config.integer("PORT"),
        timeout: Config.nested(Config.integer("TIMEOUT_MS"), "http"),
        zones: Config.array(Config.string(), "ZONES"),
        flag: Config.boolean("FLAG")
      })
      assert.deepStrictEqual(config, {
        host: "db.internal",
        port: 5432,
        timeout: 2500,
        zones: ["a", "b", "c"],
        flag: true
      })
      assert.includeMembers(fake.state.calls, ["/app/prod/DB_HOST", "/app/prod/http/TIMEOUT_MS"])
    }).pipe(withProvider(fake))
  })

  it.effect("keeps Config.redacted redacted, and reads JSON secret subtrees and whole secrets", () => {
    const fake = fakes.makeFake({ values })
    return Effect.gen(function* () {
      const config = yield* Config.all({
        apiKey: Config.redacted("API_KEY"),
        db: Config.nested(
          Config.all({
            user: Config.string("user"),
            password: Config.redacted("password"),
            max: Config.integer("max").pipe(Config.nested("pool"))
          }),
          "db"
        ),
        stripe: Config.redacted("STRIPE_KEY")
      })
      assert.isTrue(Redacted.isRedacted(config.apiKey))
      assert.strictEqual(Redacted.value(config.apiKey), CANARY)
      assert.strictEqual(config.db.user, "app")
      assert.strictEqual(Redacted.value(config.db.password), CANARY)
      assert.strictEqual(config.db.max, 10)
      assert.strictEqual(Redacted.value(config.stripe), CANARY)
      assert.notInclude(String(config.db.password), CANARY)
      // The secret app/db is fetched once for its three keys.
      assert.strictEqual(fake.state.calls.filter((c) => c === "app/db").length, 1)
    }).pipe(withProvider(fake))
  })

  it.effect("fetches every declared key in one concurrent burst, once each", () => {
    const keys = Array.from({ length: 10 }, (_, i) => `K${i}`)
    const fake = fakes.makeFake({
      values: Object.fromEntries(keys.map((k) => [`/app/prod/${k}`, k.toLowerCase()])),
      latency: "20 millis"
    })
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Config.all(keys.map((k) => Config.string(k))))
      // Sequential reads would need 10 × 20 ms; the burst is done after one latency.
      yield* TestClock.adjust("20 millis")
      const result = yield* Fiber.join(fiber)
      assert.deepStrictEqual(
        result,
        keys.map((k) => k.toLowerCase())
      )
      assert.strictEqual(fake.state.maxInFlight, 10)
      assert.strictEqual(fake.state.calls.length, 10)
    }).pipe(withProvider(fake))
  })

  it.effect("bounds the burst by `concurrency`", () => {
    const keys = Array.from({ length: 10 }, (_, i) => `K${i}`)
    const fake = fakes.makeFake({
      values: Object.fromEntries(keys.map((k) => [`/app/prod/${k}`, k])),
      latency: "20 millis"
    })
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Config.all(keys.map((k) => Config.string(k))))
      yield* TestClock.adjust("60 millis")
      yield* Fiber.join(fiber)
      assert.strictEqual(fake.state.maxInFlight, 4)
    }).pipe(withProvider(fake, { concurrency: 4 }))
  })

  it.effect("a definite NotFound is missing data: withDefault and option apply", () => {
    const fake = fakes.makeFake({ values })
    return Effect.gen(function* () {
      assert.strictEqual(yield* Config.string("NOPE").pipe(Config.withDefault("fallback")), "fallback")
      assert.deepStrictEqual(yield* Config.option(Config.string("NOPE")), Option.none())
      const error = yield* Effect.flip(Config.string("NOPE"))
      assert.isTrue(ConfigError.isMissingDataOnly(error))
      assert.include(String(error), "/app/prod/NOPE")
    }).pipe(withProvider(fake))
  })

  it.effect("the extension's ambiguous 400 fails loudly, naming its causes, unless opted in as missing", () => {
    const fake = fakes.makeFake({ values, missing: "UpstreamError" })
    return Effect.gen(function* () {
      const error = yield* Effect.flip(Config.string("NOPE").pipe(Config.withDefault("fallback")))
      assert.isFalse(ConfigError.isMissingDataOnly(error))
      assert.include(String(error), "CloudWatch")
      const optedIn = yield* Config.string("NOPE").pipe(
        Config.withDefault("fallback"),
        withProvider(fake, { upstreamErrorAsMissing: true })
      )
      assert.strictEqual(optedIn, "fallback")
    }).pipe(withProvider(fake))
  })

  it.effect("any other failure is SourceUnavailable with the tagged error's message", () => {
    const fake = fakes.makeFake({ values })
    fake.state.errors.set(
      "/app/prod/DB_HOST",
      new SecretsConfigError.TokenRejected({ kind: "parameter", resource: "/app/prod/DB_HOST", status: 401 })
    )
    return Effect.gen(function* () {
      const error = yield* Effect.flip(Config.string("DB_HOST").pipe(Config.withDefault("x")))
      assert.isTrue(error._op === "SourceUnavailable" || String(error).includes("SourceUnavailable"))
      assert.include(String(error), "rejected the session token")
      const source = SecretsConfigProvider.sourceError(error)
      assert.strictEqual(Option.getOrThrow(source)._tag, "TokenRejected")
      const missing = yield* Effect.flip(Config.string("NOPE"))
      assert.isTrue(Option.isNone(SecretsConfigProvider.sourceError(missing)))
    }).pipe(withProvider(fake))
  })

  it.effect("composes with another provider: first wins where it has a value; last fills what is missing", () => {
    const fake = fakes.makeFake({ values })
    const env = ConfigProvider.fromMap(
      new Map([
        ["DB_HOST", "from-env"],
        ["ONLY_ENV", "env-only"]
      ])
    )
    return Effect.gen(function* () {
      const read = Config.all([Config.string("DB_HOST"), Config.string("ONLY_ENV"), Config.string("PORT")])
      const first = yield* read.pipe(withProvider(fake, { compose: { order: "first", provider: env } }))
      assert.deepStrictEqual(first, ["from-env", "env-only", "5432"])
      // With the environment first, what it has is not fetched.
      assert.notInclude(fake.state.calls, "/app/prod/DB_HOST")
      const last = yield* read.pipe(withProvider(fake, { compose: { order: "last", provider: env } }))
      assert.deepStrictEqual(last, ["db.internal", "env-only", "5432"])
    })
  })

  it.effect("a value that fails to parse is not quoted in the error", () => {
    const fake = fakes.makeFake({ values })
    return Effect.gen(function* () {
      const configs: ReadonlyArray<Config.Config<unknown>> = [
        Config.integer("API_KEY"),
        Config.boolean("API_KEY"),
        Config.date("API_KEY"),
        Config.literal("a", "b")("API_KEY")
      ]
      for (const config of configs) {
        const error = yield* Effect.flip(config)
        assert.notInclude(String(error), CANARY)
        assert.include(String(error), "API_KEY")
      }
      const nested = yield* Effect.flip(Config.nested(Config.integer("password"), "db"))
      assert.notInclude(String(nested), CANARY)
    }).pipe(withProvider(fake))
  })

  it.effect("a value is not quoted under ConfigProvider combinators, nor JSON-escaped by Schema", () => {
    const tricky = 'pa"ss\\w0rd-canary'
    const fake = fakes.makeFake({ values: { ...values, "/app/prod/PLAIN": CANARY, "/app/prod/TRICKY": tricky } })
    return Effect.gen(function* () {
      const provider = yield* SecretsConfigProvider.make({ prefix: "/app/prod" })
      for (const wrapped of [
        provider,
        provider.pipe(ConfigProvider.nested("x"), ConfigProvider.unnested("x")),
        provider.pipe(ConfigProvider.orElse(() => ConfigProvider.fromMap(new Map())))
      ]) {
        const error = yield* Effect.flip(Effect.withConfigProvider(Config.integer("PLAIN"), wrapped))
        assert.notInclude(String(error), CANARY)
      }
      const schemaError = yield* Effect.flip(
        Effect.withConfigProvider(Schema.Config("TRICKY", Schema.NumberFromString), provider)
      )
      assert.notInclude(String(schemaError), "canary")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("maps segments with pathSegment", () => {
    const fake = fakes.makeFake({ values: { "/app/prod/db-host": "h" } })
    return Effect.gen(function* () {
      assert.strictEqual(yield* Config.string("DB_HOST"), "h")
    }).pipe(withProvider(fake, { pathSegment: (s) => s.toLowerCase().replace(/_/g, "-") }))
  })
})
