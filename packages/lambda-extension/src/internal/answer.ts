/**
 * The one boundary between the endpoint and the core: an answer (a status, headers and a body read
 * within the byte limit) or a transport failure becomes a model or one of the core's tagged errors
 * (docs/protocol.md#responses, docs/protocol.md#errors). Each call carries its `Call` (what was asked, how to decode the answer, how to
 * recognise it); nothing here keeps a request, a response, a raw cause or a 200 body, since those
 * may print the session token or a secret value.
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type { Parameter } from "@secrets-config/core/Parameter"
import type { Secret } from "@secrets-config/core/Secret"
import type { ParameterRequest, SecretRequest } from "@secrets-config/core/SecretsConfig"
import {
  ExtensionUnreachable,
  InvalidRequest,
  InvalidResponse,
  type SecretsConfigError
} from "@secrets-config/core/SecretsConfigError"
import * as Wire from "@secrets-config/core/Wire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as internalAttempt from "./attempt.js"

/** What a call was for, carried into every error. */
export interface Subject {
  readonly kind: "parameter" | "secret"
  /** The parameter name or secret id, as asked. */
  readonly resource: string
  /** The endpoint's base URL, for `ExtensionUnreachable`. */
  readonly url: string
}

/** One call to the endpoint: what was asked, where, and how to read the answer. */
export interface Call<A> extends Subject {
  /** `"a GetParameter answer"`, for `InvalidResponse`. */
  readonly what: string
  readonly decode: (body: unknown) => Either.Either<A, ReadonlyArray<string>>
  /** Whether a decoded answer is for what was asked; the name it gives otherwise. */
  readonly mismatch: (model: A) => string | undefined
}

/** A GetParameter call. The answer must name the parameter asked for (by name or ARN). */
export const parameterCall = (request: ParameterRequest, url: string): Call<Parameter> => ({
  kind: "parameter",
  resource: request.name,
  url,
  what: "a GetParameter answer",
  decode: Wire.decodeGetParameter,
  mismatch: (parameter) =>
    parameter.name === request.baseName || parameter.name === request.name || parameter.arn === request.baseName
      ? undefined
      : parameter.name
})

/** A GetSecretValue call. The answer must name the secret asked for (by name, ARN or partial ARN). */
export const secretCall = (request: SecretRequest, url: string): Call<Secret> => ({
  kind: "secret",
  resource: request.secretId,
  url,
  what: "a GetSecretValue answer",
  decode: Wire.decodeGetSecretValue,
  mismatch: (secret) => (isSecret(request.secretId, secret) ? undefined : secret.name)
})

/** A secret id (a name, a full ARN, or an ARN without its six-character suffix) matches the secret. */
const isSecret = (id: string, secret: Secret): boolean =>
  secret.name === id ||
  secret.arn === id ||
  (id.startsWith("arn:") && secret.arn.length === id.length + 7 && secret.arn.startsWith(`${id}-`))

const MAX_ISSUES = 5
const MAX_NAME_SHOWN = 200

const invalid = (call: Subject, status: number | undefined, reason: string): InvalidResponse =>
  new InvalidResponse({
    kind: call.kind,
    resource: call.resource,
    ...(status === undefined ? {} : { status }),
    reason
  })

// --- transport -------------------------------------------------------------------------------

/** What a Node/undici error code looks like; only a string of this shape is ever read from a cause. */
export const CODE = /^[A-Z][A-Z0-9_]{1,40}$/

/**
 * Finds a Node/undici error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, …) in a cause chain without
 * printing anything: only a string property that looks like a code is read.
 */
export const errorCode = (cause: unknown): string | undefined => {
  let current: unknown = cause
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { readonly code?: unknown }).code
    if (typeof code === "string" && CODE.test(code)) return code
    const errors = (current as { readonly errors?: unknown }).errors
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = errorCode(errors[0])
      if (inner !== undefined) return inner
    }
    current = (current as { readonly cause?: unknown }).cause
  }
  return undefined
}

const transportReason = (code: string | undefined): string => {
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused"
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
      return "connection reset"
    case "UND_ERR_CLOSED":
      return "connection closed"
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connect timed out"
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return "the HTTP client's own timeout expired"
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found"
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable"
    case "EADDRNOTAVAIL":
      return "address not available"
    case undefined:
      return "transport error"
    default:
      return `transport error ${code}`
  }
}

/** A request that never got a whole answer: refused, reset, unresolvable, … Always transient. */
const unreachable = (call: Subject, cause: unknown, what?: string): ExtensionUnreachable => {
  const code = errorCode(cause)
  const reason = transportReason(code)
  return new ExtensionUnreachable({
    kind: call.kind,
    resource: call.resource,
    url: call.url,
    reason: what === undefined ? reason : `${what} (${reason})`,
    ...(code === undefined ? {} : { cause: code })
  })
}

const tooLarge = (call: Subject, status: number | undefined, limit: number) =>
  invalid(call, status, `the answer is larger than ${limit} bytes (maxResponseBytes); reading stopped there`)

/**
 * A `RequestError` (no whole answer came back) as the core's error; never keeps the request. A
 * transport's own timeout is not mapped here: the caller knows which deadline it set.
 */
export const fromRequestError = (call: Subject, error: HttpClientError.RequestError): SecretsConfigError => {
  if (error.cause instanceof internalAttempt.TooLarge) return tooLarge(call, undefined, error.cause.limit)
  return error.reason === "Transport"
    ? unreachable(call, error.cause)
    : // The client could not build the request (Encode, InvalidUrl): the same again would fail the same way.
      new InvalidRequest({
        kind: call.kind,
        resource: call.resource,
        reason: `the HTTP client could not build the request (${error.reason})`
      })
}

// --- answers ---------------------------------------------------------------------------------

/**
 * The Agent's health check answer: `200 healthy` (docs/protocol.md#ping); anything else is the
 * error its status and body say, as for any call.
 */
export const readPing = (
  call: Subject,
  response: HttpClientResponse.HttpClientResponse,
  bounded: boolean
): Effect.Effect<void, SecretsConfigError> => {
  const early = refused(call, response)
  if (early !== undefined) return Effect.fail(early)
  return Effect.flatMap(readBody(call, response, 4096, bounded), (bytes) => {
    const text = lenient.decode(bytes).trim()
    if (response.status === 200) {
      return text === "healthy"
        ? Effect.void
        : Effect.fail(invalid(call, 200, "the health check answered 200 without `healthy`"))
    }
    return Effect.fail(
      Wire.errorFromResponse({ kind: call.kind, resource: call.resource, status: response.status, body: text })
    )
  })
}

const strict = new TextDecoder("utf-8", { fatal: true })
const lenient = new TextDecoder()

/**
 * Reads the body of an answer: at most `limit` bytes actually read, whatever `Content-Length`
 * says. A transport that already bounded the body (`bounded`) hands it over whole. From any other,
 * an answer with a `Content-Length` within the limit (and no encoding: see `refused`, checked
 * first) is read in one go, its length checked again; one without is streamed and stops at the
 * limit (the stream's end aborts the request).
 */
const readBody = (
  call: Subject,
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  bounded: boolean
): Effect.Effect<Uint8Array, SecretsConfigError> => {
  const status = response.status
  const length = response.headers["content-length"]
  if (length !== undefined && Number(length) > limit) return Effect.fail(tooLarge(call, status, limit))
  if (bounded) {
    return Effect.map(Effect.orDie(response.arrayBuffer), (buffer) => new Uint8Array(buffer))
  }
  if (length !== undefined && /^\d+$/.test(length)) {
    return Effect.matchEffect(response.arrayBuffer, {
      onFailure: (error) =>
        Effect.fail(unreachable(call, error.cause, "the connection closed while the answer was being read")),
      onSuccess: (buffer) =>
        buffer.byteLength > limit ? Effect.fail(tooLarge(call, status, limit)) : Effect.succeed(new Uint8Array(buffer))
    })
  }
  const chunks: Array<Uint8Array> = []
  let size = 0
  return response.stream.pipe(
    Stream.runForEachChunk((chunk) => {
      for (const bytes of chunk) {
        size += bytes.length
        if (size > limit) return Effect.fail(tooLarge(call, status, limit))
        chunks.push(bytes)
      }
      return Effect.void
    }),
    Effect.catchAll((error): Effect.Effect<void, SecretsConfigError> => {
      if (error._tag === "InvalidResponse") return Effect.fail(error)
      // No body at all (a bodiless 401, say) reads as empty.
      return error.reason === "EmptyBody"
        ? Effect.void
        : Effect.fail(unreachable(call, error.cause, "the connection closed while the answer was being read"))
    }),
    Effect.map(() => {
      if (chunks.length === 1) return chunks[0]!
      const all = new Uint8Array(size)
      let offset = 0
      for (const bytes of chunks) {
        all.set(bytes, offset)
        offset += bytes.length
      }
      return all
    }),
    // Stream's inner fibers log their failure ("Fiber terminated with an unhandled error", at
    // Debug) with the raw cause, which holds the request and the transport's message: the failure
    // is handled here, so that log is only noise, and a risk.
    Effect.withUnhandledErrorLogLevel(Option.none())
  )
}

/**
 * What the headers alone say is wrong: a redirect (never followed: the token must stay with the
 * endpoint), or an encoded body (we ask for `identity`; a compressed body could be far larger than
 * the bytes counted).
 */
const refused = (call: Subject, response: HttpClientResponse.HttpClientResponse): InvalidResponse | undefined => {
  const status = response.status
  if (status >= 300 && status < 400) {
    return invalid(
      call,
      status,
      `the endpoint answered with a redirect (status ${status}); redirects are never followed, so the token never leaves the endpoint`
    )
  }
  const encoding = response.headers["content-encoding"]
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity" && encoding.trim() !== "") {
    return invalid(
      call,
      status,
      `the body is encoded (Content-Encoding ${JSON.stringify(encoding.slice(0, 40))}); only identity is accepted`
    )
  }
  return undefined
}

/** A 200 body as the model. `JSON.parse`'s own message is never used: it quotes the body, a secret. */
const decodeSuccess = <A>(call: Call<A>, bytes: Uint8Array): Either.Either<A, SecretsConfigError> => {
  let text: string
  try {
    text = strict.decode(bytes)
  } catch {
    return Either.left(invalid(call, 200, "the body is not valid UTF-8"))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(invalid(call, 200, text.trim().length === 0 ? "the body is empty" : "the body is not JSON"))
  }
  const decoded = call.decode(json)
  if (Either.isLeft(decoded)) {
    const issues = decoded.left
    const shown = issues.slice(0, MAX_ISSUES).join("; ") + (issues.length > MAX_ISSUES ? "; …" : "")
    return Either.left(invalid(call, 200, `the body is not ${call.what}: ${shown}`))
  }
  const other = call.mismatch(decoded.right)
  if (other !== undefined) {
    const shown = other.length > MAX_NAME_SHOWN ? `${other.slice(0, MAX_NAME_SHOWN)}…` : other
    return Either.left(
      invalid(call, 200, `the answer is for another ${call.kind} (${JSON.stringify(shown)}), not the one asked for`)
    )
  }
  return Either.right(decoded.right)
}

/**
 * An answer as the model or the core's error: headers checked first, then the body read within
 * `limit`, then a 200 decoded (strict UTF-8, JSON, the envelope, the name) or any other status
 * mapped by `Wire.errorFromResponse`.
 */
export const read = <A>(
  call: Call<A>,
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  bounded: boolean
): Effect.Effect<A, SecretsConfigError> => {
  const early = refused(call, response)
  if (early !== undefined) return Effect.fail(early)
  const status = response.status
  return Effect.flatMap(
    readBody(call, response, limit, bounded),
    (bytes): Either.Either<A, SecretsConfigError> =>
      status === 200
        ? decodeSuccess(call, bytes)
        : Either.left(
            Wire.errorFromResponse({ kind: call.kind, resource: call.resource, status, body: lenient.decode(bytes) })
          )
  )
}
