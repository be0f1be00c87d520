/**
 * Secret rotation, handled for the user: run an effect with a secret and, when it fails because the
 * secret was rotated (the database, the API, … rejected the credentials), read the secret again,
 * fresh, and run it once more.
 *
 * The everyday failure of cached secrets: a rotation makes the cached value stale, and the next
 * call with it fails authentication until the cache's TTL passes. Here your own predicate says
 * which failure means "rejected credentials"; then the secret is read past every cache
 * (`refreshNow`: `SecretsConfigCache` fetches again and, in the agent dialect, the Secrets Manager
 * Agent too), a span event `secrets_config.rotation_detected` is added, and the effect runs once
 * more with the new value. A second failure is returned as it is: it never loops.
 *
 * Behind the AWS Parameters and Secrets Lambda Extension the re-read cannot pass the extension's own
 * cache: until its TTL (`SECRETS_MANAGER_TTL`, at most 300 s) passes, it may still answer the old
 * value, and the second run fails the same way — keep that TTL short for rotated secrets.
 *
 * @since 0.2.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type { Secret } from "./Secret.js"
import * as SecretsConfig from "./SecretsConfig.js"
import type { SecretsConfigError } from "./SecretsConfigError.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options<E> {
  /**
   * Whether a failure of the effect means the credentials were rejected (an authentication error of
   * the downstream call). Only these start a re-read; a predicate that throws counts as `false`.
   */
  readonly isAuthError: (error: E) => boolean
  /** How to read the secret (`versionStage`, `roleArn`, …); `refreshNow` is set for the re-read. */
  readonly secretOptions?: SecretsConfig.GetSecretOptions | undefined
}

/**
 * The name of the span event added when a rotation is detected.
 *
 * @since 0.2.0
 * @category constants
 */
export const rotationDetectedEvent = "secrets_config.rotation_detected"

const isAuth = <E>(predicate: (error: E) => boolean, error: E): boolean => {
  try {
    return predicate(error) === true
  } catch {
    return false
  }
}

/** Adds the span event (when there is a span) and a log line: the secret's id, never its value. */
const detected = (secretId: string) =>
  Effect.zipRight(
    Effect.flatMap(Effect.option(Effect.currentSpan), (span) =>
      Option.match(span, {
        onNone: () => Effect.void,
        onSome: (span) =>
          Effect.flatMap(Clock.currentTimeNanos, (now) =>
            Effect.sync(() => span.event(rotationDetectedEvent, now, { "secrets_config.name": secretId }))
          )
      })
    ),
    Effect.logInfo("the secret was rejected: reading it again, past the caches, and running once more").pipe(
      Effect.annotateLogs("secrets_config.name", secretId)
    )
  )

const runWith = <S, RS, A, E, R>(
  secretId: string,
  read: (options: SecretsConfig.GetSecretOptions) => Effect.Effect<S, SecretsConfigError, RS>,
  use: (secret: S) => Effect.Effect<A, E, R>,
  options: Options<E>
): Effect.Effect<A, E | SecretsConfigError, R | RS> =>
  Effect.flatMap(read(options.secretOptions ?? {}), (secret) =>
    Effect.flatMap(Effect.exit(use(secret)), (exit) => {
      if (Exit.isSuccess(exit)) return Effect.succeed(exit.value)
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure) || !isAuth(options.isAuthError, failure.value)) return exit
      return detected(secretId).pipe(
        Effect.zipRight(read({ ...options.secretOptions, refreshNow: true })),
        Effect.flatMap(use)
      )
    })
  )

/**
 * Runs `use` with the secret; when it fails with an error `isAuthError` accepts, reads the secret
 * again past every cache and runs `use` once more with it. The second run's result is returned,
 * failure included.
 *
 * @example
 * ```ts
 * import { Secret, SecretsConfigRotation } from "@secrets-config/core"
 * import { Data, Effect, Redacted } from "effect"
 *
 * class AuthenticationFailed extends Data.TaggedError("AuthenticationFailed")<{}> {}
 * class QueryFailed extends Data.TaggedError("QueryFailed")<{ readonly reason: string }> {}
 *
 * // Stands in for your database client: it rejects a password that is not the current one
 * const queryWith = (
 *   password: Secret.SecretValue
 * ): Effect.Effect<ReadonlyArray<{ readonly id: number }>, AuthenticationFailed | QueryFailed> =>
 *   Secret.isBinaryValue(password) || Redacted.value(password) !== "current-password"
 *     ? Effect.fail(new AuthenticationFailed())
 *     : Effect.succeed([{ id: 1 }])
 *
 * const rows = SecretsConfigRotation.withSecret("app/db", (secret) => queryWith(secret.value), {
 *   isAuthError: (error) => error._tag === "AuthenticationFailed"
 * })
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const withSecret = <A, E, R>(
  secretId: string,
  use: (secret: Secret) => Effect.Effect<A, E, R>,
  options: Options<E>
): Effect.Effect<A, E | SecretsConfigError, R | SecretsConfig.SecretsConfig> =>
  runWith(secretId, (secretOptions) => SecretsConfig.getSecret(secretId, secretOptions), use, options)

/**
 * `withSecret` with the secret's text decoded by a `Schema` (as `SecretsConfig.secretAs`), e.g.
 * `Schema.parseJson(Credentials)` for a JSON secret.
 *
 * @since 0.2.0
 * @category combinators
 */
export const withSecretAs = <S, I extends string, RS, A, E, R>(
  secretId: string,
  schema: Schema.Schema<S, I, RS>,
  use: (value: S) => Effect.Effect<A, E, R>,
  options: Options<E>
): Effect.Effect<A, E | SecretsConfigError, R | RS | SecretsConfig.SecretsConfig> =>
  runWith(secretId, (secretOptions) => SecretsConfig.secretAs(secretId, schema, secretOptions), use, options)
