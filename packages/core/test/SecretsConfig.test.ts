import { assert, describe, it } from "@effect/vitest"
import * as Parameter from "@secrets-config/core/Parameter"
import * as Secret from "@secrets-config/core/Secret"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import { Cause, Effect, Exit, Inspectable, Logger, Option, Redacted, Schema } from "effect"
import * as util from "node:util"
import { makeCapturingTracer } from "./utils/tracer.js"

const CANARY = "canary-7f3a9c-secret"

/** A service over fixed models, counting the calls that reached the implementation (the "I/O"). */
const makeService = (options?: {
  readonly value?: string
  readonly type?: Parameter.ParameterType
  readonly secretValue?: Secret.SecretValue
}) => {
  const calls: Array<SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest> = []
  const service = SecretsConfig.make({
    getParameter: (request) =>
      Effect.sync(() => {
        calls.push(request)
        return new Parameter.Parameter({
          name: request.baseName,
          type: options?.type ?? "SecureString",
          value: Redacted.make(options?.value ?? CANARY),
          version: 1,
          selector: Option.none(),
          arn: `arn:aws:ssm:us-east-1:123456789012:parameter${request.baseName}`,
          dataType: Option.some("text"),
          lastModifiedDate: new Date(0),
          secret: Option.none()
        })
      }),
    getSecret: (request) =>
      Effect.sync(() => {
        calls.push(request)
        return new Secret.Secret({
          arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf",
          name: request.secretId,
          versionId: "v1",
          versionStages: ["AWSCURRENT"],
          createdDate: new Date(0),
          value: options?.secretValue ?? Redacted.make(CANARY)
        })
      })
  })
  return { calls, service, provide: Effect.provideService(SecretsConfig.SecretsConfig, service) }
}

describe("SecretsConfig", () => {
  describe("InvalidRequest before any I/O", () => {
    const parameterCases: ReadonlyArray<
      readonly [string, string, SecretsConfig.GetParameterOptions | undefined, string]
    > = [
      ["an empty name", "", undefined, "empty"],
      ["a name over 2048 characters", `/${"a".repeat(2048)}`, undefined, "2048"],
      ["both version and label", "/app/x", { version: 1, label: "Prod" }, "exclusive"],
      ["version 0", "/app/x", { version: 0 }, "positive integer"],
      ["version -1", "/app/x", { version: -1 }, "positive integer"],
      ["version 1.5", "/app/x", { version: 1.5 }, "positive integer"],
      ["version NaN", "/app/x", { version: Number.NaN }, "positive integer"],
      ["an empty label", "/app/x", { label: "" }, "empty"],
      ["a label starting with a digit", "/app/x", { label: "1abc" }, "digit"],
      ["a label over 100 characters", "/app/x", { label: "L".repeat(101) }, "100"],
      ["a selector in the name and a version", "/app/x:3", { version: 2 }, "already selects"],
      ["a selector in the name and a label", "/app/x:Prod", { label: "Dev" }, "already selects"],
      ["a name ending in ':'", "/app/x:", undefined, "no version or label"],
      ["an inline version 0", "/app/x:0", undefined, "positive integer"],
      ["a reference without a secret id", "/aws/reference/secretsmanager/", undefined, "no secret id"],
      [
        "an ARN with a selector and a label",
        "arn:aws:ssm:us-east-1:1:parameter/app/x:2",
        { label: "Prod" },
        "already selects"
      ]
    ]
    for (const [what, name, options, reason] of parameterCases) {
      it.effect(`getParameter refuses ${what}`, () =>
        Effect.gen(function* () {
          const { calls, service } = makeService()
          const error = yield* Effect.flip(service.getParameter(name, options))
          assert.strictEqual(error._tag, "InvalidRequest")
          assert.include(error.message, reason)
          assert.include(error.message, "Nothing was sent")
          assert.strictEqual(calls.length, 0)
          assert.isTrue(error.message.length < 1000)
        })
      )
    }
    const secretCases: ReadonlyArray<readonly [string, string, SecretsConfig.GetSecretOptions | undefined, string]> = [
      ["an empty secret id", "", undefined, "empty"],
      ["a secret id over 2048 characters", "s".repeat(2049), undefined, "2048"],
      ["an empty versionStage", "app/db", { versionStage: "" }, "empty"],
      ["an empty versionId", "app/db", { versionId: "" }, "empty"],
      ["a versionId over 64 characters", "app/db", { versionId: "v".repeat(65) }, "64"],
      ["a NUL in the secret id", "a\u0000b", undefined, "control character"],
      ["a control character in the versionId", "a", { versionId: "b\u0000" }, "control character"],
      ["a control character in the versionStage", "a", { versionStage: "AWS\tCURRENT" }, "control character"]
    ]
    for (const [what, id, options, reason] of secretCases) {
      it.effect(`getSecret refuses ${what}`, () =>
        Effect.gen(function* () {
          const { calls, service } = makeService()
          const error = yield* Effect.flip(service.getSecret(id, options))
          assert.strictEqual(error._tag, "InvalidRequest")
          assert.include(error.message, reason)
          assert.strictEqual(calls.length, 0)
        })
      )
    }
  })

  describe("request normalisation", () => {
    const request = (name: string, options?: SecretsConfig.GetParameterOptions) =>
      Effect.runSync(SecretsConfig.parameterRequest(name, options))

    it("defaults withDecryption to true and keeps false when asked", () => {
      assert.isTrue(request("/app/x").withDecryption)
      assert.isFalse(request("/app/x", { withDecryption: false }).withDecryption)
    })
    it("always decrypts /aws/reference/secretsmanager/ names", () => {
      const r = request("/aws/reference/secretsmanager/app/db", { withDecryption: false })
      assert.isTrue(r.withDecryption)
      assert.isTrue(r.isReference)
    })
    it("reads selectors written in the name, also in ARNs and references", () => {
      assert.deepStrictEqual(request("/app/x:3").selector, Option.some({ _tag: "Version", version: 3 } as const))
      assert.deepStrictEqual(request("/app/x:Prod").selector, Option.some({ _tag: "Label", label: "Prod" } as const))
      const arn = request("arn:aws:ssm:us-east-1:123456789012:parameter/app/x:2")
      assert.strictEqual(arn.baseName, "arn:aws:ssm:us-east-1:123456789012:parameter/app/x")
      assert.deepStrictEqual(arn.selector, Option.some({ _tag: "Version", version: 2 } as const))
      assert.isTrue(Option.isNone(request("arn:aws:ssm:us-east-1:123456789012:parameter/app/x").selector))
      const ref = request("/aws/reference/secretsmanager/app/db:AWSPREVIOUS")
      assert.strictEqual(ref.baseName, "/aws/reference/secretsmanager/app/db")
      const refArn = request(
        "/aws/reference/secretsmanager/arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf:AWSCURRENT"
      )
      assert.strictEqual(
        refArn.baseName,
        "/aws/reference/secretsmanager/arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf"
      )
      assert.deepStrictEqual(refArn.selector, Option.some({ _tag: "Label", label: "AWSCURRENT" } as const))
      // Under /aws/reference/ a selector may be a version id starting with a digit.
      assert.isTrue(Option.isSome(request("/aws/reference/secretsmanager/app/db", { label: "5ce2760a-2802" }).selector))
    })
    it("gives the same key to the same request however it is written, and another to another", () => {
      assert.strictEqual(request("/app/x:3").key, request("/app/x", { version: 3 }).key)
      assert.strictEqual(request("/app/x").key, request("/app/x", { withDecryption: true }).key)
      assert.notStrictEqual(request("/app/x").key, request("/app/x", { withDecryption: false }).key)
      assert.notStrictEqual(request("/app/x", { label: "A" }).key, request("/app/x", { label: "B" }).key)
      const secret = (id: string, o?: SecretsConfig.GetSecretOptions) =>
        Effect.runSync(SecretsConfig.secretRequest(id, o)).key
      assert.notStrictEqual(secret("a", { versionStage: "AWSPREVIOUS" }), secret("a"))
    })
  })

  describe("accessors", () => {
    it.effect("parameterAs decodes with the caller's Schema", () =>
      Effect.gen(function* () {
        const { provide } = makeService({ value: "42" })
        assert.strictEqual(yield* provide(SecretsConfig.parameterAs("/app/n", Schema.NumberFromString)), 42)
        const json = makeService({ value: `{"host":"db","port":5432}` })
        const Db = Schema.parseJson(Schema.Struct({ host: Schema.String, port: Schema.Number }))
        assert.deepStrictEqual(yield* json.provide(SecretsConfig.parameterAs("/app/db", Db)), {
          host: "db",
          port: 5432
        })
        const url = makeService({ value: "https://example.com/x" })
        assert.strictEqual((yield* url.provide(SecretsConfig.parameterAs("/app/u", Schema.URL))).host, "example.com")
        const bool = makeService({ value: "true" })
        assert.isTrue(yield* bool.provide(SecretsConfig.parameterAs("/app/b", Schema.BooleanFromString)))
        const redacted = yield* json.provide(SecretsConfig.parameterAs("/app/db", Schema.Redacted(Schema.String)))
        assert.isTrue(Redacted.isRedacted(redacted))
      })
    )

    it.effect("parameterList splits a StringList and refuses another type", () =>
      Effect.gen(function* () {
        const list = makeService({ value: "a,b,c", type: "StringList" })
        assert.deepStrictEqual(yield* list.provide(SecretsConfig.parameterList("/app/l")), ["a", "b", "c"])
        const string = makeService({ value: "a,b,c", type: "String" })
        const error = yield* Effect.flip(string.provide(SecretsConfig.parameterList("/app/l")))
        assert.strictEqual(error._tag, "DecodeError")
        assert.include(error.message, "StringList")
      })
    )

    it.effect("secretValue, secretBytes and secretAs, each refusing the other kind of secret", () =>
      Effect.gen(function* () {
        const text = makeService({ secretValue: Redacted.make(`{"user":"app","password":"${CANARY}"}`) })
        const Creds = Schema.parseJson(Schema.Struct({ user: Schema.String, password: Schema.Redacted(Schema.String) }))
        const creds = yield* text.provide(SecretsConfig.secretAs("app/db", Creds))
        assert.strictEqual(creds.user, "app")
        assert.strictEqual(Redacted.value(creds.password), CANARY)
        assert.strictEqual((yield* Effect.flip(text.provide(SecretsConfig.secretBytes("app/db"))))._tag, "DecodeError")
        const binary = makeService({ secretValue: Redacted.make(new Uint8Array([1, 2, 3])) })
        assert.deepStrictEqual(
          Redacted.value(yield* binary.provide(SecretsConfig.secretBytes("app/cert"))),
          new Uint8Array([1, 2, 3])
        )
        assert.strictEqual(
          (yield* Effect.flip(binary.provide(SecretsConfig.secretValue("app/cert"))))._tag,
          "DecodeError"
        )
      })
    )
  })

  describe("the canary: a secret value never shows", () => {
    it.effect("in a DecodeError's message, toString, JSON or pretty cause", () =>
      Effect.gen(function* () {
        const schemas: ReadonlyArray<Schema.Schema<any, any>> = [
          Schema.NumberFromString,
          Schema.parseJson(Schema.Struct({ a: Schema.Number })),
          Schema.parseJson(Schema.Array(Schema.Literal("x"))),
          Schema.String.pipe(Schema.minLength(100)),
          Schema.URL,
          Schema.BooleanFromString
        ]
        for (const value of [CANARY, `{"a":"${CANARY}"}`, `["${CANARY}"]`, `{not json ${CANARY}`]) {
          const { provide } = makeService({ value })
          for (const schema of schemas) {
            const exit = yield* Effect.exit(provide(SecretsConfig.parameterAs("/app/x", schema)))
            if (Exit.isSuccess(exit)) continue
            const error = Cause.squash(exit.cause) as SecretsConfigError.SecretsConfigError
            assert.strictEqual(error._tag, "DecodeError")
            for (const shown of [
              error.message,
              String(error),
              JSON.stringify(error),
              util.inspect(error, { depth: 10 }),
              Cause.pretty(exit.cause),
              Inspectable.format(error)
            ]) {
              assert.notInclude(shown, CANARY)
            }
          }
        }
      })
    )

    it.effect("in the models' String, JSON, inspect or log output", () =>
      Effect.gen(function* () {
        const { provide } = makeService()
        const parameter = yield* provide(SecretsConfig.getParameter("/app/x"))
        const secret = yield* provide(SecretsConfig.getSecret("app/db"))
        const logs: Array<string> = []
        const logger = Logger.make(({ message }) => logs.push(util.inspect(message, { depth: 10 })))
        yield* Effect.log(parameter, secret, parameter.value).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )
        for (const shown of [
          String(parameter),
          String(secret),
          String(parameter.value),
          JSON.stringify(parameter),
          JSON.stringify(secret),
          util.inspect(parameter, { depth: 10 }),
          util.inspect(secret, { depth: 10 }),
          ...logs
        ]) {
          assert.notInclude(shown, CANARY)
        }
        assert.include(JSON.stringify(parameter), "<redacted>")
        assert.isAbove(logs.length, 0)
      })
    )

    it.effect("in span names or attributes; spans carry the name and the outcome", () =>
      Effect.gen(function* () {
        const tracer = makeCapturingTracer()
        const { provide } = makeService({ value: CANARY })
        yield* provide(SecretsConfig.parameterAs("/app/x", Schema.NumberFromString)).pipe(
          Effect.ignore,
          Effect.provide(tracer.layer)
        )
        yield* provide(SecretsConfig.getSecret("app/db")).pipe(Effect.provide(tracer.layer))
        const names = tracer.spans.map((s) => s.name)
        assert.deepStrictEqual(names, ["SecretsConfig.getParameter", "SecretsConfig.getSecret"])
        assert.strictEqual(tracer.spans[0]!.attributes.get("secrets_config.name"), "/app/x")
        assert.strictEqual(tracer.spans[0]!.attributes.get("secrets_config.outcome"), "Success")
        assert.notInclude(
          JSON.stringify([...tracer.spans.flatMap((s) => [...s.attributes.entries(), s.events])]),
          CANARY
        )
      })
    )

    it.effect("a failing call's span records the error's tag", () =>
      Effect.gen(function* () {
        const tracer = makeCapturingTracer()
        const { service } = makeService()
        yield* service.getParameter("/app/x", { version: 0 }).pipe(Effect.ignore, Effect.provide(tracer.layer))
        assert.strictEqual(tracer.spans[0]!.attributes.get("secrets_config.outcome"), "InvalidRequest")
      })
    )
  })
})
