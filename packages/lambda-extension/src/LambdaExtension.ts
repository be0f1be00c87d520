/**
 * The live `SecretsConfig` layer: reads parameters and secrets from the AWS Parameters and Secrets
 * Lambda Extension, or the AWS Secrets Manager Agent, over HTTP on `127.0.0.1:2773`. `layerNode`
 * brings our lean `LoopbackHttpClient` (the default), `layerFetch` brings `FetchHttpClient`, and
 * `layer` uses the application's own `HttpClient`. The endpoint's behaviour is described, with its
 * evidence, in docs/protocol.md.
 *
 * Every call is validated before any I/O, carries the session token in a header that is redacted
 * from logs and spans, runs each attempt under a timeout, retries only transient failures with
 * jittered exponential backoff, and never outlives its deadline (see `withRemainingTime` for
 * Lambda's remaining time). Whatever the client: a redirect is never followed (`InvalidResponse`),
 * a body must come unencoded and is counted against `maxResponseBytes` as it is read, a 200 body
 * must be valid UTF-8 and name what was asked for, and an attempt that ends closes its request
 * before its `maxConcurrency` slot is freed.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigPolicy from "@secrets-config/core/SecretsConfigPolicy"
import {
  InvalidRequest,
  MissingToken,
  RequestTimeout,
  type SecretsConfigError
} from "@secrets-config/core/SecretsConfigError"
import * as Metrics from "@secrets-config/core/SecretsConfigMetrics"
import type * as Wire from "@secrets-config/core/Wire"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as internalAnswer from "./internal/answer.js"
import * as internalAttempt from "./internal/attempt.js"
import * as internalPermits from "./internal/permits.js"
import * as internalRequest from "./internal/request.js"
import * as internalToken from "./internal/token.js"
import * as LoopbackHttpClient from "./LoopbackHttpClient.js"

/**
 * Which server listens on the port: the AWS Parameters and Secrets Lambda Extension
 * (`"extension"`, both stores) or the AWS Secrets Manager Agent (`"agent"`, Secrets Manager only;
 * it also reads its token from `AWS_TOKEN`, `file://` paths included).
 *
 * @since 0.1.0
 * @category models
 */
export type Dialect = Wire.Dialect

/**
 * Options of the layer. Each one may also come from `Config` (see `layerConfig`); they are read
 * once, when the layer is built.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Default `127.0.0.1` (not `localhost`: Node may resolve it to `::1`, and Lambda has no IPv6).
   * A host that is not a loopback address is refused unless `allowNonLoopbackHost` is set: the
   * session token must not leave the machine.
   */
  readonly host?: string | undefined
  /** Allow a `host` that is not a loopback address (default `false`). */
  readonly allowNonLoopbackHost?: boolean | undefined
  /** Default `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`, else 2773. */
  readonly port?: number | undefined
  /**
   * Default from the environment: `AWS_SESSION_TOKEN`; in the `agent` dialect the first set of
   * `AWS_TOKEN` (a `file://` value is read from the file and trimmed), `AWS_SESSION_TOKEN`,
   * `AWS_CONTAINER_AUTHORIZATION_TOKEN`. None → each call fails with `MissingToken`.
   */
  readonly token?: Redacted.Redacted<string> | undefined
  /** Default `"extension"`. */
  readonly dialect?: Dialect | undefined
  /**
   * Time allowed for one attempt, from sending the request to the last byte of the answer
   * (default 1 second). Waiting for a `maxConcurrency` slot counts against the deadline only.
   * `Duration.infinity` disables it.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Time allowed for a whole call, retries and backoff included (default 5 seconds). A shorter
   * deadline set with `withDeadline` / `withRemainingTime` wins.
   */
  readonly deadline?: Duration.DurationInput | undefined
  /**
   * When to retry a transient failure (its input is the error). Default: exponential from 25 ms,
   * factor 2, jittered, at most 5 retries. Only transient errors are retried
   * (`SecretsConfigError.isTransient`), and never past the deadline.
   */
  readonly retry?: Schedule.Schedule<unknown, SecretsConfigError> | undefined
  /**
   * Opt-in, for mass scale-outs: during the first seconds after the layer is built (default 10 s),
   * also retry the extension's ambiguous 400, which is how it reports Parameter Store throttling,
   * with jittered backoff (from 100 ms, at most 2 s a wait) inside the deadline. The cost: in that
   * window a name that is really missing fails only at the deadline. See
   * `SecretsConfigPolicy.Options.coldStartRetry` and the README's "At scale".
   */
  readonly coldStartRetry?: SecretsConfigPolicy.Options["coldStartRetry"]
  /**
   * Requests open to the endpoint at once from this layer (default 16; `Infinity` for no limit): a
   * slot is taken before a request is sent and freed only once its attempt has ended and the
   * request is closed (answered, or aborted with its socket destroyed). It cannot bound work the
   * endpoint goes on doing for a request the client abandoned.
   */
  readonly maxConcurrency?: number | undefined
  /**
   * The largest answer read, in bytes (default 1 MiB), counted as the body is read (not as
   * `Content-Length` claims); reading stops there and the call fails with `InvalidResponse`.
   */
  readonly maxResponseBytes?: number | undefined
  /** Adapts the application's `HttpClient` once, when the layer is built. */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The defaults of `Options`.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaults = {
  host: "127.0.0.1",
  port: 2773,
  portVariable: "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT",
  dialect: "extension" as Dialect,
  timeout: SecretsConfigPolicy.defaults.timeout,
  deadline: SecretsConfigPolicy.defaults.deadline,
  maxConcurrency: 16,
  maxResponseBytes: 1024 * 1024,
  /** Kept free by `withRemainingTime` for the handler's own work after the last read. */
  safetyMargin: SecretsConfig.defaultSafetyMargin
} as const

/**
 * The default retry schedule: exponential backoff from 25 ms with factor 2 (25, 50, 100, 200,
 * 400 ms), each delay jittered between 80% and 120%, at most 5 retries (6 attempts). The same as
 * `SecretsConfigPolicy.defaultRetry`: the live layer runs every call under core's policy.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRetry: Schedule.Schedule<unknown, SecretsConfigError> = SecretsConfigPolicy.defaultRetry

/**
 * The header carrying the session token (names are case-insensitive). It is added to
 * `Headers.currentRedactedNames` for every call.
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenHeader: string = internalRequest.TOKEN_HEADER

// --- deadline ------------------------------------------------------------------------------

/**
 * The deadline of the `SecretsConfig` calls in this fiber (core's `SecretsConfig.currentDeadline`),
 * set by `withDeadline` / `withRemainingTime`; `undefined` leaves only the layer's `deadline`.
 *
 * @since 0.1.0
 * @category deadline
 */
export const currentDeadline: FiberRef.FiberRef<SecretsConfig.Deadline | undefined> = SecretsConfig.currentDeadline

/**
 * Runs an effect with every `SecretsConfig` call inside it ending within `budget` from now (or
 * sooner, under an earlier deadline already in force). A call that would run past it fails with
 * `RequestTimeout` (scope `"deadline"`), or with its last transient error when no retry fits. The
 * same as core's `SecretsConfig.withDeadline`.
 *
 * @since 0.1.0
 * @category deadline
 */
export const withDeadline: typeof SecretsConfig.withDeadline = SecretsConfig.withDeadline

/**
 * The part of a Lambda `context` this module reads.
 *
 * @since 0.1.0
 * @category deadline
 */
export type RemainingTime = SecretsConfig.RemainingTime

/**
 * Runs an effect with every `SecretsConfig` call inside it ending before the Lambda invocation
 * times out, less a safety margin (default 500 ms) left for the handler's own work:
 * `handler = (event, context) => program.pipe(LambdaExtension.withRemainingTime(context), ...)`.
 * The same as core's `SecretsConfig.withRemainingTime`.
 *
 * @since 0.1.0
 * @category deadline
 */
export const withRemainingTime: typeof SecretsConfig.withRemainingTime = SecretsConfig.withRemainingTime

// --- options -------------------------------------------------------------------------------

interface Resolved {
  readonly url: string
  readonly dialect: Dialect
  readonly token: internalToken.ResolvedToken
  readonly policy: SecretsConfigPolicy.Policy
  readonly maxConcurrency: number
  readonly maxResponseBytes: number
  readonly transformClient: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

const invalid = (key: string, message: string) => Effect.fail(ConfigError.InvalidData([key], message))

const portFromEnv = Config.integer(defaults.portVariable).pipe(Config.withDefault(defaults.port))

const resolveOptions = (options: Options): Effect.Effect<Resolved, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const host = options.host ?? defaults.host
    if (typeof host !== "string" || host.length === 0 || /[\s/?#@]/.test(host)) {
      return yield* invalid("host", `host must be a host name or an IP address, got ${JSON.stringify(host)}`)
    }
    if (!internalRequest.isLoopbackHost(host) && options.allowNonLoopbackHost !== true) {
      return yield* invalid(
        "host",
        `host ${JSON.stringify(host)} is not a loopback address; the session token must not leave the machine. ` +
          `Use 127.0.0.1, or set allowNonLoopbackHost if the endpoint really is elsewhere`
      )
    }
    const port = options.port ?? (yield* portFromEnv)
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      return yield* invalid("port", `port must be an integer from 1 to 65535, got ${port}`)
    }
    const dialect = options.dialect ?? defaults.dialect
    if (dialect !== "extension" && dialect !== "agent") {
      return yield* invalid("dialect", `dialect must be "extension" or "agent", got ${JSON.stringify(dialect)}`)
    }
    const policy = yield* SecretsConfigPolicy.resolve(options)
    const maxConcurrency = options.maxConcurrency ?? defaults.maxConcurrency
    if (!(maxConcurrency === Infinity || (Number.isInteger(maxConcurrency) && maxConcurrency >= 1))) {
      return yield* invalid("maxConcurrency", `maxConcurrency must be a positive integer, got ${maxConcurrency}`)
    }
    const maxResponseBytes = options.maxResponseBytes ?? defaults.maxResponseBytes
    if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 1) {
      return yield* invalid("maxResponseBytes", `maxResponseBytes must be a positive integer, got ${maxResponseBytes}`)
    }
    const token = yield* internalToken.resolve(dialect, options.token)
    return {
      url: internalRequest.baseUrl(host, port),
      dialect,
      token,
      policy,
      maxConcurrency,
      maxResponseBytes,
      transformClient: options.transformClient
    }
  })

// --- the service ---------------------------------------------------------------------------

// The redacted names rarely change: remember the last list extended, not to copy it on every call.
let lastNames: ReadonlyArray<string | RegExp> | undefined
let lastWithToken: ReadonlyArray<string | RegExp> = []
const addTokenHeader = (names: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> => {
  if (names === lastNames) return lastWithToken
  const extended = names.includes(internalRequest.TOKEN_HEADER) ? names : [...names, internalRequest.TOKEN_HEADER]
  lastNames = names
  lastWithToken = extended
  return extended
}

const EXTENSION_HAS_NO_ROLES =
  'roleArn is served only by the Secrets Manager Agent (dialect "agent"); the AWS Parameters and Secrets ' +
  "Lambda Extension reads with the function's own role"

const AGENT_HAS_NO_PARAMETERS =
  'the Secrets Manager Agent (dialect "agent") serves only Secrets Manager, it has no Parameter Store path; ' +
  'read secrets with getSecret, or use the AWS Parameters and Secrets Lambda Extension (dialect "extension") for parameters'

/**
 * Makes a client that is not ours as safe as it allows: `fetch` never follows a redirect (its
 * `RequestInit` gets `redirect: "manual"`), and every request is tied to the attempt's scope, so
 * the attempt's end (a timeout, an interruption, a body left unread) aborts it at once.
 */
const guarded = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.withScope(
    HttpClient.transformResponse(client, (effect) =>
      Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
        Effect.provideService(effect, FetchHttpClient.RequestInit, {
          ...Option.getOrUndefined(init),
          redirect: "manual"
        })
      )
    )
  ) as HttpClient.HttpClient

/**
 * Builds the service: reads the options (and the environment, through the current
 * `ConfigProvider`) once, resolves the token, and precomputes the request base. Fails with a
 * `ConfigError` for invalid options (a non-loopback host among them); a missing or unusable token
 * fails each call with `MissingToken` instead, before any I/O.
 *
 * Over a `LoopbackHttpClient` (what `layerNode` uses), each attempt's deadline and byte limit are
 * enforced on the socket; over any other client, by `Effect.timeoutFail` and a counted stream, and
 * the request is aborted when the attempt ends.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<SecretsConfig.SecretsConfig.Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const resolved = yield* resolveOptions(options)
    const base = yield* HttpClient.HttpClient
    // Our own client enforces each attempt's deadline and byte limit on the socket. A transformClient
    // around it may send more than once (retries) or do work of its own: then the attempt is also
    // bounded by Effect's timer and its request tied to the attempt's scope, as for any other client.
    const ours = internalAttempt.isBounded(base)
    const bounded = ours && resolved.transformClient === undefined
    const transformed = resolved.transformClient === undefined ? base : resolved.transformClient(base)
    // The platform's `http.client` span is off for these calls: its exit holds the raw request,
    // whose token header is redacted only when printed inside a fiber, so a tracer serialising
    // exits would see the token. The operation's span carries dialect, attempts and outcome
    // instead. A transformClient may turn it back on (`withTracerDisabledWhen(() => false)`).
    const client = HttpClient.withTracerDisabledWhen(bounded ? transformed : guarded(transformed), () => true)
    const permits = resolved.maxConcurrency === Infinity ? undefined : internalPermits.make(resolved.maxConcurrency)
    const { dialect, maxResponseBytes, policy, url } = resolved
    const token = resolved.token
    const requestsSent = Metric.tagged(Metrics.endpointRequests, "dialect", dialect)
    const retriesMade = Metric.tagged(Metrics.retries, "dialect", dialect)
    const baseRequest = HttpClientRequest.get(url).pipe(
      HttpClientRequest.setHeader("accept-encoding", "identity"),
      token._tag === "Found"
        ? HttpClientRequest.setHeader(internalRequest.TOKEN_HEADER, Redacted.value(token.token))
        : identity
    )

    /** One exchange: the request sent, the answer read, within `bound` milliseconds. */
    const exchange = <A>(
      call: internalAnswer.Call<A>,
      request: HttpClientRequest.HttpClientRequest,
      bound: number,
      onTimeout: () => RequestTimeout
    ): Effect.Effect<A, SecretsConfigError> => {
      const sent = send(client, call, request, onTimeout, (response) =>
        internalAnswer.read(call, response, maxResponseBytes, bounded)
      )
      const counted = Effect.suspend(() => {
        requestsSent.unsafeUpdate(1, [])
        return sent
      })
      const limited = ours
        ? Effect.locally(counted, internalAttempt.currentLimits, { timeoutMillis: bound, maxBytes: maxResponseBytes })
        : counted
      // Ours: the socket's own deadline and byte limit, no timer fiber.
      if (bounded) return limited
      // Any other client: Effect's timer; the scope's end aborts the request, whatever ended the attempt.
      return Effect.scoped(
        Number.isFinite(bound) ? Effect.timeoutFail(limited, { duration: bound, onTimeout }) : limited
      )
    }

    const around = permits === undefined ? undefined : permitted(permits)
    const runOptions: SecretsConfigPolicy.RunOptions = {
      around,
      retries: retriesMade,
      attributes: { "secrets_config.dialect": dialect }
    }
    const run = <A>(
      call: internalAnswer.Call<A>,
      request: HttpClientRequest.HttpClientRequest
    ): Effect.Effect<A, SecretsConfigError> =>
      SecretsConfigPolicy.run(
        policy,
        call,
        (bound, onTimeout) => exchange(call, request, bound, onTimeout),
        runOptions
      ).pipe(Effect.locallyWith(Headers.currentRedactedNames, addTokenHeader))

    const missingToken = (
      missing: Extract<internalToken.ResolvedToken, { _tag: "Missing" }>,
      kind: "parameter" | "secret",
      name: string
    ) =>
      Effect.fail(
        new MissingToken({
          kind,
          resource: name,
          variables: missing.variables,
          ...(missing.detail !== undefined ? { detail: missing.detail } : {})
        })
      )

    return SecretsConfig.make({
      getParameter: (request) => {
        if (dialect === "agent") {
          return Effect.fail(
            new InvalidRequest({ kind: "parameter", resource: request.name, reason: AGENT_HAS_NO_PARAMETERS })
          )
        }
        if (token._tag === "Missing") return missingToken(token, "parameter", request.name)
        return run(
          internalAnswer.parameterCall(request, url),
          HttpClientRequest.setUrl(baseRequest, url + internalRequest.parameterTarget(request))
        )
      },
      getSecret: (request) => {
        if (dialect === "extension" && Option.isSome(request.roleArn)) {
          return Effect.fail(
            new InvalidRequest({ kind: "secret", resource: request.secretId, reason: EXTENSION_HAS_NO_ROLES })
          )
        }
        if (token._tag === "Missing") return missingToken(token, "secret", request.secretId)
        return run(
          internalAnswer.secretCall(request, url),
          HttpClientRequest.setUrl(baseRequest, url + internalRequest.secretTarget(request, dialect))
        )
      }
    })
  })

/**
 * A free slot: no extra timer. Otherwise the attempt waits for one within the deadline only, so
 * that queueing behind other calls does not eat its own timeout. The permit is released only once
 * the attempt has ended and its request is closed.
 */
/**
 * Sends `request`: a transport failure becomes the call's error (`onTimeout()` when the attempt's
 * deadline ended it); any answer goes to `read`, whatever its status — a transformClient may turn
 * statuses into ResponseErrors (filterStatusOk), and the response is read anyway.
 */
const send = <A>(
  client: HttpClient.HttpClient,
  call: internalAnswer.Subject,
  request: HttpClientRequest.HttpClientRequest,
  onTimeout: () => RequestTimeout,
  read: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, SecretsConfigError>
): Effect.Effect<A, SecretsConfigError> =>
  Effect.matchEffect(client.execute(request), {
    onFailure: (error: HttpClientError.HttpClientError) =>
      error._tag === "RequestError"
        ? Effect.fail(
            error.cause instanceof internalAttempt.TimedOut ? onTimeout() : internalAnswer.fromRequestError(call, error)
          )
        : read(error.response),
    onSuccess: read
  })

const permitted =
  (permits: internalPermits.Permits): NonNullable<SecretsConfigPolicy.RunOptions["around"]> =>
  (timed, remaining, pastDeadline, deadlineAt) =>
    Effect.clockWith((clock) =>
      permits.ifFree(timed(remaining), () =>
        Effect.timeoutFail(
          permits.withPermit(Effect.suspend(() => timed(deadlineAt() - clock.unsafeCurrentTimeMillis()))),
          { duration: remaining, onTimeout: pastDeadline }
        )
      )
    )

// --- health ---------------------------------------------------------------------------------

/**
 * The Secrets Manager Agent's health check, as a readiness probe: `GET /ping` (no token needed)
 * must answer `200 healthy` within the `timeout` (default 1 s); otherwise it fails with the error
 * the answer says — `ExtensionUnreachable` while nothing listens, `Throttled` past the Agent's
 * connection limit, `RequestTimeout`. One attempt, no retry: the probe's caller decides when to
 * ask again. Only the agent dialect has it (the default here): the Lambda extension has no health
 * endpoint, so `dialect: "extension"` fails with `InvalidRequest` before any I/O.
 * docs/protocol.md#ping
 *
 * @since 0.2.0
 * @category health
 */
export const ping = (
  options: Options = {}
): Effect.Effect<void, SecretsConfigError | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const resolved = yield* resolveOptions({ ...options, dialect: options.dialect ?? "agent" })
    const call = { kind: "secret" as const, resource: internalRequest.PING_PATH, url: resolved.url }
    if (resolved.dialect !== "agent") {
      return yield* Effect.fail(
        new InvalidRequest({
          kind: "secret",
          resource: internalRequest.PING_PATH,
          reason:
            "the AWS Parameters and Secrets Lambda Extension has no health check; ping is the Secrets Manager Agent's"
        })
      )
    }
    const base = yield* HttpClient.HttpClient
    const ours = internalAttempt.isBounded(base)
    const timeoutMillis = resolved.policy.timeoutMillis
    const onTimeout = () =>
      new RequestTimeout({ kind: "secret", resource: internalRequest.PING_PATH, timeoutMillis, scope: "attempt" })
    const client = HttpClient.withTracerDisabledWhen(ours ? base : guarded(base), () => true)
    const request = HttpClientRequest.get(resolved.url + internalRequest.PING_PATH).pipe(
      HttpClientRequest.setHeader("accept-encoding", "identity")
    )
    const exchange = send(client, call, request, onTimeout, (response) => internalAnswer.readPing(call, response, ours))
    const limited = ours
      ? Effect.locally(exchange, internalAttempt.currentLimits, { timeoutMillis, maxBytes: 4096 })
      : exchange
    yield* Effect.scoped(
      Number.isFinite(timeoutMillis) ? Effect.timeoutFail(limited, { duration: timeoutMillis, onTimeout }) : limited
    )
  })

/**
 * `ping` over `LoopbackHttpClient`: a readiness probe in one line,
 * `Effect.runPromise(LambdaExtension.pingNode())`.
 *
 * @example
 * ```ts
 * import { LambdaExtension } from "@secrets-config/lambda-extension"
 * import { Effect, Schedule } from "effect"
 *
 * // Before serving: wait for the Secrets Manager Agent beside this container, 10 seconds at most
 * const agentReady = LambdaExtension.pingNode({ port: 2773 }).pipe(
 *   Effect.retry(Schedule.spaced("200 millis")),
 *   Effect.timeout("10 seconds")
 * )
 * ```
 *
 * @since 0.2.0
 * @category health
 */
export const pingNode = (options?: Options): Effect.Effect<void, SecretsConfigError | ConfigError.ConfigError> =>
  Effect.provide(ping(options), LoopbackHttpClient.layer())

// --- layers --------------------------------------------------------------------------------

/**
 * The live `SecretsConfig`, over the application's `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<SecretsConfig.SecretsConfig, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(SecretsConfig.SecretsConfig, make(options))

/**
 * The live `SecretsConfig` with the options read from `Config`, e.g.
 * `layerConfig({ port: Config.integer("SECRETS_PORT"), token: Config.redacted("MY_TOKEN") })`.
 *
 * @example
 * ```ts
 * import { LambdaExtension, LoopbackHttpClient } from "@secrets-config/lambda-extension"
 * import { Config, Layer } from "effect"
 *
 * // The Secrets Manager Agent in a container: its port and token from the environment
 * const Live = LambdaExtension.layerConfig({
 *   dialect: Config.succeed("agent" as const),
 *   port: Config.integer("SECRETS_AGENT_PORT").pipe(Config.withDefault(2773)),
 *   token: Config.redacted("SECRETS_AGENT_TOKEN"),
 *   timeout: Config.duration("SECRETS_TIMEOUT").pipe(Config.withDefault("1 second"))
 * }).pipe(Layer.provide(LoopbackHttpClient.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config.Wrap<Options>
): Layer.Layer<SecretsConfig.SecretsConfig, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(SecretsConfig.SecretsConfig, Effect.flatMap(Config.unwrap(options), make))

/**
 * The one-line setup, and the default: the live `SecretsConfig` over `LoopbackHttpClient`, our lean
 * keep-alive client over `node:http`. It costs the least cold start and CPU (no undici, no web
 * `Response`), and enforces each attempt's deadline and byte limit on the socket itself. Needs
 * Node (as Lambda and the Agent's containers run it).
 *
 * @example
 * ```ts
 * import { SecretsConfig } from "@secrets-config/core"
 * import { LambdaExtension } from "@secrets-config/lambda-extension"
 * import { Effect, ManagedRuntime, Redacted } from "effect"
 *
 * // Built once per execution environment, at module scope; port and token from the environment
 * const runtime = ManagedRuntime.make(LambdaExtension.layerNode())
 *
 * export const handler = async (_event: unknown, context: LambdaExtension.RemainingTime) => {
 *   const greeting = await runtime.runPromise(
 *     SecretsConfig.parameterValue("/app/prod/greeting").pipe(LambdaExtension.withRemainingTime(context))
 *   )
 *   return { statusCode: 200, body: Redacted.value(greeting) }
 * }
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerNode = (options?: Options): Layer.Layer<SecretsConfig.SecretsConfig, ConfigError.ConfigError> =>
  Layer.provide(layer(options), LoopbackHttpClient.layer())

/**
 * The live `SecretsConfig` over `fetch` (`FetchHttpClient`), for runtimes without `node:http`.
 * Redirects are not followed (`redirect: "manual"`), bodies are asked for unencoded and counted as
 * read, and an attempt that ends aborts its request. Slower to start than `layerNode` on Node: the
 * first `fetch` initialises undici.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFetch = (options?: Options): Layer.Layer<SecretsConfig.SecretsConfig, ConfigError.ConfigError> =>
  Layer.provide(layer(options), FetchHttpClient.layer)
