/**
 * An in-process cache in front of any `SecretsConfig`: a TTL (default and per call), a capacity,
 * single-flight (concurrent identical reads share one fetch), failures never cached, optional
 * stale-if-error with a bound, and control to invalidate and refresh. Built on Effect's `Cache` and
 * driven by `Clock`, so `TestClock` controls expiry. `makePromiseClient` reads it from Promise code
 * (a Lambda handler) with a synchronous fast path for fresh entries.
 *
 * @since 0.1.0
 */
import * as Cache from "effect/Cache"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as GlobalValue from "effect/GlobalValue"
import * as Hash from "effect/Hash"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type { Parameter } from "./Parameter.js"
import type { Secret } from "./Secret.js"
import * as SecretsConfig from "./SecretsConfig.js"
import { type InvalidRequest, isTransient, type SecretsConfigError } from "./SecretsConfigError.js"
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
    /** Fetches a secret now and caches it; on failure the cached value (if any) is dropped. */
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

/** A cache key: equal when the normalised requests are, carrying the request for the lookup. */
class Key<R extends SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest> implements Equal.Equal {
  constructor(readonly request: R) {}
  [Equal.symbol](that: unknown): boolean {
    return that instanceof Key && that.request.key === this.request.key
  }
  [Hash.symbol](): number {
    return Hash.cached(this, Hash.string(this.request.key))
  }
}

interface Entry<A> {
  readonly value: A
  /** How long the cache keeps it. */
  readonly ttl: Duration.Duration
  /** The stamp taken when its lookup started (see `outdated`). */
  readonly startedAt: number
}

const parameterOptions = (request: SecretsConfig.ParameterRequest): SecretsConfig.GetParameterOptions => {
  const selector = request.inlineSelector ? Option.none() : request.selector
  return {
    withDecryption: request.withDecryption,
    ...Option.match(selector, {
      onNone: () => ({}),
      onSome: (s) => (s._tag === "Version" ? { version: s.version } : { label: s.label })
    })
  }
}

const secretOptions = (request: SecretsConfig.SecretRequest): SecretsConfig.GetSecretOptions => ({
  ...Option.match(request.versionId, { onNone: () => ({}), onSome: (versionId) => ({ versionId }) }),
  ...Option.match(request.versionStage, { onNone: () => ({}), onSome: (versionStage) => ({ versionStage }) })
})

const defaultStaleWhen = (error: SecretsConfigError): boolean => isTransient(error) || error._tag === "UpstreamError"

/**
 * What `makePromiseClient` reads without running an effect: the entries fetched successfully and
 * still fresh, kept beside the Effect cache and dropped whenever the cache drops them.
 */
const FastPathId: unique symbol = Symbol.for("@secrets-config/core/SecretsConfigCache/FastPath")

interface FastPath {
  /** The value cached under a request key if it was fetched less than the TTL before `now`. */
  readonly peek: (key: string, now: number) => unknown
  /** Counts a hit served by the fast path (metric and `stats`). */
  readonly hit: () => void
}

/**
 * Builds the caching service over `underlying`, and its control.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function* (underlying: SecretsConfig.SecretsConfig.Service, options?: Options) {
  const ttl = Duration.decode(options?.ttl ?? "60 seconds")
  const capacity = options?.capacity ?? 1000
  const stale = options?.staleIfError
  const maxStaleness = stale === undefined ? Duration.zero : Duration.decode(stale.maxStaleness)
  const retryAfter = Duration.decode(stale?.retryAfter ?? "5 seconds")
  const staleWhen = stale?.when ?? defaultStaleWhen
  // The last good value of each key, for stale-if-error; bounded like the cache.
  const lastGood = new Map<string, { readonly value: unknown; readonly at: number }>()
  // Fresh values by request key, for the Promise client's synchronous path; bounded like the cache.
  const fresh = new Map<string, { readonly value: unknown; readonly at: number }>()
  const ttlMillis = Duration.toMillis(ttl)
  let fastHits = 0

  // Newest last; past `capacity` the oldest entry goes.
  const setBounded = (
    map: Map<string, { readonly value: unknown; readonly at: number }>,
    key: string,
    value: unknown,
    at: number
  ) => {
    map.delete(key)
    map.set(key, { value, at })
    if (map.size > capacity) map.delete(map.keys().next().value!)
  }

  // Stamps order lookups and invalidations: an invalidation that comes while a lookup is in flight
  // must win over its result (Effect's Cache stores that result anyway; `read` drops it).
  let stamps = 0
  let allInvalidatedAt = 0
  const invalidatedAt = new Map<string, number>()
  // Invalidating a name without options covers every variant, also those still being fetched.
  const groupOf = (request: SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest) =>
    request._tag === "ParameterRequest" ? `p\u0000${request.baseName}` : `s\u0000${request.secretId}`
  const outdated = (request: SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest, startedAt: number) =>
    startedAt <
    Math.max(allInvalidatedAt, invalidatedAt.get(request.key) ?? 0, invalidatedAt.get(groupOf(request)) ?? 0)

  const lookup = <A>(
    fetch: Effect.Effect<A, SecretsConfigError>,
    request: SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest
  ): Effect.Effect<Entry<A>, SecretsConfigError> => {
    const key = request.key
    const name = request._tag === "ParameterRequest" ? request.name : request.secretId
    const startedAt = ++stamps
    return Effect.matchEffect(fetch, {
      onSuccess: (value) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          if (!outdated(request, startedAt)) {
            if (stale !== undefined) setBounded(lastGood, key, value, now)
            // Taken before the cache stores the entry, so it never outlives the cache's own expiry.
            setBounded(fresh, key, value, now)
          }
          return { value, ttl, startedAt }
        }),
      onFailure: (error) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const last = lastGood.get(key)
          if (stale === undefined || last === undefined || !staleWhen(error)) return Effect.fail(error)
          const age = now - last.at
          if (age > Duration.toMillis(maxStaleness)) return Effect.fail(error)
          return Effect.as(
            Effect.zipRight(
              Metric.increment(Metrics.staleServed),
              Effect.logWarning(`SecretsConfigCache: serving a stale value after a failed refresh`).pipe(
                Effect.annotateLogs({ name, error: error._tag, ageMillis: age })
              )
            ),
            // Served again for `retryAfter`, but never past `maxStaleness`.
            {
              value: last.value as A,
              ttl: Duration.min(retryAfter, Duration.millis(Duration.toMillis(maxStaleness) - age)),
              startedAt
            }
          )
        })
    })
  }

  // Failures are also invalidated as soon as they are read (see `read`).
  const timeToLive = (exit: Exit.Exit<Entry<unknown>, SecretsConfigError>): Duration.Duration =>
    Exit.isFailure(exit) ? Duration.zero : exit.value.ttl

  const parameters = yield* Cache.makeWith({
    capacity,
    timeToLive,
    lookup: (key: Key<SecretsConfig.ParameterRequest>) =>
      lookup(underlying.getParameter(key.request.name, parameterOptions(key.request)), key.request)
  })
  const secrets = yield* Cache.makeWith({
    capacity,
    timeToLive,
    lookup: (key: Key<SecretsConfig.SecretRequest>) =>
      lookup(underlying.getSecret(key.request.secretId, secretOptions(key.request)), key.request)
  })

  // Drops an entry from the cache and from the fast path's view of it.
  const drop = <R extends SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest, A>(
    cache: Cache.Cache<Key<R>, Entry<A>, SecretsConfigError>,
    key: Key<R>
  ): Effect.Effect<void> =>
    Effect.zipRight(
      Effect.sync(() => {
        fresh.delete(key.request.key)
        invalidatedAt.set(key.request.key, ++stamps)
      }),
      cache.invalidate(key)
    )

  const read = <R extends SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest, A>(
    cache: Cache.Cache<Key<R>, Entry<A>, SecretsConfigError>,
    key: Key<R>
  ): Effect.Effect<A, SecretsConfigError> =>
    Effect.flatMap(FiberRef.get(currentMaxAge), (maxAge) => {
      const getOnce = (retry: boolean): Effect.Effect<A, SecretsConfigError> =>
        Effect.matchEffect(cache.getEither(key), {
          onSuccess: (either) => {
            const entry = Either.merge(either)
            // Fetched before an invalidation of this key: drop it and read again (once).
            if (retry && outdated(key.request, entry.startedAt))
              return Effect.zipRight(drop(cache, key), getOnce(false))
            return Effect.as(
              Metric.increment(Either.isLeft(either) ? Metrics.cacheHits : Metrics.cacheMisses),
              entry.value
            )
          },
          // A failure is never kept: a TTL of zero still serves it within the same clock tick.
          onFailure: (error) => Effect.zipRight(drop(cache, key), Effect.fail(error))
        })
      const get = getOnce(true)
      if (Option.isNone(maxAge)) return get
      return Effect.flatMap(Effect.all([cache.entryStats(key), Clock.currentTimeMillis]), ([stats, now]) =>
        Option.isSome(stats) && now - stats.value.loadedMillis > Duration.toMillis(maxAge.value)
          ? Effect.zipRight(drop(cache, key), get)
          : get
      )
    })

  const service = SecretsConfig.SecretsConfig.of({
    getParameter: (name, options) =>
      Effect.flatMap(SecretsConfig.parameterRequest(name, options), (request) => read(parameters, new Key(request))),
    getSecret: (secretId, options) =>
      Effect.flatMap(SecretsConfig.secretRequest(secretId, options), (request) => read(secrets, new Key(request)))
  })

  // Drops an entry and its last good value: after this, nothing of the key is served.
  const forget = <R extends SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest, A>(
    cache: Cache.Cache<Key<R>, Entry<A>, SecretsConfigError>,
    key: Key<R>
  ): Effect.Effect<void> =>
    Effect.zipRight(
      Effect.sync(() => lastGood.delete(key.request.key)),
      drop(cache, key)
    )

  // Without options (`whole`), every variant of the name: all its versions, labels, stages and
  // decryption flags, also those still being fetched; with options, that one request.
  const invalidate = <R extends SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest, A>(
    cache: Cache.Cache<Key<R>, Entry<A>, SecretsConfigError>,
    request: R,
    whole: boolean
  ): Effect.Effect<void> => {
    const stampOf = (r: R) => (whole ? groupOf(r) : r.key)
    const stamp = stampOf(request)
    return Effect.flatMap(
      Effect.zipRight(
        Effect.sync(() => invalidatedAt.set(stamp, ++stamps)),
        cache.keys
      ),
      (keys) =>
        Effect.forEach(
          keys.filter((key) => stampOf(key.request) === stamp),
          (key) => forget(cache, key),
          { discard: true }
        )
    )
  }

  const refresh = <R extends SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest, A>(
    cache: Cache.Cache<Key<R>, Entry<A>, SecretsConfigError>,
    key: Key<R>
  ): Effect.Effect<A, SecretsConfigError> =>
    Effect.zipRight(
      forget(cache, key),
      Effect.map(cache.get(key), (entry) => entry.value)
    )

  const control = SecretsConfigCache.of({
    invalidateParameter: (name, options) =>
      Effect.flatMap(SecretsConfig.parameterRequest(name, options), (request) =>
        invalidate(parameters, request, options === undefined)
      ),
    invalidateSecret: (secretId, options) =>
      Effect.flatMap(SecretsConfig.secretRequest(secretId, options), (request) =>
        invalidate(secrets, request, options === undefined)
      ),
    invalidateAll: Effect.all(
      [
        Effect.sync(() => {
          fresh.clear()
          allInvalidatedAt = ++stamps
        }),
        parameters.invalidateAll,
        secrets.invalidateAll,
        Effect.sync(() => lastGood.clear())
      ],
      { discard: true }
    ),
    refreshParameter: (name, options) =>
      Effect.flatMap(SecretsConfig.parameterRequest(name, options), (request) => refresh(parameters, new Key(request))),
    refreshSecret: (secretId, options) =>
      Effect.flatMap(SecretsConfig.secretRequest(secretId, options), (request) => refresh(secrets, new Key(request))),
    refreshAll: Effect.flatMap(Effect.all([parameters.keys, secrets.keys]), ([p, s]) =>
      Effect.all(
        [
          Effect.forEach(p, (key) => refresh(parameters, key), { concurrency: "unbounded", discard: true }),
          Effect.forEach(s, (key) => refresh(secrets, key), { concurrency: "unbounded", discard: true })
        ],
        { concurrency: 2, discard: true }
      )
    ),
    stats: Effect.map(Effect.all([parameters.cacheStats, secrets.cacheStats]), ([p, s]) => ({
      hits: p.hits + s.hits + fastHits,
      misses: p.misses + s.misses,
      size: p.size + s.size
    }))
  })

  const fastPath: FastPath = {
    peek: (key, now) => {
      const entry = fresh.get(key)
      return entry !== undefined && now - entry.at < ttlMillis ? entry.value : undefined
    },
    hit: () => {
      fastHits++
      Metrics.cacheHits.unsafeUpdate(1, [])
    }
  }
  Object.defineProperty(control, FastPathId, { value: fastPath })

  return { service, control } as const
})

/**
 * Wraps the `SecretsConfig` below it with the cache, and provides `SecretsConfigCache` to control it.
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
 * const runtime = ManagedRuntime.make(SecretsConfigCache.layer().pipe(Layer.provideMerge(LambdaExtension.layerNode())))
 * const secrets = SecretsConfigCache.makePromiseClient(runtime)
 * export const handler = async () => {
 *   const parameter = await secrets.getParameter("/my-app/greeting")
 *   return { statusCode: 200, body: Redacted.value(parameter.value) }
 * }
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
  // Found by the first read (the runtime is built then): the cache's fast path and the Clock.
  let fast: { readonly path: FastPath; readonly clock: Clock.Clock } | undefined
  let looked = false
  const lookUp = Effect.map(Effect.all([SecretsConfigCache, Effect.clock]), ([control, clock]) => {
    looked = true
    const path = (control as unknown as { readonly [FastPathId]?: FastPath })[FastPathId]
    if (path !== undefined) fast = { path, clock }
  })
  const run = <A>(effect: Effect.Effect<A, SecretsConfigError, SecretsConfig.SecretsConfig>): Promise<A> =>
    runPromise(looked ? effect : Effect.zipRight(lookUp, effect))
  const cached = (key: string): unknown => {
    if (fast === undefined) return undefined
    const value = fast.path.peek(key, fast.clock.unsafeCurrentTimeMillis())
    if (value !== undefined) fast.path.hit()
    return value
  }
  return {
    getParameter: (name, options) => {
      if (fast !== undefined) {
        const request = SecretsConfig.parameterRequest(name, options)
        const value = Either.isRight(request) ? cached(request.right.key) : undefined
        if (value !== undefined) return Promise.resolve(value as Parameter)
      }
      return run(SecretsConfig.getParameter(name, options))
    },
    getSecret: (secretId, options) => {
      if (fast !== undefined) {
        const request = SecretsConfig.secretRequest(secretId, options)
        const value = Either.isRight(request) ? cached(request.right.key) : undefined
        if (value !== undefined) return Promise.resolve(value as Secret)
      }
      return run(SecretsConfig.getSecret(secretId, options))
    }
  }
}
