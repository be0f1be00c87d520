/**
 * The 17 calls of `shared/fixtures/recorded-extension-responses.json`, with the outcome each must
 * have, written from the facts in PROTOCOL.md (not read from the file), and an emulator store that
 * reproduces the recorded account.
 */
import { assert } from "@effect/vitest"
import type { Parameter } from "@secrets-config/core/Parameter"
import type { Secret } from "@secrets-config/core/Secret"
import type * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import type { SecretsConfigError } from "@secrets-config/core/SecretsConfigError"
import type { Emulator } from "@secrets-config/emulator"
import { Effect, type Either, Option, Redacted } from "effect"
import * as path from "node:path"

export const RECORDED_PATH = path.join(
  path.resolve(import.meta.dirname, "..", "..", "..", ".."),
  "..",
  "shared",
  "fixtures",
  "recorded-extension-responses.json"
)

const bytes = (text: string) => new TextEncoder().encode(text)
export const BINARY_OLD = bytes("a string secret value to be saved as binary")
export const BINARY_NEW = bytes("a string secret value to be saved as binary updatedVersion!")
export const CIPHERTEXT =
  "AQICAHi8ZBkII2m75zRZu97F0LZqN4bUJnuTssowKANvGx9x5gH09DCE2tK7vF7rnVxEGLzpAAAAdDByBgkqhkiG9w0BBwagZTBjAgEAMF4GCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMmaan248amrNDs74HAgEQgDHVB0HGmw+RtVmNbkIF5g5wxrJuNf94D79AB4N3Vcnf1FDomJJtkqHMJdrVAZKmcwxp"
const SECURE_V2 = "my-secure-string-value - 2022-11-16T08:24:05.476Z"

export type Call =
  | { readonly _tag: "parameter"; readonly name: string; readonly options?: SecretsConfig.GetParameterOptions }
  | { readonly _tag: "secret"; readonly secretId: string; readonly options?: SecretsConfig.GetSecretOptions }

export type Expected =
  | { readonly _tag: "text"; readonly value: string; readonly selector?: string }
  | { readonly _tag: "bytes"; readonly value: Uint8Array; readonly viaParameter?: boolean }
  | { readonly _tag: "error"; readonly error: "UpstreamError" | "InvalidRequest"; readonly io: boolean }

export interface RecordedCase {
  /** The recorded key: the path and query the client must send. */
  readonly key: string
  readonly call: Call
  readonly expected: Expected
}

const P = "/systemsmanager/parameters/get?name="
const S = "/secretsmanager/get?secretId="
const STRING = "/lambda-ext-test-param/dummy-string"
const LIST = "/lambda-ext-test-param/dummy-string-list"
const SECURE = "/lambda-ext-test-param/dummy-secure-string"
const enc = encodeURIComponent

export const recordedCases: ReadonlyArray<RecordedCase> = [
  {
    key: `${P}${enc(STRING)}`,
    call: { _tag: "parameter", name: STRING, options: { withDecryption: false } },
    expected: { _tag: "text", value: "my-string-param-value" }
  },
  {
    key: `${P}${enc(LIST)}`,
    call: { _tag: "parameter", name: LIST, options: { withDecryption: false } },
    expected: { _tag: "text", value: "listval-0,listval-1,listval-2" }
  },
  {
    key: `${P}${enc(LIST)}&version=1`,
    call: { _tag: "parameter", name: LIST, options: { version: 1, withDecryption: false } },
    expected: { _tag: "text", value: "listval-0,listval-1,listval-2", selector: ":1" }
  },
  {
    key: `${P}${enc(SECURE)}&withDecryption=true`,
    call: { _tag: "parameter", name: SECURE },
    expected: { _tag: "text", value: SECURE_V2 }
  },
  {
    key: `${P}${enc(SECURE)}&version=1`,
    call: { _tag: "parameter", name: SECURE, options: { version: 1, withDecryption: false } },
    expected: { _tag: "text", value: CIPHERTEXT, selector: ":1" }
  },
  {
    key: `${P}${enc(SECURE)}&label=Dev&withDecryption=true`,
    call: { _tag: "parameter", name: SECURE, options: { label: "Dev" } },
    expected: { _tag: "text", value: "my-secure-string-value", selector: ":Dev" }
  },
  {
    key: `${S}dummy-string-secret`,
    call: { _tag: "secret", secretId: "dummy-string-secret" },
    expected: { _tag: "text", value: "an-insecure-string-secret-value" }
  },
  {
    key: `${S}dummy-string-secret&versionStage=AWSCURRENT`,
    call: { _tag: "secret", secretId: "dummy-string-secret", options: { versionStage: "AWSCURRENT" } },
    expected: { _tag: "text", value: "an-insecure-string-secret-value" }
  },
  {
    key: `${P}${enc("/aws/reference/secretsmanager/dummy-string-secret")}&withDecryption=true`,
    call: { _tag: "parameter", name: "/aws/reference/secretsmanager/dummy-string-secret" },
    expected: { _tag: "text", value: "an-insecure-string-secret-value" }
  },
  {
    key: `${P}${enc("/aws/reference/secretsmanager/dummy-binary-secret")}&label=AWSPREVIOUS&withDecryption=true`,
    call: {
      _tag: "parameter",
      name: "/aws/reference/secretsmanager/dummy-binary-secret",
      options: { label: "AWSPREVIOUS" }
    },
    expected: { _tag: "bytes", value: BINARY_OLD, viaParameter: true }
  },
  {
    key: `${S}dummy-binary-secret`,
    call: { _tag: "secret", secretId: "dummy-binary-secret" },
    expected: { _tag: "bytes", value: BINARY_NEW }
  },
  {
    key: `${S}dummy-binary-secret&versionStage=AWSPREVIOUS`,
    call: { _tag: "secret", secretId: "dummy-binary-secret", options: { versionStage: "AWSPREVIOUS" } },
    expected: { _tag: "bytes", value: BINARY_OLD }
  },
  {
    key: `${S}dummy-binary-secret&versionId=5ce2760a-2802-4c73-bd99-63d49ab6b5ef`,
    call: {
      _tag: "secret",
      secretId: "dummy-binary-secret",
      options: { versionId: "5ce2760a-2802-4c73-bd99-63d49ab6b5ef" }
    },
    expected: { _tag: "bytes", value: BINARY_NEW }
  },
  {
    key: `${P}does-not-exist`,
    call: { _tag: "parameter", name: "does-not-exist", options: { withDecryption: false } },
    expected: { _tag: "error", error: "UpstreamError", io: true }
  },
  {
    // The core refuses version 0 before any I/O, so this request is never sent.
    key: `${P}${enc(LIST)}&version=0`,
    call: { _tag: "parameter", name: LIST, options: { version: 0, withDecryption: false } },
    expected: { _tag: "error", error: "InvalidRequest", io: false }
  },
  {
    key: `${P}${enc(STRING)}&version=1`,
    call: { _tag: "parameter", name: STRING, options: { version: 1, withDecryption: false } },
    expected: { _tag: "text", value: "my-string-param-value", selector: ":1" }
  },
  {
    key: `${S}dummy-string-secret&versionStage=DOESNOTEXIST`,
    call: { _tag: "secret", secretId: "dummy-string-secret", options: { versionStage: "DOESNOTEXIST" } },
    expected: { _tag: "error", error: "UpstreamError", io: true }
  }
]

/** The recorded account, as an emulator store. */
export const recordedStore: Emulator.StoreSeed = {
  region: "us-east-1",
  accountId: "123456789012",
  parameters: [
    { name: STRING, value: "my-string-param-value", lastModifiedDate: "2022-11-16T08:22:40.362Z" },
    {
      name: LIST,
      type: "StringList",
      value: ["listval-0", "listval-1", "listval-2"],
      lastModifiedDate: "2022-11-16T08:22:40.089Z"
    },
    {
      name: SECURE,
      versions: [
        { type: "SecureString", value: "my-secure-string-value", labels: ["Dev"], ciphertext: CIPHERTEXT },
        { type: "SecureString", value: SECURE_V2 }
      ]
    }
  ],
  secrets: [
    {
      name: "dummy-string-secret",
      value: "an-insecure-string-secret-value",
      versionId: "b1c367b9-7f53-4a47-82c4-be51a054b953",
      createdDate: "2022-11-16T08:22:40.499Z"
    },
    {
      name: "dummy-binary-secret",
      versions: [
        { value: BINARY_OLD, versionId: "fdfc9fe2-e172-498e-b306-ad660c887b7a" },
        { value: BINARY_NEW, versionId: "5ce2760a-2802-4c73-bd99-63d49ab6b5ef" }
      ]
    }
  ]
}

/** Makes a recorded call. */
export const runRecorded = (service: SecretsConfig.SecretsConfig.Service, c: RecordedCase) =>
  c.call._tag === "parameter"
    ? Effect.either(
        service.getParameter(c.call.name, c.call.options) as Effect.Effect<Parameter | Secret, SecretsConfigError>
      )
    : Effect.either(
        service.getSecret(c.call.secretId, c.call.options) as Effect.Effect<Parameter | Secret, SecretsConfigError>
      )

/** Checks a recorded call's outcome against what PROTOCOL.md says it must be. */
export const checkRecorded = (c: RecordedCase, result: Either.Either<Parameter | Secret, SecretsConfigError>) => {
  const expected = c.expected
  if (expected._tag === "error") {
    assert.isTrue(result._tag === "Left", `${c.key} must fail`)
    if (result._tag === "Left") {
      assert.strictEqual(result.left._tag, expected.error, c.key)
      if (result.left._tag === "UpstreamError") {
        assert.strictEqual(result.left.status, 400)
        assert.strictEqual(result.left.body, "an unexpected error occurred while executing request")
        assert.isFalse(result.left.transient)
      }
    }
    return
  }
  if (result._tag === "Left") assert.fail(`${c.key} failed: ${result.left.message}`)
  const model = result.right
  if (expected._tag === "text") {
    assert.strictEqual(Redacted.value(model.value as Redacted.Redacted<string>), expected.value, c.key)
    if (expected.selector !== undefined && "selector" in model) {
      assert.deepStrictEqual(model.selector, Option.some(expected.selector), c.key)
    }
    return
  }
  const secret: Secret | undefined = expected.viaParameter
    ? Option.getOrUndefined((model as Parameter).secret)
    : (model as Secret)
  assert.isDefined(secret, c.key)
  assert.isTrue(secret!.isBinary, c.key)
  assert.deepStrictEqual(
    Array.from(Redacted.value(secret!.value as Redacted.Redacted<Uint8Array>)),
    Array.from(expected.value)
  )
}
