/** Validation and normalisation of requests, done before any I/O by every implementation. */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { ParameterRequest, ParameterSelector, SecretRequest } from "../SecretsConfig.js"
import { InvalidRequest } from "../SecretsConfigError.js"

/** The API's `Name` field holds at most 2048 characters (a parameter ARN included). */
export const MAX_NAME_LENGTH = 2048
export const MAX_LABEL_LENGTH = 100
export const MAX_VERSION_ID_LENGTH = 64
export const MAX_VERSION_STAGE_LENGTH = 256
export const REFERENCE_PREFIX = "/aws/reference/secretsmanager/" as const

const invalid = (kind: "parameter" | "secret", name: string, reason: string) =>
  Either.left(new InvalidRequest({ kind, resource: name, reason }))

/**
 * Where the selector starts in a name, or -1. A parameter name cannot contain `:`, but an ARN
 * does, and so may a secret ARN inside a `/aws/reference/secretsmanager/` name.
 */
const selectorIndex = (name: string): number => {
  if (name.startsWith("arn:")) {
    const at = name.indexOf(":parameter/")
    return at === -1 ? -1 : name.indexOf(":", at + ":parameter/".length)
  }
  if (name.startsWith(REFERENCE_PREFIX)) {
    const rest = name.slice(REFERENCE_PREFIX.length)
    if (rest.startsWith("arn:")) {
      // arn:partition:secretsmanager:region:account:secret:name → the selector follows a 7th colon
      let at = -1
      for (let i = 0; i < 7; i++) {
        at = rest.indexOf(":", at + 1)
        if (at === -1) return -1
      }
      return REFERENCE_PREFIX.length + at
    }
    const at = rest.indexOf(":")
    return at === -1 ? -1 : REFERENCE_PREFIX.length + at
  }
  return name.indexOf(":")
}

// Control characters have no place in AWS names, labels, ids or stages; they would also let two
// different requests share a cache key (keys join fields with NUL) and put line breaks in logs.
const CONTROL = /[\u0000-\u001f\u007f]/
// A lone UTF-16 surrogate cannot be percent-encoded.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Why a text field is unusable, or undefined. */
const badText = (what: string, text: string): string | undefined =>
  CONTROL.test(text)
    ? `${what} contains a control character (U+0000–U+001F or U+007F)`
    : LONE_SURROGATE.test(text)
      ? `${what} contains a lone UTF-16 surrogate, which cannot be percent-encoded`
      : undefined

const isPositiveInteger = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 1

const selectorText = (selector: ParameterSelector): string =>
  selector._tag === "Version" ? String(selector.version) : selector.label

export const parameterRequest = (
  name: string,
  options?: {
    readonly withDecryption?: boolean | undefined
    readonly version?: number | undefined
    readonly label?: string | undefined
  }
): Either.Either<ParameterRequest, InvalidRequest> => {
  if (typeof name !== "string" || name.length === 0)
    return invalid("parameter", String(name ?? ""), "the name is empty")
  if (name.length > MAX_NAME_LENGTH) {
    return invalid(
      "parameter",
      name,
      `the name has ${name.length} characters; Parameter Store accepts at most ${MAX_NAME_LENGTH} (an ARN included)`
    )
  }
  const badName = badText("the name", name)
  if (badName !== undefined) return invalid("parameter", name, badName)
  const version = options?.version
  const label = options?.label
  if (version !== undefined && label !== undefined) {
    return invalid(
      "parameter",
      name,
      "both `version` and `label` were given; they are exclusive (the extension would silently use whichever comes first), pass one"
    )
  }
  const isReference = name.startsWith(REFERENCE_PREFIX)
  if (isReference && name.length === REFERENCE_PREFIX.length) {
    return invalid("parameter", name, "the name has no secret id after /aws/reference/secretsmanager/")
  }
  const at = selectorIndex(name)
  const baseName = at === -1 ? name : name.slice(0, at)
  const inline = at === -1 ? undefined : name.slice(at + 1)
  if (inline !== undefined && inline.length === 0) {
    return invalid("parameter", name, "the name ends with `:` but no version or label follows it")
  }
  if (inline !== undefined && (version !== undefined || label !== undefined)) {
    return invalid(
      "parameter",
      name,
      `the name already selects ":${inline}"; do not also pass \`version\` or \`label\` (that would ask for "${name}:${version ?? label}")`
    )
  }
  let selector: Option.Option<ParameterSelector> = Option.none()
  if (version !== undefined) {
    if (!isPositiveInteger(version)) {
      return invalid("parameter", name, `\`version\` must be a positive integer, got ${String(version)}`)
    }
    selector = Option.some({ _tag: "Version", version })
  } else if (label !== undefined) {
    if (typeof label !== "string" || label.length === 0) return invalid("parameter", name, "`label` is empty")
    const badLabel = badText("`label`", label)
    if (badLabel !== undefined) return invalid("parameter", name, badLabel)
    if (label.length > MAX_LABEL_LENGTH && !isReference) {
      return invalid("parameter", name, `\`label\` has ${label.length} characters; at most ${MAX_LABEL_LENGTH}`)
    }
    if (!isReference && /^[0-9]/.test(label)) {
      return invalid(
        "parameter",
        name,
        "a label cannot start with a digit (that is read as a version); pass `version` for a version number"
      )
    }
    selector = Option.some({ _tag: "Label", label })
  } else if (inline !== undefined) {
    const inlineSelector: ParameterSelector =
      !isReference && /^[0-9]+$/.test(inline)
        ? { _tag: "Version", version: Number(inline) }
        : { _tag: "Label", label: inline }
    if (inlineSelector._tag === "Version" && !isPositiveInteger(inlineSelector.version)) {
      return invalid("parameter", name, `the version in the name must be a positive integer, got ${inline}`)
    }
    selector = Option.some(inlineSelector)
  }
  // SSM refuses /aws/reference/secretsmanager/ names without decryption, so it is always asked for.
  const withDecryption = isReference ? true : (options?.withDecryption ?? true)
  if (typeof withDecryption !== "boolean") {
    return invalid("parameter", name, "`withDecryption` must be a boolean")
  }
  const key = `p\u0000${baseName}\u0000${Option.match(selector, { onNone: () => "", onSome: selectorText })}\u0000${withDecryption ? 1 : 0}`
  return Either.right({
    _tag: "ParameterRequest",
    name,
    baseName,
    selector,
    inlineSelector: inline !== undefined,
    withDecryption,
    isReference,
    key
  })
}

/**
 * An IAM role ARN as the Secrets Manager Agent accepts it for `roleArn` (its check, `parse.rs`, in
 * ASCII: IAM names are ASCII). docs/protocol.md#rolearn.
 */
export const ROLE_ARN = /^arn:[\w-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/
const MAX_ROLE_ARN_LENGTH = 2048

export const secretRequest = (
  secretId: string,
  options?: {
    readonly versionId?: string | undefined
    readonly versionStage?: string | undefined
    readonly roleArn?: string | undefined
    readonly refreshNow?: boolean | undefined
  }
): Either.Either<SecretRequest, InvalidRequest> => {
  if (typeof secretId !== "string" || secretId.length === 0) {
    return invalid("secret", String(secretId ?? ""), "the secret id is empty")
  }
  if (secretId.length > MAX_NAME_LENGTH) {
    return invalid(
      "secret",
      secretId,
      `the secret id has ${secretId.length} characters; Secrets Manager accepts at most ${MAX_NAME_LENGTH} (an ARN included)`
    )
  }
  const badId = badText("the secret id", secretId)
  if (badId !== undefined) return invalid("secret", secretId, badId)
  const versionId = options?.versionId
  const versionStage = options?.versionStage
  for (const [what, text] of [
    ["`versionId`", versionId],
    ["`versionStage`", versionStage]
  ] as const) {
    const bad = typeof text === "string" ? badText(what, text) : undefined
    if (bad !== undefined) return invalid("secret", secretId, bad)
  }
  if (versionId !== undefined) {
    if (typeof versionId !== "string" || versionId.length === 0)
      return invalid("secret", secretId, "`versionId` is empty")
    if (versionId.length > MAX_VERSION_ID_LENGTH) {
      return invalid(
        "secret",
        secretId,
        `\`versionId\` has ${versionId.length} characters; at most ${MAX_VERSION_ID_LENGTH}`
      )
    }
  }
  if (versionStage !== undefined) {
    if (typeof versionStage !== "string" || versionStage.length === 0) {
      return invalid("secret", secretId, "`versionStage` is empty")
    }
    if (versionStage.length > MAX_VERSION_STAGE_LENGTH) {
      return invalid(
        "secret",
        secretId,
        `\`versionStage\` has ${versionStage.length} characters; at most ${MAX_VERSION_STAGE_LENGTH}`
      )
    }
  }
  const roleArn = options?.roleArn
  if (roleArn !== undefined) {
    if (typeof roleArn !== "string" || roleArn.length > MAX_ROLE_ARN_LENGTH || !ROLE_ARN.test(roleArn)) {
      return invalid(
        "secret",
        secretId,
        "`roleArn` must be an IAM role ARN, arn:<partition>:iam::<12-digit account>:role/<name> (as the Secrets Manager Agent checks it)"
      )
    }
  }
  const refreshNow = options?.refreshNow ?? false
  if (typeof refreshNow !== "boolean") return invalid("secret", secretId, "`refreshNow` must be a boolean")
  return Either.right({
    _tag: "SecretRequest",
    secretId,
    versionId: Option.fromNullable(versionId),
    versionStage: Option.fromNullable(versionStage),
    roleArn: Option.fromNullable(roleArn),
    refreshNow,
    // Each role reads its own account: part of the key. `refreshNow` asks for a fresh answer of the same thing: not.
    key: `s\u0000${secretId}\u0000${versionId ?? ""}\u0000${versionStage ?? ""}\u0000${roleArn ?? ""}`
  })
}
