/**
 * What the two dialects share: the request as they see it, the reply they build, and the context
 * (store, cache, upstream faults) they read.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { IncomingHttpHeaders } from "node:http"
import type { Cache } from "./cache.js"
import type { Query, Target } from "./query.js"
import type { StoreModel as Store } from "@secrets-config/core/StoreModel"

export interface Reply {
  readonly _tag: "Reply"
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** A 200 with data: the only kind body faults touch and the cache holds. */
  readonly success: boolean
  readonly fromCache: boolean
}

export interface Reset {
  readonly _tag: "Reset"
}

export interface Request {
  readonly method: string
  readonly target: Target
  readonly query: Query
  readonly headers: IncomingHttpHeaders
  readonly headersDistinct: NodeJS.Dict<Array<string>>
  /** Open connections (this one included) when this request's connection was accepted. */
  readonly connections: number
}

export type UpstreamFailure =
  | { readonly _tag: "Throttle"; readonly status: number | undefined }
  | {
      readonly _tag: "ServerError"
      readonly status: number | undefined
    }

export interface Context {
  readonly store: Store
  /** The roles an Agent can assume (`roleArn`), each with the store it sees. */
  readonly roles: ReadonlyMap<string, Store>
  /** The Agent's `max_roles`: role clients it keeps (never evicted). */
  readonly maxRoles: number
  /** The roles assumed so far: each has its own cache. */
  readonly assumedRoles: Set<string>
  readonly cache: Cache
  readonly token: string
  readonly ttlMs: { readonly parameters: number; readonly secrets: number }
  readonly maxConnections: number
  /** Decides whether this upstream call fails (consumes the throttle / serverError budgets). */
  readonly upstream: Effect.Effect<UpstreamFailure | undefined>
  readonly nowMs: Effect.Effect<number>
}

export const reply = (
  status: number,
  body: string,
  headers: Readonly<Record<string, string>> = {},
  success = false,
  fromCache = false
): Reply => ({ _tag: "Reply", status, headers, body, success, fromCache })

/** Looks up the cache, else calls the upstream (with its faults) and caches a success. */
export const cached = (
  ctx: Context,
  options: {
    readonly key: string
    readonly ttlMs: number
    readonly bypass: boolean
    readonly successHeaders: Readonly<Record<string, string>>
    readonly onFailure: (failure: UpstreamFailure) => Reply
    readonly fetch: () => Reply
  }
): Effect.Effect<Reply> =>
  Effect.gen(function* () {
    const now = yield* ctx.nowMs
    if (!options.bypass && options.ttlMs > 0) {
      const hit = ctx.cache.get(options.key, now)
      if (hit !== undefined) return reply(200, hit, options.successHeaders, true, true)
    }
    const failure = yield* ctx.upstream
    if (failure !== undefined) return options.onFailure(failure)
    const fresh = options.fetch()
    if (fresh.success) ctx.cache.set(options.key, fresh.body, options.ttlMs, now)
    return fresh
  })
