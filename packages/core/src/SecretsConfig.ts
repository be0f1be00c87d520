/**
 * The `SecretsConfig` service: read SSM Parameter Store parameters and Secrets Manager secrets, with
 * typed errors and values kept `Redacted`. Implementations: `@secrets-config/lambda-extension`
 * (the live endpoint), `@secrets-config/memory` (tests).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Exit from "effect/Exit"
import * as MetricLabel from "effect/MetricLabel"
import type * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as issues from "./internal/issues.js"
import * as internal from "./internal/request.js"
import * as internalService from "./internal/service.js"
import type { Parameter } from "./Parameter.js"
import { isBinaryValue, type Secret } from "./Secret.js"
import * as Metrics from "./SecretsConfigMetrics.js"
import { DecodeError, type InvalidRequest, type SecretsConfigError } from "./SecretsConfigError.js"

/**
 * Options of `getParameter`.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetParameterOptions {
  /** Decrypt a `SecureString` (default `true`). Always `true` for `/aws/reference/secretsmanager/` names. */
  readonly withDecryption?: boolean | undefined
  /** A version number (a positive integer). Exclusive with `label`. */
  readonly version?: number | undefined
  /** A label (or, for `/aws/reference/secretsmanager/` names, a version stage or id). Exclusive with `version`. */
  readonly label?: string | undefined
}

/**
 * Options of `getSecret`.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetSecretOptions {
  readonly versionId?: string | undefined
  /** For example `AWSCURRENT` (the default upstream) or `AWSPREVIOUS`. */
  readonly versionStage?: string | undefined
  /**
   * Read the secret through this IAM role (cross-account role chaining): the Secrets Manager Agent
   * assumes it and keeps one cache per role. Agent dialect only (the Lambda extension has no such
   * parameter); checked before any I/O. The Agent's own identity needs `sts:AssumeRole` on the role,
   * whose trust policy must allow it, and the role needs `secretsmanager:GetSecretValue` and
   * `secretsmanager:DescribeSecret`. docs/protocol.md#rolearn.
   */
  readonly roleArn?: string | undefined
  /**
   * Ask for a fresh value, past every cache: `SecretsConfigCache` does not answer from memory, and
   * in the agent dialect the Agent is sent `refreshNow=true` (it reads AWS and stores the answer).
   * The Lambda extension cannot be told to: there its own TTL bounds how stale an answer is.
   */
  readonly refreshNow?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type ParameterSelector =
  | { readonly _tag: "Version"; readonly version: number }
  | { readonly _tag: "Label"; readonly label: string }

/**
 * A validated, normalised `getParameter` request, handed to implementations.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParameterRequest {
  readonly _tag: "ParameterRequest"
  /** The name as the caller wrote it, any `:selector` included. */
  readonly name: string
  /** The name without a `:selector`. */
  readonly baseName: string
  /** From the options, or written in the name (`inlineSelector`). */
  readonly selector: Option.Option<ParameterSelector>
  readonly inlineSelector: boolean
  readonly withDecryption: boolean
  /** A `/aws/reference/secretsmanager/` name. */
  readonly isReference: boolean
  /** Equal for requests that must get the same answer (name, selector, decryption flag). */
  readonly key: string
}

/**
 * A validated, normalised `getSecret` request, handed to implementations.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretRequest {
  readonly _tag: "SecretRequest"
  readonly secretId: string
  readonly versionId: Option.Option<string>
  readonly versionStage: Option.Option<string>
  /** The role to read through (Agent only). */
  readonly roleArn: Option.Option<string>
  /** Past every cache (see `GetSecretOptions.refreshNow`); not part of `key`. */
  readonly refreshNow: boolean
  /** Equal for requests that must get the same answer. */
  readonly key: string
}

/**
 * Parameter Store names under this path read Secrets Manager secrets.
 *
 * @since 0.1.0
 * @category constants
 */
export const REFERENCE_PREFIX: "/aws/reference/secretsmanager/" = internal.REFERENCE_PREFIX

/**
 * Validates and normalises a `getParameter` call without any I/O.
 *
 * @since 0.1.0
 * @category requests
 */
export const parameterRequest: (
  name: string,
  options?: GetParameterOptions
) => Either.Either<ParameterRequest, InvalidRequest> = internal.parameterRequest

/**
 * Validates and normalises a `getSecret` call without any I/O.
 *
 * @since 0.1.0
 * @category requests
 */
export const secretRequest: (
  secretId: string,
  options?: GetSecretOptions
) => Either.Either<SecretRequest, InvalidRequest> = internal.secretRequest

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace SecretsConfig {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    readonly getParameter: (name: string, options?: GetParameterOptions) => Effect.Effect<Parameter, SecretsConfigError>
    readonly getSecret: (secretId: string, options?: GetSecretOptions) => Effect.Effect<Secret, SecretsConfigError>
  }
}

/**
 * @since 0.1.0
 * @category tags
 */
export class SecretsConfig extends Context.Tag("@secrets-config/core/SecretsConfig")<
  SecretsConfig,
  SecretsConfig.Service
>() {}

/**
 * What an implementation provides: the two reads, given requests already validated.
 *
 * @since 0.1.0
 * @category constructors
 */
export interface Implementation {
  readonly getParameter: (request: ParameterRequest) => Effect.Effect<Parameter, SecretsConfigError>
  readonly getSecret: (request: SecretRequest) => Effect.Effect<Secret, SecretsConfigError>
}

/**
 * Reads a parameter with a request already validated by `parameterRequest`: a service built with
 * `make` does not validate it again.
 *
 * @since 0.2.0
 * @category requests
 */
export const executeParameter = (
  service: SecretsConfig.Service,
  request: ParameterRequest
): Effect.Effect<Parameter, SecretsConfigError> => {
  const internals = internalService.internalsOf(service)
  return internals === undefined
    ? service.getParameter(request.name, optionsOf(request))
    : internals.getParameter(request)
}

/**
 * Reads a secret with a request already validated by `secretRequest`: a service built with `make`
 * does not validate it again.
 *
 * @since 0.2.0
 * @category requests
 */
export const executeSecret = (
  service: SecretsConfig.Service,
  request: SecretRequest
): Effect.Effect<Secret, SecretsConfigError> => {
  const internals = internalService.internalsOf(service)
  return internals === undefined
    ? service.getSecret(request.secretId, secretOptionsOf(request))
    : internals.getSecret(request)
}

/**
 * The value a service already holds in memory for a request, fresh, without running an effect
 * (`undefined` when it has none, or cannot tell). `SecretsConfigCache` answers it; the live and
 * memory layers have nothing to offer here.
 *
 * @since 0.2.0
 * @category requests
 */
export const peek: {
  (service: SecretsConfig.Service, request: ParameterRequest): Parameter | undefined
  (service: SecretsConfig.Service, request: SecretRequest): Secret | undefined
} = ((service: SecretsConfig.Service, request: ParameterRequest | SecretRequest) =>
  internalService.internalsOf(service)?.peek?.(request)) as never

/** A validated request turned back into the options that make it (for a service not built with `make`). */
const optionsOf = (request: ParameterRequest): GetParameterOptions => {
  const selector = request.inlineSelector || request.selector._tag === "None" ? undefined : request.selector.value
  return {
    withDecryption: request.withDecryption,
    ...(selector === undefined
      ? {}
      : selector._tag === "Version"
        ? { version: selector.version }
        : { label: selector.label })
  }
}

const secretOptionsOf = (request: SecretRequest): GetSecretOptions => ({
  ...(request.versionId._tag === "Some" ? { versionId: request.versionId.value } : {}),
  ...(request.versionStage._tag === "Some" ? { versionStage: request.versionStage.value } : {}),
  ...(request.roleArn._tag === "Some" ? { roleArn: request.roleArn.value } : {}),
  ...(request.refreshNow ? { refreshNow: true } : {})
})

/** The `error` label of `secrets_config_errors`, one per tag. */
const errorLabels = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()
const errorLabel = (tag: string) => {
  let labels = errorLabels.get(tag)
  if (labels === undefined) errorLabels.set(tag, (labels = [MetricLabel.make("error", tag)]))
  return labels
}

/**
 * Builds the service from an implementation: every call is validated before the implementation
 * sees it (an invalid one fails with `InvalidRequest` and does no I/O), and gets a span carrying
 * the name and the outcome, never the value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (implementation: Implementation): SecretsConfig.Service => {
  const internals: internalService.Internals = {
    getParameter: (request) =>
      operation("SecretsConfig.getParameter", request.name, Either.right(request), implementation.getParameter),
    getSecret: (request) =>
      operation("SecretsConfig.getSecret", request.secretId, Either.right(request), implementation.getSecret),
    // Nothing held in memory here: a cache in front answers `peek` itself.
    peek: undefined,
    implementation
  }
  const service = SecretsConfig.of({
    getParameter: (name, options) =>
      operation(
        "SecretsConfig.getParameter",
        name,
        internal.parameterRequest(name, options),
        implementation.getParameter
      ),
    getSecret: (secretId, options) =>
      operation(
        "SecretsConfig.getSecret",
        secretId,
        internal.secretRequest(secretId, options),
        implementation.getSecret
      )
  })
  return internalService.withInternals(service, internals)
}

// --- deadline ------------------------------------------------------------------------------

/**
 * A point in time (Clock milliseconds) by which calls must end; `Infinity` for none. Read again at
 * every decision (each attempt, each retry), so a deadline shared by several callers can move.
 *
 * @since 0.2.0
 * @category deadline
 */
export interface Deadline {
  readonly at: number
}

/**
 * The deadline of the `SecretsConfig` calls in this fiber, set by `withDeadline` /
 * `withRemainingTime` (and, for a fetch shared by several callers, by `SecretsConfigCache`: the
 * latest of theirs); `undefined` leaves only the implementation's own.
 *
 * @since 0.2.0
 * @category deadline
 */
export const currentDeadline: FiberRef.FiberRef<Deadline | undefined> = globalValue(
  Symbol.for("@secrets-config/core/SecretsConfig/currentDeadline"),
  () => FiberRef.unsafeMake<Deadline | undefined>(undefined)
)

/**
 * Runs an effect with every `SecretsConfig` call inside it ending within `budget` from now (or
 * sooner, under an earlier deadline already in force). A call that would run past it fails with
 * `RequestTimeout` (scope `"deadline"`), or with its last transient error when no retry fits.
 *
 * @since 0.2.0
 * @category deadline
 */
export const withDeadline: {
  (budget: Duration.DurationInput): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, budget: Duration.DurationInput): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, budget: Duration.DurationInput): Effect.Effect<A, E, R> => {
  const millis = Duration.toMillis(Duration.decode(budget))
  return Effect.clockWith((clock) => {
    const at = clock.unsafeCurrentTimeMillis() + Math.max(0, millis)
    return Effect.locallyWith(self, currentDeadline, (outer) => ({
      at: outer === undefined ? at : Math.min(outer.at, at)
    }))
  })
})

/**
 * The part of a Lambda `context` that `withRemainingTime` reads.
 *
 * @since 0.2.0
 * @category deadline
 */
export interface RemainingTime {
  readonly getRemainingTimeInMillis: () => number
}

/**
 * Kept free by `withRemainingTime` for the handler's own work after the last read (500 ms).
 *
 * @since 0.2.0
 * @category deadline
 */
export const defaultSafetyMargin: Duration.Duration = Duration.millis(500)

/**
 * Runs an effect with every `SecretsConfig` call inside it ending before the Lambda invocation
 * times out, less a safety margin (default 500 ms) left for the handler's own work. With one
 * runtime serving several invocations at once (Lambda Managed Instances, a server beside the
 * Agent), each invocation keeps its own deadline, also when the cache shares one fetch among them.
 *
 * @example
 * ```ts
 * import { SecretsConfig, SecretsConfigCache } from "@secrets-config/core"
 * import { LambdaExtension } from "@secrets-config/lambda-extension"
 * import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
 *
 * // One runtime (one cache) per execution environment, built at module scope
 * const runtime = ManagedRuntime.make(
 *   SecretsConfigCache.layer({ ttl: "5 minutes" }).pipe(Layer.provideMerge(LambdaExtension.layerNode()))
 * )
 *
 * const greeting = Effect.map(SecretsConfig.parameterValue("/app/prod/greeting"), Redacted.value)
 *
 * // Every read ends a second before the invocation would time out
 * export const handler = (_event: unknown, context: SecretsConfig.RemainingTime) =>
 *   runtime.runPromise(greeting.pipe(SecretsConfig.withRemainingTime(context, { safetyMargin: "1 second" })))
 * ```
 *
 * @since 0.2.0
 * @category deadline
 */
export const withRemainingTime: {
  (
    context: RemainingTime,
    options?: { readonly safetyMargin?: Duration.DurationInput | undefined }
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    context: RemainingTime,
    options?: { readonly safetyMargin?: Duration.DurationInput | undefined }
  ): Effect.Effect<A, E, R>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    context: RemainingTime,
    options?: { readonly safetyMargin?: Duration.DurationInput | undefined }
  ): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      const margin = Duration.toMillis(Duration.decode(options?.safetyMargin ?? defaultSafetyMargin))
      const remaining = Number(context.getRemainingTimeInMillis())
      return withDeadline(self, Number.isFinite(remaining) ? Math.max(0, remaining - margin) : 0)
    })
)

/** One operation: validated before any I/O, timed, and traced with the name and the outcome. */
const operation = <Request, A>(
  span: string,
  name: string,
  request: Either.Either<Request, InvalidRequest>,
  run: (request: Request) => Effect.Effect<A, SecretsConfigError>
): Effect.Effect<A, SecretsConfigError> =>
  Effect.useSpan(
    span,
    {
      kind: "client",
      // A trace taken here would show only this module's frames, never the caller's: not worth a `new Error()` per call.
      captureStackTrace: false,
      attributes: { "secrets_config.name": typeof name === "string" ? name.slice(0, 2048) : "" }
    },
    (span) =>
      Effect.clockWith((clock) => {
        const start = clock.unsafeCurrentTimeNanos()
        // The outcome on the span, the latency and the error count: one step at the end.
        return Effect.onExit(Effect.withParentSpan(Effect.flatMap(request, run), span), (exit) =>
          Effect.sync(() => {
            Metrics.fetchLatency.unsafeUpdate(Duration.nanos(clock.unsafeCurrentTimeNanos() - start), [])
            if (Exit.isSuccess(exit)) return span.attribute("secrets_config.outcome", "Success")
            const error = Cause.failureOption(exit.cause)
            const tag =
              error._tag === "Some" ? error.value._tag : Cause.isInterruptedOnly(exit.cause) ? "Interrupted" : "Defect"
            span.attribute("secrets_config.outcome", tag)
            if (error._tag === "Some") Metrics.errors.unsafeUpdate(1, errorLabel(tag))
          })
        )
      })
  )

/**
 * A parameter, value and metadata (type, version, ARN, …), from the `SecretsConfig` in context.
 *
 * @example
 * ```ts
 * import { SecretsConfig } from "@secrets-config/core"
 * import { LambdaExtension } from "@secrets-config/lambda-extension"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   // The version labelled "stable" (or `{ version: 3 }`); the value stays Redacted until asked for
 *   const parameter = yield* SecretsConfig.getParameter("/app/prod/db-host", { label: "stable" })
 *   yield* Effect.log(`${parameter.name} is version ${parameter.version}, a ${parameter.type}`)
 *   return Redacted.value(parameter.value)
 * })
 *
 * // Effect<string, SecretsConfigError | ConfigError>
 * const main = program.pipe(Effect.provide(LambdaExtension.layerNode()))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const getParameter = (
  name: string,
  options?: GetParameterOptions
): Effect.Effect<Parameter, SecretsConfigError, SecretsConfig> =>
  Effect.flatMap(SecretsConfig, (service) => service.getParameter(name, options))

/**
 * A secret, value and metadata (ARN, version id, stages, …), from the `SecretsConfig` in context.
 *
 * @example
 * ```ts
 * import { SecretsConfig } from "@secrets-config/core"
 * import { Effect } from "effect"
 *
 * // The version before the last rotation
 * const previous = SecretsConfig.getSecret("app/db", { versionStage: "AWSPREVIOUS" }).pipe(
 *   Effect.map((secret) => ({ versionId: secret.versionId, stages: secret.versionStages, binary: secret.isBinary }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const getSecret = (
  secretId: string,
  options?: GetSecretOptions
): Effect.Effect<Secret, SecretsConfigError, SecretsConfig> =>
  Effect.flatMap(SecretsConfig, (service) => service.getSecret(secretId, options))

/**
 * A parameter's value as text, still `Redacted`.
 *
 * @example
 * ```ts
 * import { SecretsConfig } from "@secrets-config/core"
 * import { MemorySecretsConfig } from "@secrets-config/memory"
 * import { Effect, Redacted } from "effect"
 *
 * const apiUrl = SecretsConfig.parameterValue("/app/prod/api-url").pipe(Effect.map(Redacted.value))
 *
 * // With the memory layer, as in a test: Effect<string, SecretsConfigError>
 * const inTest = apiUrl.pipe(
 *   Effect.provide(MemorySecretsConfig.layer({ parameters: [{ name: "/app/prod/api-url", value: "https://api.example.com" }] }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const parameterValue = (
  name: string,
  options?: GetParameterOptions
): Effect.Effect<Redacted.Redacted<string>, SecretsConfigError, SecretsConfig> =>
  Effect.map(getParameter(name, options), (parameter) => parameter.value)

const decodeWith = <A, I extends string, R>(
  schema: Schema.Schema<A, I, R>,
  kind: "parameter" | "secret",
  name: string
): ((value: Redacted.Redacted<string>) => Effect.Effect<A, DecodeError, R>) => {
  const decode = ParseResult.decodeUnknown(schema)
  return (value) =>
    Effect.mapError(
      decode(Redacted.value(value)),
      (error) => new DecodeError({ kind, resource: name, issues: issues.describe(error) })
    )
}

/**
 * A parameter's value decoded with the caller's Schema from its text: `Schema.NumberFromString`,
 * `Schema.BooleanFromString`, `Schema.URL`, `Schema.parseJson(MyStruct)`, `StringList`, … A value the
 * schema rejects fails with `DecodeError`, whose message never shows the value. Wrap the schema in
 * `Schema.Redacted(...)` to keep the decoded value redacted.
 *
 * @since 0.1.0
 * @category accessors
 */
export const parameterAs = <A, I extends string, R = never>(
  name: string,
  schema: Schema.Schema<A, I, R>,
  options?: GetParameterOptions
): Effect.Effect<A, SecretsConfigError, SecretsConfig | R> =>
  Effect.flatMap(parameterValue(name, options), decodeWith(schema, "parameter", name))

/**
 * A `StringList` value (comma-joined text) as an array of strings.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StringList: Schema.Schema<ReadonlyArray<string>, string> = Schema.split(",")

/**
 * A `StringList` parameter as an array of strings. A parameter of another type fails with
 * `DecodeError` (read a comma-separated `String` with `parameterAs(name, StringList)`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const parameterList = (
  name: string,
  options?: GetParameterOptions
): Effect.Effect<ReadonlyArray<string>, SecretsConfigError, SecretsConfig> =>
  Effect.flatMap(getParameter(name, options), (parameter) =>
    parameter.type === "StringList"
      ? Effect.succeed(Redacted.value(parameter.value).split(","))
      : Effect.fail(
          new DecodeError({
            kind: "parameter",
            resource: name,
            issues: [`expected a StringList parameter, got a ${parameter.type} parameter`]
          })
        )
  )

/**
 * A string secret's value, still `Redacted`. A binary secret fails with `DecodeError` (use
 * `secretBytes`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const secretValue = (
  secretId: string,
  options?: GetSecretOptions
): Effect.Effect<Redacted.Redacted<string>, SecretsConfigError, SecretsConfig> =>
  Effect.flatMap(getSecret(secretId, options), (secret) =>
    isBinaryValue(secret.value)
      ? Effect.fail(
          new DecodeError({
            kind: "secret",
            resource: secretId,
            issues: ["expected a string secret (SecretString), got a binary secret; use secretBytes"]
          })
        )
      : Effect.succeed(secret.value as Redacted.Redacted<string>)
  )

/**
 * A binary secret's bytes, still `Redacted`. A string secret fails with `DecodeError` (use
 * `secretValue`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const secretBytes = (
  secretId: string,
  options?: GetSecretOptions
): Effect.Effect<Redacted.Redacted<Uint8Array>, SecretsConfigError, SecretsConfig> =>
  Effect.flatMap(getSecret(secretId, options), (secret) =>
    isBinaryValue(secret.value)
      ? Effect.succeed(secret.value)
      : Effect.fail(
          new DecodeError({
            kind: "secret",
            resource: secretId,
            issues: ["expected a binary secret (SecretBinary), got a string secret; use secretValue"]
          })
        )
  )

/**
 * A string secret decoded with the caller's Schema, typically `Schema.parseJson(MyStruct)` for a
 * JSON secret. A value the schema rejects fails with `DecodeError`, whose message never shows the
 * value.
 *
 * @example
 * ```ts
 * import { SecretsConfig } from "@secrets-config/core"
 * import { Effect, Redacted, Schema } from "effect"
 *
 * const Credentials = Schema.Struct({
 *   username: Schema.String,
 *   password: Schema.Redacted(Schema.String) // stays Redacted once decoded
 * })
 *
 * const connectionString = SecretsConfig.secretAs("app/db", Schema.parseJson(Credentials)).pipe(
 *   Effect.map((db) => `postgres://${db.username}:${Redacted.value(db.password)}@db.internal/app`)
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const secretAs = <A, I extends string, R = never>(
  secretId: string,
  schema: Schema.Schema<A, I, R>,
  options?: GetSecretOptions
): Effect.Effect<A, SecretsConfigError, SecretsConfig | R> =>
  Effect.flatMap(secretValue(secretId, options), decodeWith(schema, "secret", secretId))
