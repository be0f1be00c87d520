/**
 * The AWS Parameters and Secrets Lambda Extension dialect (a closed-source Go program): plain-text
 * errors, the generic 400 for every upstream problem, aws-sdk-go-v2 output structs as JSON. Its
 * behaviour, with the evidence: docs/protocol.md#extension-dialect, #extension-errors,
 * #init-and-not-ready and #extension-cache.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { type Context, cached, type Reply, reply, type Request, type UpstreamFailure } from "./dialect.js"
import { base64, goJson, goTime, gsonJson, javaBytes, javaDate } from "./formats.js"
import { first, goBool, goPathUnescape } from "./query.js"

export const GENERIC_ERROR = "an unexpected error occurred while executing request"
export const NOT_READY = "not ready to serve traffic, please wait"
export const BAD_TOKEN = "bad session token or header key"
const REFERENCE_PREFIX = "/aws/reference/secretsmanager/"

const PARAMETER_PATHS = new Set(["/systemsmanager/parameters/get", "/systemsmanager/parameters/get/"])
const SECRET_PATHS = new Set(["/secretsmanager/get", "/secretsmanager/get/"])

// Go sniffs plain text (and JSON) as text/plain unless told otherwise; clients must not rely on it.
const TEXT = { "Content-Type": "text/plain; charset=utf-8" }

export const text = (status: number, body: string, extra: Readonly<Record<string, string>> = {}): Reply =>
  reply(status, body, { ...TEXT, ...extra })

const generic = (): Reply => text(400, GENERIC_ERROR)
const ok = (body: string): Reply => reply(200, body, TEXT, true)

export const tokenOk = (request: Pick<Request, "headersDistinct">, token: string): boolean =>
  request.headersDistinct["x-aws-parameters-secrets-token"]?.[0] === token

export const notReady = (): Reply => text(400, NOT_READY)

// Every upstream failure (throttling, 5xx, timeouts) surfaces as the generic 400, unless a test
// asks for another status explicitly.
const onFailure = (failure: UpstreamFailure): Reply =>
  failure.status === undefined ? generic() : text(failure.status, GENERIC_ERROR)

/** Routes one request: path (404) → token (401) → method (405) → query. */
export const handle = (ctx: Context, request: Request): Effect.Effect<Reply> => {
  const path = goPathUnescape(request.target.rawPath)
  if (path === undefined) return Effect.succeed(text(400, "400 Bad Request"))
  const kind = PARAMETER_PATHS.has(path) ? "parameter" : SECRET_PATHS.has(path) ? "secret" : undefined
  // Go's http.NotFound
  if (kind === undefined)
    return Effect.succeed(text(404, "404 page not found\n", { "X-Content-Type-Options": "nosniff" }))
  if (!tokenOk(request, ctx.token)) {
    return Effect.succeed(text(401, BAD_TOKEN, { "x-amzn-errortype": "AccessDeniedException" }))
  }
  if (request.method !== "GET") return Effect.succeed(text(405, "Method Not Allowed"))
  return kind === "parameter" ? getParameter(ctx, request) : getSecret(ctx, request)
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value

const getParameter = (ctx: Context, request: Request): Effect.Effect<Reply> => {
  const name = nonEmpty(first(request.query, "name"))
  if (name === undefined) return Effect.succeed(generic())
  // `version` and `label` are exclusive; the first one in the query wins, appended as a selector
  let selector: string | undefined
  for (const [key, value] of request.query.pairs) {
    if ((key === "version" || key === "label") && value !== "") {
      selector = value
      break
    }
  }
  const requested = selector === undefined ? name : `${name}:${selector}`
  const withDecryption = goBool(first(request.query, "withDecryption"))
  return cached(ctx, {
    key: JSON.stringify(["parameter", requested, withDecryption]),
    ttlMs: ctx.ttlMs.parameters,
    bypass: false,
    successHeaders: TEXT,
    onFailure,
    fetch: () =>
      requested.startsWith(REFERENCE_PREFIX)
        ? reference(ctx, requested, withDecryption)
        : parameter(ctx, requested, withDecryption)
  })
}

const parameter = (ctx: Context, requested: string, withDecryption: boolean): Reply => {
  const hit = ctx.store.resolveParameter(requested)
  if (hit === undefined) return generic()
  const { entry, version } = hit
  return ok(
    goJson({
      Parameter: {
        ARN: entry.arn,
        DataType: version.dataType,
        LastModifiedDate: goTime(version.lastModifiedMs),
        Name: hit.name,
        Selector: hit.selector === undefined ? null : `:${hit.selector}`,
        SourceResult: null,
        Type: version.type,
        Value: version.type === "SecureString" && !withDecryption ? version.ciphertext : version.value,
        Version: version.version
      },
      ResultMetadata: {}
    })
  )
}

/** `/aws/reference/secretsmanager/<id>[:selector]`: the secret as SSM relays it (needs decryption). */
const reference = (ctx: Context, requested: string, withDecryption: boolean): Reply => {
  if (!withDecryption) return generic()
  const hit = ctx.store.resolveReference(requested.slice(REFERENCE_PREFIX.length))
  if (hit === undefined) return generic()
  const { entry, version } = hit
  const value = version.value
  // Gson writes the Java SDK's GetSecretValueResult: lower-camel keys, nulls omitted, a ByteBuffer's fields
  const sourceResult = gsonJson({
    ARN: entry.arn,
    name: entry.name,
    versionId: version.versionId,
    ...(value._tag === "Binary"
      ? {
          secretBinary: {
            hb: javaBytes(value.value),
            offset: 0,
            isReadOnly: false,
            bigEndian: true,
            nativeByteOrder: false,
            mark: -1,
            position: 0,
            limit: value.value.length,
            capacity: value.value.length,
            address: 16
          }
        }
      : { secretString: value.value }),
    versionStages: [...version.stages],
    createdDate: javaDate(version.createdMs)
  })
  return ok(
    goJson({
      Parameter: {
        ARN: entry.arn,
        DataType: null,
        LastModifiedDate: goTime(version.createdMs),
        Name: `${REFERENCE_PREFIX}${hit.id}`,
        Selector: hit.selector === undefined ? null : `:${hit.selector}`,
        SourceResult: sourceResult,
        Type: "SecureString",
        Value: value._tag === "String" ? value.value : null,
        Version: 0
      },
      ResultMetadata: {}
    })
  )
}

const getSecret = (ctx: Context, request: Request): Effect.Effect<Reply> => {
  const secretId = nonEmpty(first(request.query, "secretId"))
  if (secretId === undefined) return Effect.succeed(generic())
  const versionId = nonEmpty(first(request.query, "versionId"))
  const versionStage = nonEmpty(first(request.query, "versionStage"))
  return cached(ctx, {
    key: JSON.stringify(["secret", secretId, versionId ?? null, versionStage ?? null]),
    ttlMs: ctx.ttlMs.secrets,
    bypass: false,
    successHeaders: TEXT,
    onFailure,
    fetch: () => {
      const hit = ctx.store.resolveSecret(secretId, versionId, versionStage)
      if (hit._tag !== "Found") return generic()
      const { entry, version } = hit
      return ok(
        goJson({
          ARN: entry.arn,
          CreatedDate: goTime(version.createdMs),
          Name: entry.name,
          SecretBinary: version.value._tag === "Binary" ? base64(version.value.value) : null,
          SecretString: version.value._tag === "String" ? version.value.value : null,
          VersionId: version.versionId,
          VersionStages: [...version.stages],
          ResultMetadata: {}
        })
      )
    }
  })
}
