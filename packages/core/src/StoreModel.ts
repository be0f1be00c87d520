/**
 * One model of what Parameter Store and Secrets Manager hold, shared by the in-memory layer
 * (`@secrets-config/memory`) and the emulator (`@secrets-config/emulator`): parameters with
 * versions, labels and types, secrets with versions and staging labels, rotation, binary values,
 * ARNs and the lookups `GetParameter` and `GetSecretValue` make (by name, ARN, partial ARN,
 * `name:selector` and `/aws/reference/secretsmanager/` names).
 *
 * It has one seed format, the emulator's JSON store file ({@link StoreSeed}), and is plain
 * TypeScript without Effect types, so that a later Effect 4 line of the library can share it.
 * Every change is synchronous and atomic: it validates first, then changes, or throws a
 * {@link StoreModelError} that names the field or operation and never a value.
 *
 * @since 0.2.0
 */

// -----------------------------------------------------------------------------
// seed format
// -----------------------------------------------------------------------------

/**
 * A Parameter Store type. A `StringList` value is stored comma-joined; a `SecureString` read
 * without decryption answers a ciphertext-like base64 text.
 *
 * @since 0.2.0
 * @category seed
 */
export type ParameterType = "String" | "StringList" | "SecureString"

/**
 * One version of a parameter.
 *
 * @since 0.2.0
 * @category seed
 */
export interface ParameterVersionSeed {
  /** The value; an array is a `StringList` (joined with `,`). */
  readonly value: string | ReadonlyArray<string>
  /** Default: the previous version's type, else `StringList` for an array and `String` otherwise. */
  readonly type?: ParameterType | undefined
  /** Labels to attach; a label moves here from any other version (as in SSM). */
  readonly labels?: ReadonlyArray<string> | undefined
  /** ISO-8601 date or `Date`. Default: the time of the put. */
  readonly lastModifiedDate?: string | Date | undefined
  /** `DataType`. Default `"text"`. */
  readonly dataType?: string | undefined
  /** What a `SecureString` reads as without decryption. Default: a deterministic KMS-like blob. */
  readonly ciphertext?: string | undefined
}

/**
 * A parameter: one `value` (with the optional fields of {@link ParameterVersionSeed}) or
 * `versions`, oldest first (version 1 first). Seeding a name again adds versions after the last.
 *
 * @since 0.2.0
 * @category seed
 */
export interface ParameterSeed {
  /** The name, e.g. `/app/db-host`. */
  readonly name: string
  /** Default: `arn:<partition>:ssm:<region>:<account>:parameter/<name without its leading slash>`. */
  readonly arn?: string | undefined
  readonly value?: string | ReadonlyArray<string> | undefined
  /** The type of `value`, and the default type of each of `versions`. */
  readonly type?: ParameterType | undefined
  readonly labels?: ReadonlyArray<string> | undefined
  readonly lastModifiedDate?: string | Date | undefined
  readonly dataType?: string | undefined
  readonly ciphertext?: string | undefined
  /** Versions, oldest first (instead of `value`). */
  readonly versions?: ReadonlyArray<ParameterVersionSeed> | undefined
}

/**
 * One version of a secret: exactly one of `value` (a string, or bytes for a binary secret),
 * `binary` (base64, the JSON way to write a binary secret) or `json` (any JSON value, stored as its
 * `JSON.stringify` text).
 *
 * @since 0.2.0
 * @category seed
 */
export interface SecretVersionSeed {
  readonly value?: string | Uint8Array | undefined
  readonly binary?: string | undefined
  readonly json?: unknown
  /** Default: a UUID-shaped id from the store's counter. Unique within the secret. */
  readonly versionId?: string | undefined
  /**
   * Staging labels. When no version of a new secret gives `stages`, the last version is
   * `AWSCURRENT` and the one before it `AWSPREVIOUS`, as after successive puts; when some do, each
   * version has exactly the stages given, and one of them must be `AWSCURRENT`.
   */
  readonly stages?: ReadonlyArray<string> | undefined
  /** ISO-8601 date or `Date`. Default: the time of the put. */
  readonly createdDate?: string | Date | undefined
}

/**
 * A secret: one version (the fields of {@link SecretVersionSeed}) or `versions`, oldest first.
 * Seeding a name again adds versions, each as a `PutSecretValue` would.
 *
 * @since 0.2.0
 * @category seed
 */
export interface SecretSeed extends SecretVersionSeed {
  /** The name, e.g. `app/db`. */
  readonly name: string
  /** Default: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 letters>`. */
  readonly arn?: string | undefined
  /** Versions, oldest first (instead of a single version's fields). */
  readonly versions?: ReadonlyArray<SecretVersionSeed> | undefined
}

/**
 * A whole store: the account it pretends to be in and its contents. The format of the emulator's
 * `--store` file and of the memory layer's seed.
 *
 * @since 0.2.0
 * @category seed
 */
export interface StoreSeed {
  /** Default `"us-east-1"`. */
  readonly region?: string | undefined
  /** Default `"123456789012"`. */
  readonly accountId?: string | undefined
  /** Default `"aws"`. */
  readonly partition?: string | undefined
  readonly parameters?: ReadonlyArray<ParameterSeed> | undefined
  readonly secrets?: ReadonlyArray<SecretSeed> | undefined
}

/**
 * A seed or a change the model refuses. `path` names the field (`parameters.2.labels`) or the
 * operation and resource; `problem` says what is wrong. Neither ever holds a value.
 *
 * @since 0.2.0
 * @category errors
 */
export class StoreModelError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string
  ) {
    super(`${path}: ${problem}`)
    this.name = "StoreModelError"
  }
}

/**
 * Which of AWS's own rules the model enforces on top of the structural ones (labels, stages,
 * versions, `AWSCURRENT`):
 * - `"aws"` (default): names, version ids and sizes as Parameter Store and Secrets Manager accept
 *   them — what a memory layer for tests wants, so a test cannot seed what production cannot hold;
 * - `"lenient"`: any non-empty name (a parameter name without `:`), any non-empty version id up to
 *   64 characters and any size — what the emulator wants, to test how clients encode odd names and
 *   cope with oversized answers.
 *
 * @since 0.2.0
 * @category models
 */
export type Rules = "aws" | "lenient"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  readonly rules?: Rules | undefined
}

// -----------------------------------------------------------------------------
// state
// -----------------------------------------------------------------------------

/**
 * @since 0.2.0
 * @category models
 */
export interface ParameterVersion {
  readonly version: number
  readonly type: ParameterType
  readonly value: string
  readonly dataType: string
  readonly lastModifiedMs: number
  readonly labels: Set<string>
  /** What a read without decryption answers for a `SecureString`. */
  readonly ciphertext: string
}

/**
 * @since 0.2.0
 * @category models
 */
export interface ParameterEntry {
  readonly name: string
  readonly arn: string
  readonly versions: Array<ParameterVersion>
}

/**
 * @since 0.2.0
 * @category models
 */
export type SecretValue =
  | { readonly _tag: "String"; readonly value: string }
  | { readonly _tag: "Binary"; readonly value: Uint8Array }

/**
 * @since 0.2.0
 * @category models
 */
export interface SecretVersion {
  readonly versionId: string
  readonly value: SecretValue
  readonly createdMs: number
  stages: Array<string>
}

/**
 * @since 0.2.0
 * @category models
 */
export interface SecretEntry {
  readonly name: string
  readonly arn: string
  readonly versions: Array<SecretVersion>
}

/**
 * A parameter version selector: `name:3` or `name:Prod`.
 *
 * @since 0.2.0
 * @category models
 */
export type ParameterSelector =
  | { readonly _tag: "Version"; readonly version: number }
  | { readonly _tag: "Label"; readonly label: string }

/**
 * Why a secret lookup failed, so that a source that says why (the Agent) can word it.
 *
 * @since 0.2.0
 * @category models
 */
export type SecretMiss =
  | { readonly _tag: "NoSecret" }
  | { readonly _tag: "NoVersionId"; readonly versionId: string }
  | { readonly _tag: "NoStage"; readonly stage: string }
  | { readonly _tag: "Mismatch" }

/**
 * Secrets Manager's message for a `VersionId` and a `VersionStage` of different versions (an
 * `InvalidRequestException`, the {@link SecretMiss} `"Mismatch"`).
 *
 * @since 0.2.0
 * @category models
 */
export const VERSION_STAGE_MISMATCH = "You provided a VersionStage that is not associated to the provided VersionId."

/**
 * @since 0.2.0
 * @category models
 */
export const CURRENT = "AWSCURRENT"
/**
 * @since 0.2.0
 * @category models
 */
export const PREVIOUS = "AWSPREVIOUS"
/**
 * @since 0.2.0
 * @category models
 */
export const REFERENCE_PREFIX = "/aws/reference/secretsmanager/"

const MAX_PARAMETER_NAME = 1011
const MAX_PARAMETER_BYTES = 8192
const MAX_PARAMETER_VERSIONS = 100
const MAX_LABELS_PER_VERSION = 10
const MAX_SECRET_NAME = 512
const MAX_SECRET_BYTES = 65536

// -----------------------------------------------------------------------------
// deterministic stand-ins for what AWS makes up at random
// -----------------------------------------------------------------------------

/** FNV-1a, 32 bits, over UTF-16 code units: stable across runs and platforms. */
const hash = (input: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** A xorshift32 byte stream seeded from a string (never all-zero). */
const byteStream = (seed: string): (() => number) => {
  let state = hash(seed) || 0x9e3779b9
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state & 0xff
  }
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/**
 * Standard base64 with padding, without `Buffer` or `btoa`.
 *
 * @since 0.2.0
 * @category formats
 */
export const toBase64 = (bytes: Uint8Array): string => {
  let out = ""
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += BASE64[(n >> 18) & 63]! + BASE64[(n >> 12) & 63]! + BASE64[(n >> 6) & 63]! + BASE64[n & 63]!
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8)
    out += BASE64[(n >> 18) & 63]! + BASE64[(n >> 12) & 63]!
    out += i + 1 < bytes.length ? `${BASE64[(n >> 6) & 63]!}=` : "=="
  }
  return out
}

/**
 * Decodes standard base64 (padding optional); `undefined` if it is not base64.
 *
 * @since 0.2.0
 * @category formats
 */
export const fromBase64 = (text: string): Uint8Array | undefined => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined
  const body = text.replace(/=+$/, "")
  if (body.length % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((body.length * 3) / 4))
  let bits = 0
  let value = 0
  let at = 0
  for (const char of body) {
    value = (value << 6) | BASE64.indexOf(char)
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[at++] = (value >> bits) & 0xff
    }
  }
  return out
}

/** A UUID-shaped (version 4 layout) id built from a counter: `00000000-0000-4000-8000-00000000002a`. */
const versionIdOf = (counter: number): string =>
  `00000000-0000-4000-8000-${counter.toString(16).padStart(12, "0").slice(-12)}`

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** The six letters Secrets Manager appends to a secret's name in its ARN (`…:secret:app/db-AbCdEf`). */
const arnSuffix = (seed: string): string => {
  const next = byteStream(`arn:${seed}`)
  let out = ""
  for (let i = 0; i < 6; i++) out += LETTERS[next() % LETTERS.length]
  return out
}

// The first bytes of a real KMS ciphertext blob (base64 "AQICAHi…").
const KMS_HEADER = [0x01, 0x02, 0x02, 0x00, 0x78]
const encoder = new TextEncoder()

/**
 * Base64 text shaped like KMS ciphertext, as Parameter Store answers a `SecureString` read without
 * decryption: the KMS header, then bytes derived from a hash of the seed and the plaintext — not the
 * plaintext masked, so it cannot be turned back into the value — as long as the plaintext plus
 * KMS's overhead. It does not contain the plaintext (checked, for plaintexts of three characters or
 * more that are not part of the fixed `AQICAH` header); the same inputs always give the same text.
 *
 * @since 0.2.0
 * @category formats
 */
export const ciphertext = (seed: string, plaintext: string): string => {
  const length = KMS_HEADER.length + 32 + encoder.encode(plaintext).length + 16
  let candidate = ""
  for (let salt = 0; salt < 32; salt++) {
    // One stream per 4 bytes of output, each seeded from the seed, the plaintext and its position.
    const out = new Uint8Array(length)
    out.set(KMS_HEADER, 0)
    let next = byteStream(`kms:${salt}:${seed}:${plaintext}`)
    for (let at = KMS_HEADER.length; at < length; at++) {
      if ((at - KMS_HEADER.length) % 4 === 0) next = byteStream(`kms:${salt}:${at}:${seed}:${plaintext}`)
      out[at] = next()
    }
    candidate = toBase64(out)
    if (plaintext.length < 3 || !candidate.includes(plaintext)) return candidate
  }
  return candidate
}

// -----------------------------------------------------------------------------
// validation
// -----------------------------------------------------------------------------

const byteLength = (value: SecretValue | string): number =>
  typeof value === "string"
    ? encoder.encode(value).length
    : value._tag === "String"
      ? encoder.encode(value.value).length
      : value.value.length

const checkParameterName = (name: string, rules: Rules): string | undefined => {
  if (typeof name !== "string" || name.length === 0) return "the name is empty"
  if (name.includes(":")) return "a name cannot contain `:` (Parameter Store reads it as a version or label selector)"
  if (rules === "lenient") return name.length > 2048 ? "the name is longer than 2048 characters" : undefined
  if (name.length > MAX_PARAMETER_NAME) return `the name has ${name.length} characters; at most ${MAX_PARAMETER_NAME}`
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) return "a name may contain only letters, digits, `_`, `.`, `-` and `/`"
  if (name.includes("/") && !name.startsWith("/")) return "a name with a path must start with `/`"
  if (name.includes("//") || (name.length > 1 && name.endsWith("/"))) return "a path segment is empty"
  if (/^\/?(aws|ssm)/i.test(name)) return "a name cannot start with `aws` or `ssm`"
  return undefined
}

const checkLabel = (label: string): string | undefined => {
  if (typeof label !== "string" || label.length === 0 || label.length > 100) {
    return "a label must have 1 to 100 characters"
  }
  if (!/^[a-zA-Z0-9_.-]+$/.test(label)) {
    return `label ${JSON.stringify(label)} may contain only letters, digits, \`_\`, \`.\` and \`-\``
  }
  if (/^[0-9]/.test(label)) return `label ${JSON.stringify(label)} cannot start with a digit`
  if (/^(aws|ssm)/i.test(label)) return `label ${JSON.stringify(label)} cannot start with \`aws\` or \`ssm\``
  return undefined
}

const checkSecretName = (name: string, rules: Rules): string | undefined => {
  if (typeof name !== "string" || name.length === 0) return "the name is empty"
  if (rules === "lenient") return undefined
  if (name.length > MAX_SECRET_NAME) return `a secret name has 1 to ${MAX_SECRET_NAME} characters`
  if (!/^[A-Za-z0-9/_+=.@-]+$/.test(name)) return "a secret name may contain only letters, digits and `/_+=.@-`"
  return undefined
}

const checkStage = (stage: string): string | undefined =>
  typeof stage !== "string" || stage.length === 0 || stage.length > 256
    ? "a stage must have 1 to 256 characters"
    : undefined

const checkVersionId = (versionId: string, rules: Rules): string | undefined => {
  if (typeof versionId !== "string" || versionId.length === 0) return "a version id is empty"
  if (versionId.length > 64) return `a version id has at most 64 characters, got ${versionId.length}`
  if (rules === "aws" && versionId.length < 32) return `a version id has 32 to 64 characters, got ${versionId.length}`
  return undefined
}

const parseDate = (input: string | Date | undefined, nowMs: number): number | undefined => {
  if (input === undefined) return nowMs
  const ms = input instanceof Date ? input.getTime() : Date.parse(input)
  return Number.isNaN(ms) ? undefined : ms
}

const parameterText = (value: string | ReadonlyArray<string>, rules: Rules): string | { readonly problem: string } => {
  if (typeof value === "string") return value
  if (!Array.isArray(value)) return { problem: "a value must be a string or a list of strings" }
  if (value.length === 0) return { problem: "a StringList needs at least one item" }
  if (rules === "aws" && value.some((item) => item.length === 0 || item.includes(","))) {
    return { problem: "a StringList item can be neither empty nor contain a comma" }
  }
  return value.join(",")
}

const sameValue = (a: SecretValue, b: SecretValue): boolean => {
  if (a._tag === "String" || b._tag === "String") return a._tag === b._tag && a.value === b.value
  return a.value.length === b.value.length && a.value.every((byte, i) => byte === b.value[i])
}

/** Splits `name:selector` at the last `:`. */
const splitSelector = (name: string): { readonly name: string; readonly selector: string | undefined } => {
  const colon = name.lastIndexOf(":")
  return colon < 0 ? { name, selector: undefined } : { name: name.slice(0, colon), selector: name.slice(colon + 1) }
}

/**
 * The selector text of `name:selector`: digits are a version, anything else a label.
 *
 * @since 0.2.0
 * @category lookups
 */
export const parseSelector = (text: string): ParameterSelector | undefined =>
  /^[0-9]+$/.test(text)
    ? { _tag: "Version", version: Number(text) }
    : text.length > 0
      ? { _tag: "Label", label: text }
      : undefined

// -----------------------------------------------------------------------------
// the model
// -----------------------------------------------------------------------------

/**
 * A mutable store of parameters and secrets. Build one per test or per emulator.
 *
 * @since 0.2.0
 * @category models
 */
export class StoreModel {
  readonly region: string
  readonly accountId: string
  readonly partition: string
  readonly rules: Rules
  readonly parameters = new Map<string, ParameterEntry>()
  readonly secrets = new Map<string, SecretEntry>()
  /** How many times each secret name was created: a secret created again gets a new ARN, as in AWS. */
  private readonly created = new Map<string, number>()
  private counter = 0

  /** Seeds the store; throws a {@link StoreModelError} naming the first bad field. */
  constructor(seed: StoreSeed = {}, nowMs = 0, options: Options = {}) {
    this.rules = options.rules ?? "aws"
    this.region = seed.region ?? "us-east-1"
    this.accountId = seed.accountId ?? "123456789012"
    this.partition = seed.partition ?? "aws"
    for (const [i, p] of (seed.parameters ?? []).entries()) this.seedParameter(p, nowMs, `parameters.${i}`)
    for (const [i, s] of (seed.secrets ?? []).entries()) this.seedSecret(s, nowMs, `secrets.${i}`)
  }

  // ---------------------------------------------------------------------------------------------
  // parameters

  parameterArn(name: string): string {
    return `arn:${this.partition}:ssm:${this.region}:${this.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`
  }

  /** Adds a seeded parameter's versions (creating it if needed), all or nothing. */
  seedParameter(seed: ParameterSeed, nowMs: number, path = "parameter"): void {
    const fail = (field: string, problem: string): never => {
      throw new StoreModelError(field === "" ? path : `${path}.${field}`, problem)
    }
    const nameProblem = checkParameterName(seed?.name, this.rules)
    if (nameProblem !== undefined) fail("name", nameProblem)
    if (seed.versions !== undefined && seed.value !== undefined) fail("", "has both value and versions")
    const versions: ReadonlyArray<ParameterVersionSeed> =
      seed.versions ?? (seed.value !== undefined ? [{ ...seed, value: seed.value }] : [])
    if (versions.length === 0) fail("", "needs a value or versions")
    const existing = this.parameters.get(seed.name)
    const entry: ParameterEntry = {
      name: seed.name,
      arn: existing?.arn ?? seed.arn ?? this.parameterArn(seed.name),
      versions: existing === undefined ? [] : existing.versions.map((v) => ({ ...v, labels: new Set(v.labels) }))
    }
    for (const [i, v] of versions.entries()) {
      const at = seed.versions !== undefined ? `versions.${i}` : ""
      const lastModifiedMs = parseDate(v.lastModifiedDate, nowMs)
      if (lastModifiedMs === undefined)
        fail(at === "" ? "lastModifiedDate" : `${at}.lastModifiedDate`, "is not a valid date")
      const problem = this.pushParameterVersion(
        entry,
        v.value,
        {
          type: v.type ?? seed.type,
          dataType: v.dataType ?? seed.dataType,
          labels: v.labels,
          ciphertext: v.ciphertext
        },
        lastModifiedMs!
      )
      if (problem !== undefined) fail(at, problem)
    }
    this.parameters.set(entry.name, entry)
  }

  /** Appends a version to `entry` (a working copy); a problem leaves `entry` as it was. */
  private pushParameterVersion(
    entry: ParameterEntry,
    value: string | ReadonlyArray<string>,
    options: {
      readonly type?: ParameterType | undefined
      readonly dataType?: string | undefined
      readonly labels?: ReadonlyArray<string> | undefined
      readonly ciphertext?: string | undefined
    },
    nowMs: number
  ): string | undefined {
    const text = parameterText(value, this.rules)
    if (typeof text !== "string") return text.problem
    if (this.rules === "aws") {
      const bytes = byteLength(text)
      if (bytes === 0 || bytes > MAX_PARAMETER_BYTES)
        return `a value has 1 to ${MAX_PARAMETER_BYTES} bytes, got ${bytes}`
    }
    const latest = entry.versions[entry.versions.length - 1]
    if (entry.versions.length >= MAX_PARAMETER_VERSIONS && entry.versions[0]!.labels.size > 0 && this.rules === "aws") {
      return `the parameter has ${MAX_PARAMETER_VERSIONS} versions and the oldest has labels; move them first (as AWS requires)`
    }
    const number = latest === undefined ? 1 : latest.version + 1
    const version: ParameterVersion = {
      version: number,
      // A put keeps the parameter's type unless told otherwise (a list does not make a SecureString
      // a StringList); a new parameter from a list is a StringList.
      type: options.type ?? latest?.type ?? (typeof value !== "string" ? "StringList" : "String"),
      value: text,
      dataType: options.dataType ?? latest?.dataType ?? "text",
      lastModifiedMs: nowMs,
      labels: new Set(),
      ciphertext: options.ciphertext ?? ciphertext(`${entry.arn}#${number}`, text)
    }
    entry.versions.push(version)
    if (options.labels !== undefined && options.labels.length > 0) {
      const problem = this.attachLabels(entry, options.labels, number)
      if (problem !== undefined) {
        entry.versions.pop()
        return problem
      }
    }
    if (entry.versions.length > MAX_PARAMETER_VERSIONS && this.rules === "aws") entry.versions.shift()
    return undefined
  }

  private attachLabels(entry: ParameterEntry, labels: ReadonlyArray<string>, version: number): string | undefined {
    const target = entry.versions.find((v) => v.version === version)
    if (target === undefined) return `version ${version} does not exist`
    for (const label of labels) {
      const problem = checkLabel(label)
      if (problem !== undefined) return problem
    }
    const added = new Set(labels.filter((label) => !target.labels.has(label)))
    if (target.labels.size + added.size > MAX_LABELS_PER_VERSION) {
      return `a version holds at most ${MAX_LABELS_PER_VERSION} labels`
    }
    // A label is on one version at a time: attaching it elsewhere moves it.
    for (const label of added) {
      for (const other of entry.versions) other.labels.delete(label)
      target.labels.add(label)
    }
    return undefined
  }

  /** PutParameter with `Overwrite`: a new version (creating the parameter if needed). Returns its number. */
  putParameter(
    name: string,
    value: string | ReadonlyArray<string>,
    options: {
      readonly type?: ParameterType | undefined
      readonly labels?: ReadonlyArray<string> | undefined
      readonly dataType?: string | undefined
    } = {},
    nowMs = 0
  ): number {
    const fail = (problem: string): never => {
      throw new StoreModelError(`putParameter ${JSON.stringify(name)}`, problem)
    }
    const nameProblem = checkParameterName(name, this.rules)
    if (nameProblem !== undefined) fail(nameProblem)
    const existing = this.parameters.get(name)
    const entry: ParameterEntry = {
      name,
      arn: existing?.arn ?? this.parameterArn(name),
      versions: existing === undefined ? [] : existing.versions.map((v) => ({ ...v, labels: new Set(v.labels) }))
    }
    const problem = this.pushParameterVersion(entry, value, options, nowMs)
    if (problem !== undefined) fail(problem)
    this.parameters.set(name, entry)
    return entry.versions[entry.versions.length - 1]!.version
  }

  /** LabelParameterVersion: attaches labels to a version (default: the newest), moving them. */
  labelParameterVersion(name: string, labels: ReadonlyArray<string>, version?: number): void {
    const entry = this.findParameter(name)
    if (entry === undefined)
      throw new StoreModelError(`labelParameterVersion ${JSON.stringify(name)}`, "the parameter does not exist")
    const copy = { ...entry, versions: entry.versions.map((v) => ({ ...v, labels: new Set(v.labels) })) }
    const problem = this.attachLabels(copy, labels, version ?? entry.versions[entry.versions.length - 1]!.version)
    if (problem !== undefined) throw new StoreModelError(`labelParameterVersion ${JSON.stringify(name)}`, problem)
    this.parameters.set(entry.name, copy)
  }

  /** DeleteParameter: every version goes; `false` if there was no such parameter. */
  deleteParameter(nameOrArn: string): boolean {
    const entry = this.findParameter(nameOrArn)
    return entry !== undefined && this.parameters.delete(entry.name)
  }

  /** A parameter by name or ARN (without selector). `…:parameter/db` is `/db`, else `db`. */
  findParameter(nameOrArn: string): ParameterEntry | undefined {
    const direct = this.parameters.get(nameOrArn)
    if (direct !== undefined || !nameOrArn.startsWith("arn:")) return direct
    let found: ParameterEntry | undefined
    for (const entry of this.parameters.values()) {
      if (entry.arn !== nameOrArn) continue
      if (entry.name.startsWith("/")) return entry
      found ??= entry
    }
    return found
  }

  /** The version a selector picks (none: the newest). */
  parameterVersion(entry: ParameterEntry, selector: ParameterSelector | undefined): ParameterVersion | undefined {
    if (selector === undefined) return entry.versions[entry.versions.length - 1]
    return selector._tag === "Version"
      ? entry.versions.find((v) => v.version === selector.version)
      : entry.versions.find((v) => v.labels.has(selector.label))
  }

  /**
   * GetParameter's lookup of a raw `name[:selector]` (a name or an ARN): a selector of digits is a
   * version, anything else a label.
   */
  resolveParameter(requested: string):
    | {
        readonly entry: ParameterEntry
        readonly version: ParameterVersion
        readonly name: string
        readonly selector: string | undefined
      }
    | undefined {
    let base: string
    let selector: string | undefined
    const arn = /^(arn:[^:]*:ssm:[^:]*:[^:]*:parameter)(.*)$/.exec(requested)
    if (arn !== null) {
      const rest = splitSelector(arn[2]!)
      base = arn[1]! + rest.name
      selector = rest.selector
    } else {
      const split = splitSelector(requested)
      base = split.name
      selector = split.selector
    }
    const entry = this.findParameter(base)
    if (entry === undefined) return undefined
    if (selector !== undefined && parseSelector(selector) === undefined) return undefined
    const version = this.parameterVersion(entry, selector === undefined ? undefined : parseSelector(selector))
    return version === undefined ? undefined : { entry, version, name: base, selector }
  }

  // ---------------------------------------------------------------------------------------------
  // secrets

  secretArn(name: string): string {
    const generation = this.created.get(name) ?? 0
    return `arn:${this.partition}:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${arnSuffix(`${name}#${generation}`)}`
  }

  /** A secret by name, full ARN or partial ARN (the ARN without its `-XXXXXX` suffix). */
  findSecret(id: string): SecretEntry | undefined {
    const direct = this.secrets.get(id)
    if (direct !== undefined || !id.startsWith("arn:")) return direct
    for (const entry of this.secrets.values()) if (entry.arn === id) return entry
    for (const entry of this.secrets.values()) if (entry.arn.slice(0, -7) === id) return entry
    return undefined
  }

  private secretValue(v: SecretVersionSeed): SecretValue | string {
    const given = [v.value !== undefined, v.binary !== undefined, v.json !== undefined].filter(Boolean).length
    if (given !== 1) return "needs exactly one of value, binary or json"
    if (v.binary !== undefined) {
      const bytes = typeof v.binary === "string" ? fromBase64(v.binary) : undefined
      return bytes === undefined ? "binary is not base64" : { _tag: "Binary", value: bytes }
    }
    if (v.json !== undefined) return { _tag: "String", value: JSON.stringify(v.json) }
    if (typeof v.value === "string") return { _tag: "String", value: v.value }
    if (v.value instanceof Uint8Array) return { _tag: "Binary", value: Uint8Array.from(v.value) }
    return "value must be a string or bytes"
  }

  private newSecret(name: string, arn: string | undefined): SecretEntry {
    const entry: SecretEntry = { name, arn: arn ?? this.secretArn(name), versions: [] }
    return entry
  }

  private commitSecret(entry: SecretEntry): void {
    if (!this.secrets.has(entry.name)) this.created.set(entry.name, (this.created.get(entry.name) ?? 0) + 1)
    this.secrets.set(entry.name, entry)
  }

  /**
   * Seeds a secret. A new secret takes its versions as given (see {@link SecretVersionSeed}
   * `stages`); an existing one gets each version as from `PutSecretValue`.
   */
  seedSecret(seed: SecretSeed, nowMs: number, path = "secret"): void {
    this.atomically(() => this.seedSecretOnce(seed, nowMs, path))
  }

  /** Runs a change; a refused one leaves the store as it was, the id counter included. */
  private atomically<A>(change: () => A): A {
    const counter = this.counter
    try {
      return change()
    } catch (error) {
      this.counter = counter
      throw error
    }
  }

  private seedSecretOnce(seed: SecretSeed, nowMs: number, path: string): void {
    const fail = (field: string, problem: string): never => {
      throw new StoreModelError(field === "" ? path : `${path}.${field}`, problem)
    }
    const nameProblem = checkSecretName(seed?.name, this.rules)
    if (nameProblem !== undefined) fail("name", nameProblem)
    const hasOwnValue = seed.value !== undefined || seed.binary !== undefined || seed.json !== undefined
    if (seed.versions !== undefined && hasOwnValue) fail("", "has both a value and versions")
    const versions: ReadonlyArray<SecretVersionSeed> = seed.versions ?? [seed]
    if (versions.length === 0) fail("versions", "is empty: a secret needs at least one version")
    const existing = this.findSecret(seed.name)
    const entry: SecretEntry =
      existing === undefined
        ? this.newSecret(seed.name, seed.arn)
        : { ...existing, versions: existing.versions.map((v) => ({ ...v, stages: [...v.stages] })) }
    const explicit = existing === undefined && versions.some((v) => v.stages !== undefined)
    const last = versions.length - 1
    const holders = new Map<string, number>()
    for (const [i, v] of versions.entries()) {
      const at = seed.versions !== undefined ? `versions.${i}` : ""
      const field = (name: string) => (at === "" ? name : `${at}.${name}`)
      const value = this.secretValue(v)
      if (typeof value === "string") fail(at, value)
      const createdMs = parseDate(v.createdDate, nowMs)
      if (createdMs === undefined) fail(field("createdDate"), "is not a valid date")
      if (existing !== undefined) {
        const problem = this.pushSecretVersion(entry, value as SecretValue, v, createdMs!)
        if (problem !== undefined) fail(at, problem)
        continue
      }
      const stages = explicit ? (v.stages ?? []) : i === last ? [CURRENT] : i === last - 1 ? [PREVIOUS] : []
      for (const stage of stages) {
        const problem = checkStage(stage)
        if (problem !== undefined) fail(field("stages"), problem)
        if (holders.has(stage)) fail(field("stages"), `stage ${stage} is on two versions`)
        holders.set(stage, i)
      }
      const versionId = v.versionId ?? versionIdOf(++this.counter)
      const idProblem = checkVersionId(versionId, this.rules)
      if (idProblem !== undefined) fail(field("versionId"), idProblem)
      if (entry.versions.some((other) => other.versionId === versionId)) {
        fail(field("versionId"), "already exists in this secret")
      }
      const sizeProblem = this.secretSizeProblem(value as SecretValue)
      if (sizeProblem !== undefined) fail(at, sizeProblem)
      entry.versions.push({ versionId, value: value as SecretValue, createdMs: createdMs!, stages: [...stages] })
    }
    if (existing === undefined && !holders.has(CURRENT)) fail("", "no version has the stage AWSCURRENT")
    this.commitSecret(entry)
  }

  private secretSizeProblem(value: SecretValue): string | undefined {
    if (this.rules === "lenient") return undefined
    const bytes = byteLength(value)
    return bytes > MAX_SECRET_BYTES ? `a secret value has at most ${MAX_SECRET_BYTES} bytes, got ${bytes}` : undefined
  }

  /** PutSecretValue on a working copy: a new version with its stages (default `AWSCURRENT`). */
  private pushSecretVersion(
    entry: SecretEntry,
    value: SecretValue,
    options: { readonly versionId?: string | undefined; readonly stages?: ReadonlyArray<string> | undefined },
    nowMs: number
  ): string | undefined {
    const sizeProblem = this.secretSizeProblem(value)
    if (sizeProblem !== undefined) return sizeProblem
    const stages = options.stages ?? [CURRENT]
    for (const stage of stages) {
      const problem = checkStage(stage)
      if (problem !== undefined) return problem
    }
    const versionId = options.versionId ?? versionIdOf(++this.counter)
    const idProblem = checkVersionId(versionId, this.rules)
    if (idProblem !== undefined) return idProblem
    const existing = entry.versions.find((v) => v.versionId === versionId)
    if (existing !== undefined) {
      // The API is idempotent on ClientRequestToken: the same value again changes nothing.
      return sameValue(existing.value, value) ? undefined : `version ${versionId} already exists with another value`
    }
    const version: SecretVersion = { versionId, value, createdMs: nowMs, stages: [] }
    entry.versions.push(version)
    // A new secret always has a current version.
    const all = entry.versions.length === 1 && !stages.includes(CURRENT) ? [...stages, CURRENT] : stages
    for (const stage of all) moveStage(entry, stage, version)
    return undefined
  }

  /**
   * PutSecretValue (creating the secret if needed): a new version, by default `AWSCURRENT` (the
   * old current one becomes `AWSPREVIOUS`). Returns the version id; idempotent on a version id
   * given again with the same value.
   */
  putSecret(
    name: string,
    value: string | Uint8Array,
    options: { readonly versionId?: string | undefined; readonly stages?: ReadonlyArray<string> | undefined } = {},
    nowMs = 0
  ): string {
    return this.atomically(() => this.putSecretOnce(name, value, options, nowMs))
  }

  private putSecretOnce(
    name: string,
    value: string | Uint8Array,
    options: { readonly versionId?: string | undefined; readonly stages?: ReadonlyArray<string> | undefined },
    nowMs: number
  ): string {
    const path = `putSecret ${JSON.stringify(name)}`
    const existing = this.findSecret(name)
    if (existing === undefined) {
      const problem = checkSecretName(name, this.rules)
      if (problem !== undefined) throw new StoreModelError(path, problem)
    }
    const entry: SecretEntry =
      existing === undefined
        ? this.newSecret(name, undefined)
        : { ...existing, versions: existing.versions.map((v) => ({ ...v, stages: [...v.stages] })) }
    const secretValue: SecretValue =
      typeof value === "string" ? { _tag: "String", value } : { _tag: "Binary", value: Uint8Array.from(value) }
    const problem = this.pushSecretVersion(entry, secretValue, options, nowMs)
    if (problem !== undefined) throw new StoreModelError(path, problem)
    this.commitSecret(entry)
    return options.versionId ?? entry.versions[entry.versions.length - 1]!.versionId
  }

  /** A completed rotation of an existing secret: a new `AWSCURRENT` version. Returns its id. */
  rotateSecret(name: string, value: string | Uint8Array, nowMs = 0): string {
    if (this.findSecret(name) === undefined) {
      throw new StoreModelError(`rotateSecret ${JSON.stringify(name)}`, "the secret does not exist")
    }
    return this.putSecret(name, value, {}, nowMs)
  }

  /** UpdateSecretVersionStage: moves a stage to a version; moving `AWSCURRENT` makes its old holder `AWSPREVIOUS`. */
  moveSecretStage(name: string, stage: string, versionId: string): void {
    const path = `moveSecretStage ${JSON.stringify(name)}`
    const entry = this.findSecret(name)
    if (entry === undefined) throw new StoreModelError(path, "the secret does not exist")
    const problem = checkStage(stage)
    if (problem !== undefined) throw new StoreModelError(path, problem)
    const target = entry.versions.find((v) => v.versionId === versionId)
    if (target === undefined) throw new StoreModelError(path, `version ${versionId} does not exist`)
    moveStage(entry, stage, target)
  }

  /** DeleteSecret without recovery: `false` if there was no such secret. */
  deleteSecret(id: string): boolean {
    const entry = this.findSecret(id)
    return entry !== undefined && this.secrets.delete(entry.name)
  }

  /** GetSecretValue's version choice: by id and/or stage, else `AWSCURRENT`. */
  resolveSecret(
    id: string,
    versionId: string | undefined,
    stage: string | undefined
  ): { readonly _tag: "Found"; readonly entry: SecretEntry; readonly version: SecretVersion } | SecretMiss {
    const entry = this.findSecret(id)
    if (entry === undefined) return { _tag: "NoSecret" }
    if (versionId !== undefined) {
      const version = entry.versions.find((v) => v.versionId === versionId)
      if (version === undefined) return { _tag: "NoVersionId", versionId }
      if (stage !== undefined && !version.stages.includes(stage)) return { _tag: "Mismatch" }
      return { _tag: "Found", entry, version }
    }
    const wanted = stage ?? CURRENT
    const version = entry.versions.find((v) => v.stages.includes(wanted))
    return version === undefined ? { _tag: "NoStage", stage: wanted } : { _tag: "Found", entry, version }
  }

  /** The version of a `/aws/reference/secretsmanager/` read: a selector is a version id or a stage. */
  referenceVersion(entry: SecretEntry, selector: string | undefined): SecretVersion | undefined {
    return selector === undefined
      ? entry.versions.find((v) => v.stages.includes(CURRENT))
      : (entry.versions.find((v) => v.versionId === selector) ??
          entry.versions.find((v) => v.stages.includes(selector)))
  }

  /**
   * The secret behind `/aws/reference/secretsmanager/<id>[:<version id or stage>]`, given what
   * follows the prefix. Outside an ARN the last `:` starts the selector; in an ARN, its seventh.
   */
  resolveReference(rest: string):
    | {
        readonly entry: SecretEntry
        readonly version: SecretVersion
        readonly id: string
        readonly selector: string | undefined
      }
    | undefined {
    let id = rest
    let selector: string | undefined
    if (rest.startsWith("arn:")) {
      const parts = rest.split(":")
      if (parts.length > 7) {
        id = parts.slice(0, 7).join(":")
        selector = parts.slice(7).join(":")
      }
    } else {
      const split = splitSelector(rest)
      id = split.name
      selector = split.selector
    }
    if (id.length === 0) return undefined
    const entry = this.findSecret(id)
    if (entry === undefined) return undefined
    const version = this.referenceVersion(entry, selector)
    return version === undefined ? undefined : { entry, version, id, selector }
  }
}

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
