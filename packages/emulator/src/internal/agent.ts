/**
 * The AWS Secrets Manager Agent dialect (open source, Rust/hyper): checks in the order of its
 * `server.rs`, query parsing of its `parse.rs`, bodies of its `output.rs` and `utils.rs`. No
 * `Content-Type` header on any response. Its behaviour, with the evidence: docs/protocol.md#agent-dialect,
 * #agent-errors, #agent-cache and #agent-features-added-in-2026.
 *
 * @internal
 */
import {
  type SecretEntry,
  type SecretVersion,
  type StoreModel as Store,
  VERSION_STAGE_MISMATCH
} from "@secrets-config/core/StoreModel"
import * as Effect from "effect/Effect"
import { type Context, cached, type Reply, reply, type Request, type UpstreamFailure } from "./dialect.js"
import { agentErrorBody, base64, rustEpochSeconds } from "./formats.js"

const PATH_PREFIX = "/v1/"

const plain = (status: number, body: string): Reply => reply(status, body)

export const tokenOk = (request: Pick<Request, "headersDistinct">, token: string): boolean =>
  request.headersDistinct["x-aws-parameters-secrets-token"]?.[0] === token ||
  request.headersDistinct["x-vault-token"]?.[0] === token

const onFailure = (failure: UpstreamFailure): Reply => {
  if (failure._tag === "Throttle") {
    // Secrets Manager answers a throttled call with HTTP 400; the Agent passes the status on
    return plain(failure.status ?? 400, agentErrorBody("ThrottlingException", "Rate exceeded"))
  }
  switch (failure.status ?? 500) {
    case 502:
      return plain(502, agentErrorBody("ConnectionError", "Read Error"))
    case 504:
      return plain(504, agentErrorBody("TimeoutError", "Timeout"))
    default:
      return plain(failure.status ?? 500, agentErrorBody("InternalFailure", ""))
  }
}

const parseRefresh = (value: string): boolean | undefined => {
  switch (value.toLowerCase()) {
    case "true":
    case "1":
      return true
    case "false":
    case "0":
      return false
    default:
      return undefined
  }
}

interface GsvQuery {
  secretId: string
  versionId: string | undefined
  versionStage: string | undefined
  refreshNow: boolean
  roleArn: string | undefined
}

/**
 * The Agent's `roleArn` check (`parse.rs`): `\w` and `\d` of Rust's `regex`, which are Unicode.
 * See docs/protocol.md#rolearn.
 */
const ROLE_ARN =
  /^arn:[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}-]+:iam::\p{Nd}{12}:role\/[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}+=,.@/-]+$/u
const BAD_ROLE_ARN = "invalid roleArn format, expected arn:<partition>:iam::<account>:role/<name>"

/**
 * `GSVQuery::try_from_query` / `try_from_path_query`: pairs in order, the first problem wins.
 * Fills `query` and returns the error reply, if any.
 */
const parseQuery = (request: Request, query: GsvQuery, allowSecretId: boolean): Reply | undefined => {
  for (const [key, value] of request.query.pairs) {
    if (key === "secretId" && allowSecretId) query.secretId = value
    else if (key === "versionId") query.versionId = value
    else if (key === "versionStage") query.versionStage = value
    else if (key === "roleArn") query.roleArn = value
    else if (key === "refreshNow") {
      const refresh = parseRefresh(value)
      if (refresh === undefined) return plain(400, "invalid refreshNow value")
      query.refreshNow = refresh
    } else return plain(400, `unknown parameter: ${key}`)
  }
  return undefined
}

/** Routes one request: connection limit (429) → X-Forwarded-For (400) → token (403) → method (405) → path. */
export const handle = (ctx: Context, request: Request): Effect.Effect<Reply> => {
  const path = request.target.rawPath
  const isPing = path === "/ping"
  if (request.connections > ctx.maxConnections + (isPing ? 2 : 0)) {
    return Effect.succeed(plain(429, "Connection limit exceeded"))
  }
  if (!isPing) {
    if (request.headers["x-forwarded-for"] !== undefined) return Effect.succeed(plain(400, "Forwarded"))
    if (!tokenOk(request, ctx.token)) return Effect.succeed(plain(403, "Bad Token"))
  }
  if (request.method !== "GET") return Effect.succeed(plain(405, "Not allowed"))
  if (isPing) return Effect.succeed(plain(200, "healthy"))
  const query: GsvQuery = {
    secretId: "",
    versionId: undefined,
    versionStage: undefined,
    refreshNow: false,
    roleArn: undefined
  }
  let error: Reply | undefined
  if (path === "/secretsmanager/get") {
    error =
      parseQuery(request, query, true) ?? (query.secretId === "" ? plain(400, "missing parameter secretId") : undefined)
  } else if (path.startsWith(PATH_PREFIX)) {
    // Routed on the raw path; the id is cut from the `url` crate's parse of it, which drops `.`
    // segments and resolves `..` (docs/protocol.md#dot-segments-in-v1-ids), still percent-encoded.
    query.secretId = normalisedPath(path).slice(PATH_PREFIX.length)
    if (query.secretId === "") return Effect.succeed(plain(400, "missing secret ID"))
    error = parseQuery(request, query, false)
  } else {
    return Effect.succeed(plain(404, "Not found"))
  }
  if (error === undefined && query.roleArn !== undefined && !ROLE_ARN.test(query.roleArn)) {
    error = plain(400, BAD_ROLE_ARN)
  }
  return error !== undefined ? Effect.succeed(error) : fetch(ctx, query)
}

/** The path as WHATWG URL parsing (Rust's `url` crate, Node's `URL`) leaves it. */
const normalisedPath = (path: string): string => {
  try {
    return new URL(`http://localhost${path}`).pathname
  } catch {
    return path
  }
}

/**
 * The store a role's client reads, creating the client on first use (`cache_manager.rs`): a role
 * the emulator cannot assume is 403 and takes no slot; a new role past `maxRoles` is 400. See
 * docs/protocol.md#rolearn.
 */
const storeOf = (ctx: Context, roleArn: string | undefined): Store | Reply => {
  if (roleArn === undefined) return ctx.store
  if (!ctx.assumedRoles.has(roleArn)) {
    if (ctx.assumedRoles.size >= ctx.maxRoles) {
      return plain(
        400,
        agentErrorBody(
          "MaxRolesExceeded",
          `The maximum number of assumed roles (${ctx.maxRoles}) has been reached. Unable to assume the following role to create a client: ${roleArn}`
        )
      )
    }
    if (!ctx.roles.has(roleArn)) {
      return plain(
        403,
        agentErrorBody("AccessDeniedException", `Failed to create caching client from role: ${roleArn}`)
      )
    }
    ctx.assumedRoles.add(roleArn)
  }
  return ctx.roles.get(roleArn)!
}

/** The cache key of a read: one cache per role (and one for the Agent's own credentials). */
export const cacheKey = (
  secretId: string,
  versionId: string | undefined,
  versionStage: string | undefined,
  roleArn: string | undefined
): string => JSON.stringify(["secret", roleArn ?? null, secretId, versionId ?? null, versionStage ?? null])

const fetch = (ctx: Context, query: GsvQuery): Effect.Effect<Reply> => {
  const store = storeOf(ctx, query.roleArn)
  return "_tag" in store ? Effect.succeed(store) : read(ctx, store, query)
}

/** A secret's current version as `BatchGetSecretValue` gives it to the prefetch: its name and body. */
export const prefetched = (
  store: Store,
  secretId: string
): { readonly name: string; readonly body: string } | undefined => {
  const hit = store.resolveSecret(secretId, undefined, undefined)
  return hit._tag === "Found" ? { name: hit.entry.name, body: foundBody(hit.entry, hit.version) } : undefined
}

const foundBody = (entry: SecretEntry, version: SecretVersion): string =>
  // key order of the Agent's GetSecretValueOutputDef; only these three are skipped when absent
  JSON.stringify({
    ARN: entry.arn,
    Name: entry.name,
    VersionId: version.versionId,
    SecretString: version.value._tag === "String" ? version.value.value : undefined,
    SecretBinary: version.value._tag === "Binary" ? base64(version.value.value) : undefined,
    VersionStages: [...version.stages],
    CreatedDate: rustEpochSeconds(version.createdMs)
  })

const read = (ctx: Context, store: Store, query: GsvQuery): Effect.Effect<Reply> =>
  cached(ctx, {
    key: cacheKey(query.secretId, query.versionId, query.versionStage, query.roleArn),
    ttlMs: ctx.ttlMs.secrets,
    bypass: query.refreshNow,
    successHeaders: {},
    onFailure,
    fetch: () => {
      const hit = store.resolveSecret(query.secretId, query.versionId, query.versionStage)
      switch (hit._tag) {
        case "NoSecret":
          return plain(
            400,
            agentErrorBody("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
          )
        case "NoVersionId":
          return plain(
            400,
            agentErrorBody(
              "ResourceNotFoundException",
              `Secrets Manager can't find the specified secret value for VersionId: ${hit.versionId}`
            )
          )
        case "NoStage":
          return plain(
            400,
            agentErrorBody(
              "ResourceNotFoundException",
              `Secrets Manager can't find the specified secret value for staging label: ${hit.stage}`
            )
          )
        case "Mismatch":
          return plain(400, agentErrorBody("InvalidRequestException", VERSION_STAGE_MISMATCH))
        case "Found":
          return reply(200, foundBody(hit.entry, hit.version), {}, true)
      }
    }
  })
