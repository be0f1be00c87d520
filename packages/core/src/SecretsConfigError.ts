/**
 * The tagged errors of `SecretsConfig`. Each one says what happened and what to do next, names the
 * parameter or secret involved, and never carries a secret value or the session token.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

const TypeId: unique symbol = Symbol.for("@secrets-config/core/SecretsConfigError")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Which store a request was for.
 *
 * @since 0.1.0
 * @category models
 */
export const ResourceKind = Schema.Literal("parameter", "secret")

/**
 * @since 0.1.0
 * @category models
 */
export type ResourceKind = typeof ResourceKind.Type

const MAX_NAME_IN_MESSAGE = 200

/**
 * The AWS extension's one answer (with status 400) for a missing parameter or secret, a bad version
 * or stage, missing IAM permissions and throttling alike.
 *
 * @since 0.1.0
 * @category constants
 */
export const GENERIC_ERROR_BODY = "an unexpected error occurred while executing request"

/** Long names (an oversized input) are cut in messages; the full name stays on the error's field. */
const show = (name: string): string =>
  name.length > MAX_NAME_IN_MESSAGE
    ? JSON.stringify(`${name.slice(0, MAX_NAME_IN_MESSAGE)}…`) + ` (${name.length} characters)`
    : JSON.stringify(name)

const what = (kind: ResourceKind, name: string): string => `${kind} ${show(name)}`

// `resource`, not `name`: an Error's `name` is its class name in stack traces and `toString`.
const fields = {
  kind: ResourceKind,
  /** The parameter name or secret id asked for. */
  resource: Schema.String,
  cause: Schema.optional(Schema.Defect)
}

/**
 * The request was rejected before any I/O: empty or oversized name, both `version` and `label`, a
 * version that is not a positive integer, a selector both in the name and in the options, …
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>("@secrets-config/core/InvalidRequest")(
  "InvalidRequest",
  { ...fields, reason: Schema.String }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `Invalid request for ${what(this.kind, this.resource)}: ${this.reason}. Nothing was sent; fix the call.`
  }
}

/**
 * No session token was found in the environment, so the endpoint cannot be called.
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingToken extends Schema.TaggedError<MissingToken>("@secrets-config/core/MissingToken")(
  "MissingToken",
  {
    ...fields,
    variables: Schema.Array(Schema.String),
    /** Why a variable that is set gave no token (e.g. a `file://` token that cannot be read). */
    detail: Schema.optional(Schema.String)
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    const why =
      this.detail === undefined
        ? `none of ${this.variables.join(", ")} is set`
        : `${this.detail} (looked at ${this.variables.join(", ")})`
    return (
      `No session token for ${what(this.kind, this.resource)}: ${why}. ` +
      `Inside Lambda, AWS_SESSION_TOKEN is set by the runtime; functions with SnapStart have no usable token ` +
      `and the extension does not support SnapStart. Outside Lambda, set the variable or pass a token option.`
    )
  }
}

/**
 * The endpoint refused the session token (HTTP 401 from the extension, 403 from the Agent).
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenRejected extends Schema.TaggedError<TokenRejected>("@secrets-config/core/TokenRejected")(
  "TokenRejected",
  { ...fields, status: Schema.Number }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return (
      `The endpoint rejected the session token (HTTP ${this.status}) for ${what(this.kind, this.resource)}. ` +
      `The header X-Aws-Parameters-Secrets-Token must carry this environment's AWS_SESSION_TOKEN ` +
      `(for the Secrets Manager Agent: AWS_TOKEN, AWS_SESSION_TOKEN or AWS_CONTAINER_AUTHORIZATION_TOKEN). ` +
      `SnapStart functions cannot use the extension.`
    )
  }
}

/**
 * The extension answered 400 "not ready to serve traffic": it was called during INIT or before it
 * finished starting. Transient.
 *
 * @since 0.1.0
 * @category errors
 */
export class ExtensionNotReady extends Schema.TaggedError<ExtensionNotReady>("@secrets-config/core/ExtensionNotReady")(
  "ExtensionNotReady",
  fields
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return (
      `The extension is not ready to serve traffic yet (asked for ${what(this.kind, this.resource)}). ` +
      `It serves only during INVOKE, not during the INIT phase: do not read parameters at module load; ` +
      `read them inside the handler. The request can be retried after a short wait.`
    )
  }
}

/**
 * Nothing answered on the endpoint's port (connection refused or reset). Transient while the
 * extension starts; permanent when the layer is missing or the port is wrong.
 *
 * @since 0.1.0
 * @category errors
 */
export class ExtensionUnreachable extends Schema.TaggedError<ExtensionUnreachable>(
  "@secrets-config/core/ExtensionUnreachable"
)("ExtensionUnreachable", { ...fields, url: Schema.String, reason: Schema.String }) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return (
      `Could not reach the Parameters and Secrets endpoint at ${this.url} for ${what(this.kind, this.resource)} ` +
      `(${this.reason}). Check that the AWS Parameters and Secrets Lambda Extension layer (or the Secrets Manager ` +
      `Agent) is attached and running, and that PARAMETERS_SECRETS_EXTENSION_HTTP_PORT matches its port. ` +
      `Use 127.0.0.1, not localhost (Node may resolve localhost to ::1).`
    )
  }
}

/**
 * No answer within the per-attempt timeout or the overall deadline. Transient.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>("@secrets-config/core/RequestTimeout")(
  "RequestTimeout",
  {
    ...fields,
    /** The limit that passed; absent for `"upstream"` (the endpoint does not say). */
    timeoutMillis: Schema.optional(Schema.Number),
    scope: Schema.Literal("attempt", "deadline", "upstream")
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    const where =
      this.scope === "upstream"
        ? "the endpoint timed out calling AWS"
        : this.scope === "deadline"
          ? `the overall deadline${this.timeoutMillis === undefined ? "" : ` of ${this.timeoutMillis} ms`} passed`
          : `one attempt took longer than ${this.timeoutMillis === undefined ? "its timeout" : `${this.timeoutMillis} ms`}`
    return (
      `Timed out reading ${what(this.kind, this.resource)}: ${where}. The endpoint or AWS is slow or hung; ` +
      `raise the timeout or deadline if the function has time left, and check the function's network path to AWS.`
    )
  }
}

/**
 * AWS throttled the request (the Agent's 429 or `ThrottlingException`). Transient. Parameter Store
 * allows 40 TPS per account and region by default: cache values.
 *
 * @since 0.1.0
 * @category errors
 */
export class Throttled extends Schema.TaggedError<Throttled>("@secrets-config/core/Throttled")("Throttled", {
  ...fields,
  status: Schema.Number
}) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return (
      `Throttled (HTTP ${this.status}) while reading ${what(this.kind, this.resource)}. Parameter Store allows ` +
      `40 transactions per second per account and region by default: cache values (SecretsConfigCache), ` +
      `raise the extension's TTL, or enable higher throughput. The request can be retried with backoff.`
    )
  }
}

/**
 * The source said unambiguously that the parameter or secret does not exist (the Agent's
 * `ResourceNotFoundException`, the memory layer in exact mode). The AWS extension never says so.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>("@secrets-config/core/NotFound")("NotFound", fields) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return (
      `The ${what(this.kind, this.resource)} does not exist (or not at the version asked for). ` +
      `Check the name, the region and the version or stage.`
    )
  }
}

/**
 * The source said unambiguously that access was denied (the Agent's `AccessDeniedException`).
 *
 * @since 0.1.0
 * @category errors
 */
export class AccessDenied extends Schema.TaggedError<AccessDenied>("@secrets-config/core/AccessDenied")(
  "AccessDenied",
  { ...fields, detail: Schema.String }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    const action = this.kind === "parameter" ? "ssm:GetParameter" : "secretsmanager:GetSecretValue"
    return (
      `Access denied reading ${what(this.kind, this.resource)}${this.detail ? ` (${this.detail})` : ""}. ` +
      `Grant the function's role ${action} on it, and kms:Decrypt on its KMS key if it is encrypted ` +
      `with a customer-managed key.`
    )
  }
}

/**
 * The endpoint failed in a way it does not explain — above all the AWS extension's generic
 * `400 an unexpected error occurred while executing request`, which it sends for a missing
 * parameter, a bad version, missing IAM permissions and throttling alike. Keeps status and body.
 *
 * @since 0.1.0
 * @category errors
 */
export class UpstreamError extends Schema.TaggedError<UpstreamError>("@secrets-config/core/UpstreamError")(
  "UpstreamError",
  { ...fields, status: Schema.Number, body: Schema.String, transient: Schema.Boolean }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    const permission =
      this.kind === "parameter"
        ? "ssm:GetParameter (and kms:Decrypt for a SecureString; secretsmanager:GetSecretValue for /aws/reference/secretsmanager/ names)"
        : "secretsmanager:GetSecretValue (and kms:Decrypt for a customer-managed key)"
    const head = `The endpoint failed reading ${what(this.kind, this.resource)}: HTTP ${this.status} ${JSON.stringify(this.body)}.`
    if (this.body === GENERIC_ERROR_BODY) {
      return (
        `${head} The AWS extension gives this one answer for several causes: the name, version, label or stage ` +
        `does not exist; the function's role lacks ${permission}; or AWS throttled the call. ` +
        `The real cause is in the function's CloudWatch logs (the extension's log lines).`
      )
    }
    return this.transient
      ? `${head} This looks transient; it can be retried with backoff.`
      : `${head} Check the request and the endpoint's logs.`
  }
}

/**
 * The endpoint's answer could not be read: not JSON, not the expected envelope, too large, or cut
 * off. The body itself is never kept (it may hold a secret).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidResponse extends Schema.TaggedError<InvalidResponse>("@secrets-config/core/InvalidResponse")(
  "InvalidResponse",
  { ...fields, reason: Schema.String, status: Schema.optional(Schema.Number) }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return (
      `Could not read the endpoint's answer for ${what(this.kind, this.resource)}` +
      `${this.status === undefined ? "" : ` (HTTP ${this.status})`}: ${this.reason}. ` +
      `Check that the port belongs to the Parameters and Secrets extension or the Secrets Manager Agent.`
    )
  }
}

/**
 * The value was fetched but the caller's Schema rejected it. The message names the path in the
 * value and the expected type, never the value.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("@secrets-config/core/DecodeError")("DecodeError", {
  ...fields,
  issues: Schema.Array(Schema.String)
}) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return (
      `The value of ${what(this.kind, this.resource)} does not match the expected schema: ${this.issues.join("; ")}. ` +
      `Fix the stored value or the schema (the value is not shown: it may be secret).`
    )
  }
}

/**
 * Every error `SecretsConfig` can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type SecretsConfigError =
  | InvalidRequest
  | MissingToken
  | TokenRejected
  | ExtensionNotReady
  | ExtensionUnreachable
  | RequestTimeout
  | Throttled
  | NotFound
  | AccessDenied
  | UpstreamError
  | InvalidResponse
  | DecodeError

/**
 * The schema of the union, e.g. to send errors across a boundary.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SecretsConfigError: Schema.Union<
  [
    typeof InvalidRequest,
    typeof MissingToken,
    typeof TokenRejected,
    typeof ExtensionNotReady,
    typeof ExtensionUnreachable,
    typeof RequestTimeout,
    typeof Throttled,
    typeof NotFound,
    typeof AccessDenied,
    typeof UpstreamError,
    typeof InvalidResponse,
    typeof DecodeError
  ]
> = Schema.Union(
  InvalidRequest,
  MissingToken,
  TokenRejected,
  ExtensionNotReady,
  ExtensionUnreachable,
  RequestTimeout,
  Throttled,
  NotFound,
  AccessDenied,
  UpstreamError,
  InvalidResponse,
  DecodeError
)

/**
 * @since 0.1.0
 * @category refinements
 */
export const isSecretsConfigError = (u: unknown): u is SecretsConfigError => Predicate.hasProperty(u, TypeId)

/**
 * Whether an error is worth a retry: the endpoint not ready yet, unreachable, a timeout, throttling,
 * or an upstream failure the source marked transient. Never token problems, bad input,
 * `NotFound`, `AccessDenied`, the ambiguous `UpstreamError`, or a value that does not decode.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: SecretsConfigError): boolean => {
  switch (error._tag) {
    case "ExtensionNotReady":
    case "ExtensionUnreachable":
    case "RequestTimeout":
    case "Throttled":
      return true
    case "UpstreamError":
      return error.transient
    default:
      return false
  }
}
