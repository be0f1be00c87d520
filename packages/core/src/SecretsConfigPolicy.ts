/**
 * Retries and deadlines: one policy for every `SecretsConfig`. The live layer runs each call under
 * it; the memory layer does too (its `policy` option), so a transient fault injected in a test is
 * retried exactly as production retries it, under `TestClock`; and `withPolicy` puts it in front
 * of any other implementation.
 *
 * A call gets attempts, each bounded by `timeout`; a transient failure
 * (`SecretsConfigError.isTransient`) is retried on the `retry` schedule; and the whole call never
 * runs past its deadline: the policy's own `deadline`, or a shorter one set with
 * `SecretsConfig.withDeadline` / `withRemainingTime`. A retry whose delay would end past the
 * deadline is not started: the last error stands.
 *
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as internalService from "./internal/service.js"
import * as SecretsConfig from "./SecretsConfig.js"
import { GENERIC_ERROR_BODY, isTransient, RequestTimeout, type SecretsConfigError } from "./SecretsConfigError.js"
import * as Metrics from "./SecretsConfigMetrics.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * Time allowed for one attempt (default 1 second). For the live layer: from sending the request
   * to the last byte of the answer. `Duration.infinity` disables it.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Time allowed for a whole call, retries and backoff included (default 5 seconds). A shorter
   * deadline set with `SecretsConfig.withDeadline` / `withRemainingTime` wins.
   */
  readonly deadline?: Duration.DurationInput | undefined
  /**
   * When to retry a transient failure (its input is the error). Default `defaultRetry`. Only
   * transient errors are retried, and never past the deadline.
   */
  readonly retry?: Schedule.Schedule<unknown, SecretsConfigError> | undefined
  /**
   * Opt-in: during the first seconds of this environment's life, also retry the AWS extension's
   * ambiguous 400 (`UpstreamError` 400 with its generic body, which it also sends when Parameter
   * Store throttles). At a mass scale-out every new environment's empty extension cache calls
   * Parameter Store at once, past its 40 TPS quota: without this, those cold starts fail. The
   * trade-off: during the window a name that is really missing (or not allowed) costs retries up to
   * the deadline before it fails. `true` for the defaults (`defaultColdStartRetry`); the window starts
   * when the policy is resolved (the layer's construction).
   */
  readonly coldStartRetry?:
    | boolean
    | {
        /** Default 10 seconds. */
        readonly window?: Duration.DurationInput | undefined
        /** Default: from 100 ms, doubling, jittered, each wait at most 2 s; bounded by the deadline and the window. */
        readonly retry?: Schedule.Schedule<unknown, SecretsConfigError> | undefined
      }
    | undefined
}

/**
 * The defaults of `coldStartRetry: true`.
 *
 * @since 0.2.0
 * @category defaults
 */
export const defaultColdStartRetry = {
  window: Duration.seconds(10),
  retry: Schedule.exponential(Duration.millis(100), 2).pipe(
    Schedule.jittered,
    Schedule.union(Schedule.spaced(Duration.seconds(2)))
  ) as Schedule.Schedule<unknown, SecretsConfigError>
} as const

/**
 * The AWS extension's ambiguous answer: 400 with its generic body (docs/protocol.md#extension-errors).
 *
 * @since 0.2.0
 * @category predicates
 */
export const isAmbiguous400 = (error: SecretsConfigError): boolean =>
  error._tag === "UpstreamError" && error.status === 400 && error.body === GENERIC_ERROR_BODY

/**
 * The defaults of `Options`.
 *
 * @since 0.2.0
 * @category defaults
 */
export const defaults = {
  timeout: Duration.seconds(1),
  deadline: Duration.seconds(5)
} as const

/**
 * The default retry schedule: exponential backoff from 25 ms with factor 2 (25, 50, 100, 200,
 * 400 ms), each delay jittered between 80% and 120%, at most 5 retries (6 attempts).
 *
 * @since 0.2.0
 * @category defaults
 */
export const defaultRetry: Schedule.Schedule<unknown, SecretsConfigError> = Schedule.exponential(
  Duration.millis(25),
  2
).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(5)))

/**
 * A policy with its options checked, ready to run calls (`resolve` makes one).
 *
 * @since 0.2.0
 * @category models
 */
export interface Policy {
  readonly timeoutMillis: number
  readonly deadlineMillis: number
  readonly retry: Schedule.Schedule<unknown, SecretsConfigError>
  /** The delay before each next retry of a transient failure. */
  readonly retryDelays: Schedule.Schedule<Duration.Duration, SecretsConfigError>
  /** The opt-in cold-start retry of the ambiguous 400: until when (Clock ms), and its delays. */
  readonly coldStart:
    | { readonly untilMillis: number; readonly delays: Schedule.Schedule<Duration.Duration, SecretsConfigError> }
    | undefined
}

const positiveMillis = (
  key: string,
  input: Duration.DurationInput | undefined,
  fallback: Duration.Duration
): Effect.Effect<number, ConfigError.ConfigError> => {
  const duration = input === undefined ? Option.some(fallback) : Duration.decodeUnknown(input)
  if (Option.isNone(duration)) return Effect.fail(ConfigError.InvalidData([key], `${key} is not a duration`))
  const millis = Duration.toMillis(duration.value)
  return millis > 0
    ? Effect.succeed(millis)
    : Effect.fail(ConfigError.InvalidData([key], `${key} must be positive, got ${millis} ms`))
}

/**
 * Checks the options: a timeout or deadline that is not a positive duration is a `ConfigError`
 * naming it.
 *
 * @since 0.2.0
 * @category constructors
 */
export const resolve = (options: Options = {}): Effect.Effect<Policy, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const timeoutMillis = yield* positiveMillis("timeout", options.timeout, defaults.timeout)
    const deadlineMillis = yield* positiveMillis("deadline", options.deadline, defaults.deadline)
    const retry = options.retry ?? defaultRetry
    const cold =
      options.coldStartRetry === true ? {} : options.coldStartRetry === false ? undefined : options.coldStartRetry
    let coldStart: Policy["coldStart"]
    if (cold !== undefined) {
      const windowMillis = yield* positiveMillis("coldStartRetry.window", cold.window, defaultColdStartRetry.window)
      const now = yield* Clock.currentTimeMillis
      coldStart = {
        untilMillis: now + windowMillis,
        delays: Schedule.delays(
          Schedule.whileInput(cold.retry ?? defaultColdStartRetry.retry, (e) => isTransient(e) || isAmbiguous400(e))
        )
      }
    }
    // With the cold-start window, a transient failure followed by the ambiguous 400 (a throttled,
    // slow extension times out, then answers 400) goes on too: `run` admits the 400 only inside it.
    const retryable =
      coldStart === undefined ? isTransient : (e: SecretsConfigError) => isTransient(e) || isAmbiguous400(e)
    return {
      timeoutMillis,
      deadlineMillis,
      retry,
      retryDelays: Schedule.delays(Schedule.whileInput(retry, retryable)),
      coldStart
    }
  })

/**
 * What a call is about, for the `RequestTimeout` it may fail with.
 *
 * @since 0.2.0
 * @category models
 */
export interface Subject {
  readonly kind: "parameter" | "secret"
  readonly resource: string
}

/**
 * How `run` is told about one implementation's own concerns.
 *
 * @since 0.2.0
 * @category models
 */
export interface RunOptions {
  /**
   * Wraps each attempt, e.g. to wait for a concurrency slot: `attempt(left)` runs the attempt
   * with `left` milliseconds of the deadline (its own timeout applies if shorter); `remaining` is
   * what is left now; `deadlineAt()` reads the deadline again (a shared one can move).
   */
  readonly around?:
    | (<A>(
        attempt: (left: number) => Effect.Effect<A, SecretsConfigError>,
        remaining: number,
        pastDeadline: () => RequestTimeout,
        deadlineAt: () => number
      ) => Effect.Effect<A, SecretsConfigError>)
    | undefined
  /** Counts retries (default `SecretsConfigMetrics.retries`). */
  readonly retries?: Metric.Metric.Counter<number> | undefined
  /** Added to the current span with `secrets_config.attempts` when the call ends. */
  readonly attributes?: Readonly<Record<string, unknown>> | undefined
}

const timedOut = (subject: Subject, scope: "attempt" | "deadline", timeoutMillis: number): RequestTimeout =>
  new RequestTimeout({ kind: subject.kind, resource: subject.resource, timeoutMillis, scope })

/**
 * Runs one call under a policy. `exchange(bound, onTimeout)` makes one attempt, which must end
 * within `bound` milliseconds, failing with `onTimeout()` if it does not (an implementation that
 * cannot bound itself wraps it in `Effect.timeoutFail`). `Effect.retry` is entered only after a
 * transient failure, so a call answered at once pays nothing for the schedule.
 *
 * @since 0.2.0
 * @category running
 */
export const run = <A>(
  policy: Policy,
  subject: Subject,
  exchange: (bound: number, onTimeout: () => RequestTimeout) => Effect.Effect<A, SecretsConfigError>,
  options: RunOptions = {}
): Effect.Effect<A, SecretsConfigError> =>
  Effect.clockWith((clock) =>
    FiberRef.getWith(SecretsConfig.currentDeadline, (outer) => {
      const { deadlineMillis, timeoutMillis } = policy
      const start = clock.unsafeCurrentTimeMillis()
      const own = start + deadlineMillis
      // Read again at every decision: a deadline shared by several callers (the cache's) moves.
      const deadlineAt = outer === undefined ? () => own : () => Math.min(own, outer.at)
      const pastDeadline = () => timedOut(subject, "deadline", Math.max(0, deadlineAt() - start))
      let attempts = 0
      // One attempt, bounded by its own timeout or by what is left of the deadline if shorter.
      const timed = (left: number): Effect.Effect<A, SecretsConfigError> =>
        left <= 0
          ? Effect.fail(pastDeadline())
          : timeoutMillis < left
            ? exchange(timeoutMillis, () => timedOut(subject, "attempt", timeoutMillis))
            : exchange(left, pastDeadline)
      const attempt = Effect.suspend((): Effect.Effect<A, SecretsConfigError> => {
        const remaining = deadlineAt() - clock.unsafeCurrentTimeMillis()
        if (remaining <= 0) return Effect.fail(pastDeadline())
        attempts++
        return options.around === undefined
          ? timed(remaining)
          : options.around(timed, remaining, pastDeadline, deadlineAt)
      })
      const retries = options.retries ?? Metrics.retries
      const coldStart = policy.coldStart
      const inWindow = (error: SecretsConfigError, at: number) =>
        coldStart !== undefined && at < coldStart.untilMillis && isAmbiguous400(error)
      // A retry starts only when its delay ends before the deadline (and, for the ambiguous 400,
      // inside the cold-start window); else the last error stands.
      const schedule = (delays: Schedule.Schedule<Duration.Duration, SecretsConfigError>) =>
        Schedule.checkEffect(delays, (error: SecretsConfigError, delay) => {
          const next = clock.unsafeCurrentTimeMillis() + Duration.toMillis(delay)
          return next < deadlineAt() && (isTransient(error) || inWindow(error, next))
            ? Effect.as(
                Effect.zipRight(
                  Effect.logDebug(
                    isTransient(error)
                      ? "retrying a transient failure"
                      : "retrying the extension's ambiguous 400 during the cold-start window"
                  ).pipe(
                    Effect.annotateLogs({ "secrets_config.error": error._tag, "secrets_config.attempt": attempts + 1 })
                  ),
                  Metric.increment(retries)
                ),
                true
              )
            : Effect.succeed(false)
        })
      const retried = (first: SecretsConfigError): Effect.Effect<A, SecretsConfigError> => {
        const cold = !isTransient(first) && inWindow(first, clock.unsafeCurrentTimeMillis())
        if (!isTransient(first) && !cold) return Effect.fail(first)
        let replay = true
        const again = Effect.suspend(() => {
          if (!replay) return attempt
          replay = false
          return Effect.fail(first)
        })
        return Effect.retry(again, schedule(cold ? coldStart!.delays : policy.retryDelays))
      }
      return Effect.catchAll(attempt, retried).pipe(
        Effect.ensuring(
          Effect.suspend(() =>
            Effect.annotateCurrentSpan({ ...options.attributes, "secrets_config.attempts": attempts })
          )
        )
      )
    })
  )

/**
 * An implementation whose attempts cannot bound themselves: each is raced against its bound with
 * `Effect.timeoutFail` (the attempt is interrupted when it loses).
 *
 * @since 0.2.0
 * @category running
 */
export const timeoutAttempt = <A>(
  effect: Effect.Effect<A, SecretsConfigError>,
  bound: number,
  onTimeout: () => RequestTimeout
): Effect.Effect<A, SecretsConfigError> =>
  Number.isFinite(bound) ? Effect.timeoutFail(effect, { duration: bound, onTimeout }) : effect

/**
 * Puts the policy in front of a `SecretsConfig` service: each call is tried, timed and retried as
 * the live layer does it. Apply it to a source that has no policy of its own (your own
 * implementation; the memory layer already runs one unless built with `policy: false`; the live
 * layer always does), and under `SecretsConfigCache`, not in front of it: the cache's single flight
 * should see the retried result.
 *
 * @since 0.2.0
 * @category combinators
 */
export const withPolicy =
  (policy: Policy) =>
  (service: SecretsConfig.SecretsConfig.Service): SecretsConfig.SecretsConfig.Service => {
    const inner = internalService.internalsOf(service)?.implementation
    const getParameter = inner?.getParameter ?? ((request) => SecretsConfig.executeParameter(service, request))
    const getSecret = inner?.getSecret ?? ((request) => SecretsConfig.executeSecret(service, request))
    return SecretsConfig.make({
      getParameter: (request) =>
        run(policy, { kind: "parameter", resource: request.name }, (bound, onTimeout) =>
          timeoutAttempt(getParameter(request), bound, onTimeout)
        ),
      getSecret: (request) =>
        run(policy, { kind: "secret", resource: request.secretId }, (bound, onTimeout) =>
          timeoutAttempt(getSecret(request), bound, onTimeout)
        )
    })
  }

/**
 * A layer that puts the policy in front of the `SecretsConfig` it is given:
 * `SecretsConfigPolicy.layer().pipe(Layer.provide(mySource))`. Invalid options fail it with a
 * `ConfigError`.
 *
 * @example
 * ```ts
 * import { SecretsConfig, SecretsConfigPolicy } from "@secrets-config/core"
 * import { Layer, Schedule } from "effect"
 *
 * // Your own implementation, e.g. over the AWS SDK: it gets no retry nor timeout of its own
 * declare const AwsSdkSecretsConfig: Layer.Layer<SecretsConfig.SecretsConfig>
 *
 * // Layer<SecretsConfig, ConfigError>: attempts of 2 s, at most 3 retries, each call done within 8 s
 * const Live = SecretsConfigPolicy.layer({
 *   timeout: "2 seconds",
 *   deadline: "8 seconds",
 *   retry: Schedule.exponential("50 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(3)))
 * }).pipe(Layer.provide(AwsSdkSecretsConfig))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<SecretsConfig.SecretsConfig, ConfigError.ConfigError, SecretsConfig.SecretsConfig> =>
  Layer.effect(
    SecretsConfig.SecretsConfig,
    Effect.zipWith(resolve(options), SecretsConfig.SecretsConfig, (policy, service) => withPolicy(policy)(service))
  )
