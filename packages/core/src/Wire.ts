/**
 * Schemas of the endpoint's JSON answers — GetParameter and GetSecretValue as the AWS Parameters and
 * Secrets Lambda Extension and the Secrets Manager Agent write them — and their decoding into the
 * `Parameter` and `Secret` models. Lenient where the endpoint varies: four date formats, `null` and
 * absent alike, unknown fields ignored.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as issues from "./internal/issues.js"
import { REFERENCE_PREFIX } from "./internal/request.js"
import { Parameter, ParameterType } from "./Parameter.js"
import { Secret, type SecretValue } from "./Secret.js"
import {
  AccessDenied,
  ExtensionNotReady,
  GENERIC_ERROR_BODY,
  InvalidResponse,
  NotFound,
  RequestTimeout,
  type ResourceKind,
  type SecretsConfigError,
  Throttled,
  TokenRejected,
  UpstreamError
} from "./SecretsConfigError.js"

const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/
const EPOCH = /^\d{1,12}(?:\.\d{1,9})?$/
// Java's DateFormat.MEDIUM in en_US, e.g. "Nov 16, 2022, 8:22:40 AM" (newer JDKs put U+202F before AM/PM).
const JAVA = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})[\s\u202f]?([AP]M)$/
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

const validDate = (millis: number): Date | undefined => {
  const date = new Date(millis)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/**
 * Reads a date as the endpoint writes it: ISO-8601 with 0–9 fraction digits, epoch seconds (a
 * string or a number), or Java's `"Nov 16, 2022, 8:22:40 AM"` (read as UTC).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDate = (input: string | number): Date | undefined => {
  if (typeof input === "number") return Number.isFinite(input) ? validDate(Math.round(input * 1000)) : undefined
  let m = ISO.exec(input)
  if (m !== null) {
    const millis = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3))
    let offset = 0
    const zone = m[8]
    if (zone !== undefined && zone !== "Z" && zone !== "z") {
      const sign = zone[0] === "-" ? -1 : 1
      const digits = zone.slice(1).replace(":", "")
      offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)))
    }
    const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), millis)
    return validDate(utc - offset * 60_000)
  }
  if (EPOCH.test(input)) return validDate(Math.round(Number(input) * 1000))
  m = JAVA.exec(input)
  if (m !== null) {
    const month = MONTHS.indexOf(m[1]!)
    if (month === -1) return undefined
    const hour12 = Number(m[4]) % 12
    const hour = m[7] === "PM" ? hour12 + 12 : hour12
    return validDate(Date.UTC(Number(m[3]), month, Number(m[2]), hour, Number(m[5]), Number(m[6])))
  }
  return undefined
}

/**
 * A date in any of the endpoint's formats.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WireDate: Schema.Schema<Date, string | number> = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.Number),
  Schema.DateFromSelf,
  {
    strict: true,
    decode: (input, _, ast) => {
      const date = parseDate(input)
      return date === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, input, "a date (ISO-8601, epoch seconds or Java medium format)"))
        : ParseResult.succeed(date)
    },
    encode: (date) => ParseResult.succeed(date.toISOString())
  }
).annotations({ identifier: "WireDate" })

const nullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/**
 * The `Parameter` object of a GetParameter answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WireParameter = Schema.Struct({
  ARN: Schema.String,
  DataType: nullable(Schema.String),
  LastModifiedDate: WireDate,
  Name: Schema.String,
  Selector: nullable(Schema.String),
  SourceResult: nullable(Schema.String),
  Type: ParameterType,
  Value: nullable(Schema.String),
  Version: nullable(Schema.Number)
}).annotations({ identifier: "WireParameter" })

/**
 * A GetParameter answer (`{"Parameter": {...}, "ResultMetadata": {}}`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const GetParameterResponse = Schema.Struct({
  Parameter: WireParameter
}).annotations({ identifier: "GetParameterResponse" })

/**
 * A GetSecretValue answer, in either dialect.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GetSecretValueResponse = Schema.Struct({
  ARN: Schema.String,
  Name: Schema.String,
  VersionId: Schema.String,
  SecretString: nullable(Schema.String),
  SecretBinary: nullable(Schema.Uint8ArrayFromBase64),
  VersionStages: nullable(Schema.Array(Schema.String)),
  CreatedDate: WireDate
}).annotations({ identifier: "GetSecretValueResponse" })

// Java's ByteBuffer, serialized field by field; the bytes are `hb` (signed), the rest is noise.
const JavaByteBuffer = Schema.Struct({
  hb: Schema.Array(Schema.Number),
  offset: nullable(Schema.Number),
  limit: nullable(Schema.Number)
})

/**
 * The JSON string in `Parameter.SourceResult` for `/aws/reference/secretsmanager/` names, written by
 * a Java serializer with lower-camel keys (AWS's documentation shows PascalCase: both are read).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SourceResult = Schema.parseJson(
  Schema.Struct({
    ARN: nullable(Schema.String),
    arn: nullable(Schema.String),
    name: nullable(Schema.String),
    Name: nullable(Schema.String),
    versionId: nullable(Schema.String),
    VersionId: nullable(Schema.String),
    secretString: nullable(Schema.String),
    SecretString: nullable(Schema.String),
    secretBinary: nullable(Schema.Union(JavaByteBuffer, Schema.Uint8ArrayFromBase64)),
    SecretBinary: nullable(Schema.Union(JavaByteBuffer, Schema.Uint8ArrayFromBase64)),
    versionStages: nullable(Schema.Array(Schema.String)),
    VersionStages: nullable(Schema.Array(Schema.String)),
    createdDate: nullable(WireDate),
    CreatedDate: nullable(WireDate)
  })
).annotations({ identifier: "SourceResult" })

const bytesOf = (binary: typeof JavaByteBuffer.Type | Uint8Array): Uint8Array => {
  if (binary instanceof Uint8Array) return binary
  const start = binary.offset ?? 0
  const end = binary.limit == null ? binary.hb.length : start + binary.limit
  // Java bytes are signed.
  return Uint8Array.from(binary.hb.slice(start, end), (b) => b & 0xff)
}

const decodeParameterEnvelope = ParseResult.decodeUnknownEither(GetParameterResponse)
const decodeSecretEnvelope = ParseResult.decodeUnknownEither(GetSecretValueResponse)
const decodeSourceResult = ParseResult.decodeUnknownEither(SourceResult)

const secretOf = (
  source: typeof SourceResult.Type,
  parameter: typeof WireParameter.Type
): Either.Either<Secret, ReadonlyArray<string>> => {
  const binary = source.secretBinary ?? source.SecretBinary
  const text = source.secretString ?? source.SecretString ?? (binary == null ? parameter.Value : null)
  if (binary == null && text == null) {
    return Either.left(["at .Parameter.SourceResult: the referenced secret has neither a string nor a binary value"])
  }
  const value: SecretValue = binary == null ? Redacted.make(text!) : Redacted.make(bytesOf(binary))
  return Either.right(
    new Secret(
      {
        arn: source.ARN ?? source.arn ?? parameter.ARN,
        name: source.name ?? source.Name ?? parameter.Name.slice(REFERENCE_PREFIX.length).replace(/:[^:]*$/, ""),
        versionId: source.versionId ?? source.VersionId ?? "",
        versionStages: source.versionStages ?? source.VersionStages ?? [],
        createdDate: source.createdDate ?? source.CreatedDate ?? parameter.LastModifiedDate,
        value
      },
      { disableValidation: true }
    )
  )
}

/**
 * Decodes a GetParameter answer (already parsed from JSON). On failure, the issues name paths and
 * expected types only — never a value from the body.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeGetParameter = (body: unknown): Either.Either<Parameter, ReadonlyArray<string>> => {
  const envelope = decodeParameterEnvelope(body)
  if (Either.isLeft(envelope)) return Either.left(issues.describe(envelope.left))
  const wire = envelope.right.Parameter
  let secret = Option.none<Secret>()
  if (wire.SourceResult != null) {
    const source = decodeSourceResult(wire.SourceResult)
    if (Either.isLeft(source)) {
      return Either.left(issues.describe(source.left).map((issue) => `at .Parameter.SourceResult: ${issue}`))
    }
    const decoded = secretOf(source.right, wire)
    if (Either.isLeft(decoded)) return Either.left(decoded.left)
    secret = Option.some(decoded.right)
  }
  let value: string
  if (wire.Value != null) {
    value = wire.Value
  } else if (
    Option.isSome(secret) &&
    typeof Redacted.value(secret.value.value as Redacted.Redacted<unknown>) !== "string"
  ) {
    // A binary secret read through Parameter Store has no text value: keep its bytes as base64.
    value = Encoding.encodeBase64(Redacted.value(secret.value.value as Redacted.Redacted<Uint8Array>))
  } else {
    return Either.left(["at .Parameter.Value: expected a string, got null"])
  }
  return Either.right(
    new Parameter(
      {
        name: wire.Name,
        type: wire.Type,
        value: Redacted.make(value),
        version: wire.Version ?? 0,
        selector: Option.fromNullable(wire.Selector),
        arn: wire.ARN,
        dataType: Option.fromNullable(wire.DataType),
        lastModifiedDate: wire.LastModifiedDate,
        secret
      },
      { disableValidation: true }
    )
  )
}

/**
 * Decodes a GetSecretValue answer (already parsed from JSON), in either dialect. Exactly one of
 * `SecretString` and `SecretBinary` must be set.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeGetSecretValue = (body: unknown): Either.Either<Secret, ReadonlyArray<string>> => {
  const envelope = decodeSecretEnvelope(body)
  if (Either.isLeft(envelope)) return Either.left(issues.describe(envelope.left))
  const wire = envelope.right
  if ((wire.SecretString == null) === (wire.SecretBinary == null)) {
    return Either.left([
      wire.SecretString == null
        ? "neither SecretString nor SecretBinary is set"
        : "both SecretString and SecretBinary are set; exactly one is expected"
    ])
  }
  return Either.right(
    new Secret(
      {
        arn: wire.ARN,
        name: wire.Name,
        versionId: wire.VersionId,
        versionStages: wire.VersionStages ?? [],
        createdDate: wire.CreatedDate,
        value: wire.SecretString != null ? Redacted.make(wire.SecretString) : Redacted.make(wire.SecretBinary!)
      },
      { disableValidation: true }
    )
  )
}

/**
 * Which server is answering: the AWS Parameters and Secrets Lambda Extension, or the Secrets Manager
 * Agent.
 *
 * @since 0.1.0
 * @category models
 */
export type Dialect = "extension" | "agent"

/**
 * The extension's answer while it is not ready (the INIT phase, the cold-start race).
 *
 * @since 0.1.0
 * @category constants
 */
export const NOT_READY_BODY = "not ready to serve traffic, please wait"

const NOT_READY_PREFIX = "not ready to serve traffic"

/** Error bodies are short texts; anything longer is cut before it is kept on an error. */
const MAX_BODY_ON_ERROR = 512
const MAX_DETAIL = 300

const truncate = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text)

// The Agent writes `{"__type":"<Code>", "message":"<msg>"}` without escaping the message, so the
// body may be invalid JSON: read the fields with patterns, never with JSON.parse.
const AWS_TYPE = /^\{\s*"__type"\s*:\s*"([^"\\]{1,256})"/
const AWS_MESSAGE = /"message"\s*:\s*"([\s\S]*)"\s*\}$/

/**
 * Reads an AWS error body leniently: valid JSON (`{"__type":"<Code>","message":"<msg>"}`, the Agent
 * since v2.1.0) is parsed; the older Agent's `{"__type":"<Code>", "message":"<msg>"}` does not escape
 * the message, so it may be invalid JSON and is read with patterns. `com.amazonaws…#Code` and
 * `Code:http://…` forms are reduced to `Code`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const awsErrorType = (body: string): { readonly type: string; readonly message: string } | undefined => {
  const parsed = compactErrorBody(body)
  const m = parsed === undefined ? AWS_TYPE.exec(body) : null
  if (parsed === undefined && m === null) return undefined
  let type = parsed?.type ?? m![1]!
  const hash = type.lastIndexOf("#")
  if (hash !== -1) type = type.slice(hash + 1)
  const colon = type.indexOf(":")
  if (colon !== -1) type = type.slice(0, colon)
  if (parsed !== undefined) return { type: type.trim(), message: parsed.message.trim() }
  const message = AWS_MESSAGE.exec(body)
  return { type: type.trim(), message: message === null ? "" : message[1]!.trim() }
}

/**
 * The Agent's body since v2.1.0: valid JSON (`{"__type":"X","message":"Y"}`, escaped), read as
 * JSON so an escaped quote in the message comes out as a quote. docs/protocol.md#agent-error-body-format.
 */
const compactErrorBody = (body: string): { readonly type: string; readonly message: string } | undefined => {
  if (body.length > 65536) return undefined
  try {
    const value: unknown = JSON.parse(body)
    if (typeof value !== "object" || value === null) return undefined
    const { __type, message } = value as { readonly __type?: unknown; readonly message?: unknown }
    if (typeof __type !== "string" || __type.length === 0 || __type.length > 256) return undefined
    return { type: __type, message: typeof message === "string" ? message : "" }
  } catch {
    return undefined
  }
}

/**
 * Maps an answer other than 200 to its tagged error, as docs/protocol.md#errors describes both dialects: status
 * first, the body read as text and trimmed, never parsed blindly. Only an unambiguous answer (the
 * Agent's `__type`) becomes `NotFound` or `AccessDenied`; the AWS extension's generic 400 stays an
 * `UpstreamError` that is not transient.
 *
 * @since 0.1.0
 * @category decoding
 */
export const errorFromResponse = (response: {
  readonly kind: ResourceKind
  readonly resource: string
  readonly status: number
  readonly body: string
}): SecretsConfigError => {
  const { kind, resource, status } = response
  const body = response.body.trim()
  const upstream = (transient: boolean) =>
    new UpstreamError({ kind, resource, status, body: truncate(body, MAX_BODY_ON_ERROR), transient })
  if (status >= 200 && status < 300) {
    return new InvalidResponse({ kind, resource, status, reason: `unexpected status ${status} (expected 200)` })
  }
  const aws = body.startsWith("{") ? awsErrorType(body) : undefined
  if (aws !== undefined) {
    switch (aws.type) {
      case "ResourceNotFoundException":
      case "ParameterNotFound":
      case "ParameterVersionNotFound":
        return new NotFound({ kind, resource })
      case "AccessDeniedException":
      case "AccessDenied":
        return new AccessDenied({ kind, resource, detail: truncate(aws.message || aws.type, MAX_DETAIL) })
      case "ThrottlingException":
      case "TooManyRequestsException":
      case "RequestLimitExceeded":
      case "Throttling":
        return new Throttled({ kind, resource, status })
      case "TimeoutError":
        // The endpoint's own call to AWS timed out; it does not say after how long.
        return new RequestTimeout({ kind, resource, scope: "upstream" })
      case "ConnectionError":
      case "ServiceUnavailable":
      case "ServiceUnavailableException":
        return upstream(true)
      default:
        // InternalFailure (the Agent's answer for an upstream error without a message) and the
        // rest: transient only when the status says the server failed.
        return upstream(status >= 500)
    }
  }
  switch (status) {
    case 401:
    case 403:
      return new TokenRejected({ kind, resource, status })
    case 429:
      return new Throttled({ kind, resource, status })
    case 400:
      return body.startsWith(NOT_READY_PREFIX) ? new ExtensionNotReady({ kind, resource }) : upstream(false)
    case 504:
      return new RequestTimeout({ kind, resource, scope: "upstream" })
    default:
      if (status >= 300 && status < 400) {
        return new InvalidResponse({ kind, resource, status, reason: `unexpected redirect (status ${status})` })
      }
      return upstream(status >= 500)
  }
}

/**
 * Whether a body is the AWS extension's generic error text.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isGenericErrorBody = (body: string): boolean => body.trim() === GENERIC_ERROR_BODY
