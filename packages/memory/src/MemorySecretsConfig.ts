/**
 * An in-memory `SecretsConfig` for tests, with the semantics of the AWS Parameters and Secrets
 * Lambda Extension: parameter versions and labels, `StringList`, `SecureString` ciphertext without
 * decryption, ARN names, `name:selector`, `/aws/reference/secretsmanager/` names, secret versions and
 * stages, and the extension's ambiguous answer for anything missing. A `Control` service changes the
 * store while a test runs (put, label, rotate, delete), injects faults and latency, and reads the log
 * of requests made.
 *
 * The store is the model the emulator serves too (`@secrets-config/core/StoreModel`), seeded from
 * the same format: the emulator's JSON store file. Every call runs under the live layer's retry and
 * deadline policy (`SecretsConfigPolicy`) unless `policy: false`, so a transient fault injected in a
 * test is retried as production retries it.
 *
 * @since 0.1.0
 */
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import {
  AccessDenied,
  GENERIC_ERROR_BODY,
  NotFound,
  type SecretsConfigError,
  UpstreamError
} from "@secrets-config/core/SecretsConfigError"
import * as SecretsConfigPolicy from "@secrets-config/core/SecretsConfigPolicy"
import { Secret } from "@secrets-config/core/Secret"
import {
  type ParameterType,
  type SecretMiss,
  StoreModel,
  VERSION_STAGE_MISMATCH,
  StoreModelError,
  type StoreSeed
} from "@secrets-config/core/StoreModel"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as internalControl from "./internal/control.js"
import * as internalReads from "./internal/reads.js"

// -----------------------------------------------------------------------------
// store format
// -----------------------------------------------------------------------------

/**
 * The seed of a memory store: the emulator's store-file format (`StoreFile` in
 * `@secrets-config/core` decodes it from JSON).
 *
 * @since 0.2.0
 * @category store
 */
export type {
  /**
   * A parameter to seed: a value (or versions), its type, labels, ARN and dates.
   * See `ParameterSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.2.0
   * @category store
   */
  ParameterSeed,
  /**
   * `"String"`, `"StringList"` or `"SecureString"`.
   * See `ParameterType` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.2.0
   * @category store
   */
  ParameterType,
  /**
   * One version of a parameter to seed.
   * See `ParameterVersionSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.2.0
   * @category store
   */
  ParameterVersionSeed,
  /**
   * A secret to seed: one version's fields, or `versions`.
   * See `SecretSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.2.0
   * @category store
   */
  SecretSeed,
  /**
   * One version of a secret to seed: `value`, `binary` (base64) or `json`, with its id and stages.
   * See `SecretVersionSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.2.0
   * @category store
   */
  SecretVersionSeed,
  /**
   * A whole store to seed: parameters, secrets, and the region, account and partition of their ARNs.
   * See `StoreSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.2.0
   * @category store
   */
  StoreSeed
} from "@secrets-config/core/StoreModel"

/**
 * A parameter value: text, or a list for a `StringList` (joined with commas, as Parameter Store
 * stores it).
 *
 * @since 0.1.0
 * @category store
 */
export type ParameterValue = string | ReadonlyArray<string>

/**
 * A secret value: a string secret (`SecretString`) or a binary one (`SecretBinary`).
 *
 * @since 0.1.0
 * @category store
 */
export type SecretValue = string | Uint8Array

/**
 * @since 0.1.0
 * @category options
 */
export interface Options {
  /**
   * How a missing parameter, secret, version, label or stage fails:
   * - `"extension"` (default): as the AWS extension does, `UpstreamError` with status 400 and the body
   *   `an unexpected error occurred while executing request`, not transient — the same answer it
   *   gives for access denied, so code under test must cope with that ambiguity as in production;
   * - `"exact"`: `NotFound`, as a source that says what happened (the Secrets Manager Agent).
   */
  readonly missing?: "extension" | "exact" | undefined
  /**
   * The retry and deadline policy every call runs under, as in the live layer (default: the live
   * layer's, `SecretsConfigPolicy.defaults` and `defaultRetry`): each attempt is bounded by
   * `timeout`, transient failures (an injected `ExtensionNotReady`, a `RequestTimeout`, …) are
   * retried, and no call outlives its deadline. `false`: one attempt, no timeout, every fault
   * reaches the caller.
   */
  readonly policy?: SecretsConfigPolicy.Options | false | undefined
  /**
   * The roles a `roleArn` may name (as the Secrets Manager Agent assumes them), each with the store
   * that role sees. A `roleArn` not listed fails as the Agent answers a refused `AssumeRole`:
   * `AccessDenied`. Control operations change the main store only.
   */
  readonly roles?: Readonly<Record<string, StoreSeed>> | undefined
  /** Used in ARNs; overrides the seed's `region`. Default `"us-east-1"`. */
  readonly region?: string | undefined
  /** Used in ARNs; overrides the seed's `accountId`. Default `"123456789012"`. */
  readonly accountId?: string | undefined
  /** Used in ARNs; overrides the seed's `partition`. Default `"aws"`. */
  readonly partition?: string | undefined
}

// -----------------------------------------------------------------------------
// control
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category control
 */
export interface PutParameterOptions {
  /** Default: the current type of the parameter; for a new one, `StringList` for a list, else `String`. */
  readonly type?: ParameterType | undefined
  /** Labels to attach to the new version; a label already on another version moves here. */
  readonly labels?: ReadonlyArray<string> | undefined
  /** Default: the current data type, else `"text"`. */
  readonly dataType?: string | undefined
}

/**
 * @since 0.1.0
 * @category control
 */
export interface PutSecretOptions {
  /** The new version's id (the API's `ClientRequestToken`). Default: the next UUID-shaped id. */
  readonly versionId?: string | undefined
  /**
   * The new version's stages, default `["AWSCURRENT"]`. A stage moves from the version that held
   * it; when `AWSCURRENT` moves, the version that held it becomes `AWSPREVIOUS`.
   */
  readonly stages?: ReadonlyArray<string> | undefined
}

/**
 * How a logged request ended: `"Success"`, the error's tag, `"Interrupted"` (e.g. by a timeout) or
 * `"Defect"`.
 *
 * @since 0.1.0
 * @category control
 */
export type Outcome = "Success" | "Interrupted" | "Defect" | SecretsConfigError["_tag"]

/**
 * One attempt of a `getParameter` call that reached the store (it passed validation; each retry
 * under the policy is logged again). Never holds a value.
 *
 * @since 0.1.0
 * @category control
 */
export interface LoggedParameterRequest {
  readonly operation: "getParameter"
  /** The name as the caller wrote it, any `:selector` included. */
  readonly name: string
  readonly selector: Option.Option<SecretsConfig.ParameterSelector>
  readonly withDecryption: boolean
  readonly outcome: Outcome
}

/**
 * One attempt of a `getSecret` call that reached the store (it passed validation; each retry under
 * the policy is logged again). Never holds a value.
 *
 * @since 0.1.0
 * @category control
 */
export interface LoggedSecretRequest {
  readonly operation: "getSecret"
  /** The secret id as the caller wrote it. */
  readonly name: string
  readonly versionId: Option.Option<string>
  readonly versionStage: Option.Option<string>
  readonly roleArn: Option.Option<string>
  /** The call asked for a fresh value, past every cache. */
  readonly refreshNow: boolean
  readonly outcome: Outcome
}

/**
 * @since 0.1.0
 * @category control
 */
export type LoggedRequest = LoggedParameterRequest | LoggedSecretRequest

/**
 * What an injected fault fails with: an error, or a function of the (validated) request.
 *
 * @since 0.1.0
 * @category control
 */
export type Fault =
  | SecretsConfigError
  | ((request: SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest) => SecretsConfigError)

/**
 * A control operation was given something AWS would refuse: an invalid name or label, a version
 * that does not exist, a version id reused with another value, …
 *
 * @since 0.1.0
 * @category errors
 */
export class ControlError extends Schema.TaggedError<ControlError>("@secrets-config/memory/ControlError")(
  "ControlError",
  // `resource`, not `name`: an Error's `name` is its class name.
  { operation: Schema.String, resource: Schema.String, reason: Schema.String }
) {
  /** @since 0.1.0 */
  override get message(): string {
    return `MemorySecretsConfig ${this.operation} ${JSON.stringify(this.resource)}: ${this.reason}.`
  }
}

/**
 * @since 0.1.0
 * @category control
 */
export declare namespace Control {
  /**
   * @since 0.1.0
   * @category control
   */
  export interface Service {
    /** Writes a new version of a parameter (PutParameter with `Overwrite`), creating it if needed. Returns the version. */
    readonly putParameter: (
      name: string,
      value: ParameterValue,
      options?: PutParameterOptions
    ) => Effect.Effect<number, ControlError>
    /** Attaches labels to a version (default: the newest), moving them from the version that held them. */
    readonly labelParameterVersion: (
      name: string,
      labels: ReadonlyArray<string>,
      version?: number
    ) => Effect.Effect<void, ControlError>
    /** Deletes a parameter and all its versions. */
    readonly deleteParameter: (name: string) => Effect.Effect<void, ControlError>
    /** Writes a new version of a secret (PutSecretValue), creating the secret if needed. Returns the version id. */
    readonly putSecret: (
      name: string,
      value: SecretValue,
      options?: PutSecretOptions
    ) => Effect.Effect<string, ControlError>
    /**
     * A completed rotation of an existing secret: a new version becomes `AWSCURRENT`, the old current
     * one `AWSPREVIOUS`. Returns the new version id.
     */
    readonly rotateSecret: (name: string, value: SecretValue) => Effect.Effect<string, ControlError>
    /** Moves a stage to a version (UpdateSecretVersionStage); moving `AWSCURRENT` makes its old holder `AWSPREVIOUS`. */
    readonly moveSecretStage: (name: string, stage: string, versionId: string) => Effect.Effect<void, ControlError>
    /** Deletes a secret at once (as with `ForceDeleteWithoutRecovery`). */
    readonly deleteSecret: (name: string) => Effect.Effect<void, ControlError>
    /**
     * Fails the next `count` requests that pass validation with the fault (after the latency).
     * Successive calls queue up; `Infinity` fails every request until `clearFaults`.
     */
    readonly failNext: (count: number, fault: Fault) => Effect.Effect<void>
    readonly clearFaults: Effect.Effect<void>
    /** Delays every later request that passes validation, with `Effect.sleep` (so `TestClock` drives it). */
    readonly setLatency: (latency: Duration.DurationInput) => Effect.Effect<void>
    /** The requests that passed validation, in the order they ended. */
    readonly requests: Effect.Effect<ReadonlyArray<LoggedRequest>>
    readonly clearRequests: Effect.Effect<void>
  }
}

/**
 * The control service of the memory layer.
 *
 * @since 0.1.0
 * @category tags
 */
export class Control extends Context.Tag("@secrets-config/memory/Control")<Control, Control.Service>() {}

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

/** Faults, latency and the request log; touched only inside `Effect.sync` blocks, which never yield. */
interface State {
  readonly faults: Array<{ remaining: number; readonly fault: Fault }>
  readonly log: Array<LoggedRequest>
  latency: Duration.Duration
}

/** Secrets Manager's answer to a version id and a stage of different versions, as the Agent passes it on. */
const MISMATCH_BODY = JSON.stringify({ __type: "InvalidRequestException", message: VERSION_STAGE_MISMATCH })

const outcomeOf = <A>(exit: Exit.Exit<A, SecretsConfigError>): Outcome => {
  if (Exit.isSuccess(exit)) return "Success"
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) return failure.value._tag
  return Cause.isInterruptedOnly(exit.cause) ? "Interrupted" : "Defect"
}

const takeFault = (state: State): Fault | undefined => {
  const head = state.faults[0]
  if (head === undefined) return undefined
  head.remaining -= 1
  if (head.remaining <= 0) state.faults.shift()
  return head.fault
}

/**
 * The `Control` of a memory layer's `SecretsConfig` service, found on the service itself: typed
 * access to the store however the layers were composed (`None` for any other service).
 *
 * @since 0.2.0
 * @category control
 */
export const controlOf = (service: SecretsConfig.SecretsConfig.Service): Option.Option<Control.Service> =>
  Option.fromNullable(internalControl.of<Control.Service>(service))

/**
 * Builds the memory store, the `SecretsConfig` service reading it and its `Control`. Dates of seeded
 * versions default to the `Clock`'s time. An invalid store (a bad name or label, a label on a
 * version that does not exist, a secret without `AWSCURRENT`, …) or invalid policy options are a
 * defect, whose message names the field.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  seed: StoreSeed = {},
  options: Options = {}
): Effect.Effect<{ readonly secretsConfig: SecretsConfig.SecretsConfig.Service; readonly control: Control.Service }> =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const store = yield* Effect.try({
      try: () =>
        new StoreModel(
          {
            ...seed,
            region: options.region ?? seed.region,
            accountId: options.accountId ?? seed.accountId,
            partition: options.partition ?? seed.partition
          },
          now
        ),
      catch: (error) =>
        error instanceof StoreModelError
          ? new ControlError({ operation: "seed", resource: error.path, reason: error.problem })
          : new ControlError({ operation: "seed", resource: "store", reason: "the store could not be built" })
    }).pipe(Effect.orDie)
    const roleStores = new Map<string, StoreModel>()
    for (const [roleArn, roleSeed] of Object.entries(options.roles ?? {})) {
      roleStores.set(
        roleArn,
        yield* Effect.try({
          try: () => new StoreModel(roleSeed, now),
          catch: (error) =>
            new ControlError({
              operation: "seed",
              resource: `roles[${JSON.stringify(roleArn)}]${error instanceof StoreModelError ? `.${error.path}` : ""}`,
              reason: error instanceof StoreModelError ? error.problem : "the store could not be built"
            })
        }).pipe(Effect.orDie)
      )
    }
    const policy =
      options.policy === false ? undefined : yield* Effect.orDie(SecretsConfigPolicy.resolve(options.policy ?? {}))
    const exact = options.missing === "exact"
    const state: State = { faults: [], log: [], latency: Duration.zero }

    const missing = (kind: "parameter" | "secret", resource: string, miss?: SecretMiss): SecretsConfigError =>
      !exact
        ? new UpstreamError({ kind, resource, status: 400, body: GENERIC_ERROR_BODY, transient: false })
        : miss?._tag === "Mismatch"
          ? // Secrets Manager's answer, as the Agent passes it on: not a missing resource, a bad request.
            new UpstreamError({ kind, resource, status: 400, body: MISMATCH_BODY, transient: false })
          : new NotFound({ kind, resource })

    /** One attempt that passed validation: a fault or the latency, then the store's answer; logged at the end. */
    const serve = <A>(
      request: SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest,
      answer: () => Option.Option<A> | SecretMiss | SecretsConfigError,
      kind: "parameter" | "secret",
      name: string,
      log: (outcome: Outcome) => LoggedRequest
    ): Effect.Effect<A, SecretsConfigError> => {
      const attempt = Effect.suspend(() => {
        const fault = takeFault(state)
        const latency = state.latency
        const reply = Effect.suspend(() => {
          if (fault !== undefined) return Effect.fail(typeof fault === "function" ? fault(request) : fault)
          const found = answer()
          if (found instanceof AccessDenied) return Effect.fail(found)
          if (!Option.isOption(found)) return Effect.fail(missing(kind, name, found as SecretMiss))
          return Option.match(found, {
            onNone: () => Effect.fail(missing(kind, name)),
            onSome: (value) => Effect.succeed(value)
          })
        })
        return Duration.isZero(latency) ? reply : Effect.zipRight(Effect.sleep(latency), reply)
      }).pipe(
        Effect.onExit((exit) =>
          Effect.sync(() => {
            state.log.push(log(outcomeOf(exit)))
          })
        )
      )
      return policy === undefined
        ? attempt
        : SecretsConfigPolicy.run(policy, { kind, resource: name }, (bound, onTimeout) =>
            SecretsConfigPolicy.timeoutAttempt(attempt, bound, onTimeout)
          )
    }

    /** A control operation: a change to the store made at once, at the `Clock`'s time. */
    const change = <A>(operation: string, name: string, f: (now: number) => A): Effect.Effect<A, ControlError> =>
      Effect.flatMap(Clock.currentTimeMillis, (at) =>
        Effect.try({
          try: () => f(at),
          catch: (error) =>
            new ControlError({
              operation,
              resource: name,
              reason: error instanceof StoreModelError ? error.problem : "the change failed"
            })
        })
      )

    const control: Control.Service = {
      putParameter: (name, value, putOptions) =>
        change("putParameter", name, (at) => store.putParameter(name, value, putOptions, at)),
      labelParameterVersion: (name, labels, version) =>
        change("labelParameterVersion", name, () => store.labelParameterVersion(name, labels, version)),
      deleteParameter: (name) =>
        change("deleteParameter", name, () => {
          if (!store.deleteParameter(name)) throw new StoreModelError(name, "the parameter does not exist")
        }),
      putSecret: (name, value, putOptions) =>
        change("putSecret", name, (at) => store.putSecret(name, value, putOptions, at)),
      rotateSecret: (name, value) => change("rotateSecret", name, (at) => store.rotateSecret(name, value, at)),
      moveSecretStage: (name, stage, versionId) =>
        change("moveSecretStage", name, () => store.moveSecretStage(name, stage, versionId)),
      deleteSecret: (name) =>
        change("deleteSecret", name, () => {
          if (!store.deleteSecret(name)) throw new StoreModelError(name, "the secret does not exist")
        }),
      failNext: (count, fault) =>
        Effect.sync(() => {
          const remaining = count === Infinity ? Infinity : Math.floor(count)
          if (remaining > 0) state.faults.push({ remaining, fault })
        }),
      clearFaults: Effect.sync(() => {
        state.faults.length = 0
      }),
      setLatency: (latency) =>
        Effect.sync(() => {
          state.latency = Duration.decode(latency)
        }),
      requests: Effect.sync(() => state.log.slice()),
      clearRequests: Effect.sync(() => {
        state.log.length = 0
      })
    }

    const secretsConfig = SecretsConfig.make({
      getParameter: (request) =>
        serve(
          request,
          () => internalReads.readParameter(store, request),
          "parameter",
          request.name,
          (outcome) => ({
            operation: "getParameter",
            name: request.name,
            selector: request.selector,
            withDecryption: request.withDecryption,
            outcome
          })
        ),
      getSecret: (request) =>
        serve(
          request,
          () => {
            const source = Option.isNone(request.roleArn) ? store : roleStores.get(request.roleArn.value)
            if (source === undefined) {
              return new AccessDenied({
                kind: "secret",
                resource: request.secretId,
                detail: `Failed to create caching client from role: ${Option.getOrElse(request.roleArn, () => "")}`
              })
            }
            const found = internalReads.readSecret(source, request)
            return found instanceof Secret ? Option.some(found) : found
          },
          "secret",
          request.secretId,
          (outcome) => ({
            operation: "getSecret",
            name: request.secretId,
            versionId: request.versionId,
            versionStage: request.versionStage,
            roleArn: request.roleArn,
            refreshNow: request.refreshNow,
            outcome
          })
        )
    })
    internalControl.attach(secretsConfig, control)
    return { secretsConfig, control }
  })

/**
 * A fresh memory store as a layer providing `SecretsConfig` and its `Control`. Build one per test:
 * the store is mutable.
 *
 * @example
 * ```ts
 * import { SecretsConfig, SecretsConfigError } from "@secrets-config/core"
 * import { MemorySecretsConfig } from "@secrets-config/memory"
 * import { Effect, Redacted } from "effect"
 *
 * const TestSecrets = MemorySecretsConfig.layer({
 *   parameters: [{ name: "/app/prod/db-host", value: "db.internal" }],
 *   secrets: [{ name: "app/db", json: { username: "app", password: "s3cr3t" } }]
 * })
 *
 * const program = Effect.gen(function* () {
 *   const before = yield* SecretsConfig.parameterValue("/app/prod/db-host")
 *   yield* MemorySecretsConfig.putParameter("/app/prod/db-host", "db2.internal") // version 2
 *   // One throttled answer: retried under the default policy, as the live layer would
 *   const throttled = new SecretsConfigError.Throttled({ kind: "parameter", resource: "/app/prod/db-host", status: 429 })
 *   yield* MemorySecretsConfig.failNext(1, throttled)
 *   const after = yield* SecretsConfig.parameterValue("/app/prod/db-host")
 *   const requests = yield* MemorySecretsConfig.requests // 3: the throttled one included
 *   return [Redacted.value(before), Redacted.value(after), requests.length] // ["db.internal", "db2.internal", 3]
 * })
 *
 * const test = program.pipe(Effect.provide(TestSecrets))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (seed?: StoreSeed, options?: Options): Layer.Layer<SecretsConfig.SecretsConfig | Control> =>
  Layer.effectContext(
    Effect.map(make(seed, options), ({ control, secretsConfig }) =>
      Context.make(SecretsConfig.SecretsConfig, secretsConfig).pipe(Context.add(Control, control))
    )
  )

// -----------------------------------------------------------------------------
// accessors
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category accessors
 */
export const putParameter = (
  name: string,
  value: ParameterValue,
  options?: PutParameterOptions
): Effect.Effect<number, ControlError, Control> =>
  Effect.flatMap(Control, (control) => control.putParameter(name, value, options))

/**
 * @since 0.1.0
 * @category accessors
 */
export const labelParameterVersion = (
  name: string,
  labels: ReadonlyArray<string>,
  version?: number
): Effect.Effect<void, ControlError, Control> =>
  Effect.flatMap(Control, (control) => control.labelParameterVersion(name, labels, version))

/**
 * @since 0.1.0
 * @category accessors
 */
export const deleteParameter = (name: string): Effect.Effect<void, ControlError, Control> =>
  Effect.flatMap(Control, (control) => control.deleteParameter(name))

/**
 * @since 0.1.0
 * @category accessors
 */
export const putSecret = (
  name: string,
  value: SecretValue,
  options?: PutSecretOptions
): Effect.Effect<string, ControlError, Control> =>
  Effect.flatMap(Control, (control) => control.putSecret(name, value, options))

/**
 * @since 0.1.0
 * @category accessors
 */
export const rotateSecret = (name: string, value: SecretValue): Effect.Effect<string, ControlError, Control> =>
  Effect.flatMap(Control, (control) => control.rotateSecret(name, value))

/**
 * @since 0.1.0
 * @category accessors
 */
export const moveSecretStage = (
  name: string,
  stage: string,
  versionId: string
): Effect.Effect<void, ControlError, Control> =>
  Effect.flatMap(Control, (control) => control.moveSecretStage(name, stage, versionId))

/**
 * @since 0.1.0
 * @category accessors
 */
export const deleteSecret = (name: string): Effect.Effect<void, ControlError, Control> =>
  Effect.flatMap(Control, (control) => control.deleteSecret(name))

/**
 * @since 0.1.0
 * @category accessors
 */
export const failNext = (count: number, fault: Fault): Effect.Effect<void, never, Control> =>
  Effect.flatMap(Control, (control) => control.failNext(count, fault))

/**
 * @since 0.1.0
 * @category accessors
 */
export const clearFaults: Effect.Effect<void, never, Control> = Effect.flatMap(
  Control,
  (control) => control.clearFaults
)

/**
 * @since 0.1.0
 * @category accessors
 */
export const setLatency = (latency: Duration.DurationInput): Effect.Effect<void, never, Control> =>
  Effect.flatMap(Control, (control) => control.setLatency(latency))

/**
 * @since 0.1.0
 * @category accessors
 */
export const requests: Effect.Effect<ReadonlyArray<LoggedRequest>, never, Control> = Effect.flatMap(
  Control,
  (control) => control.requests
)

/**
 * @since 0.1.0
 * @category accessors
 */
export const clearRequests: Effect.Effect<void, never, Control> = Effect.flatMap(
  Control,
  (control) => control.clearRequests
)
