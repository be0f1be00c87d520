/**
 * No part of a secret in any ConfigError: values read from SecureString parameters and from
 * secrets (fields of JSON secrets included), whatever Schema or Config combinator rejects them,
 * never show in `String`, `JSON.stringify`, `inspect`, `Cause.pretty` or a log line — while the path
 * and the expected type stay. Over the memory layer (every shape) and over the live layer against
 * the emulator (the real path).
 */
import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import { Emulator } from "@secrets-config/emulator"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { MemorySecretsConfig } from "@secrets-config/memory"
import { Cause, Config, ConfigError, Effect, Either, Layer, Logger, Redacted, Schema } from "effect"
import { inspect } from "node:util"

/** Every canary holds this marker; none of it may ever be printed. */
const MARK = "Qz7canary"
const canary = (n: number) => `${MARK}${n}x`

const dbSecret = { port: canary(1), host: "db.internal", deep: { inner: { value: canary(2) } }, count: canary(3) }

const store: MemorySecretsConfig.StoreSeed = {
  parameters: [
    { name: "/app/PORT", type: "SecureString", value: canary(4) },
    { name: "/app/PORTS", type: "SecureString", value: `1,${canary(5)},3` },
    { name: "/app/MODE", type: "SecureString", value: canary(6) },
    { name: "/app/TOKEN", type: "SecureString", value: canary(7) },
    { name: "/app/WRAPPED", type: "SecureString", value: `prefix-${canary(8)}-suffix` }
  ],
  secrets: [
    { name: "app/db", json: dbSecret },
    { name: "app/raw", value: `not json ${canary(9)}` },
    { name: "app/list", json: { values: [1, canary(10), 3] } }
  ]
}

const options: SecretsConfigProvider.Options = {
  prefix: "/app",
  secrets: { db: "app/db", dbNested: "app/db", raw: "app/raw", list: "app/list" }
}

const DbSchema = Schema.Struct({ port: Schema.Number, host: Schema.String })

/** Config shapes that each reject a secret value, with what the message must still say. */
const shapes: ReadonlyArray<{
  readonly name: string
  readonly config: Config.Config<unknown>
  readonly says: ReadonlyArray<string>
}> = [
  {
    name: "Schema.Config + parseJson(Struct) on a JSON secret (a field)",
    config: Schema.Config("db", Schema.parseJson(DbSchema)),
    says: ["db", "port", "number"]
  },
  {
    name: "Schema.Config + parseJson on a secret that is not JSON",
    config: Schema.Config("raw", Schema.parseJson(DbSchema)),
    says: ["raw"]
  },
  {
    name: "Schema.Config + parseJson, a deep field, nested",
    config: Config.nested(
      Schema.Config(
        "dbNested",
        Schema.parseJson(Schema.Struct({ deep: Schema.Struct({ inner: Schema.Struct({ value: Schema.Number }) }) }))
      ),
      "x"
    ).pipe(
      Config.orElse(() =>
        Schema.Config(
          "dbNested",
          Schema.parseJson(Schema.Struct({ deep: Schema.Struct({ inner: Schema.Struct({ value: Schema.Number }) }) }))
        )
      )
    ),
    says: ["dbNested", "value", "number"]
  },
  {
    name: "Config.number on a JSON secret's key",
    config: Config.nested(Config.number("port"), "db"),
    says: ["port", "number"]
  },
  {
    name: "Config.integer on a JSON secret's key",
    config: Config.nested(Config.integer("count"), "db"),
    says: ["count", "integer"]
  },
  { name: "Config.number on a SecureString", config: Config.number("PORT"), says: ["PORT", "number"] },
  {
    name: "Config.literal on a SecureString",
    config: Config.literal("read", "write")("MODE"),
    says: ["MODE"]
  },
  {
    name: "Config.mapOrFail quoting the value",
    config: Config.mapOrFail(Config.string("TOKEN"), (value) =>
      Either.left(ConfigError.InvalidData([], `the token ${value} is not valid`))
    ),
    says: ["TOKEN"]
  },
  {
    name: "Config.mapAttempt throwing with the value",
    config: Config.mapAttempt(Config.string("WRAPPED"), (value) => {
      throw new Error(`cannot use ${value}`)
    }),
    says: ["WRAPPED"]
  },
  {
    name: "Config.array(Config.number()) on a SecureString list",
    config: Config.array(Config.number(), "PORTS"),
    says: ["PORTS", "number"]
  },
  {
    name: "Schema.Config(NumberFromString) on a SecureString",
    config: Schema.Config("PORT", Schema.NumberFromString),
    says: ["PORT"]
  },
  {
    name: "Schema.Config + parseJson(Struct with an array) on a JSON secret",
    config: Schema.Config("list", Schema.parseJson(Schema.Struct({ values: Schema.Array(Schema.Number) }))),
    says: ["list", "number"]
  },
  {
    name: "Config.all of several failing keys",
    config: Config.all([
      Config.nested(Config.number("port"), "db"),
      Config.number("PORT"),
      Config.literal("a")("MODE")
    ]),
    says: ["port", "PORT", "MODE"]
  }
]

/** Every way an error gets printed, logs included. */
const printed = (error: ConfigError.ConfigError) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const capture = Logger.make(({ cause, message }) => {
      lines.push(`${String(message)} ${Cause.pretty(cause)}`)
    })
    yield* Effect.logError("config failed", Cause.fail(error)).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, capture))
    )
    yield* Effect.logError(error).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)))
    return [
      String(error),
      error.message,
      JSON.stringify(error),
      inspect(error, { depth: 20 }),
      Cause.pretty(Cause.fail(error)),
      ...lines
    ]
  })

const assertClean = (error: ConfigError.ConfigError, says: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    for (const text of yield* printed(error)) {
      assert.notInclude(text, MARK, `printed: ${text}`)
    }
    for (const word of says) assert.include(String(error), word)
  })

const withMemory = Effect.provide(
  SecretsConfigProvider.layer(options).pipe(Layer.provide(MemorySecretsConfig.layer(store)))
)

describe("no secret in any ConfigError (memory layer)", () => {
  for (const shape of shapes) {
    it.effect(shape.name, () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(shape.config)
        yield* assertClean(error, shape.says)
      }).pipe(withMemory)
    )
  }

  it.effect("a value that passes is still read whole", () =>
    Effect.gen(function* () {
      const db = yield* Schema.Config(
        "db",
        Schema.parseJson(Schema.Struct({ host: Schema.String, port: Schema.String }))
      )
      assert.strictEqual(db.port, canary(1))
      const token = yield* Config.redacted("TOKEN")
      assert.strictEqual(Redacted.value(token), canary(7))
    }).pipe(withMemory)
  )
})

describe("no secret in any ConfigError (live layer, emulator)", () => {
  it.scopedLive("the same shapes over real sockets", () =>
    Effect.gen(function* () {
      // The memory layer's store, as is: one store format for both.
      const emulator = yield* Emulator.make({ store })
      const live = LambdaExtension.layerNode({ port: emulator.port, token: Redacted.make(emulator.token) })
      const provided = Effect.provide(SecretsConfigProvider.layer(options).pipe(Layer.provide(live)))
      for (const shape of shapes) {
        const error = yield* Effect.flip(shape.config).pipe(provided)
        yield* assertClean(error, shape.says)
      }
    })
  )
})
