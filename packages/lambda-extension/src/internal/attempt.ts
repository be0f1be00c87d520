/**
 * What the live layer tells its transport about one attempt, and what the transport answers when it
 * ends an attempt itself. A transport that reads these (our `LoopbackHttpClient`) enforces the
 * attempt's deadline and byte limit on the socket, so the layer needs no timer fiber of its own;
 * any other `HttpClient` ignores them and the layer falls back to Effect combinators.
 */
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"

/** The limits of the attempt running in this fiber. */
export interface Limits {
  /** Time for the whole exchange, from sending to the last byte; `Infinity` for none. */
  readonly timeoutMillis: number
  /** The most bytes of body read; past it the request is destroyed. */
  readonly maxBytes: number
}

export const currentLimits: FiberRef.FiberRef<Limits | undefined> = globalValue(
  Symbol.for("@secrets-config/lambda-extension/internal/attempt/currentLimits"),
  () => FiberRef.unsafeMake<Limits | undefined>(undefined)
)

/** The transport's own timer ended the attempt (the cause of a `RequestError`). */
export class TimedOut {
  readonly _tag = "TimedOut"
  constructor(readonly millis: number) {}
}

/** The body passed `maxBytes`; the request was destroyed there (the cause of a `RequestError`). */
export class TooLarge {
  readonly _tag = "TooLarge"
  constructor(readonly limit: number) {}
}

/** Marks a client whose transport honours `currentLimits`. */
export const BoundedTypeId: unique symbol = Symbol.for("@secrets-config/lambda-extension/BoundedClient")

export const isBounded = (client: object): boolean => BoundedTypeId in client
