/**
 * Builds the endpoint's request targets (path and query) exactly as docs/protocol.md#requests describes: every
 * value percent-encoded, query names in the recorded order, selectors never doubled, the
 * decryption flag only when wanted (always for `/aws/reference/secretsmanager/` names).
 */
import * as Option from "effect/Option"
import type { ParameterRequest, SecretRequest } from "@secrets-config/core/SecretsConfig"

/** The endpoint's header for the session token (header names are case-insensitive). */
export const TOKEN_HEADER = "x-aws-parameters-secrets-token"

export const PARAMETER_PATH = "/systemsmanager/parameters/get"
export const SECRET_PATH = "/secretsmanager/get"

// `encodeURIComponent` throws on a lone surrogate; the core refuses those (InvalidRequest) before
// an implementation sees the request, so every value here can be encoded.
const encode = encodeURIComponent

/**
 * The path and query of a GetParameter call: `name`, then `version` | `label`, then
 * `withDecryption=true`. A selector written inside the name (`name:3`) is sent as written and is
 * never combined with `version`/`label` (the core rejects both at once before this point).
 */
export const parameterTarget = (request: ParameterRequest): string => {
  let target = `${PARAMETER_PATH}?name=${encode(request.name)}`
  if (!request.inlineSelector && Option.isSome(request.selector)) {
    const selector = request.selector.value
    if (selector._tag === "Version") {
      target += `&version=${selector.version}`
    } else {
      target += `&label=${encode(selector.label)}`
    }
  }
  // SSM refuses /aws/reference/secretsmanager/ names without the flag, whatever the caller asked.
  if (request.withDecryption || request.isReference) target += "&withDecryption=true"
  return target
}

/**
 * The path and query of a GetSecretValue call: `secretId`, then `versionId`, then `versionStage`;
 * for the Agent also `roleArn` and `refreshNow=true` (docs/protocol.md#rolearn,
 * docs/protocol.md#refreshnow), which the extension does not know (it would answer 400).
 */
export const secretTarget = (request: SecretRequest, dialect: "extension" | "agent" = "extension"): string => {
  let target = `${SECRET_PATH}?secretId=${encode(request.secretId)}`
  if (Option.isSome(request.versionId)) target += `&versionId=${encode(request.versionId.value)}`
  if (Option.isSome(request.versionStage)) target += `&versionStage=${encode(request.versionStage.value)}`
  if (dialect === "agent") {
    if (Option.isSome(request.roleArn)) target += `&roleArn=${encode(request.roleArn.value)}`
    if (request.refreshNow) target += "&refreshNow=true"
  }
  return target
}

/** The Agent's health check: `GET /ping` answers `200 healthy`, without a token (docs/protocol.md#ping). */
export const PING_PATH = "/ping"

/** Whether a host is a loopback address, where the session token may be sent. */
export const isLoopbackHost = (host: string): boolean => {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host
  const lower = bare.toLowerCase()
  if (lower === "localhost" || lower === "::1" || lower === "0:0:0:0:0:0:0:1") return true
  const v4 = lower.startsWith("::ffff:") ? lower.slice("::ffff:".length) : lower
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4)
  if (m === null) return false
  return m.slice(1).every((octet) => Number(octet) <= 255)
}

/** The base URL for a host and port; IPv6 literals get brackets. */
export const baseUrl = (host: string, port: number): string => {
  const literal = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host
  return `http://${literal}:${port}`
}
