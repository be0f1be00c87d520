/**
 * An in-process cache in front of any `SecretsConfig`: a TTL (default and per call), a capacity,
 * single-flight (concurrent identical reads share one fetch), failures never cached, optional
 * stale-if-error with a bound, and control to invalidate and refresh. Driven by `Clock`, so
 * `TestClock` controls expiry. `makePromiseClient` reads it from Promise code (a Lambda handler)
 * with a synchronous fast path for fresh entries.
 *
 * Single-flight keeps every caller's own deadline: a shared fetch runs under the latest deadline of
 * the callers still waiting for it (`SecretsConfig.currentDeadline`), each caller stops waiting at
 * its own, and the fetch is interrupted when the last caller leaves. That is what a runtime serving
 * several invocations at once needs (Lambda Managed Instances, a server beside the Agent). Effect's
 * `Cache` is not used for this reason: its lookup runs under the first caller's deadline and ends
 * every waiter with it.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as GlobalValue from "effect/GlobalValue"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as internalService from "./internal/service.js"
import type { Parameter } from "./Parameter.js"
import type { Secret } from "./Secret.js"
import * as SecretsConfig from "./SecretsConfig.js"
import { type InvalidRequest, isTransient, RequestTimeout, type SecretsConfigError } from "./SecretsConfigError.js"
import * as Metrics from "./SecretsConfigMetrics.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How long a value is served from memory (default 60 seconds). */
  readonly ttl?: Duration.DurationInput | undefined
  /** How many entries are kept (default 1000). */
  readonly capacity?: number | undefined
  /**
   * When a refresh fails, serve the last good value — at most `maxStaleness` after it was fetched —
   * and log a warning. Off by default. `retryAfter` (default 5 seconds) is how long a stale value is
   * served before the next attempt; `when` chooses the errors (default: transient errors and the
   * extension's ambiguous `UpstreamError`; never `NotFound`, `AccessDenied` or bad input).
   */
  readonly staleIfError?:
    | {
        readonly maxStaleness: Duration.DurationInput
        readonly retryAfter?: Duration.DurationInput | undefined
        readonly when?: ((error: SecretsConfigError) => boolean) | undefined
      }
    | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace SecretsConfigCache {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** Drops a parameter: with options, that one variant; without, every cached variant of the name. */
    readonly invalidateParameter: (
      name: string,
      options?: SecretsConfig.GetParameterOptions
    ) => Effect.Effect<void, InvalidRequest>
    /** Drops a secret: with options, that one variant; without, every cached variant of the id. */
    readonly invalidateSecret: (
      secretId: string,
      options?: SecretsConfig.GetSecretOptions
    ) => Effect.Effect<void, InvalidRequest>
    readonly invalidateAll: Effect.Effect<void>
    /** Fetches a parameter now and caches it; on failure the cached value (if any) is dropped. */
    readonly refreshParameter: (
      name: string,
      options?: SecretsConfig.GetParameterOptions
    ) => Effect.Effect<Parameter, SecretsConfigError>
    /**
     * Fetches a secret now and caches it; on failure the cached value (if any) is dropped. In the
     * agent dialect the Agent is asked for a fresh value too (`refreshNow`).
     */
    readonly refreshSecret: (
      secretId: string,
      options?: SecretsConfig.GetSecretOptions
    ) => Effect.Effect<Secret, SecretsConfigError>
    /** Fetches every cached entry again, concurrently. */
    readonly refreshAll: Effect.Effect<void, SecretsConfigError>
    readonly stats: Effect.Effect<{ readonly hits: number; readonly misses: number; readonly size: number }>
  }
}

/**
 * Control of the cache installed by `layer`.
 *
 * @since 0.1.0
 * @category tags
 */
export class SecretsConfigCache extends Context.Tag("@secrets-config/core/SecretsConfigCache")<
  SecretsConfigCache,
  SecretsConfigCache.Service
>() {}

/**
 * The maximum age of a cached value for reads in the current fiber (see `withMaxAge`).
 *
 * @since 0.1.0
 * @category fiber refs
 */
export const currentMaxAge: FiberRef.FiberRef<Option.Option<Duration.Duration>> = GlobalValue.globalValue(
  Symbol.for("@secrets-config/core/SecretsConfigCache/currentMaxAge"),
  () => FiberRef.unsafeMake(Option.none<Duration.Duration>())
)

/**
 * Runs an effect whose cached reads accept values at most `maxAge` old: an older entry is fetched
 * again. The per-call TTL: `SecretsConfig.getParameter("/app/flag").pipe(SecretsConfigCache.withMaxAge("5 seconds"))`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withMaxAge: {
  (maxAge: Duration.DurationInput): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, maxAge: Duration.DurationInput): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, maxAge: Duration.DurationInput): Effect.Effect<A, E, R> =>
    Effect.locally(self, currentMaxAge, Option.some(Duration.decode(maxAge)))
)

type AnyRequest = SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest

/** A value held: what was asked (for `refreshAll`), when it was fetched, until when it is served. */
interface Stored {
  readonly request: AnyRequest
  readonly value: unknown
  readonly at: number
  readonly expiresAt: number
}

/** A name's group: invalidating a name without options covers all its variants. */
const groupOf = (request: AnyRequest) =>
  request._tag === "ParameterRequest" ? `p\u0000${request.baseName}` : `s\u0000${request.secretId}`

/**
 * One fetch shared by every caller of a key while it runs. Each caller is a waiter with its own
 * deadline; the fetch runs under the latest of the waiters still there (`at`, read again at every
 * attempt and retry), and is interrupted when the last one leaves.
 */
class Flight implements SecretsConfig.Deadline {
  readonly waiters = new Set<{ readonly at: number }>()
  readonly deferred: Deferred.Deferred<unknown, SecretsConfigError>
  fiber: Fiber.RuntimeFiber<unknown, never> | undefined
  /** Invalidated while running: its result is not kept, and its waiters read again (once). */
  outdated = false
  done = false
  constructor(
    readonly request: AnyRequest,
    readonly group: string,
    id: FiberId.FiberId
  ) {
    this.deferred = Deferred.unsafeMake(id)
  }
  get at(): number {
    let latest = -Infinity
    for (const waiter of this.waiters) if (waiter.at > latest) latest = waiter.at
    return latest
  }
}

const defaultStaleWhen = (error: SecretsConfigError): boolean => isTransient(error) || error._tag === "UpstreamError"

/**
 * Builds the caching service over `underlying`, and its control.
 *
 * Every per-key structure is bounded: the values held and the last good values (for
 * stale-if-error) by `capacity`, the oldest going first; the fetches in flight by the callers
 * waiting on them. Nothing is written for a failed read.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function* (underlying: SecretsConfig.SecretsConfig.Service, options?: Options) {
  const ttlMillis = Duration.toMillis(Duration.decode(options?.ttl ?? "60 seconds"))
  const capacity = options?.capacity ?? 1000
  const stale = options?.staleIfError
  const maxStalenessMillis = stale === undefined ? 0 : Duration.toMillis(Duration.decode(stale.maxStaleness))
  const retryAfterMillis = Duration.toMillis(Duration.decode(stale?.retryAfter ?? "5 seconds"))
  const staleWhen = stale?.when ?? defaultStaleWhen
  // The cache's own clock, for `peek` (Promise client, provider) outside any fiber.
  const clock = yield* Effect.clock

  const store = new Map<string, Stored>()
  const groups = new Map<string, Set<string>>()
  const flights = new Map<string, Flight>()
  // The last good value of each key, for stale-if-error; bounded like the store.
  const lastGood = new Map<string, { readonly request: AnyRequest; readonly value: unknown; readonly at: number }>()
  let hits = 0
  let misses = 0

  const remove = (key: string) => {
    const entry = store.get(key)
    if (entry === undefined) return
    store.delete(key)
    const group = groupOf(entry.request)
    const keys = groups.get(group)
    keys?.delete(key)
    if (keys?.size === 0) groups.delete(group)
  }

  // Newest last; past `capacity` the oldest entry goes.
  const put = (request: AnyRequest, value: unknown, at: number, expiresAt: number) => {
    const key = request.key
    remove(key)
    if (capacity <= 0) return
    store.set(key, { request, value, at, expiresAt })
    const group = groupOf(request)
    let keys = groups.get(group)
    if (keys === undefined) groups.set(group, (keys = new Set()))
    keys.add(key)
    while (store.size > capacity) remove(store.keys().next().value!)
  }

  const keepGood = (request: AnyRequest, value: unknown, at: number) => {
    const key = request.key
    lastGood.delete(key)
    lastGood.set(key, { request, value, at })
    while (lastGood.size > capacity) lastGood.delete(lastGood.keys().next().value!)
  }

  // Drops what is held of one key and makes its fetch in flight, if any, outdated.
  const forget = (key: string) => {
    remove(key)
    lastGood.delete(key)
    const flight = flights.get(key)
    if (flight !== undefined) {
      flight.outdated = true
      flights.delete(key)
    }
  }

  const hit = (value: unknown) => {
    hits++
    Metrics.cacheHits.unsafeUpdate(1, [])
    return value
  }

  const fetchOf = (request: AnyRequest): Effect.Effect<unknown, SecretsConfigError> =>
    request._tag === "ParameterRequest"
      ? SecretsConfig.executeParameter(underlying, request)
      : SecretsConfig.executeSecret(underlying, request)

  // The application's `when`, which must not take a flight down with it: a throw means no.
  const servesStale = (error: SecretsConfigError): boolean => {
    try {
      return staleWhen(error)
    } catch {
      return false
    }
  }

  // The end of a flight: a value is kept (unless invalidated meanwhile); a failure never is, but
  // may be answered with the last good value (stale-if-error).
  const complete = (flight: Flight, exit: Exit.Exit<unknown, SecretsConfigError>): Effect.Effect<void> =>
    Effect.suspend(() => {
      const request = flight.request
      const key = request.key
      flight.done = true
      if (flights.get(key) === flight) flights.delete(key)
      const now = clock.unsafeCurrentTimeMillis()
      if (Exit.isSuccess(exit)) {
        if (!flight.outdated) {
          put(request, exit.value, now, now + ttlMillis)
          if (stale !== undefined) keepGood(request, exit.value, now)
        }
        return Deferred.succeed(flight.deferred, exit.value)
      }
      const error = Cause.failureOption(exit.cause)
      const last = lastGood.get(key)
      const age = last === undefined ? Infinity : now - last.at
      if (stale === undefined || error._tag === "None" || age > maxStalenessMillis || !servesStale(error.value)) {
        return Deferred.failCause(flight.deferred, exit.cause)
      }
      // Served again for `retryAfter`, but never past `maxStaleness`.
      if (!flight.outdated) {
        // Kept with the time it was fetched (for `withMaxAge`), served until `retryAfter` at most.
        put(request, last!.value, last!.at, now + Math.min(retryAfterMillis, maxStalenessMillis - age))
      }
      return Metric.increment(Metrics.staleServed).pipe(
        Effect.zipRight(
          Effect.logWarning("SecretsConfigCache: serving a stale value after a failed refresh").pipe(
            Effect.annotateLogs({
              name: request._tag === "ParameterRequest" ? request.name : request.secretId,
              error: error.value._tag,
              ageMillis: age
            })
          )
        ),
        Effect.zipRight(Deferred.succeed(flight.deferred, last!.value))
      )
    }).pipe(Effect.asVoid)

  /**
   * Waits for the key's fetch (starting it if none runs) until the caller's own deadline. Leaving
   * (answered, timed out, interrupted) takes the caller's deadline out of the fetch's; the last to
   * leave an unfinished fetch interrupts it.
   */
  const join = (
    request: AnyRequest,
    fiber: Fiber.RuntimeFiber<unknown, unknown>,
    again: boolean
  ): Effect.Effect<unknown, SecretsConfigError> =>
    // All of it uninterruptible but the wait: a caller interrupted between joining a flight and
    // installing its `leave` would stay a waiter forever, and the key would never be read again.
    Effect.uninterruptibleMask((restore) => {
      const now = clock.unsafeCurrentTimeMillis()
      const deadline = fiber.getFiberRef(SecretsConfig.currentDeadline)
      const waiter = { at: deadline === undefined ? Infinity : deadline.at }
      const kind = request._tag === "ParameterRequest" ? "parameter" : "secret"
      const resource = request._tag === "ParameterRequest" ? request.name : request.secretId
      const late = () =>
        new RequestTimeout({ kind, resource, scope: "deadline", timeoutMillis: Math.max(0, waiter.at - now) })
      if (waiter.at <= now) return Effect.fail(late())
      let flight = flights.get(request.key)
      const starts = flight === undefined
      if (flight === undefined) {
        flight = new Flight(request, groupOf(request), fiber.id())
        flights.set(request.key, flight)
      }
      const shared = flight
      shared.waiters.add(waiter)
      const leave = Effect.suspend(() => {
        shared.waiters.delete(waiter)
        if (shared.waiters.size > 0 || shared.done) return Effect.void
        if (flights.get(request.key) === shared) flights.delete(request.key)
        return shared.fiber === undefined ? Effect.void : Fiber.interruptFork(shared.fiber)
      })
      const awaited = Deferred.await(shared.deferred)
      const wait = Number.isFinite(waiter.at)
        ? Effect.timeoutFail(awaited, { duration: waiter.at - now, onTimeout: late })
        : awaited
      const fork = starts
        ? Effect.map(
            // Forked inside the uninterruptible region: made interruptible again, so that the last
            // caller to leave can interrupt it.
            Effect.forkDaemon(
              Effect.flatMap(
                Effect.exit(
                  Effect.interruptible(Effect.locally(fetchOf(request), SecretsConfig.currentDeadline, shared))
                ),
                (exit) => complete(shared, exit)
              )
            ),
            (forked) => {
              shared.fiber = forked
            }
          )
        : Effect.void
      return Effect.zipRight(fork, Effect.ensuring(restore(wait), leave)).pipe(
        // Invalidated while it ran: read once more, so that the invalidation wins.
        Effect.flatMap((value) =>
          shared.outdated && !again ? restore(join(request, fiber, true)) : Effect.succeed(value)
        )
      )
    })

  const read = <A>(request: AnyRequest): Effect.Effect<A, SecretsConfigError> =>
    Effect.withFiberRuntime((fiber) => {
      // Asked for past every cache: fetched again, as `refreshSecret` does.
      if (request._tag === "SecretRequest" && request.refreshNow) return refresh<A>(request)
      const entry = store.get(request.key)
      if (entry !== undefined) {
        const now = clock.unsafeCurrentTimeMillis()
        const maxAge = fiber.getFiberRef(currentMaxAge)
        if (now < entry.expiresAt && (maxAge._tag === "None" || now - entry.at <= Duration.toMillis(maxAge.value))) {
          return Effect.succeed(hit(entry.value) as A)
        }
      }
      misses++
      Metrics.cacheMisses.unsafeUpdate(1, [])
      return join(request, fiber, false) as Effect.Effect<A, SecretsConfigError>
    })

  const peek = (request: AnyRequest): Parameter | Secret | undefined => {
    // Asked for past every cache: nothing held in memory will do.
    if (request._tag === "SecretRequest" && request.refreshNow) return undefined
    const entry = store.get(request.key)
    return entry !== undefined && clock.unsafeCurrentTimeMillis() < entry.expiresAt
      ? (hit(entry.value) as Parameter | Secret)
      : undefined
  }

  const service = internalService.withInternals(
    SecretsConfig.SecretsConfig.of({
      getParameter: (name, options) => Effect.flatMap(SecretsConfig.parameterRequest(name, options), read<Parameter>),
      getSecret: (secretId, options) => Effect.flatMap(SecretsConfig.secretRequest(secretId, options), read<Secret>)
    }),
    { getParameter: read<Parameter>, getSecret: read<Secret>, peek }
  )

  // Without options (`whole`), every variant of the name: all its versions, labels, stages and
  // decryption flags, also those still being fetched; with options, that one request.
  const invalidate = (request: AnyRequest, whole: boolean): Effect.Effect<void> =>
    Effect.sync(() => {
      if (!whole) return forget(request.key)
      const group = groupOf(request)
      for (const key of [...(groups.get(group) ?? [])]) forget(key)
      for (const flight of [...flights.values()]) if (flight.group === group) forget(flight.request.key)
      // The last good values are kept apart from the store (and may outlive its entries).
      for (const good of [...lastGood.values()]) if (groupOf(good.request) === group) forget(good.request.key)
    })

  // A secret is also asked for past the source's own cache: the Agent is sent `refreshNow`.
  const isFresh = (request: AnyRequest) => request._tag === "SecretRequest" && request.refreshNow
  const refresh = <A>(request: AnyRequest): Effect.Effect<A, SecretsConfigError> =>
    Effect.withFiberRuntime((fiber) => {
      // A fresh fetch of this key already on its way (several callers refreshing at once, after a
      // rotation): share it rather than start one more.
      const running = flights.get(request.key)
      if (running !== undefined && !running.outdated && isFresh(running.request)) {
        misses++
        Metrics.cacheMisses.unsafeUpdate(1, [])
        return join(request, fiber, false) as Effect.Effect<A, SecretsConfigError>
      }
      forget(request.key)
      misses++
      Metrics.cacheMisses.unsafeUpdate(1, [])
      const fresh = request._tag === "SecretRequest" && !request.refreshNow ? { ...request, refreshNow: true } : request
      return join(fresh, fiber, false) as Effect.Effect<A, SecretsConfigError>
    })

  const control = SecretsConfigCache.of({
    invalidateParameter: (name, options) =>
      Effect.flatMap(SecretsConfig.parameterRequest(name, options), (request) =>
        invalidate(request, options === undefined)
      ),
    invalidateSecret: (secretId, options) =>
      Effect.flatMap(SecretsConfig.secretRequest(secretId, options), (request) =>
        invalidate(request, options === undefined)
      ),
    invalidateAll: Effect.sync(() => {
      store.clear()
      groups.clear()
      lastGood.clear()
      for (const flight of flights.values()) flight.outdated = true
      flights.clear()
    }),
    refreshParameter: (name, options) =>
      Effect.flatMap(SecretsConfig.parameterRequest(name, options), refresh<Parameter>),
    refreshSecret: (secretId, options) =>
      Effect.flatMap(SecretsConfig.secretRequest(secretId, options), refresh<Secret>),
    refreshAll: Effect.suspend(() =>
      Effect.forEach([...store.values()], (entry) => refresh(entry.request), {
        concurrency: "unbounded",
        discard: true
      })
    ),
    stats: Effect.sync(() => ({ hits, misses, size: store.size }))
  })

  return { service, control } as const
})

/**
 * Wraps the `SecretsConfig` below it with the cache, and provides `SecretsConfigCache` to control it.
 *
 * @example
 * ```ts
 * import { SecretsConfig, SecretsConfigCache } from "@secrets-config/core"
 * import { LambdaExtension } from "@secrets-config/lambda-extension"
 * import { Effect, Layer } from "effect"
 *
 * // Values served from memory for 5 minutes; if a refresh fails, the last good one for up to an hour
 * const Live = SecretsConfigCache.layer({ ttl: "5 minutes", staleIfError: { maxStaleness: "1 hour" } }).pipe(
 *   Layer.provide(LambdaExtension.layerNode())
 * )
 *
 * const program = Effect.gen(function* () {
 *   const first = yield* SecretsConfig.parameterValue("/app/prod/db-host") // fetched
 *   const again = yield* SecretsConfig.parameterValue("/app/prod/db-host") // from memory
 *   const cache = yield* SecretsConfigCache.SecretsConfigCache
 *   yield* cache.invalidateParameter("/app/prod/db-host") // the next read fetches again
 *   const { hits, misses } = yield* cache.stats // 1 hit, 1 miss
 *   return { first, again, hits, misses }
 * })
 *
 * const main = program.pipe(Effect.provide(Live))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<SecretsConfig.SecretsConfig | SecretsConfigCache, never, SecretsConfig.SecretsConfig> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const underlying = yield* SecretsConfig.SecretsConfig
      const { control, service } = yield* make(underlying, options)
      return Context.make(SecretsConfig.SecretsConfig, service).pipe(Context.add(SecretsConfigCache, control))
    })
  )

// --- Promise client ----------------------------------------------------------------------------

/**
 * Reads through the cache from Promise code. Failures reject exactly as `runtime.runPromise` does.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseClient {
  readonly getParameter: (name: string, options?: SecretsConfig.GetParameterOptions) => Promise<Parameter>
  readonly getSecret: (secretId: string, options?: SecretsConfig.GetSecretOptions) => Promise<Secret>
}

/**
 * A Promise API over the `SecretsConfig` of a runtime built with `layer` — for a Lambda handler
 * that is a plain `async` function. A read whose value is cached and fresh (fetched less than the
 * TTL ago, by the runtime's `Clock`) resolves at once, without running an effect: about the cost of
 * a `Map` lookup instead of a fiber. Any other read — a miss, an expired or stale entry, a failure,
 * an invalid request — runs `SecretsConfig.getParameter` / `getSecret` through the runtime, exactly
 * as `runtime.runPromise` would, so a failure is never served from memory. Hits are counted in
 * `secrets_config_cache_hits` and `stats` alike; `withMaxAge` does not apply (it is a fiber's).
 *
 * @example
 * ```ts
 * import { SecretsConfigCache } from "@secrets-config/core"
 * import { LambdaExtension } from "@secrets-config/lambda-extension"
 * import { Layer, ManagedRuntime, Redacted } from "effect"
 *
 * const runtime = ManagedRuntime.make(SecretsConfigCache.layer().pipe(Layer.provideMerge(LambdaExtension.layerNode())))
 * const secrets = SecretsConfigCache.makePromiseClient(runtime)
 * export const handler = async () => {
 *   const parameter = await secrets.getParameter("/my-app/greeting")
 *   return { statusCode: 200, body: Redacted.value(parameter.value) }
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePromiseClient = <ER>(
  runtime:
    | ManagedRuntime.ManagedRuntime<SecretsConfig.SecretsConfig | SecretsConfigCache, ER>
    | Runtime.Runtime<SecretsConfig.SecretsConfig | SecretsConfigCache>
): PromiseClient => {
  const runPromise: <A, E>(
    effect: Effect.Effect<A, E, SecretsConfig.SecretsConfig | SecretsConfigCache>
  ) => Promise<A> = ManagedRuntime.isManagedRuntime(runtime)
    ? (effect) =>
        (runtime as ManagedRuntime.ManagedRuntime<SecretsConfig.SecretsConfig | SecretsConfigCache, ER>).runPromise(
          effect
        )
    : Runtime.runPromise(runtime as Runtime.Runtime<SecretsConfig.SecretsConfig | SecretsConfigCache>)
  // Found by the first read (the runtime is built then): the service, to peek into the cache.
  let service: SecretsConfig.SecretsConfig.Service | undefined
  const lookUp = Effect.map(SecretsConfig.SecretsConfig, (found) => {
    service = found
  })
  const run = <A>(effect: Effect.Effect<A, SecretsConfigError, SecretsConfig.SecretsConfig>): Promise<A> =>
    runPromise(service !== undefined ? effect : Effect.zipRight(lookUp, effect))
  // Validating the name was the largest step of a hit (BENCHMARKS.md, P3): a call without options
  // reuses its name's validated request. Only valid names are kept, at most `requestsKept` of each
  // kind (cleared when full), so that many distinct names cannot grow it without bound.
  const parameterRequests = new Map<string, SecretsConfig.ParameterRequest>()
  const secretRequests = new Map<string, SecretsConfig.SecretRequest>()
  const requestOf = <O, R>(
    kept: Map<string, R>,
    validate: (id: string, options?: O) => Either.Either<R, unknown>,
    id: string,
    options: O | undefined
  ): R | undefined => {
    if (options !== undefined) return Either.getOrUndefined(validate(id, options))
    const found = kept.get(id)
    if (found !== undefined) return found
    const request = Either.getOrUndefined(validate(id))
    if (request !== undefined) {
      if (kept.size >= requestsKept) kept.clear()
      kept.set(id, request)
    }
    return request
  }
  return {
    getParameter: (name, options) => {
      if (service !== undefined) {
        const request = requestOf(parameterRequests, SecretsConfig.parameterRequest, name, options)
        const value = request !== undefined ? SecretsConfig.peek(service, request) : undefined
        if (value !== undefined) return Promise.resolve(value)
      }
      return run(SecretsConfig.getParameter(name, options))
    },
    getSecret: (secretId, options) => {
      if (service !== undefined) {
        const request = requestOf(secretRequests, SecretsConfig.secretRequest, secretId, options)
        const value = request !== undefined ? SecretsConfig.peek(service, request) : undefined
        if (value !== undefined) return Promise.resolve(value)
      }
      return run(SecretsConfig.getSecret(secretId, options))
    }
  }
}

/** How many validated requests of each kind `makePromiseClient` keeps for calls without options. */
const requestsKept = 1024
