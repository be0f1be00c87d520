/**
 * The contract suite: one set of behaviour tests that every `SecretsConfig` implementation must
 * pass — the memory layer, and the live layer over the emulator — so that a test double cannot drift
 * from the real thing. Published through `TestKit.runContract`.
 *
 * @internal
 */
import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import type { StoreSeed } from "@secrets-config/core/StoreModel"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Inspectable from "effect/Inspectable"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as util from "node:util"
import { CANARY, GENERIC_ERROR_BODY, names, REFERENCE_PREFIX, seed, values, versionIds } from "./contractSeed.js"

/**
 * Options of `runContract`.
 */
export interface ContractOptions {
  /**
   * The error a missing name, version, label or stage gives: `"UpstreamError"` (the AWS extension's
   * ambiguous 400, the default) or `"NotFound"` (a source that says so).
   */
  readonly missing?: "UpstreamError" | "NotFound"
  /** Run on live time (`it.live`), for layers over real sockets. Default: virtual time (`it.effect`). */
  readonly live?: boolean
  /**
   * Which stores the implementation serves: `"both"` (default), or `"secrets"` for a source that
   * serves only Secrets Manager (the Secrets Manager Agent): the parameter tests are left out.
   */
  readonly serves?: "both" | "secrets"
}

type Body = () => Effect.Effect<void, unknown, SecretsConfig.SecretsConfig>

const PARAMETER_ARN = (name: string) =>
  new RegExp(`^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\\d{12}:parameter/${name.replace(/^\//, "")}$`)
const SECRET_ARN = (name: string) =>
  new RegExp(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:${name}-\\w{6}$`)
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

const text = (value: Redacted.Redacted<string> | Redacted.Redacted<Uint8Array>): string => {
  const raw = Redacted.value(value as Redacted.Redacted<unknown>)
  assert.strictEqual(typeof raw, "string", "expected a string value")
  return raw as string
}

const bytes = (value: Redacted.Redacted<string> | Redacted.Redacted<Uint8Array>): Uint8Array => {
  const raw = Redacted.value(value as Redacted.Redacted<unknown>)
  assert.instanceOf(raw, Uint8Array, "expected a binary value")
  return raw as Uint8Array
}

const assertValidDate = (date: Date) => {
  assert.instanceOf(date, Date)
  assert.isFalse(Number.isNaN(date.getTime()), "an invalid date")
}

/** Every way a value could leak into text. */
const renderings = (u: unknown): ReadonlyArray<string> => [
  String(u),
  JSON.stringify(u) ?? "",
  util.inspect(u, { depth: null }),
  Inspectable.format(u),
  typeof u === "object" && u !== null && "toString" in u ? u.toString() : ""
]

const assertNoCanary = (u: unknown) => {
  for (const rendering of renderings(u)) {
    assert.notInclude(rendering, CANARY)
    assert.notInclude(rendering, Encoding.encodeBase64(CANARY))
  }
}

/**
 * Runs the contract against a `SecretsConfig` layer. `makeLayer` is called once per test with the
 * fixture store (`seed`): it must return a fresh layer serving exactly that data, with the versions,
 * labels and stages given (the tests that read seeded secret version ids by id say so).
 */
export const runContract = (
  name: string,
  makeLayer: (seed: StoreSeed) => Layer.Layer<SecretsConfig.SecretsConfig, unknown>,
  options?: ContractOptions
): void => {
  const missingTag = options?.missing ?? "UpstreamError"
  const test = (label: string, body: Body) => {
    const run = () => Effect.provide(body(), makeLayer(seed))
    if (options?.live === true) it.live(label, run)
    else it.effect(label, run)
  }
  const servesParameters = options?.serves !== "secrets"
  // A source without Parameter Store gets no parameter test at all (none is registered, none skipped).
  const parameterTest: typeof test = servesParameters ? test : () => {}

  const assertMissing = (
    error: SecretsConfigError.SecretsConfigError,
    kind: "parameter" | "secret",
    resource: string
  ) => {
    assert.strictEqual(error._tag, missingTag, `expected ${missingTag}, got ${error._tag}: ${error.message}`)
    assert.strictEqual(error.kind, kind)
    assert.strictEqual(error.resource, resource)
    if (error._tag === "UpstreamError") {
      assert.strictEqual(error.status, 400)
      assert.strictEqual(error.body, GENERIC_ERROR_BODY)
      assert.isFalse(error.transient)
    }
    assert.isFalse(SecretsConfigError.isTransient(error))
  }

  const getSecretArn = (secretId: string) => Effect.map(SecretsConfig.getSecret(secretId), (secret) => secret.arn)

  describe(`SecretsConfig contract: ${name}`, () => {
    if (servesParameters)
      describe("parameters", () => {
        parameterTest("String: value, type, version, ARN and data type", () =>
          Effect.gen(function* () {
            const parameter = yield* SecretsConfig.getParameter(names.string)
            assert.strictEqual(text(parameter.value), values.string)
            assert.strictEqual(parameter.name, names.string)
            assert.strictEqual(parameter.type, "String")
            assert.strictEqual(parameter.version, 1)
            assert.isTrue(Option.isNone(parameter.selector))
            assert.match(parameter.arn, PARAMETER_ARN(names.string))
            assert.deepStrictEqual(parameter.dataType, Option.some("text"))
            assert.isTrue(Option.isNone(parameter.secret))
            assertValidDate(parameter.lastModifiedDate)
            assert.strictEqual(Redacted.value(yield* SecretsConfig.parameterValue(names.string)), values.string)
          })
        )

        parameterTest("StringList: the value is comma-joined and parameterList splits it", () =>
          Effect.gen(function* () {
            const parameter = yield* SecretsConfig.getParameter(names.list)
            assert.strictEqual(parameter.type, "StringList")
            assert.strictEqual(text(parameter.value), values.list.join(","))
            assert.deepStrictEqual(yield* SecretsConfig.parameterList(names.list), values.list)
          })
        )

        parameterTest("SecureString: decrypted by default", () =>
          Effect.gen(function* () {
            const parameter = yield* SecretsConfig.getParameter(names.secure)
            assert.strictEqual(parameter.type, "SecureString")
            assert.strictEqual(text(parameter.value), CANARY)
            const explicit = yield* SecretsConfig.getParameter(names.secure, { withDecryption: true })
            assert.strictEqual(text(explicit.value), CANARY)
          })
        )

        parameterTest("SecureString with withDecryption: false gives base64 ciphertext, not the plaintext", () =>
          Effect.gen(function* () {
            const parameter = yield* SecretsConfig.getParameter(names.secure, { withDecryption: false })
            assert.strictEqual(parameter.type, "SecureString")
            const ciphertext = text(parameter.value)
            assert.notStrictEqual(ciphertext, CANARY)
            assert.notInclude(ciphertext, CANARY)
            assert.match(ciphertext, BASE64)
            assert.notInclude(
              Encoding.decodeBase64String(ciphertext).pipe(
                Option.getRight,
                Option.getOrElse(() => "")
              ),
              CANARY
            )
          })
        )

        parameterTest("withDecryption: false changes nothing for a String", () =>
          Effect.gen(function* () {
            const parameter = yield* SecretsConfig.getParameter(names.string, { withDecryption: false })
            assert.strictEqual(text(parameter.value), values.string)
          })
        )

        parameterTest("the newest version by default; `version` selects one and is echoed as the selector", () =>
          Effect.gen(function* () {
            const latest = yield* SecretsConfig.getParameter(names.versioned)
            assert.strictEqual(text(latest.value), values.versioned[2])
            assert.strictEqual(latest.version, 3)
            for (const version of [1, 2, 3]) {
              const parameter = yield* SecretsConfig.getParameter(names.versioned, { version })
              assert.strictEqual(text(parameter.value), values.versioned[version - 1])
              assert.strictEqual(parameter.version, version)
              assert.deepStrictEqual(parameter.selector, Option.some(`:${version}`))
              assert.strictEqual(parameter.name, names.versioned)
            }
          })
        )

        parameterTest("`label` selects the version it is attached to", () =>
          Effect.gen(function* () {
            const stable = yield* SecretsConfig.getParameter(names.versioned, { label: "Stable" })
            assert.strictEqual(text(stable.value), values.versioned[1])
            assert.strictEqual(stable.version, 2)
            assert.deepStrictEqual(stable.selector, Option.some(":Stable"))
            const legacy = yield* SecretsConfig.getParameter(names.versioned, { label: "Legacy" })
            assert.strictEqual(text(legacy.value), values.versioned[0])
            assert.strictEqual(legacy.version, 1)
          })
        )

        parameterTest("an inline selector (`name:2`, `name:Legacy`) selects like the options", () =>
          Effect.gen(function* () {
            const second = yield* SecretsConfig.getParameter(`${names.versioned}:2`)
            assert.strictEqual(text(second.value), values.versioned[1])
            assert.strictEqual(second.version, 2)
            const legacy = yield* SecretsConfig.getParameter(`${names.versioned}:Legacy`)
            assert.strictEqual(text(legacy.value), values.versioned[0])
            assert.strictEqual(legacy.version, 1)
          })
        )

        parameterTest("an ARN name reaches the same parameter, with options and inline selectors", () =>
          Effect.gen(function* () {
            const plain = yield* SecretsConfig.getParameter(names.string)
            const byArn = yield* SecretsConfig.getParameter(plain.arn)
            assert.strictEqual(text(byArn.value), values.string)
            assert.strictEqual(byArn.arn, plain.arn)
            const versioned = yield* SecretsConfig.getParameter(names.versioned)
            assert.match(versioned.arn, PARAMETER_ARN(names.versioned))
            const stable = yield* SecretsConfig.getParameter(versioned.arn, { label: "Stable" })
            assert.strictEqual(text(stable.value), values.versioned[1])
            const first = yield* SecretsConfig.getParameter(`${versioned.arn}:1`)
            assert.strictEqual(text(first.value), values.versioned[0])
            const secure = yield* SecretsConfig.getParameter(names.secure)
            assert.strictEqual(text((yield* SecretsConfig.getParameter(secure.arn)).value), CANARY)
          })
        )

        parameterTest("the ARN of a name without a leading `/` is `…:parameter/<name>` and reaches it", () =>
          Effect.gen(function* () {
            const parameter = yield* SecretsConfig.getParameter(names.topLevel)
            assert.strictEqual(text(parameter.value), values.topLevel)
            assert.match(parameter.arn, PARAMETER_ARN(names.topLevel))
            const byArn = yield* SecretsConfig.getParameter(parameter.arn)
            assert.strictEqual(text(byArn.value), values.topLevel)
          })
        )
      })

    if (servesParameters)
      describe("/aws/reference/secretsmanager/ names", () => {
        parameterTest("a string secret: Version 0, no data type, the secret's ARN, Type SecureString, the Secret", () =>
          Effect.gen(function* () {
            const secretArn = yield* getSecretArn(names.stringSecret)
            const parameter = yield* SecretsConfig.getParameter(`${REFERENCE_PREFIX}${names.stringSecret}`)
            assert.strictEqual(parameter.name, `${REFERENCE_PREFIX}${names.stringSecret}`)
            assert.strictEqual(text(parameter.value), values.secretCurrent)
            assert.strictEqual(parameter.type, "SecureString")
            assert.strictEqual(parameter.version, 0)
            assert.isTrue(Option.isNone(parameter.dataType))
            assert.strictEqual(parameter.arn, secretArn)
            assertValidDate(parameter.lastModifiedDate)
            assert.isTrue(Option.isSome(parameter.secret))
            const secret = Option.getOrThrow(parameter.secret)
            assert.strictEqual(secret.name, names.stringSecret)
            assert.strictEqual(secret.arn, secretArn)
            assert.strictEqual(text(secret.value), values.secretCurrent)
            assert.include(secret.versionStages, "AWSCURRENT")
            assert.strictEqual(secret.versionId, versionIds.secretCurrent)
          })
        )

        parameterTest("withDecryption: false is ignored for a reference (always decrypted)", () =>
          Effect.gen(function* () {
            const parameter = yield* SecretsConfig.getParameter(`${REFERENCE_PREFIX}${names.stringSecret}`, {
              withDecryption: false
            })
            assert.strictEqual(text(parameter.value), values.secretCurrent)
          })
        )

        parameterTest("`label` and an inline selector name a stage or a version id", () =>
          Effect.gen(function* () {
            const name = `${REFERENCE_PREFIX}${names.stringSecret}`
            const previous = yield* SecretsConfig.getParameter(name, { label: "AWSPREVIOUS" })
            assert.strictEqual(text(previous.value), values.secretPrevious)
            assert.deepStrictEqual(previous.selector, Option.some(":AWSPREVIOUS"))
            assert.strictEqual(previous.name, name)
            assert.include(Option.getOrThrow(previous.secret).versionStages, "AWSPREVIOUS")
            const inline = yield* SecretsConfig.getParameter(`${name}:AWSPREVIOUS`)
            assert.strictEqual(text(inline.value), values.secretPrevious)
            const byId = yield* SecretsConfig.getParameter(`${name}:${versionIds.secretPrevious}`)
            assert.strictEqual(text(byId.value), values.secretPrevious)
            const byIdLabel = yield* SecretsConfig.getParameter(name, { label: versionIds.secretCurrent })
            assert.strictEqual(text(byIdLabel.value), values.secretCurrent)
          })
        )

        parameterTest("a binary secret: the bytes in `secret`, their base64 as the value", () =>
          Effect.gen(function* () {
            const parameter = yield* SecretsConfig.getParameter(`${REFERENCE_PREFIX}${names.binarySecret}`)
            assert.strictEqual(parameter.type, "SecureString")
            assert.strictEqual(parameter.version, 0)
            const secret = Option.getOrThrow(parameter.secret)
            assert.isTrue(secret.isBinary)
            assert.deepStrictEqual(bytes(secret.value), values.binaryCurrent)
            assert.strictEqual(text(parameter.value), Encoding.encodeBase64(values.binaryCurrent))
            const previous = yield* SecretsConfig.getParameter(`${REFERENCE_PREFIX}${names.binarySecret}`, {
              label: "AWSPREVIOUS"
            })
            assert.deepStrictEqual(bytes(Option.getOrThrow(previous.secret).value), values.binaryPrevious)
          })
        )
      })

    describe("secrets", () => {
      test("a string secret: AWSCURRENT by default, with ARN, name, version id, stages and date", () =>
        Effect.gen(function* () {
          const secret = yield* SecretsConfig.getSecret(names.stringSecret)
          assert.strictEqual(text(secret.value), values.secretCurrent)
          assert.strictEqual(secret.name, names.stringSecret)
          assert.match(secret.arn, SECRET_ARN(names.stringSecret))
          assert.deepStrictEqual(secret.versionStages, ["AWSCURRENT"])
          assert.isFalse(secret.isBinary)
          assertValidDate(secret.createdDate)
          assert.strictEqual(Redacted.value(yield* SecretsConfig.secretValue(names.stringSecret)), values.secretCurrent)
        }))

      test("versionStage selects a version", () =>
        Effect.gen(function* () {
          const previous = yield* SecretsConfig.getSecret(names.stringSecret, { versionStage: "AWSPREVIOUS" })
          assert.strictEqual(text(previous.value), values.secretPrevious)
          assert.deepStrictEqual(previous.versionStages, ["AWSPREVIOUS"])
          const current = yield* SecretsConfig.getSecret(names.stringSecret, { versionStage: "AWSCURRENT" })
          assert.strictEqual(text(current.value), values.secretCurrent)
        }))

      test("versionId selects a version (the id read back from a stage)", () =>
        Effect.gen(function* () {
          const previous = yield* SecretsConfig.getSecret(names.stringSecret, { versionStage: "AWSPREVIOUS" })
          const byId = yield* SecretsConfig.getSecret(names.stringSecret, { versionId: previous.versionId })
          assert.strictEqual(text(byId.value), values.secretPrevious)
          assert.strictEqual(byId.versionId, previous.versionId)
          const both = yield* SecretsConfig.getSecret(names.stringSecret, {
            versionId: previous.versionId,
            versionStage: "AWSPREVIOUS"
          })
          assert.strictEqual(text(both.value), values.secretPrevious)
        }))

      test("seeded version ids are kept", () =>
        Effect.gen(function* () {
          const current = yield* SecretsConfig.getSecret(names.stringSecret)
          assert.strictEqual(current.versionId, versionIds.secretCurrent)
          const previous = yield* SecretsConfig.getSecret(names.stringSecret, { versionId: versionIds.secretPrevious })
          assert.strictEqual(text(previous.value), values.secretPrevious)
          const binary = yield* SecretsConfig.getSecret(names.binarySecret, { versionId: versionIds.binaryPrevious })
          assert.deepStrictEqual(bytes(binary.value), values.binaryPrevious)
        }))

      test("a binary secret: secretBytes, by stage and by id", () =>
        Effect.gen(function* () {
          const secret = yield* SecretsConfig.getSecret(names.binarySecret)
          assert.isTrue(secret.isBinary)
          assert.match(secret.arn, SECRET_ARN(names.binarySecret))
          assert.deepStrictEqual(
            Redacted.value(yield* SecretsConfig.secretBytes(names.binarySecret)),
            values.binaryCurrent
          )
          const previous = yield* SecretsConfig.secretBytes(names.binarySecret, { versionStage: "AWSPREVIOUS" })
          assert.deepStrictEqual(Redacted.value(previous), values.binaryPrevious)
          const byId = yield* SecretsConfig.getSecret(names.binarySecret, { versionId: secret.versionId })
          assert.deepStrictEqual(bytes(byId.value), values.binaryCurrent)
        }))

      test("secretValue on a binary secret and secretBytes on a string one fail with DecodeError", () =>
        Effect.gen(function* () {
          const notText = yield* Effect.flip(SecretsConfig.secretValue(names.binarySecret))
          assert.strictEqual(notText._tag, "DecodeError")
          const binary = yield* Effect.flip(SecretsConfig.secretBytes(names.stringSecret))
          assert.strictEqual(binary._tag, "DecodeError")
          assertNoCanary(binary)
          assert.notInclude(binary.message, CANARY)
        }))

      test("a secret ARN reaches the same secret", () =>
        Effect.gen(function* () {
          const secret = yield* SecretsConfig.getSecret(names.stringSecret)
          const byArn = yield* SecretsConfig.getSecret(secret.arn)
          assert.strictEqual(text(byArn.value), values.secretCurrent)
          assert.strictEqual(byArn.name, names.stringSecret)
        }))
    })

    describe("decoding with Schema", () => {
      parameterTest("parameterAs with Schema.NumberFromString", () =>
        Effect.gen(function* () {
          assert.strictEqual(yield* SecretsConfig.parameterAs(names.port, Schema.NumberFromString), Number(values.port))
        })
      )

      parameterTest("parameterAs with Schema.parseJson(struct)", () =>
        Effect.gen(function* () {
          const Settings = Schema.Struct({ host: Schema.String, port: Schema.Number })
          const settings = yield* SecretsConfig.parameterAs(names.settings, Schema.parseJson(Settings))
          assert.deepStrictEqual(settings, values.settings)
        })
      )

      test("secretAs with Schema.parseJson(struct), the password kept Redacted", () =>
        Effect.gen(function* () {
          const Credentials = Schema.Struct({ user: Schema.String, password: Schema.Redacted(Schema.String) })
          const credentials = yield* SecretsConfig.secretAs(names.stringSecret, Schema.parseJson(Credentials))
          assert.strictEqual(credentials.user, "app")
          assert.strictEqual(Redacted.value(credentials.password), CANARY)
          assertNoCanary(credentials)
        }))

      parameterTest("a DecodeError names the parameter but never shows the value", () =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(SecretsConfig.parameterAs(names.secure, Schema.NumberFromString))
          assert.strictEqual(error._tag, "DecodeError")
          assert.strictEqual(error.kind, "parameter")
          assert.strictEqual(error.resource, names.secure)
          assert.include(error.message, names.secure)
          assert.notInclude(error.message, CANARY)
          assertNoCanary(error)
          const Port = Schema.parseJson(Schema.Struct({ port: Schema.Number }))
          const secretError = yield* Effect.flip(SecretsConfig.secretAs(names.stringSecret, Port))
          assert.strictEqual(secretError._tag, "DecodeError")
          assert.strictEqual(secretError.kind, "secret")
          assertNoCanary(secretError)
        })
      )
    })

    describe(`anything missing fails with ${missingTag}`, () => {
      const parameterCases: ReadonlyArray<readonly [string, string, SecretsConfig.GetParameterOptions | undefined]> = [
        ["a missing name", names.missing, undefined],
        ["a missing version", names.versioned, { version: 99 }],
        ["a missing label", names.versioned, { label: "NoSuchLabel" }],
        ["a missing inline version", `${names.versioned}:99`, undefined],
        ["a missing inline label", `${names.versioned}:NoSuchLabel`, undefined],
        ["a missing referenced secret", `${REFERENCE_PREFIX}${names.missingSecret}`, undefined],
        ["a missing stage of a referenced secret", `${REFERENCE_PREFIX}${names.stringSecret}`, { label: "NOSUCHSTAGE" }]
      ]
      for (const [label, name, getOptions] of parameterCases) {
        parameterTest(`getParameter: ${label}`, () =>
          Effect.gen(function* () {
            const error = yield* Effect.flip(SecretsConfig.getParameter(name, getOptions))
            assertMissing(error, "parameter", name)
          })
        )
      }
      const secretCases: ReadonlyArray<readonly [string, string, SecretsConfig.GetSecretOptions | undefined]> = [
        ["a missing secret", names.missingSecret, undefined],
        ["a missing stage", names.stringSecret, { versionStage: "NOSUCHSTAGE" }],
        ["a missing version id", names.stringSecret, { versionId: "c0ffee00-0000-4000-8000-00000000ffff" }],
        [
          "a version id and a stage of different versions",
          names.stringSecret,
          { versionId: versionIds.secretPrevious, versionStage: "AWSCURRENT" }
        ]
      ]
      for (const [label, secretId, getOptions] of secretCases) {
        test(`getSecret: ${label}`, () =>
          Effect.gen(function* () {
            const error = yield* Effect.flip(SecretsConfig.getSecret(secretId, getOptions))
            if (
              missingTag === "NotFound" &&
              getOptions?.versionId !== undefined &&
              getOptions.versionStage !== undefined
            ) {
              // Secrets Manager calls this one InvalidRequestException (a 400), not a missing resource.
              assert.strictEqual(error._tag, "UpstreamError", error.message)
              assert.strictEqual(error._tag === "UpstreamError" && error.status, 400)
              assert.isFalse(SecretsConfigError.isTransient(error))
              return
            }
            assertMissing(error, "secret", secretId)
          }))
      }
    })

    describe("InvalidRequest, before any I/O", () => {
      const parameterCases: ReadonlyArray<readonly [string, string, SecretsConfig.GetParameterOptions | undefined]> = [
        ["an empty name", "", undefined],
        ["a name over 2048 characters", `/${"a".repeat(2048)}`, undefined],
        ["both version and label", names.versioned, { version: 1, label: "Stable" }],
        ["version 0", names.versioned, { version: 0 }],
        ["version 1.5", names.versioned, { version: 1.5 }],
        ["version -1", names.versioned, { version: -1 }],
        ["a label starting with a digit", names.versioned, { label: "2fast" }],
        ["an inline selector and a version option", `${names.versioned}:2`, { version: 2 }],
        ["an inline selector and a label option", `${names.versioned}:Stable`, { label: "Stable" }]
      ]
      for (const [label, name, getOptions] of parameterCases) {
        parameterTest(`getParameter: ${label}`, () =>
          Effect.gen(function* () {
            const error = yield* Effect.flip(SecretsConfig.getParameter(name, getOptions))
            assert.strictEqual(error._tag, "InvalidRequest")
            assert.strictEqual(error.kind, "parameter")
          })
        )
      }
      const secretCases: ReadonlyArray<readonly [string, string, SecretsConfig.GetSecretOptions | undefined]> = [
        ["an empty secret id", "", undefined],
        ["a secret id over 2048 characters", "s".repeat(2049), undefined],
        ["an empty versionStage", names.stringSecret, { versionStage: "" }],
        ["an empty versionId", names.stringSecret, { versionId: "" }]
      ]
      for (const [label, secretId, getOptions] of secretCases) {
        test(`getSecret: ${label}`, () =>
          Effect.gen(function* () {
            const error = yield* Effect.flip(SecretsConfig.getSecret(secretId, getOptions))
            assert.strictEqual(error._tag, "InvalidRequest")
            assert.strictEqual(error.kind, "secret")
          }))
      }
    })

    describe("values stay Redacted", () => {
      parameterTest("a SecureString parameter", () =>
        Effect.gen(function* () {
          const parameter = yield* SecretsConfig.getParameter(names.secure)
          assert.strictEqual(String(parameter.value), "<redacted>")
          assertNoCanary(parameter)
          assertNoCanary(parameter.value)
          assertNoCanary(yield* SecretsConfig.parameterValue(names.secure))
        })
      )

      test("a string secret, directly and through a reference", () =>
        Effect.gen(function* () {
          const secret = yield* SecretsConfig.getSecret(names.stringSecret)
          assert.strictEqual(String(secret.value), "<redacted>")
          assertNoCanary(secret)
          if (servesParameters) {
            assertNoCanary(yield* SecretsConfig.getParameter(`${REFERENCE_PREFIX}${names.stringSecret}`))
          }
        }))

      test("a binary secret, directly and through a reference", () =>
        Effect.gen(function* () {
          assertNoCanary(yield* SecretsConfig.getSecret(names.binarySecret))
          assertNoCanary(yield* SecretsConfig.secretBytes(names.binarySecret))
          if (servesParameters) {
            assertNoCanary(yield* SecretsConfig.getParameter(`${REFERENCE_PREFIX}${names.binarySecret}`))
          }
        }))
    })
  })
}
