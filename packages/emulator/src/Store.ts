/**
 * What the emulator serves: parameters (with versions, labels and types) and secrets (with versions
 * and staging labels), seeded from code or from a JSON file of the same shape.
 *
 * ```json
 * {
 *   "parameters": [{ "name": "/app/db-host", "value": "db.internal" }],
 *   "secrets": [{ "name": "app/db", "json": { "user": "app", "password": "s3cr3t" } }]
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"
import { EmulatorError } from "./EmulatorError.js"
import { describeParseError } from "./internal/parseError.js"

/**
 * A Parameter Store type. A `StringList` value is sent comma-joined; a `SecureString` value is sent
 * as a ciphertext-like base64 string unless the request asks for `withDecryption=true`.
 *
 * @since 0.1.0
 * @category models
 */
export type ParameterType = "String" | "StringList" | "SecureString"

/**
 * One version of a parameter.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParameterVersionSeed {
  /** The value; an array is a `StringList` (joined with `,`). */
  readonly value: string | ReadonlyArray<string>
  /** Default: the previous version's type, else `StringList` for an array and `String` otherwise. */
  readonly type?: ParameterType | undefined
  /** Labels to attach; a label moves here from any other version (as in SSM). Must not start with a digit. */
  readonly labels?: ReadonlyArray<string> | undefined
  /** ISO-8601 date or `Date`. Default: the time of the put. */
  readonly lastModifiedDate?: string | Date | undefined
  /** `DataType`. Default `"text"`. */
  readonly dataType?: string | undefined
  /** What a `SecureString` reads as without decryption. Default: a deterministic KMS-like blob. */
  readonly ciphertext?: string | undefined
}

/**
 * A parameter: either one `value` (plus the optional fields of {@link ParameterVersionSeed}) or a
 * list of `versions`, oldest first. Putting an existing name adds versions after the last one.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParameterSeed {
  /** The name, e.g. `/app/db-host`. A `:` is not allowed: SSM reads it as a version/label selector. */
  readonly name: string
  /** Default: `arn:<partition>:ssm:<region>:<account>:parameter/<name without leading slash>`. */
  readonly arn?: string | undefined
  readonly value?: string | ReadonlyArray<string> | undefined
  /** The type of `value`, and the default type of each of `versions`. */
  readonly type?: ParameterType | undefined
  readonly labels?: ReadonlyArray<string> | undefined
  readonly lastModifiedDate?: string | Date | undefined
  readonly dataType?: string | undefined
  readonly ciphertext?: string | undefined
  /** Versions, oldest first (instead of `value`). */
  readonly versions?: ReadonlyArray<ParameterVersionSeed> | undefined
}

/**
 * One version of a secret: exactly one of `value` (a string, or bytes for a binary secret),
 * `binary` (base64 bytes, the JSON-friendly way to write a binary secret) or `json` (any JSON value,
 * stored as its `JSON.stringify` string).
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretVersionSeed {
  readonly value?: string | Uint8Array | undefined
  readonly binary?: string | undefined
  readonly json?: unknown
  /** Default: a deterministic UUID. Must be unique within the secret. */
  readonly versionId?: string | undefined
  /**
   * Staging labels. Default `["AWSCURRENT"]`. Giving this version `AWSCURRENT` moves the label from
   * the current version, which becomes `AWSPREVIOUS` (the old `AWSPREVIOUS` loses its label), as in
   * AWS. Any other label simply moves to this version.
   */
  readonly stages?: ReadonlyArray<string> | undefined
  /** ISO-8601 date or `Date`. Default: the time of the put. */
  readonly createdDate?: string | Date | undefined
}

/**
 * A secret: one version (the fields of {@link SecretVersionSeed}) or `versions`, oldest first.
 * Putting an existing name adds versions.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretSeed extends SecretVersionSeed {
  /** The name, e.g. `app/db`. */
  readonly name: string
  /** Default: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 letters>`. */
  readonly arn?: string | undefined
  /** Versions, oldest first (instead of a single version's fields). */
  readonly versions?: ReadonlyArray<SecretVersionSeed> | undefined
}

/**
 * A whole store: the account it pretends to be in and its contents.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreSeed {
  /** Default `"us-east-1"`. */
  readonly region?: string | undefined
  /** Default `"123456789012"`. */
  readonly accountId?: string | undefined
  /** Default `"aws"`. */
  readonly partition?: string | undefined
  readonly parameters?: ReadonlyArray<ParameterSeed> | undefined
  readonly secrets?: ReadonlyArray<SecretSeed> | undefined
}

const DateInput = Schema.Union(Schema.String, Schema.DateFromSelf)
const ParameterTypeSchema = Schema.Literal("String", "StringList", "SecureString")
const ParameterValue = Schema.Union(Schema.String, Schema.Array(Schema.String))

const ParameterVersionSeedSchema = Schema.Struct({
  value: ParameterValue,
  type: Schema.optional(ParameterTypeSchema),
  labels: Schema.optional(Schema.Array(Schema.String)),
  lastModifiedDate: Schema.optional(DateInput),
  dataType: Schema.optional(Schema.String),
  ciphertext: Schema.optional(Schema.String)
})

const ParameterSeedSchema = Schema.Struct({
  name: Schema.String,
  arn: Schema.optional(Schema.String),
  value: Schema.optional(ParameterValue),
  type: Schema.optional(ParameterTypeSchema),
  labels: Schema.optional(Schema.Array(Schema.String)),
  lastModifiedDate: Schema.optional(DateInput),
  dataType: Schema.optional(Schema.String),
  ciphertext: Schema.optional(Schema.String),
  versions: Schema.optional(Schema.Array(ParameterVersionSeedSchema))
})

const secretVersionFields = {
  value: Schema.optional(Schema.Union(Schema.String, Schema.Uint8ArrayFromSelf)),
  binary: Schema.optional(Schema.String),
  json: Schema.optional(Schema.Unknown),
  versionId: Schema.optional(Schema.String),
  stages: Schema.optional(Schema.Array(Schema.String)),
  createdDate: Schema.optional(DateInput)
}

const SecretSeedSchema = Schema.Struct({
  name: Schema.String,
  arn: Schema.optional(Schema.String),
  ...secretVersionFields,
  versions: Schema.optional(Schema.Array(Schema.Struct(secretVersionFields)))
})

/**
 * The schema of a store seed (and of a store JSON file). Unknown keys are rejected so a typo does
 * not silently drop data.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StoreSeedSchema: Schema.Schema<StoreSeed, StoreSeed> = Schema.Struct({
  region: Schema.optional(Schema.String),
  accountId: Schema.optional(Schema.String),
  partition: Schema.optional(Schema.String),
  parameters: Schema.optional(Schema.Array(ParameterSeedSchema)),
  secrets: Schema.optional(Schema.Array(SecretSeedSchema))
})

/**
 * Validates an unknown value (e.g. parsed JSON) as a store seed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const decode = (input: unknown): Effect.Effect<StoreSeed, EmulatorError> =>
  Schema.decodeUnknown(StoreSeedSchema, { errors: "all", onExcessProperty: "error" })(input).pipe(
    Effect.mapError((error) => new EmulatorError({ reason: "InvalidStore", detail: describeParseError(error) }))
  )

/**
 * Parses and validates a store from JSON text.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromJson = (text: string): Effect.Effect<StoreSeed, EmulatorError> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    // The parser's message can quote the text, which may hold secrets: say only that it failed.
    catch: () => new EmulatorError({ reason: "InvalidStore", detail: "the store is not valid JSON" })
  }).pipe(Effect.flatMap(decode))

/**
 * Reads a store JSON file (see the README for the format).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromJsonFile = (path: string): Effect.Effect<StoreSeed, EmulatorError> =>
  Effect.tryPromise({
    try: () => fs.readFile(path, "utf8"),
    catch: (cause) =>
      new EmulatorError({
        reason: "InvalidStore",
        detail: `cannot read the store file ${JSON.stringify(path)} (${(cause as NodeJS.ErrnoException)?.code ?? "error"})`,
        cause
      })
  }).pipe(
    Effect.flatMap((text) =>
      fromJson(text).pipe(
        Effect.mapError(
          (error) =>
            new EmulatorError({ reason: "InvalidStore", detail: `${path}: ${error.detail}`, cause: error.cause })
        )
      )
    )
  )

/**
 * An empty store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: StoreSeed = {}

/**
 * The bundled sample store, the same content as `stores/sample.json` in this package: a few
 * `/demo/...` parameters (a `String`, a `StringList`, a `SecureString`, a labelled history) and the
 * secrets `demo/db` (JSON), `demo/api-token` (string) and `demo/signing-key` (binary). None of the
 * values is a real credential.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sample: StoreSeed = {
  region: "us-east-1",
  accountId: "123456789012",
  parameters: [
    { name: "/demo/greeting", value: "Hello from the secrets-config emulator" },
    { name: "/demo/feature-flags", type: "StringList", value: ["checkout", "search", "dark-mode"] },
    { name: "/demo/api-key", type: "SecureString", value: "demo-api-key-0000-not-a-real-key", labels: ["prod"] },
    { name: "/demo/config", value: '{"timeoutMs":2500,"retries":3}' },
    {
      name: "/demo/log-level",
      versions: [
        { value: "debug", labels: ["dev"] },
        { value: "info", labels: ["prod"] }
      ]
    }
  ],
  secrets: [
    {
      name: "demo/db",
      json: {
        engine: "postgres",
        host: "db.internal",
        port: 5432,
        dbname: "app",
        username: "app",
        password: "demo-password-not-real"
      }
    },
    { name: "demo/api-token", value: "demo-token-not-real" },
    { name: "demo/signing-key", binary: "ZGVtby1zaWduaW5nLWtleS1ub3QtcmVhbA==" }
  ]
}
