/**
 * A local, faithful emulator of the endpoint that the AWS Parameters and Secrets Lambda Extension
 * (dialect `"extension"`) and the AWS Secrets Manager Agent (dialect `"agent"`) serve on
 * `127.0.0.1`: same paths, token checks, status codes and bodies byte for byte, the extension's
 * cache, and switchable faults.
 *
 * ```ts
 * import { Emulator } from "@secrets-config/emulator"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Emulator.Emulator
 *   yield* emulator.control.putParameter({ name: "/app/db-host", value: "db.internal" })
 *   // point a client at emulator.url with the header X-Aws-Parameters-Secrets-Token: emulator.token
 * }).pipe(Effect.provide(Emulator.layer({ store: { parameters: [] } })))
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { randomBytes } from "node:crypto"
import { EmulatorError } from "./EmulatorError.js"
import * as Faults from "./Faults.js"
import { HOST, start } from "./internal/server.js"
import { StoreModel, StoreModelError } from "@secrets-config/core/StoreModel"
import * as Store from "./Store.js"

export {
  /**
   * @since 0.1.0
   * @category errors
   */
  EmulatorError
} from "./EmulatorError.js"

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  Faults
} from "./Faults.js"

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  ParameterSeed,
  /**
   * @since 0.1.0
   * @category models
   */
  SecretSeed,
  /**
   * @since 0.1.0
   * @category models
   */
  StoreSeed
} from "./Store.js"

/**
 * Which endpoint to speak: the AWS Lambda extension (parameters and secrets, plain-text errors) or
 * the Secrets Manager Agent (secrets only, JSON `__type` errors, `/ping`, `/v1/<id>`).
 *
 * @since 0.1.0
 * @category models
 */
export type Dialect = "extension" | "agent"

/**
 * The extension's port when none is given (`PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`'s default).
 * The library defaults to port 0 instead; the CLI uses this.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPort = 2773

/**
 * The extension's maximum cache TTL (`SSM_PARAMETER_STORE_TTL` / `SECRETS_MANAGER_TTL`), in seconds;
 * larger values are clamped to it, as the extension does (docs/protocol.md#extension-cache).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxExtensionTtlSeconds = 300

/**
 * The Agent's maximum TTL (`ttl_seconds`), in seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxAgentTtlSeconds = 3600

/**
 * How to start an emulator. Everything is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default `"extension"`. */
  readonly dialect?: Dialect | undefined
  /** Default 0: a free port, reported as `port`. */
  readonly port?: number | undefined
  /** The token the header must equal. Default: a random one. */
  readonly token?: string | undefined
  /** Initial contents. Default: empty. */
  readonly store?: Store.StoreSeed | undefined
  /**
   * Cache TTL in seconds (one number for both, or per kind), clamped to 300 (extension) or 3600
   * (agent). Absent or 0: no cache, so changes are visible at once. The real extension's default
   * is 300 (the CLI's default too).
   */
  readonly ttlSeconds?:
    | number
    | { readonly parameters?: number | undefined; readonly secrets?: number | undefined }
    | undefined
  /** Initial faults; their windows start when the server starts. */
  readonly faults?: Faults.Faults | undefined
  /** agent: concurrent connections before `429 Connection limit exceeded`. Default 800, as the Agent. */
  readonly maxConnections?: number | undefined
  /** How many request log entries to keep (the oldest go first). Default 10,000. */
  readonly requestLogLimit?: number | undefined
  /**
   * agent: the roles a `roleArn` may name (cross-account role chaining), each with the store that
   * role sees. A well-formed `roleArn` not listed here answers as a failed `AssumeRole`: 403
   * `AccessDeniedException`. Each role has its own cache. See docs/protocol.md#rolearn.
   */
  readonly roles?: Readonly<Record<string, Store.StoreSeed>> | undefined
  /** agent: role clients kept (`max_roles`, 1 to 20, default 20); one more gives 400 `MaxRolesExceeded`. */
  readonly maxRoles?: number | undefined
  /**
   * agent: secrets read into the cache at start, as the Agent's prefetch does (its TOML `prefetch`):
   * each is cached under its name (with the role, if given), so a first read by that exact name is
   * a cache hit. Needs a cache (`ttlSeconds`). See docs/protocol.md#prefetch.
   */
  readonly prefetch?:
    | ReadonlyArray<string | { readonly secretId: string; readonly roleArn?: string | undefined }>
    | undefined
  /** Called with each request's log entry as it completes (e.g. to print it). Must not throw. */
  readonly onRequest?: ((entry: RequestLogEntry) => void) | undefined
}

/**
 * One HTTP request the emulator received. `startedAtMs` / `endedAtMs` come from
 * `performance.now()`: two requests overlapped when each started before the other ended.
 * `endedAtMs` is set just before the last byte is written, so by the time a client has its
 * response the entry is complete.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogEntry {
  readonly seq: number
  readonly method: string
  /** The raw (still percent-encoded) path. */
  readonly path: string
  /** The raw query, without `?`. */
  readonly rawQuery: string
  /** The query as the dialect decodes it (extension: first value of a key; agent: last). */
  readonly query: Readonly<Record<string, string>>
  /** Whether a token header equal to the token was present. */
  readonly tokenOk: boolean
  readonly startedAtMs: number
  /** `NaN` while the request is in flight. */
  readonly endedAtMs: number
  /**
   * The status sent; `"dropped"` when the connection was cut (fault, client gone, shutdown);
   * `"refused"` when the connection was reset on arrival (refusal in reset mode, Agent not ready);
   * `0` while in flight.
   */
  readonly status: number | "dropped" | "refused"
  readonly fromCache: boolean
  /** `false` while in flight. */
  readonly completed: boolean
}

/**
 * Request counters. `maxInFlight` is the largest number of requests being answered at once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly total: number
  readonly maxInFlight: number
  readonly inFlight: number
}

/**
 * Run-time control: change the store, switch faults, read the request log. Store changes do not
 * touch the cache (a rotated value is served stale until its TTL passes, as in production); a bad
 * seed is a defect carrying an {@link EmulatorError}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Control {
  /** Adds a version (or creates the parameter). Labels move to the new version. */
  readonly putParameter: (parameter: Store.ParameterSeed) => Effect.Effect<void>
  /** Removes a parameter (name or ARN). */
  readonly deleteParameter: (name: string) => Effect.Effect<void>
  /** Adds a version (or creates the secret); it becomes AWSCURRENT, the old one AWSPREVIOUS. */
  readonly putSecret: (secret: Store.SecretSeed) => Effect.Effect<void>
  /**
   * A completed rotation of a secret that exists, given by name or ARN: its new value becomes
   * AWSCURRENT. A secret that does not exist is a defect (a typo never creates one).
   */
  readonly rotateSecret: (id: string, value: string | Uint8Array) => Effect.Effect<void>
  /** Removes a secret (name or ARN). */
  readonly deleteSecret: (id: string) => Effect.Effect<void>
  /** Replaces all faults. */
  readonly setFaults: (faults: Faults.Faults) => Effect.Effect<void>
  /** Replaces the faults given (an `undefined` value switches that one off); keeps the others. */
  readonly updateFaults: (faults: Partial<Faults.Faults>) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
  /** The faults in force. */
  readonly faults: Effect.Effect<Faults.Faults>
  /** Every HTTP request received, in order. */
  readonly requests: Effect.Effect<ReadonlyArray<RequestLogEntry>>
  readonly clearRequests: Effect.Effect<void>
  readonly stats: Effect.Effect<Stats>
  readonly resetStats: Effect.Effect<void>
  /** Empties the cache, as a restart of the extension would. */
  readonly clearCache: Effect.Effect<void>
}

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly host: "127.0.0.1"
  readonly port: number
  readonly dialect: Dialect
  /** The token to send in `X-Aws-Parameters-Secrets-Token` (or, agent, `X-Vault-Token`). */
  readonly token: string
  /**
   * The environment a client needs: `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` and the token variable
   * (`AWS_SESSION_TOKEN` for the extension, `AWS_TOKEN` for the Agent).
   */
  readonly env: Readonly<Record<string, string>>
  readonly control: Control
}

/**
 * The service type, by its other name.
 *
 * @since 0.1.0
 * @category models
 */
export type EmulatorService = Emulator

/**
 * The tag of a running emulator (`Emulator.Emulator` is both the tag and the service type).
 *
 * @since 0.1.0
 * @category tags
 */
export const Emulator: Context.Tag<Emulator, Emulator> = Context.GenericTag<Emulator>(
  "@secrets-config/emulator/Emulator"
)

const invalid = (detail: string) => new EmulatorError({ reason: "InvalidOptions", detail })

const resolveTtl = (
  ttl: Options["ttlSeconds"],
  dialect: Dialect
): Effect.Effect<{ readonly parameters: number; readonly secrets: number }, EmulatorError> =>
  Effect.gen(function* () {
    const max = dialect === "extension" ? maxExtensionTtlSeconds : maxAgentTtlSeconds
    const one = (value: number | undefined, name: string) =>
      Effect.gen(function* () {
        if (value === undefined) return 0
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
          return yield* Effect.fail(invalid(`${name} must be a number of seconds >= 0`))
        }
        if (value > max) {
          yield* Effect.logWarning(`secrets-config emulator: ${name} ${value} is larger than ${max}; using ${max}`)
          return max * 1000
        }
        return value * 1000
      })
    if (typeof ttl === "object" && ttl !== null) {
      return {
        parameters: yield* one(ttl.parameters, "ttlSeconds.parameters"),
        secrets: yield* one(ttl.secrets, "ttlSeconds.secrets")
      }
    }
    const both = yield* one(ttl, "ttlSeconds")
    return { parameters: both, secrets: both }
  })

const seedError = (error: unknown): EmulatorError =>
  error instanceof StoreModelError
    ? new EmulatorError({ reason: "InvalidStore", detail: error.message })
    : new EmulatorError({ reason: "InvalidStore", detail: "the store could not be built", cause: error })

/**
 * Starts an emulator on 127.0.0.1; it stops (listener closed, connections destroyed) when the
 * scope closes. Its clock is Effect's `Clock` (cache TTL, fault windows, latency), so `TestClock`
 * drives it; run it under `it.live` / `it.scopedLive` for real time.
 *
 * @example
 * ```ts
 * import { SecretsConfig } from "@secrets-config/core"
 * import { Emulator } from "@secrets-config/emulator"
 * import { LambdaExtension } from "@secrets-config/lambda-extension"
 * import { Effect, Redacted } from "effect"
 *
 * // The live layer against a local emulator: the requests it would send in Lambda, on a free port
 * const program = Effect.gen(function* () {
 *   const emulator = yield* Emulator.make({
 *     store: { parameters: [{ name: "/app/prod/db-host", value: "db.internal" }] }
 *   })
 *   const live = LambdaExtension.layerNode({ port: emulator.port, token: Redacted.make(emulator.token) })
 *   const read = Effect.map(SecretsConfig.parameterValue("/app/prod/db-host"), Redacted.value)
 *   const before = yield* Effect.provide(read, live)
 *   yield* emulator.control.putParameter({ name: "/app/prod/db-host", value: "db2.internal" }) // while it runs
 *   const after = yield* Effect.provide(read, live)
 *   return [before, after] // ["db.internal", "db2.internal"]
 * })
 *
 * // The emulator stops when the scope closes
 * const main = Effect.scoped(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Emulator, EmulatorError, Scope.Scope> =>
  Effect.gen(function* () {
    const dialect = options.dialect ?? "extension"
    if (dialect !== "extension" && dialect !== "agent") return yield* Effect.fail(invalid(`unknown dialect`))
    const requestedPort = options.port ?? 0
    if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
      return yield* Effect.fail(invalid("port must be an integer from 0 to 65535"))
    }
    const token = options.token ?? randomBytes(32).toString("base64url")
    if (typeof token !== "string" || token.length === 0 || /[\u0000-\u001f\u007f]/.test(token)) {
      return yield* Effect.fail(invalid("token must be a non-empty string without control characters"))
    }
    const maxConnections = options.maxConnections ?? 800
    if (!Number.isInteger(maxConnections) || maxConnections < 1) {
      return yield* Effect.fail(invalid("maxConnections must be an integer >= 1"))
    }
    const requestLogLimit = options.requestLogLimit ?? 10_000
    if (!Number.isInteger(requestLogLimit) || requestLogLimit < 1) {
      return yield* Effect.fail(invalid("requestLogLimit must be an integer >= 1"))
    }
    const ttl = yield* resolveTtl(options.ttlSeconds, dialect)
    const faults = yield* Faults.decode(options.faults ?? {})
    const seed = yield* Store.decode(options.store ?? {})
    const now = yield* Clock.currentTimeMillis
    const store = yield* Effect.try({ try: () => new StoreModel(seed, now, { rules: "lenient" }), catch: seedError })
    const roles = new Map<string, StoreModel>()
    for (const [roleArn, roleSeed] of Object.entries(options.roles ?? {})) {
      if (dialect !== "agent") return yield* Effect.fail(invalid("roles are served by the agent dialect only"))
      const decoded = yield* Store.decode(roleSeed)
      roles.set(
        roleArn,
        yield* Effect.try({ try: () => new StoreModel(decoded, now, { rules: "lenient" }), catch: seedError })
      )
    }
    const maxRoles = options.maxRoles ?? 20
    if (!Number.isInteger(maxRoles) || maxRoles < 1 || maxRoles > 20) {
      return yield* Effect.fail(
        invalid("maxRoles must be an integer from 1 to 20 (the Agent refuses to start otherwise)")
      )
    }
    const prefetch = (options.prefetch ?? []).map((entry) => (typeof entry === "string" ? { secretId: entry } : entry))
    if (prefetch.length > 0 && (dialect !== "agent" || ttl.secrets === 0)) {
      return yield* Effect.fail(invalid("prefetch needs the agent dialect and a cache (ttlSeconds)"))
    }

    const running = yield* start({
      dialect,
      port: requestedPort,
      token,
      ttlMs: ttl,
      maxConnections,
      faults,
      store,
      roles,
      maxRoles,
      prefetch,
      requestLogLimit,
      onRequest: options.onRequest
    })

    const mutate = (f: (now: number) => void): Effect.Effect<void> =>
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) => Effect.try({ try: () => f(now), catch: seedError })),
        Effect.orDie
      )
    const checked = (input: Faults.Faults) => Faults.decode(input).pipe(Effect.orDie)

    const control: Control = {
      putParameter: (parameter) =>
        Store.decode({ parameters: [parameter] }).pipe(
          Effect.orDie,
          Effect.zipRight(mutate((now) => store.seedParameter(parameter, now)))
        ),
      deleteParameter: (name) => Effect.sync(() => store.deleteParameter(name)),
      putSecret: (secret) =>
        Store.decode({ secrets: [secret] }).pipe(
          Effect.orDie,
          Effect.zipRight(mutate((now) => store.seedSecret(secret, now)))
        ),
      // A rotation of a secret that exists (by name or ARN): a typo is a defect, never a new secret.
      rotateSecret: (id, value) =>
        mutate((now) => {
          const found = store.findSecret(id)
          if (found === undefined)
            throw new StoreModelError(`rotateSecret ${JSON.stringify(id)}`, "the secret does not exist")
          store.seedSecret({ name: found.name, value }, now)
        }),
      deleteSecret: (id) => Effect.sync(() => store.deleteSecret(id)),
      setFaults: (next) => checked(next).pipe(Effect.flatMap(running.setFaults)),
      updateFaults: (next) => checked(next).pipe(Effect.zipRight(running.updateFaults(next))),
      clearFaults: running.setFaults({}),
      faults: running.faults,
      requests: running.requests,
      clearRequests: running.clearRequests,
      stats: running.stats,
      resetStats: running.resetStats,
      clearCache: running.clearCache
    }

    const port = running.port
    return {
      url: `http://${HOST}:${port}`,
      host: HOST,
      port,
      dialect,
      token,
      env:
        dialect === "extension"
          ? { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port), AWS_SESSION_TOKEN: token }
          : { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port), AWS_TOKEN: token },
      control
    } satisfies Emulator
  }).pipe(Effect.withSpan("Emulator.make", { attributes: { dialect: options.dialect ?? "extension" } }))

/**
 * A layer with a running emulator, stopped when the layer is released.
 *
 * @example
 * ```ts
 * import { Emulator } from "@secrets-config/emulator"
 * import { LambdaExtension } from "@secrets-config/lambda-extension"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * // An Agent emulator with a 60-second cache, and the live layer in the agent dialect pointed at it
 * const AgentEmulator = Emulator.layer({
 *   dialect: "agent",
 *   ttlSeconds: 60,
 *   store: { secrets: [{ name: "app/db", json: { user: "app", password: "s3cr3t" } }] }
 * })
 * const Live = Layer.unwrapEffect(
 *   Effect.map(Emulator.Emulator, (emulator) =>
 *     LambdaExtension.layerNode({ dialect: "agent", port: emulator.port, token: Redacted.make(emulator.token) })
 *   )
 * ).pipe(Layer.provideMerge(AgentEmulator))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Emulator, EmulatorError> =>
  Layer.scoped(Emulator, make(options))
