/**
 * The emulator's mutable store: parameters with versions and labels, secrets with versions and
 * staging labels, and the lookups SSM and Secrets Manager do.
 *
 * @internal
 */
import type {
  ParameterSeed,
  ParameterType,
  ParameterVersionSeed,
  SecretSeed,
  SecretVersionSeed,
  StoreSeed
} from "../Store.js"
import { arnSuffix, deterministicUuid, fakeCiphertext } from "./formats.js"

/** A seed the store refuses; `path` names the field, never its content. */
export class StoreSeedError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string
  ) {
    super(`${path} ${problem}`)
  }
}

export interface ParameterVersion {
  readonly version: number
  readonly type: ParameterType
  readonly value: string
  readonly dataType: string
  readonly lastModifiedMs: number
  readonly labels: Set<string>
  readonly ciphertext: string
}

export interface ParameterEntry {
  readonly name: string
  readonly arn: string
  readonly versions: Array<ParameterVersion>
}

export type SecretValue =
  | { readonly _tag: "String"; readonly value: string }
  | { readonly _tag: "Binary"; readonly value: Uint8Array }

export interface SecretVersion {
  readonly versionId: string
  readonly value: SecretValue
  readonly createdMs: number
  stages: Array<string>
}

export interface SecretEntry {
  readonly name: string
  readonly arn: string
  readonly versions: Array<SecretVersion>
}

/** Why a secret version lookup failed, to word the Agent's error like Secrets Manager does. */
export type SecretMiss =
  | { readonly _tag: "NoSecret" }
  | { readonly _tag: "NoVersionId"; readonly versionId: string }
  | { readonly _tag: "NoStage"; readonly stage: string }
  | { readonly _tag: "Mismatch" }

const parseDate = (input: string | Date | undefined, path: string, nowMs: number): number => {
  if (input === undefined) return nowMs
  const ms = input instanceof Date ? input.getTime() : Date.parse(input)
  if (Number.isNaN(ms)) throw new StoreSeedError(path, "is not a valid date")
  return ms
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9"

/** Splits `name:selector` at the last `:`; SSM names cannot contain `:`, so any `:` starts a selector. */
const splitSelector = (name: string): { readonly name: string; readonly selector: string | undefined } => {
  const colon = name.lastIndexOf(":")
  return colon < 0 ? { name, selector: undefined } : { name: name.slice(0, colon), selector: name.slice(colon + 1) }
}

export class Store {
  readonly region: string
  readonly accountId: string
  readonly partition: string
  readonly parameters = new Map<string, ParameterEntry>()
  readonly secrets = new Map<string, SecretEntry>()
  private counter = 0

  constructor(seed: StoreSeed, nowMs: number) {
    this.region = seed.region ?? "us-east-1"
    this.accountId = seed.accountId ?? "123456789012"
    this.partition = seed.partition ?? "aws"
    for (const [i, p] of (seed.parameters ?? []).entries()) this.putParameter(p, nowMs, `parameters.${i}`)
    for (const [i, s] of (seed.secrets ?? []).entries()) this.putSecret(s, nowMs, `secrets.${i}`)
  }

  // ---------------------------------------------------------------------------------------------
  // Parameters

  parameterArn(name: string): string {
    return `arn:${this.partition}:ssm:${this.region}:${this.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`
  }

  putParameter(seed: ParameterSeed, nowMs: number, path = "parameter"): void {
    if (typeof seed.name !== "string" || seed.name.length === 0) throw new StoreSeedError(`${path}.name`, "is empty")
    if (seed.name.includes(":")) {
      throw new StoreSeedError(`${path}.name`, "contains ':' (SSM reads it as a version or label selector)")
    }
    if (seed.name.length > 2048) throw new StoreSeedError(`${path}.name`, "is longer than 2048 characters")
    const versions: ReadonlyArray<ParameterVersionSeed> =
      seed.versions !== undefined ? seed.versions : seed.value !== undefined ? [{ ...seed, value: seed.value }] : []
    if (versions.length === 0) throw new StoreSeedError(path, "needs a value or versions")
    if (seed.versions !== undefined && seed.value !== undefined) {
      throw new StoreSeedError(path, "has both value and versions")
    }
    const existing = this.parameters.get(seed.name)
    const entry: ParameterEntry = existing ?? {
      name: seed.name,
      arn: seed.arn ?? this.parameterArn(seed.name),
      versions: []
    }
    // validate everything before changing anything
    const prepared = versions.map((v, i) => {
      const at = seed.versions !== undefined ? `${path}.versions.${i}` : path
      for (const label of v.labels ?? []) {
        if (label.length === 0 || label.length > 100)
          throw new StoreSeedError(`${at}.labels`, "has an empty or too long label")
        if (isDigit(label[0])) throw new StoreSeedError(`${at}.labels`, "has a label starting with a digit")
        if (/^(aws|ssm)/i.test(label)) throw new StoreSeedError(`${at}.labels`, "has a label starting with aws or ssm")
        if (label.includes(":")) throw new StoreSeedError(`${at}.labels`, "has a label containing ':'")
      }
      return { v, at, lastModifiedMs: parseDate(v.lastModifiedDate, `${at}.lastModifiedDate`, nowMs) }
    })
    for (const { v, lastModifiedMs } of prepared) {
      const previous = entry.versions[entry.versions.length - 1]
      const isList = typeof v.value !== "string"
      const value = typeof v.value === "string" ? v.value : v.value.join(",")
      const version = (previous?.version ?? 0) + 1
      const type: ParameterType = v.type ?? seed.type ?? previous?.type ?? (isList ? "StringList" : "String")
      const labels = new Set(v.labels ?? [])
      for (const other of entry.versions) for (const label of labels) other.labels.delete(label)
      entry.versions.push({
        version,
        type,
        value,
        dataType: v.dataType ?? seed.dataType ?? "text",
        lastModifiedMs,
        labels,
        ciphertext: v.ciphertext ?? fakeCiphertext(entry.arn, version, value)
      })
    }
    this.parameters.set(entry.name, entry)
  }

  /** Finds a parameter by name or ARN (without selector). */
  findParameter(nameOrArn: string): ParameterEntry | undefined {
    const direct = this.parameters.get(nameOrArn)
    if (direct !== undefined) return direct
    if (!nameOrArn.startsWith("arn:")) return undefined
    for (const entry of this.parameters.values()) if (entry.arn === nameOrArn) return entry
    return undefined
  }

  deleteParameter(nameOrArn: string): void {
    const entry = this.findParameter(nameOrArn)
    if (entry !== undefined) this.parameters.delete(entry.name)
  }

  /**
   * GetParameter's lookup of `name[:selector]` (name or ARN): a selector of digits is a version,
   * anything else a label.
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
    if (entry === undefined || entry.versions.length === 0) return undefined
    let version: ParameterVersion | undefined
    if (selector === undefined) {
      version = entry.versions[entry.versions.length - 1]
    } else if (/^[0-9]+$/.test(selector)) {
      const n = Number(selector)
      version = entry.versions.find((v) => v.version === n)
    } else if (selector.length > 0) {
      version = entry.versions.find((v) => v.labels.has(selector))
    }
    return version === undefined ? undefined : { entry, version, name: base, selector }
  }

  // ---------------------------------------------------------------------------------------------
  // Secrets

  secretArn(name: string): string {
    return `arn:${this.partition}:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${arnSuffix(name)}`
  }

  /** Finds a secret by name, full ARN or partial ARN (the ARN without its `-XXXXXX` suffix). */
  findSecret(id: string): SecretEntry | undefined {
    const direct = this.secrets.get(id)
    if (direct !== undefined) return direct
    if (!id.startsWith("arn:")) return undefined
    for (const entry of this.secrets.values()) if (entry.arn === id) return entry
    for (const entry of this.secrets.values()) if (entry.arn.slice(0, -7) === id) return entry
    return undefined
  }

  putSecret(seed: SecretSeed, nowMs: number, path = "secret"): void {
    if (typeof seed.name !== "string" || seed.name.length === 0) throw new StoreSeedError(`${path}.name`, "is empty")
    const hasOwnValue = seed.value !== undefined || seed.binary !== undefined || seed.json !== undefined
    if (seed.versions !== undefined && hasOwnValue) throw new StoreSeedError(path, "has both a value and versions")
    const versions: ReadonlyArray<SecretVersionSeed> = seed.versions ?? [seed]
    if (versions.length === 0) throw new StoreSeedError(`${path}.versions`, "is empty")
    const entry: SecretEntry = this.findSecret(seed.name) ?? {
      name: seed.name,
      arn: seed.arn ?? this.secretArn(seed.name),
      versions: []
    }
    const seen = new Set(entry.versions.map((v) => v.versionId))
    const prepared = versions.map((v, i) => {
      const at = seed.versions !== undefined ? `${path}.versions.${i}` : path
      const given = [v.value !== undefined, v.binary !== undefined, v.json !== undefined].filter(Boolean).length
      if (given !== 1) throw new StoreSeedError(at, "needs exactly one of value, binary or json")
      let value: SecretValue
      if (v.binary !== undefined) {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v.binary)) throw new StoreSeedError(`${at}.binary`, "is not base64")
        value = { _tag: "Binary", value: new Uint8Array(Buffer.from(v.binary, "base64")) }
      } else if (v.json !== undefined) {
        value = { _tag: "String", value: JSON.stringify(v.json) }
      } else if (typeof v.value === "string") {
        value = { _tag: "String", value: v.value }
      } else {
        value = { _tag: "Binary", value: new Uint8Array(v.value!) }
      }
      this.counter++
      const versionId = v.versionId ?? deterministicUuid(this.accountId, entry.name, String(this.counter))
      if (versionId.length === 0) throw new StoreSeedError(`${at}.versionId`, "is empty")
      if (seen.has(versionId)) throw new StoreSeedError(`${at}.versionId`, "already exists in this secret")
      seen.add(versionId)
      const stages = v.stages ?? ["AWSCURRENT"]
      for (const stage of stages) if (stage.length === 0) throw new StoreSeedError(`${at}.stages`, "has an empty label")
      return { versionId, value, stages, createdMs: parseDate(v.createdDate, `${at}.createdDate`, nowMs) }
    })
    for (const p of prepared) {
      const version: SecretVersion = { versionId: p.versionId, value: p.value, createdMs: p.createdMs, stages: [] }
      entry.versions.push(version)
      this.moveStages(entry, version, p.stages)
    }
    this.secrets.set(entry.name, entry)
  }

  /** Attaches stages to a version; `AWSCURRENT` demotes the current version to `AWSPREVIOUS`. */
  private moveStages(entry: SecretEntry, target: SecretVersion, stages: ReadonlyArray<string>): void {
    const detach = (stage: string) => {
      for (const v of entry.versions) if (v !== target) v.stages = v.stages.filter((s) => s !== stage)
    }
    if (stages.includes("AWSCURRENT")) {
      const current = entry.versions.find((v) => v !== target && v.stages.includes("AWSCURRENT"))
      if (current !== undefined) {
        detach("AWSPREVIOUS")
        current.stages = current.stages.filter((s) => s !== "AWSCURRENT")
        if (!stages.includes("AWSPREVIOUS")) current.stages.push("AWSPREVIOUS")
      }
    }
    for (const stage of stages) {
      detach(stage)
      if (!target.stages.includes(stage)) target.stages.push(stage)
    }
  }

  deleteSecret(id: string): void {
    const entry = this.findSecret(id)
    if (entry !== undefined) this.secrets.delete(entry.name)
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
    const wanted = stage ?? "AWSCURRENT"
    const version = entry.versions.find((v) => v.stages.includes(wanted))
    return version === undefined ? { _tag: "NoStage", stage: wanted } : { _tag: "Found", entry, version }
  }

  /**
   * The secret behind `/aws/reference/secretsmanager/<id>[:<version id or stage>]`. Secret names
   * cannot contain `:`, so outside an ARN the last `:` starts the selector; in an ARN the selector
   * follows its seventh `:`.
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
    const version =
      selector === undefined
        ? entry.versions.find((v) => v.stages.includes("AWSCURRENT"))
        : (entry.versions.find((v) => v.versionId === selector) ??
          entry.versions.find((v) => v.stages.includes(selector)))
    return version === undefined ? undefined : { entry, version, id, selector }
  }
}
