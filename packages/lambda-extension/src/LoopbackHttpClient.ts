/**
 * A lean `HttpClient` for one job: short requests to an HTTP endpoint on this machine (the AWS
 * Parameters and Secrets Lambda Extension, the Secrets Manager Agent), answered with small bodies.
 * Built with `HttpClient.make` over `node:http` with a keep-alive agent, it skips what costs a
 * Lambda cold start and CPU in `fetch` (undici's lazy initialisation, web `Request`/`Response`
 * objects, body streams): the whole answer is read into memory while the request runs, then handed
 * over at once.
 *
 * It never follows a redirect, never decompresses (it asks for `Accept-Encoding: identity` unless
 * the request says otherwise), stops reading at a byte limit and destroys the socket there, and ends
 * every request at a deadline by destroying its socket, so an abandoned request holds nothing open.
 * Under `LambdaExtension`, the limit and the deadline are the layer's own (`maxResponseBytes`, the
 * attempt's `timeout` or what is left of the call's deadline).
 *
 * Its timer is a real-time socket deadline: `TestClock` does not drive it (the layer's tests over
 * in-memory clients do).
 *
 * @since 0.2.0
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import * as internalAttempt from "./internal/attempt.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * The agent to send requests with. Default: one made for the client (keep-alive, last-used
   * socket first), destroyed when the client's scope closes.
   */
  readonly agent?: Http.Agent | undefined
  /**
   * Time allowed for one request, from sending it to the last byte of the answer, when the caller
   * sets none (default 10 seconds). `LambdaExtension` sets its own for each attempt.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * The largest body read, in bytes, when the caller sets none (default 1 MiB). A larger one fails
   * the request with a `RequestError` and its socket is destroyed. `LambdaExtension` sets its own
   * (`maxResponseBytes`).
   */
  readonly maxResponseBytes?: number | undefined
}

/**
 * @since 0.2.0
 * @category defaults
 */
export const defaults = {
  timeout: Duration.seconds(10),
  maxResponseBytes: 1024 * 1024
} as const

/**
 * Builds the client. Its agent (unless given) lives as long as the scope.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.flatMap(loadHttp, (http) =>
    Effect.map(
      options.agent === undefined
        ? Effect.acquireRelease(
            Effect.sync(() => new http.Agent({ keepAlive: true, scheduling: "lifo" })),
            (agent) => Effect.sync(() => agent.destroy())
          )
        : Effect.succeed(options.agent),
      (agent) => fromAgent(http, agent, options)
    )
  )

/**
 * `node:http`, loaded when a client is made, not when this module is imported. Through
 * `process.getBuiltinModule` where Node has it (20.16+, 22.3+): on Node 22 a static
 * `import * as http from "node:http"` builds the module's whole namespace, whose `WebSocket`
 * getters load undici (+35 ms of cold start, BENCHMARKS.md P1), which this client never uses.
 */
const loadHttp: Effect.Effect<typeof Http> = Effect.suspend(() => {
  const builtin = (
    globalThis.process as { readonly getBuiltinModule?: (id: string) => unknown } | undefined
  )?.getBuiltinModule?.("node:http")
  return builtin !== undefined ? Effect.succeed(builtin as typeof Http) : Effect.promise(() => import("node:http"))
})

/**
 * The client as the application's `HttpClient`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(HttpClient.HttpClient, make(options))

const fromAgent = (http: typeof Http, agent: Http.Agent, options: Options): HttpClient.HttpClient => {
  const fallback: internalAttempt.Limits = {
    timeoutMillis: Duration.toMillis(Duration.decode(options.timeout ?? defaults.timeout)),
    maxBytes: options.maxResponseBytes ?? defaults.maxResponseBytes
  }
  const client = HttpClient.make((request, url, _signal, fiber) => {
    const limits = fiber.getFiberRef(internalAttempt.currentLimits) ?? fallback
    return send(http, agent, request, url, limits)
  })
  return Object.assign(client, { [internalAttempt.BoundedTypeId]: internalAttempt.BoundedTypeId })
}

/** Above this, Node's timers fire at once: such a deadline is no deadline. */
const MAX_TIMER_MILLIS = 2 ** 31 - 1

const send = (
  http: typeof Http,
  agent: Http.Agent,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  limits: internalAttempt.Limits
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  if (url.protocol !== "http:") {
    return Effect.fail(
      new HttpClientError.RequestError({ request, reason: "InvalidUrl", description: "only http: URLs are served" })
    )
  }
  const body = request.body
  let payload: string | Uint8Array | undefined
  if (body._tag === "Uint8Array") payload = body.body
  else if (body._tag === "Raw" && (typeof body.body === "string" || body.body instanceof Uint8Array)) {
    payload = body.body
  } else if (body._tag !== "Empty") {
    return Effect.fail(
      new HttpClientError.RequestError({ request, reason: "Encode", description: "only in-memory bodies are sent" })
    )
  }
  const headers: Record<string, string> = { ...request.headers }
  if (headers["accept-encoding"] === undefined) headers["accept-encoding"] = "identity"
  if (payload !== undefined) {
    headers["content-length"] = String(typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength)
    if (body._tag !== "Empty" && body.contentType !== undefined && headers["content-type"] === undefined) {
      headers["content-type"] = body.contentType
    }
  }
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
  const { maxBytes, timeoutMillis } = limits

  return Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
    let current: Http.ClientRequest | undefined
    let settled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let resent = false

    // Ends the exchange once: the timer cleared, the socket destroyed unless the answer was whole.
    const settle = (
      outcome: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>,
      destroy: boolean
    ) => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      if (destroy) current?.destroy()
      resume(outcome)
    }
    const fail = (cause: unknown, destroy = true) =>
      settle(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })), destroy)

    const start = () => {
      let req: Http.ClientRequest
      try {
        req = http.request({
          agent,
          host: hostname,
          port: url.port === "" ? 80 : Number(url.port),
          path: url.pathname + url.search,
          method: request.method,
          headers
        })
      } catch (cause) {
        // Node refuses a header it cannot send (a CR or LF in a value) before any I/O.
        settle(Effect.fail(new HttpClientError.RequestError({ request, reason: "Encode", cause })), false)
        return
      }
      current = req
      // After a resend, what the first request's objects still emit is no longer this exchange's.
      const live = () => req === current
      req.on("response", (res) => {
        if (!live()) return
        const length = res.headers["content-length"]
        if (length !== undefined && Number(length) > maxBytes) return fail(new internalAttempt.TooLarge(maxBytes))
        const chunks: Array<Buffer> = []
        let size = 0
        res.on("data", (chunk: Buffer) => {
          if (!live()) return
          size += chunk.length
          if (size > maxBytes) return fail(new internalAttempt.TooLarge(maxBytes))
          chunks.push(chunk)
        })
        res.on("end", () => {
          if (!live()) return
          const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
          settle(Effect.succeed(new LoopbackResponse(request, res.statusCode ?? 0, res.headers, bytes)), false)
        })
        // The connection closed before the end of the answer.
        res.on("close", () => {
          if (live() && !res.complete) {
            fail(Object.assign(new Error("the connection closed mid-answer"), { code: "ECONNRESET" }))
          }
        })
        res.on("error", (cause) => {
          if (live()) fail(cause)
        })
      })
      req.on("error", (cause: NodeJS.ErrnoException) => {
        if (!live()) return
        // A kept-alive socket the server had closed or reset before answering: send once more on a
        // fresh socket, as Node's documentation advises for idempotent requests (GET is).
        if (!settled && !resent && req.reusedSocket && cause.code === "ECONNRESET") {
          resent = true
          return start()
        }
        fail(cause, false)
      })
      if (payload === undefined) req.end()
      else req.end(payload)
    }

    if (Number.isFinite(timeoutMillis) && timeoutMillis <= MAX_TIMER_MILLIS) {
      timer = setTimeout(() => fail(new internalAttempt.TimedOut(timeoutMillis)), Math.max(0, timeoutMillis))
    }
    start()
    // Interrupted: the request is destroyed now, its socket with it.
    return Effect.sync(() => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      current?.destroy()
    })
  })
}

const decoder = new TextDecoder()

/** A whole answer in memory. */
class LoopbackResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  private cachedHeaders: Headers.Headers | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    private readonly rawHeaders: Http.IncomingHttpHeaders,
    private readonly bytes: Uint8Array
  ) {
    super()
  }

  get headers(): Headers.Headers {
    return (this.cachedHeaders ??= Headers.fromInput(this.rawHeaders))
  }

  get cookies(): Cookies.Cookies {
    return Cookies.fromSetCookie(this.rawHeaders["set-cookie"] ?? [])
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    const { buffer, byteLength, byteOffset } = this.bytes
    return Effect.succeed(
      byteOffset === 0 && byteLength === buffer.byteLength
        ? (buffer as ArrayBuffer)
        : (buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer)
    )
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.sync(() => decoder.decode(this.bytes))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => (this.bytes.byteLength === 0 ? null : (JSON.parse(decoder.decode(this.bytes)) as unknown)),
      catch: (cause) =>
        new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.fail(
      new HttpClientError.ResponseError({
        request: this.request,
        response: this,
        reason: "Decode",
        description: "LoopbackHttpClient does not read form data"
      })
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.succeed(this.bytes)
  }

  toJSON(): unknown {
    // Neither the request (its headers hold the token) nor the body (a secret).
    return { _id: "@secrets-config/lambda-extension/LoopbackHttpClient/Response", status: this.status }
  }
}
