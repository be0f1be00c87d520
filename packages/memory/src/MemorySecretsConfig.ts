/**
 * An in-memory `SecretsConfig` for tests, with the semantics of the AWS Parameters and Secrets
 * Lambda Extension: parameter versions and labels, `StringList`, `SecureString` ciphertext without
 * decryption, ARN names, `name:selector`, `/aws/reference/secretsmanager/` names, secret versions and
 * stages, and the extension's ambiguous answer for anything missing. A `Control` service changes the
 * store while a test runs (put, label, rotate, delete), injects faults and latency, and reads the log
 * of requests made.
 *
 * @since 0.1.0
 */
import { Parameter, type ParameterType } from "@secrets-config/core/Parameter"
import { Secret } from "@secrets-config/core/Secret"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import {
  GENERIC_ERROR_BODY,
  NotFound,
  type SecretsConfigError,
  UpstreamError
} from "@secrets-config/core/SecretsConfigError"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as fake from "./internal/fake.js"

// -----------------------------------------------------------------------------
// store format
// -----------------------------------------------------------------------------

/**
 * A parameter value: text, or a list for a `StringList` (joined with commas, as Parameter Store
 * stores it).
 *
 * @since 0.1.0
 * @category store
 */
export type ParameterValue = string | ReadonlyArray<string>

/**
 * A parameter in the initial store. Versions are numbered from 1: `history` holds the older values,
 * oldest first, and `value` is the newest, so `{ value: "c", history: ["a", "b"] }` has versions
 * 1 ("a"), 2 ("b") and 3 ("c").
 *
 * @since 0.1.0
 * @category store
 */
export interface ParameterSeed {
  /** Default: `StringList` for a list value, else `String`. */
  readonly type?: ParameterType | undefined
  /** The newest version's value. */
  readonly value: ParameterValue
  /** Older versions' values, oldest (version 1) first. */
  readonly history?: ReadonlyArray<ParameterValue> | undefined
  /** Labels and the version each is attached to, e.g. `{ Prod: 2 }`. */
  readonly labels?: Readonly<Record<string, number>> | undefined
  /** Default `"text"`. */
  readonly dataType?: string | undefined
  /** Default: the `Clock`'s time when the layer is built. */
  readonly lastModifiedDate?: Date | undefined
}

/**
 * A secret value: a string secret (`SecretString`) or a binary one (`SecretBinary`).
 *
 * @since 0.1.0
 * @category store
 */
export type SecretValue = string | Uint8Array

/**
 * One version of a secret in the initial store.
 *
 * @since 0.1.0
 * @category store
 */
export interface SecretVersionSeed {
  readonly value: SecretValue
  /**
   * Its staging labels. When no version of the secret gives `stages`, the last version is
   * `AWSCURRENT` and the one before it `AWSPREVIOUS`, as after successive puts.
   */
  readonly stages?: ReadonlyArray<string> | undefined
  /** Default: a UUID-shaped id from a counter (`00000000-0000-4000-8000-000000000001`, …). */
  readonly versionId?: string | undefined
  /** Default: the `Clock`'s time when the layer is built. */
  readonly createdDate?: Date | undefined
}

/**
 * A secret in the initial store, its versions oldest first.
 *
 * @since 0.1.0
 * @category store
 */
export interface SecretSeed {
  readonly versions: ReadonlyArray<SecretVersionSeed>
}

/**
 * The initial contents of the memory layer, keyed by name. A plain value is shorthand for a
 * single version: `"text"` is a `String` parameter, `["a", "b"]` a `StringList`; for secrets, a
 * string or bytes is one `AWSCURRENT` version.
 *
 * @since 0.1.0
 * @category store
 */
export interface Store {
  readonly parameters?: Readonly<Record<string, ParameterValue | ParameterSeed>> | undefined
  readonly secrets?: Readonly<Record<string, SecretValue | SecretSeed>> | undefined
}

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
  /** Used in ARNs. Default `"us-east-1"`. */
  readonly region?: string | undefined
  /** Used in ARNs. Default `"123456789012"`. */
  readonly accountId?: string | undefined
  /** Used in ARNs. Default `"aws"`. */
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
 * A `getParameter` call that reached the store (it passed validation). Never holds a value.
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
 * A `getSecret` call that reached the store (it passed validation). Never holds a value.
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
// internal state
// -----------------------------------------------------------------------------

const CURRENT = "AWSCURRENT"
const PREVIOUS = "AWSPREVIOUS"
const { REFERENCE_PREFIX } = SecretsConfig
const MAX_PARAMETER_NAME = 1011
const MAX_PARAMETER_BYTES = 8192
const MAX_PARAMETER_VERSIONS = 100
const MAX_LABELS_PER_VERSION = 10
const MAX_SECRET_NAME = 512
const MAX_SECRET_BYTES = 65536

interface ParameterVersion {
  readonly version: number
  readonly type: ParameterType
  readonly value: string
  readonly dataType: string
  readonly lastModified: number
  readonly labels: Set<string>
}

interface ParameterEntry {
  readonly name: string
  readonly versions: Array<ParameterVersion>
}

interface SecretVersion {
  readonly versionId: string
  readonly value: SecretValue
  readonly createdDate: number
  stages: Array<string>
}

interface SecretEntry {
  readonly name: string
  readonly arn: string
  readonly versions: Array<SecretVersion>
}

interface State {
  readonly parameters: Map<string, ParameterEntry>
  readonly secrets: Map<string, SecretEntry>
  /** How many times a secret of each name was created: a recreated secret gets a new ARN, as in AWS. */
  readonly created: Map<string, number>
  readonly faults: Array<{ remaining: number; readonly fault: Fault }>
  readonly log: Array<LoggedRequest>
  counter: number
  latency: Duration.Duration
}

/** The state is only touched inside `Effect.sync` blocks, which never yield: each change is atomic. */
const emptyState = (): State => ({
  parameters: new Map(),
  secrets: new Map(),
  created: new Map(),
  faults: [],
  log: [],
  counter: 0,
  latency: Duration.zero
})

const encoder = new TextEncoder()
const byteLength = (value: SecretValue): number =>
  typeof value === "string" ? encoder.encode(value).length : value.length

const isList = (u: unknown): u is ReadonlyArray<string> => Array.isArray(u)

const checkParameterName = (name: string): string | undefined => {
  if (name.length === 0) return "the name is empty"
  if (name.length > MAX_PARAMETER_NAME) return `the name has ${name.length} characters; at most ${MAX_PARAMETER_NAME}`
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) return "a name may contain only letters, digits, `_`, `.`, `-` and `/`"
  if (name.includes("/") && !name.startsWith("/")) return "a name with a path must start with `/`"
  if (name.includes("//") || (name.length > 1 && name.endsWith("/"))) return "a path segment is empty"
  if (/^\/?(aws|ssm)/i.test(name)) return "a name cannot start with `aws` or `ssm`"
  return undefined
}

const checkLabel = (label: string): string | undefined => {
  if (label.length === 0 || label.length > 100) return `label ${JSON.stringify(label)} must have 1 to 100 characters`
  if (!/^[a-zA-Z0-9_.-]+$/.test(label)) {
    return `label ${JSON.stringify(label)} may contain only letters, digits, \`_\`, \`.\` and \`-\``
  }
  if (/^[0-9]/.test(label)) return `label ${JSON.stringify(label)} cannot start with a digit`
  if (/^(aws|ssm)/i.test(label)) return `label ${JSON.stringify(label)} cannot start with \`aws\` or \`ssm\``
  return undefined
}

const checkSecretName = (name: string): string | undefined => {
  if (name.length === 0 || name.length > MAX_SECRET_NAME) return `a secret name has 1 to ${MAX_SECRET_NAME} characters`
  if (!/^[A-Za-z0-9/_+=.@-]+$/.test(name)) return "a secret name may contain only letters, digits and `/_+=.@-`"
  return undefined
}

const checkStage = (stage: string): string | undefined =>
  stage.length === 0 || stage.length > 256 ? `stage ${JSON.stringify(stage)} must have 1 to 256 characters` : undefined

const parameterText = (value: ParameterValue): Either.Either<string, string> => {
  if (isList(value)) {
    if (value.length === 0) return Either.left("a StringList needs at least one item")
    if (value.some((item) => item.length === 0 || item.includes(","))) {
      return Either.left("a StringList item can be neither empty nor contain a comma")
    }
    return Either.right(value.join(","))
  }
  return Either.right(value)
}

const attachLabels = (entry: ParameterEntry, labels: ReadonlyArray<string>, version: number): string | undefined => {
  const target = entry.versions.find((v) => v.version === version)
  if (target === undefined) return `version ${version} does not exist`
  for (const label of labels) {
    const problem = checkLabel(label)
    if (problem !== undefined) return problem
  }
  const added = labels.filter((label) => !target.labels.has(label))
  if (target.labels.size + new Set(added).size > MAX_LABELS_PER_VERSION) {
    return `a version holds at most ${MAX_LABELS_PER_VERSION} labels`
  }
  // A label is on one version at a time: attaching it elsewhere moves it.
  for (const label of added) {
    for (const other of entry.versions) other.labels.delete(label)
    target.labels.add(label)
  }
  return undefined
}

const putParameterVersion = (
  state: State,
  name: string,
  value: ParameterValue,
  options: PutParameterOptions | undefined,
  now: number
): Either.Either<number, string> => {
  const nameProblem = checkParameterName(name)
  if (nameProblem !== undefined) return Either.left(nameProblem)
  const text = parameterText(value)
  if (Either.isLeft(text)) return Either.left(text.left)
  const bytes = byteLength(text.right)
  if (bytes === 0 || bytes > MAX_PARAMETER_BYTES) {
    return Either.left(`a value has 1 to ${MAX_PARAMETER_BYTES} bytes, got ${bytes}`)
  }
  const existing = state.parameters.get(name)
  const latest = existing?.versions[existing.versions.length - 1]
  const type: ParameterType = options?.type ?? (isList(value) ? "StringList" : (latest?.type ?? "String"))
  if (existing !== undefined && existing.versions.length >= MAX_PARAMETER_VERSIONS) {
    if (existing.versions[0]!.labels.size > 0) {
      return Either.left(
        `the parameter has ${MAX_PARAMETER_VERSIONS} versions and the oldest has labels; move them first (as AWS requires)`
      )
    }
  }
  const entry: ParameterEntry = existing ?? { name, versions: [] }
  const version: ParameterVersion = {
    version: latest === undefined ? 1 : latest.version + 1,
    type,
    value: text.right,
    dataType: options?.dataType ?? latest?.dataType ?? "text",
    lastModified: now,
    labels: new Set()
  }
  entry.versions.push(version)
  if (entry.versions.length > MAX_PARAMETER_VERSIONS) entry.versions.shift()
  if (options?.labels !== undefined && options.labels.length > 0) {
    const problem = attachLabels(entry, options.labels, version.version)
    if (problem !== undefined) {
      entry.versions.pop()
      return Either.left(problem)
    }
  }
  state.parameters.set(name, entry)
  return Either.right(version.version)
}

const secretArn = (state: State, context: Account, name: string): string => {
  const generation = state.created.get(name) ?? 0
  return `arn:${context.partition}:secretsmanager:${context.region}:${context.accountId}:secret:${name}-${fake.arnSuffix(`${name}#${generation}`)}`
}

const createSecret = (state: State, context: Account, name: string): Either.Either<SecretEntry, string> => {
  const problem = checkSecretName(name)
  if (problem !== undefined) return Either.left(problem)
  const entry: SecretEntry = { name, arn: secretArn(state, context, name), versions: [] }
  state.created.set(name, (state.created.get(name) ?? 0) + 1)
  state.secrets.set(name, entry)
  return Either.right(entry)
}

const nextVersionId = (state: State): string => fake.versionId(++state.counter)

/** Moves a stage to `target`; when `AWSCURRENT` moves, its old holder becomes `AWSPREVIOUS`. */
const moveStage = (entry: SecretEntry, stage: string, target: SecretVersion): void => {
  if (target.stages.includes(stage)) return
  const holder = entry.versions.find((v) => v.stages.includes(stage))
  if (holder !== undefined) holder.stages = holder.stages.filter((s) => s !== stage)
  target.stages = [...target.stages, stage]
  if (stage === CURRENT && holder !== undefined) {
    for (const v of entry.versions) v.stages = v.stages.filter((s) => s !== PREVIOUS)
    holder.stages = [...holder.stages, PREVIOUS]
  }
}

const sameValue = (a: SecretValue, b: SecretValue): boolean => {
  if (typeof a === "string" || typeof b === "string") return a === b
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

const putSecretVersion = (
  state: State,
  entry: SecretEntry,
  value: SecretValue,
  options: PutSecretOptions | undefined,
  now: number
): Either.Either<string, string> => {
  const bytes = byteLength(value)
  if (bytes > MAX_SECRET_BYTES) return Either.left(`a secret value has at most ${MAX_SECRET_BYTES} bytes, got ${bytes}`)
  const stages = options?.stages ?? [CURRENT]
  for (const stage of stages) {
    const problem = checkStage(stage)
    if (problem !== undefined) return Either.left(problem)
  }
  const versionId = options?.versionId ?? nextVersionId(state)
  if (versionId.length < 32 || versionId.length > 64) {
    return Either.left(`a version id has 32 to 64 characters, got ${versionId.length}`)
  }
  const existing = entry.versions.find((v) => v.versionId === versionId)
  if (existing !== undefined) {
    // The API is idempotent on ClientRequestToken: the same value again changes nothing.
    return sameValue(existing.value, value)
      ? Either.right(versionId)
      : Either.left(`version ${versionId} already exists with another value`)
  }
  const version: SecretVersion = {
    versionId,
    value: typeof value === "string" ? value : Uint8Array.from(value),
    createdDate: now,
    stages: []
  }
  entry.versions.push(version)
  // A new secret always has a current version.
  const all = entry.versions.length === 1 && !stages.includes(CURRENT) ? [...stages, CURRENT] : stages
  for (const stage of all) moveStage(entry, stage, version)
  return Either.right(versionId)
}

interface Account {
  readonly partition: string
  readonly region: string
  readonly accountId: string
}

const seedState = (state: State, context: Account, store: Store, now: number): Either.Either<void, ControlError> => {
  const fail = (operation: string, name: string, reason: string) =>
    Either.left(new ControlError({ operation, resource: name, reason }))
  for (const [name, input] of Object.entries(store.parameters ?? {})) {
    const seed: ParameterSeed = typeof input === "string" || isList(input) ? { value: input } : input
    const date = seed.lastModifiedDate?.getTime() ?? now
    for (const value of [...(seed.history ?? []), seed.value]) {
      const put = putParameterVersion(state, name, value, { type: seed.type, dataType: seed.dataType }, date)
      if (Either.isLeft(put)) return fail("seed parameter", name, put.left)
    }
    const entry = state.parameters.get(name)!
    for (const [label, version] of Object.entries(seed.labels ?? {})) {
      const problem = attachLabels(entry, [label], version)
      if (problem !== undefined) return fail("seed parameter", name, problem)
    }
  }
  for (const [name, input] of Object.entries(store.secrets ?? {})) {
    const seed: SecretSeed =
      typeof input === "string" || input instanceof Uint8Array ? { versions: [{ value: input }] } : input
    if (seed.versions.length === 0) return fail("seed secret", name, "a secret needs at least one version")
    const created = createSecret(state, context, name)
    if (Either.isLeft(created)) return fail("seed secret", name, created.left)
    const entry = created.right
    const explicit = seed.versions.some((v) => v.stages !== undefined)
    const last = seed.versions.length - 1
    const seen = new Map<string, string>()
    for (const [i, v] of seed.versions.entries()) {
      const stages = explicit ? (v.stages ?? []) : i === last ? [CURRENT] : i === last - 1 ? [PREVIOUS] : []
      const versionId = v.versionId ?? nextVersionId(state)
      if (entry.versions.some((other) => other.versionId === versionId)) {
        return fail("seed secret", name, `version id ${versionId} appears twice`)
      }
      if (byteLength(v.value) > MAX_SECRET_BYTES) {
        return fail("seed secret", name, `a secret value has at most ${MAX_SECRET_BYTES} bytes`)
      }
      for (const stage of stages) {
        const problem = checkStage(stage)
        if (problem !== undefined) return fail("seed secret", name, problem)
        if (seen.has(stage)) return fail("seed secret", name, `stage ${stage} is on two versions`)
        seen.set(stage, versionId)
      }
      entry.versions.push({
        versionId,
        value: typeof v.value === "string" ? v.value : Uint8Array.from(v.value),
        createdDate: v.createdDate?.getTime() ?? now,
        stages: [...stages]
      })
    }
    if (!seen.has(CURRENT)) return fail("seed secret", name, "no version has the stage AWSCURRENT")
  }
  return Either.right(undefined)
}

// -----------------------------------------------------------------------------
// reads
// -----------------------------------------------------------------------------

const selectorText = (selector: SecretsConfig.ParameterSelector): string =>
  selector._tag === "Version" ? String(selector.version) : selector.label

const parameterArn = (context: Account, name: string): string =>
  `arn:${context.partition}:ssm:${context.region}:${context.accountId}:parameter${name.startsWith("/") ? name : `/${name}`}`

const findParameter = (state: State, context: Account, name: string): ParameterEntry | undefined => {
  if (!name.startsWith("arn:")) return state.parameters.get(name)
  // `…:parameter/app/db` is `/app/db`; `…:parameter/db` is `/db` or `db`.
  const prefix = `arn:${context.partition}:ssm:${context.region}:${context.accountId}:parameter/`
  if (!name.startsWith(prefix)) return undefined
  const rest = name.slice(prefix.length)
  return state.parameters.get(`/${rest}`) ?? (rest.includes("/") ? undefined : state.parameters.get(rest))
}

const findSecret = (state: State, secretId: string): SecretEntry | undefined => {
  const byName = state.secrets.get(secretId)
  if (byName !== undefined || !secretId.startsWith("arn:")) return byName
  // A full ARN, or a partial one (without the six-letter suffix).
  for (const entry of state.secrets.values()) {
    if (entry.arn === secretId || entry.arn.slice(0, -7) === secretId) return entry
  }
  return undefined
}

const secretOf = (entry: SecretEntry, version: SecretVersion): Secret =>
  new Secret(
    {
      arn: entry.arn,
      name: entry.name,
      versionId: version.versionId,
      versionStages: [...version.stages],
      createdDate: new Date(version.createdDate),
      value:
        typeof version.value === "string" ? Redacted.make(version.value) : Redacted.make(Uint8Array.from(version.value))
    },
    { disableValidation: true }
  )

const readReference = (state: State, request: SecretsConfig.ParameterRequest): Option.Option<Parameter> => {
  const entry = findSecret(state, request.baseName.slice(REFERENCE_PREFIX.length))
  if (entry === undefined) return Option.none()
  // Here a selector is a version id or a stage.
  const selector = Option.map(request.selector, selectorText)
  const version = Option.match(selector, {
    onNone: () => entry.versions.find((v) => v.stages.includes(CURRENT)),
    onSome: (s) => entry.versions.find((v) => v.versionId === s) ?? entry.versions.find((v) => v.stages.includes(s))
  })
  if (version === undefined) return Option.none()
  return Option.some(
    new Parameter(
      {
        name: request.baseName,
        type: "SecureString",
        // Parameter Store has no text for a binary secret: the core models it as the bytes in base64.
        value: Redacted.make(typeof version.value === "string" ? version.value : Encoding.encodeBase64(version.value)),
        version: 0,
        selector: Option.map(selector, (s) => `:${s}`),
        arn: entry.arn,
        dataType: Option.none(),
        lastModifiedDate: new Date(version.createdDate),
        secret: Option.some(secretOf(entry, version))
      },
      { disableValidation: true }
    )
  )
}

const readParameter = (
  state: State,
  context: Account,
  request: SecretsConfig.ParameterRequest
): Option.Option<Parameter> => {
  if (request.isReference) return readReference(state, request)
  const entry = findParameter(state, context, request.baseName)
  if (entry === undefined) return Option.none()
  const version = Option.match(request.selector, {
    onNone: () => entry.versions[entry.versions.length - 1],
    onSome: (selector) =>
      selector._tag === "Version"
        ? entry.versions.find((v) => v.version === selector.version)
        : entry.versions.find((v) => v.labels.has(selector.label))
  })
  if (version === undefined) return Option.none()
  const arn = parameterArn(context, entry.name)
  const value =
    version.type === "SecureString" && !request.withDecryption
      ? fake.ciphertext(`${arn}#${version.version}`, version.value)
      : version.value
  return Option.some(
    new Parameter(
      {
        // Parameter Store echoes the name as asked for (an ARN stays an ARN), without the selector.
        name: request.baseName,
        type: version.type,
        value: Redacted.make(value),
        version: version.version,
        selector: Option.map(request.selector, (s) => `:${selectorText(s)}`),
        arn,
        dataType: Option.some(version.dataType),
        lastModifiedDate: new Date(version.lastModified),
        secret: Option.none()
      },
      { disableValidation: true }
    )
  )
}

const readSecret = (state: State, request: SecretsConfig.SecretRequest): Option.Option<Secret> => {
  const entry = findSecret(state, request.secretId)
  if (entry === undefined) return Option.none()
  const byId = Option.getOrUndefined(request.versionId)
  const byStage = Option.getOrUndefined(request.versionStage)
  const version =
    byId !== undefined
      ? entry.versions.find((v) => v.versionId === byId && (byStage === undefined || v.stages.includes(byStage)))
      : entry.versions.find((v) => v.stages.includes(byStage ?? CURRENT))
  return version === undefined ? Option.none() : Option.some(secretOf(entry, version))
}

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

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

/**
 * Builds the memory store, the `SecretsConfig` service reading it and its `Control`. Dates of seeded
 * versions default to the `Clock`'s time. An invalid store (a bad name or label, a label on a
 * version that does not exist, a secret without `AWSCURRENT`, …) is a defect.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  store: Store = {},
  options: Options = {}
): Effect.Effect<{ readonly secretsConfig: SecretsConfig.SecretsConfig.Service; readonly control: Control.Service }> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const context: Account = {
      partition: options.partition ?? "aws",
      region: options.region ?? "us-east-1",
      accountId: options.accountId ?? "123456789012"
    }
    const exact = options.missing === "exact"
    const state = emptyState()
    const seeded = seedState(state, context, store, now)
    if (Either.isLeft(seeded)) return Effect.die(seeded.left)

    const missing = (kind: "parameter" | "secret", resource: string): SecretsConfigError =>
      exact
        ? new NotFound({ kind, resource })
        : new UpstreamError({ kind, resource, status: 400, body: GENERIC_ERROR_BODY, transient: false })

    /** One request that passed validation: a fault or the latency, then the store's answer; logged at the end. */
    const serve = <A>(
      request: SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest,
      answer: () => Option.Option<A>,
      kind: "parameter" | "secret",
      name: string,
      log: (outcome: Outcome) => LoggedRequest
    ): Effect.Effect<A, SecretsConfigError> =>
      Effect.suspend(() => {
        const fault = takeFault(state)
        const latency = state.latency
        const reply = Effect.suspend(() => {
          if (fault !== undefined) return Effect.fail(typeof fault === "function" ? fault(request) : fault)
          return Option.match(answer(), {
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

    const secretsConfig = SecretsConfig.make({
      getParameter: (request) =>
        serve(
          request,
          () => readParameter(state, context, request),
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
          () => readSecret(state, request),
          "secret",
          request.secretId,
          (outcome) => ({
            operation: "getSecret",
            name: request.secretId,
            versionId: request.versionId,
            versionStage: request.versionStage,
            outcome
          })
        )
    })

    /** A control operation: a change to the state made at once, at the `Clock`'s time. */
    const change = <A>(
      operation: string,
      name: string,
      f: (now: number) => Either.Either<A, string>
    ): Effect.Effect<A, ControlError> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Either.match(f(now), {
          onLeft: (reason) => Effect.fail(new ControlError({ operation, resource: name, reason })),
          onRight: Effect.succeed
        })
      )

    const existingSecret = (name: string): Either.Either<SecretEntry, string> => {
      const entry = findSecret(state, name)
      return entry === undefined ? Either.left("the secret does not exist") : Either.right(entry)
    }

    const control: Control.Service = {
      putParameter: (name, value, putOptions) =>
        change("putParameter", name, (at) => putParameterVersion(state, name, value, putOptions, at)),
      labelParameterVersion: (name, labels, version) =>
        change("labelParameterVersion", name, () => {
          const entry = state.parameters.get(name)
          if (entry === undefined) return Either.left("the parameter does not exist")
          const problem = attachLabels(entry, labels, version ?? entry.versions[entry.versions.length - 1]!.version)
          return problem === undefined ? Either.right(undefined) : Either.left(problem)
        }),
      deleteParameter: (name) =>
        change("deleteParameter", name, () =>
          state.parameters.delete(name) ? Either.right(undefined) : Either.left("the parameter does not exist")
        ),
      putSecret: (name, value, putOptions) =>
        change("putSecret", name, (at) => {
          const found = findSecret(state, name)
          const entry = found !== undefined ? Either.right(found) : createSecret(state, context, name)
          return Either.flatMap(entry, (e) => {
            const put = putSecretVersion(state, e, value, putOptions, at)
            if (Either.isLeft(put) && e.versions.length === 0) state.secrets.delete(e.name)
            return put
          })
        }),
      rotateSecret: (name, value) =>
        change("rotateSecret", name, (at) =>
          Either.flatMap(existingSecret(name), (entry) => putSecretVersion(state, entry, value, undefined, at))
        ),
      moveSecretStage: (name, stage, versionId) =>
        change("moveSecretStage", name, () =>
          Either.flatMap(existingSecret(name), (entry) => {
            const problem = checkStage(stage)
            if (problem !== undefined) return Either.left(problem)
            const target = entry.versions.find((v) => v.versionId === versionId)
            if (target === undefined) return Either.left(`version ${versionId} does not exist`)
            moveStage(entry, stage, target)
            return Either.right(undefined)
          })
        ),
      deleteSecret: (name) =>
        change("deleteSecret", name, () =>
          Either.map(existingSecret(name), (entry) => {
            state.secrets.delete(entry.name)
          })
        ),
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

    return Effect.succeed({ secretsConfig, control })
  })

/**
 * A fresh memory store as a layer providing `SecretsConfig` and its `Control`. Build one per test:
 * the store is mutable.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (store?: Store, options?: Options): Layer.Layer<SecretsConfig.SecretsConfig | Control> =>
  Layer.effectContext(
    Effect.map(make(store, options), ({ control, secretsConfig }) =>
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
