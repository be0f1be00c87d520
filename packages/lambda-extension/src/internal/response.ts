/**
 * Maps what the endpoint answered — a status and a plain-text (or Agent JSON) body, or a transport
 * failure — to the core's tagged errors (PROTOCOL §2–§3). Status first; error bodies are read as
 * text and trimmed, never parsed blindly; nothing here keeps a request, a response, a raw cause or a
 * 200 body, since those may print the session token or a secret value.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { ExtensionUnreachable, InvalidResponse, type SecretsConfigError } from "@secrets-config/core/SecretsConfigError"

/** What a request was for, carried into every error. */
export interface Target {
  readonly kind: "parameter" | "secret"
  /** The parameter name or secret id. */
  readonly resource: string
  /** The endpoint's base URL, for `ExtensionUnreachable`. */
  readonly url: string
}

const MAX_ISSUES = 5

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

/** A request that never got a response: refused, reset, unresolvable, … Always transient. */
export const unreachable = (target: Target, cause: unknown, what?: string): ExtensionUnreachable => {
  const code = errorCode(cause)
  const reason = transportReason(code)
  return new ExtensionUnreachable({
    kind: target.kind,
    resource: target.resource,
    url: target.url,
    reason: what === undefined ? reason : `${what} (${reason})`,
    ...(code === undefined ? {} : { cause: code })
  })
}

/** A `RequestError` (nothing came back) as the core's error; never keeps the request. */
export const fromRequestError = (target: Target, error: HttpClientError.RequestError): ExtensionUnreachable =>
  error.reason === "Transport"
    ? unreachable(target, error.cause)
    : new ExtensionUnreachable({
        kind: target.kind,
        resource: target.resource,
        url: target.url,
        reason: `the request could not be sent (${error.reason})`
      })

// --- bodies ----------------------------------------------------------------------------------

/** Reading the body failed: too large, or the connection dropped mid-body. */
export type BodyError =
  | { readonly _tag: "TooLarge"; readonly limit: number }
  | { readonly _tag: "Dropped"; readonly cause: unknown }

const decoder = new TextDecoder()

const tooLarge = (limit: number): BodyError => ({ _tag: "TooLarge", limit })

/**
 * Reads a body as text, at most `limit` bytes. With a `Content-Length` the size is checked before
 * reading and the body read in one go (the usual case: both endpoints send it); without one, it is
 * streamed and stops at the limit.
 */
export const readBody = (
  response: HttpClientResponse.HttpClientResponse,
  contentLength: string | undefined,
  limit: number
): Effect.Effect<string, BodyError> => {
  if (contentLength !== undefined) {
    const length = Number(contentLength)
    if (Number.isFinite(length) && length >= 0) {
      if (length > limit) return Effect.fail(tooLarge(limit))
      if (length === 0) return Effect.succeed("")
      return Effect.mapError(response.text, (error): BodyError => ({ _tag: "Dropped", cause: error.cause }))
    }
  }
  const chunks: Array<Uint8Array> = []
  let size = 0
  return response.stream.pipe(
    Stream.runForEachChunk((chunk) => {
      for (const bytes of chunk) {
        size += bytes.length
        if (size > limit) return Effect.fail(tooLarge(limit))
        chunks.push(bytes)
      }
      return Effect.void
    }),
    Effect.catchAll((error): Effect.Effect<void, BodyError> => {
      if ("_tag" in error && (error._tag === "TooLarge" || error._tag === "Dropped")) return Effect.fail(error)
      const responseError = error as HttpClientError.ResponseError
      // No body at all (a bodiless 401, say) reads as "".
      return responseError.reason === "EmptyBody"
        ? Effect.void
        : Effect.fail({ _tag: "Dropped", cause: responseError.cause })
    }),
    Effect.map(() => {
      if (chunks.length === 1) return decoder.decode(chunks[0])
      const all = new Uint8Array(size)
      let offset = 0
      for (const bytes of chunks) {
        all.set(bytes, offset)
        offset += bytes.length
      }
      return decoder.decode(all)
    }),
    // Stream's inner fibers log their failure ("Fiber terminated with an unhandled error", at
    // Debug) with the raw cause, which holds the request and the transport's message: the failure
    // is handled here, so that log is only noise, and a risk.
    Effect.withUnhandledErrorLogLevel(Option.none())
  )
}

/** A body that could not be read, as the core's error. */
export const fromBodyError = (target: Target, status: number, error: BodyError): SecretsConfigError =>
  error._tag === "TooLarge"
    ? new InvalidResponse({
        kind: target.kind,
        resource: target.resource,
        status,
        reason: `the answer is larger than ${error.limit} bytes (maxResponseBytes)`
      })
    : // The connection dropped mid-body: the endpoint was there, but the answer is lost. Transient.
      unreachable(target, error.cause, "the connection closed while the answer was being read")

// --- success ---------------------------------------------------------------------------------

/** Decodes a 200 body; the failure is a safe issue list (paths and expected types only). */
export type Decoder<A> = (body: unknown) => Either.Either<A, ReadonlyArray<string>>

/**
 * A 200 body as the model. `JSON.parse`'s own message is never used: it quotes the body, which is a
 * secret.
 */
export const decodeSuccess = <A>(
  target: Target,
  text: string,
  decode: Decoder<A>,
  what: string
): Either.Either<A, InvalidResponse> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(
      new InvalidResponse({
        kind: target.kind,
        resource: target.resource,
        status: 200,
        reason: text.trim().length === 0 ? "the body is empty" : "the body is not JSON"
      })
    )
  }
  const decoded = decode(json)
  if (Either.isRight(decoded)) return Either.right(decoded.right)
  const issues = decoded.left
  const shown = issues.slice(0, MAX_ISSUES).join("; ") + (issues.length > MAX_ISSUES ? "; …" : "")
  return Either.left(
    new InvalidResponse({
      kind: target.kind,
      resource: target.resource,
      status: 200,
      reason: `the body is not ${what}: ${shown}`
    })
  )
}
