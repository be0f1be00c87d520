/**
 * The store file: the one seed format of the memory layer and the emulator (the emulator's
 * `--store` file), as a `Schema`, with decoders whose messages name fields and never quote a value.
 *
 * ```json
 * {
 *   "parameters": [{ "name": "/app/db-host", "value": "db.internal" }],
 *   "secrets": [{ "name": "app/db", "json": { "user": "app", "password": "s3cr3t" } }]
 * }
 * ```
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { StoreSeed } from "./StoreModel.js"

const DateInput = Schema.Union(Schema.String, Schema.DateFromSelf)
const ParameterType = Schema.Literal("String", "StringList", "SecureString")
const ParameterValue = Schema.Union(Schema.String, Schema.Array(Schema.String))

const ParameterVersionSeed = Schema.Struct({
  value: ParameterValue,
  type: Schema.optional(ParameterType),
  labels: Schema.optional(Schema.Array(Schema.String)),
  lastModifiedDate: Schema.optional(DateInput),
  dataType: Schema.optional(Schema.String),
  ciphertext: Schema.optional(Schema.String)
})

const ParameterSeed = Schema.Struct({
  name: Schema.String,
  arn: Schema.optional(Schema.String),
  value: Schema.optional(ParameterValue),
  type: Schema.optional(ParameterType),
  labels: Schema.optional(Schema.Array(Schema.String)),
  lastModifiedDate: Schema.optional(DateInput),
  dataType: Schema.optional(Schema.String),
  ciphertext: Schema.optional(Schema.String),
  versions: Schema.optional(Schema.Array(ParameterVersionSeed))
})

const secretVersionFields = {
  value: Schema.optional(Schema.Union(Schema.String, Schema.Uint8ArrayFromSelf)),
  binary: Schema.optional(Schema.String),
  json: Schema.optional(Schema.Unknown),
  versionId: Schema.optional(Schema.String),
  stages: Schema.optional(Schema.Array(Schema.String)),
  createdDate: Schema.optional(DateInput)
}

const SecretSeed = Schema.Struct({
  name: Schema.String,
  arn: Schema.optional(Schema.String),
  ...secretVersionFields,
  versions: Schema.optional(Schema.Array(Schema.Struct(secretVersionFields)))
})

/**
 * The schema of a store seed and of a store file. Unknown keys are refused (by {@link decode}), so
 * a typo cannot silently drop data.
 *
 * @since 0.2.0
 * @category schemas
 */
export const schema: Schema.Schema<StoreSeed, StoreSeed> = Schema.Struct({
  region: Schema.optional(Schema.String),
  accountId: Schema.optional(Schema.String),
  partition: Schema.optional(Schema.String),
  parameters: Schema.optional(Schema.Array(ParameterSeed)),
  secrets: Schema.optional(Schema.Array(SecretSeed))
})

/**
 * Describes a parse failure by path and kind only: Effect's messages quote the rejected input,
 * which may be a secret value. Only the most specific paths are kept, each once, at most five.
 *
 * @since 0.2.0
 * @category decoding
 */
export const describeParseError = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: issue.path.map(String),
    what:
      issue._tag === "Missing"
        ? "is missing"
        : issue._tag === "Unexpected"
          ? "is not a known field"
          : "has the wrong type or an out-of-range value"
  }))
  const specific = issues.filter(
    (issue) =>
      !issues.some(
        (other) => other.path.length > issue.path.length && issue.path.every((segment, i) => other.path[i] === segment)
      )
  )
  const lines = new Set(
    specific.map((issue) => `${issue.path.length === 0 ? "the root" : issue.path.join(".")} ${issue.what}`)
  )
  return Array.from(lines).slice(0, 5).join("; ")
}

const decodeSeed = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })

/**
 * Validates an unknown value (e.g. parsed JSON) as a store seed; the left side says which fields
 * are wrong, without their values.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decode = (input: unknown): Either.Either<StoreSeed, string> =>
  Either.mapLeft(decodeSeed(input), describeParseError)

/**
 * Parses and validates the text of a store file.
 *
 * @since 0.2.0
 * @category decoding
 */
export const fromJson = (text: string): Either.Either<StoreSeed, string> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // The parser's message can quote the text, which may hold secrets: say only that it failed.
    return Either.left("the store is not valid JSON")
  }
  return decode(parsed)
}
