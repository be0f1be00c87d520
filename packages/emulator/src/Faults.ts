/**
 * Fault injection: what can go wrong between a client and the local endpoint, each switchable at
 * run time (`control.setFaults` / `updateFaults` / `clearFaults`).
 *
 * Request faults take a {@link Rule}: with no `times` and no `probability` they hit every request
 * until cleared; `times: n` hits the next `n` eligible requests and then switches itself off;
 * `probability: p` hits each eligible request with probability `p`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { EmulatorError } from "./EmulatorError.js"
import { describeParseError } from "@secrets-config/core/StoreFile"

/**
 * When a request fault applies.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule {
  /** Apply to the next `times` eligible requests, then switch off. Default: no limit. */
  readonly times?: number | undefined
  /** Apply with this probability (0–1). Default 1. */
  readonly probability?: number | undefined
}

/**
 * The endpoint is starting (a Lambda INIT phase / cold start). With `requests`, the first N
 * requests; with `forMs`, every request for that long; with both, while either holds; with
 * neither, until cleared. The window starts when the fault is set (at server start for
 * `Options.faults`).
 *
 * - extension: `400 not ready to serve traffic, please wait`
 * - agent (which is simply not listening yet): `forMs` (or neither) closes the listener, so
 *   connections are refused (`ECONNREFUSED`); `requests` resets the connection of each of the
 *   first N requests (`ECONNRESET` / "socket hang up"), the countable form of the same thing.
 *
 * @since 0.1.0
 * @category models
 */
export interface NotReady {
  readonly requests?: number | undefined
  readonly forMs?: number | undefined
}

/**
 * Nobody is listening (layer missing, wrong port, process crashed). `mode: "refuse"` (default)
 * closes the listener and destroys open connections: new connections get `ECONNREFUSED`.
 * `mode: "reset"` keeps listening but destroys each connection as soon as its request arrives
 * (`ECONNRESET`), logged with status `"refused"`. Lasts `forMs`, or until cleared.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefuseConnections {
  readonly forMs?: number | undefined
  readonly mode?: "refuse" | "reset" | undefined
}

/**
 * A delay before the response starts: `ms` plus a uniform random `[0, jitterMs)`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Latency extends Rule {
  readonly ms: number
  readonly jitterMs?: number | undefined
}

/**
 * Upstream throttling (`ThrottlingException: Rate exceeded`), on requests that reach the upstream
 * (cache misses). extension: the generic `400`; agent:
 * `{"__type":"ThrottlingException", "message":"Rate exceeded"}` with status 400, the status AWS
 * gives a throttled call (override with `status`, e.g. 429).
 *
 * @since 0.1.0
 * @category models
 */
export interface Throttle extends Rule {
  readonly status?: number | undefined
}

/**
 * An upstream failure, on requests that reach the upstream (cache misses). agent: status 500
 * `{"__type":"InternalFailure"}` (default), 502 `{"__type":"ConnectionError", "message":"Read Error"}`
 * or 504 `{"__type":"TimeoutError", "message":"Timeout"}`. extension: without `status`, the generic
 * 400 (the extension reports every upstream failure that way); with `status`, that status and the
 * generic text, as plain text (for clients that must cope with a 5xx anyway).
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerError extends Rule {
  readonly status?: number | undefined
}

/**
 * The connection dies mid-body: the status line, headers (with the full `Content-Length`) and the
 * first `afterBytes` bytes of the body (default: half) are sent, then the socket is destroyed.
 * Applies to any response. Logged with status `"dropped"`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DropMidBody extends Rule {
  readonly afterBytes?: number | undefined
}

/**
 * A `200` whose body is not valid JSON (the first half of the real body, with a matching
 * `Content-Length`). Applies to successful responses only.
 *
 * @since 0.1.0
 * @category models
 */
export interface MalformedBody extends Rule {}

/**
 * A `200` whose body is padded to `bytes` (default 8 MiB) with an extra `"_padding"` field: still
 * valid JSON, same values, just too big. Applies to successful responses only.
 *
 * @since 0.1.0
 * @category models
 */
export interface OversizedBody extends Rule {
  readonly bytes?: number | undefined
}

/**
 * The body trickles: headers at once, then `chunkBytes` bytes (default 1) every `intervalMs`
 * (default 50). Applies to any response.
 *
 * @since 0.1.0
 * @category models
 */
export interface SlowBody extends Rule {
  readonly chunkBytes?: number | undefined
  readonly intervalMs?: number | undefined
}

/**
 * The faults in force. Absent (or `undefined`) means off.
 *
 * @since 0.1.0
 * @category models
 */
export interface Faults {
  readonly notReady?: NotReady | undefined
  readonly refuseConnections?: RefuseConnections | undefined
  readonly latency?: Latency | undefined
  readonly throttle?: Throttle | undefined
  readonly serverError?: ServerError | undefined
  readonly dropMidBody?: DropMidBody | undefined
  readonly malformedBody?: MalformedBody | undefined
  readonly oversizedBody?: OversizedBody | undefined
  readonly slowBody?: SlowBody | undefined
}

/**
 * No faults.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: Faults = {}

const NonNegative = Schema.Number.pipe(Schema.finite(), Schema.nonNegative())
const ruleFields = {
  times: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
  probability: Schema.optional(Schema.Number.pipe(Schema.between(0, 1)))
}
const Status = Schema.Int.pipe(Schema.between(100, 599))

/**
 * The schema of {@link Faults}, with the checks (non-negative numbers, probabilities in 0–1, valid
 * statuses) that `setFaults` also applies.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FaultsSchema: Schema.Schema<Faults, Faults> = Schema.Struct({
  notReady: Schema.optional(
    Schema.Struct({
      requests: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
      forMs: Schema.optional(NonNegative)
    })
  ),
  refuseConnections: Schema.optional(
    Schema.Struct({ forMs: Schema.optional(NonNegative), mode: Schema.optional(Schema.Literal("refuse", "reset")) })
  ),
  latency: Schema.optional(Schema.Struct({ ...ruleFields, ms: NonNegative, jitterMs: Schema.optional(NonNegative) })),
  throttle: Schema.optional(Schema.Struct({ ...ruleFields, status: Schema.optional(Status) })),
  serverError: Schema.optional(Schema.Struct({ ...ruleFields, status: Schema.optional(Status) })),
  dropMidBody: Schema.optional(
    Schema.Struct({ ...ruleFields, afterBytes: Schema.optional(Schema.Int.pipe(Schema.nonNegative())) })
  ),
  malformedBody: Schema.optional(Schema.Struct(ruleFields)),
  oversizedBody: Schema.optional(
    Schema.Struct({ ...ruleFields, bytes: Schema.optional(Schema.Int.pipe(Schema.nonNegative())) })
  ),
  slowBody: Schema.optional(
    Schema.Struct({
      ...ruleFields,
      chunkBytes: Schema.optional(Schema.Int.pipe(Schema.positive())),
      intervalMs: Schema.optional(NonNegative)
    })
  )
})

/**
 * Validates faults (e.g. from JSON).
 *
 * @since 0.1.0
 * @category constructors
 */
export const decode = (input: unknown): Effect.Effect<Faults, EmulatorError> =>
  Schema.decodeUnknown(FaultsSchema, { errors: "all", onExcessProperty: "error" })(input).pipe(
    Effect.mapError(
      (error) => new EmulatorError({ reason: "InvalidOptions", detail: `faults: ${describeParseError(error)}` })
    )
  )
