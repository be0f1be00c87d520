/**
 * The AWS Secrets Manager Agent dialect (open source, Rust/hyper): checks in the order of its
 * `server.rs`, query parsing of its `parse.rs`, bodies of its `output.rs` and `utils.rs`. No
 * `Content-Type` header on any response.
 *
 * @internal
 */
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
}

/**
 * `GSVQuery::try_from_query` / `try_from_path_query`: pairs in order, the first problem wins.
 * Fills `query` and returns the error reply, if any.
 */
const parseQuery = (request: Request, query: GsvQuery, allowSecretId: boolean): Reply | undefined => {
  for (const [key, value] of request.query.pairs) {
    if (key === "secretId" && allowSecretId) query.secretId = value
    else if (key === "versionId") query.versionId = value
    else if (key === "versionStage") query.versionStage = value
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
  const query: GsvQuery = { secretId: "", versionId: undefined, versionStage: undefined, refreshNow: false }
  let error: Reply | undefined
  if (path === "/secretsmanager/get") {
    error =
      parseQuery(request, query, true) ?? (query.secretId === "" ? plain(400, "missing parameter secretId") : undefined)
  } else if (path.startsWith(PATH_PREFIX)) {
    // the id is the raw (still percent-encoded) path after the prefix
    query.secretId = path.slice(PATH_PREFIX.length)
    if (query.secretId === "") return Effect.succeed(plain(400, "missing secret ID"))
    error = parseQuery(request, query, false)
  } else {
    return Effect.succeed(plain(404, "Not found"))
  }
  return error !== undefined ? Effect.succeed(error) : fetch(ctx, query)
}

const fetch = (ctx: Context, query: GsvQuery): Effect.Effect<Reply> =>
  cached(ctx, {
    key: JSON.stringify(["secret", query.secretId, query.versionId ?? null, query.versionStage ?? null]),
    ttlMs: ctx.ttlMs.secrets,
    bypass: query.refreshNow,
    successHeaders: {},
    onFailure,
    fetch: () => {
      const hit = ctx.store.resolveSecret(query.secretId, query.versionId, query.versionStage)
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
          return plain(
            400,
            agentErrorBody(
              "InvalidRequestException",
              "You provided a VersionStage that is not associated to the provided VersionId."
            )
          )
        case "Found": {
          const { entry, version } = hit
          // key order of the Agent's GetSecretValueOutputDef; only these three are skipped when absent
          const body = JSON.stringify({
            ARN: entry.arn,
            Name: entry.name,
            VersionId: version.versionId,
            SecretString: version.value._tag === "String" ? version.value.value : undefined,
            SecretBinary: version.value._tag === "Binary" ? base64(version.value.value) : undefined,
            VersionStages: [...version.stages],
            CreatedDate: rustEpochSeconds(version.createdMs)
          })
          return reply(200, body, {}, true)
        }
      }
    }
  })
