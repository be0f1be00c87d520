/**
 * A deterministic discrete-event model of a Lambda fleet reading its config through the AWS
 * Parameters and Secrets Lambda Extension: one extension cache per environment (TTL, capped at
 * 300 s; at most `maxConnections` upstream calls at once), Parameter Store and Secrets Manager as
 * token buckets shared by the whole fleet, and a client strategy per run. A throttled upstream call
 * comes back from the extension as its ambiguous 400. Not Effect, no sockets: plain arithmetic on
 * a seeded PRNG, so the same config and seed give the same result, bit for bit.
 *
 * Time is in milliseconds from the start of the scale-out.
 */

// --- PRNG ------------------------------------------------------------------------------------

/** mulberry32: a 32-bit seeded PRNG, uniform in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One step of mulberry32 on the `i`-th of many states: independent streams in one array. */
const next = (states: Uint32Array, i: number): number => {
  const a = (states[i]! + 0x6d2b79f5) >>> 0
  states[i] = a
  let t = Math.imul(a ^ (a >>> 15), a | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** FNV-1a of a string, to derive a run's seed from the seed and the run's name. */
export const hash = (text: string, seed: number): number => {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return h
}

// --- the upstream quota ----------------------------------------------------------------------

/**
 * A token bucket: `rate` tokens per second, at most `burst` stored, full at the start. A call
 * takes a token or is throttled (a throttled call takes none). With `record`, the admitted calls'
 * times are kept, for `maxAdmittedIn`.
 */
export class TokenBucket {
  private tokens: number
  private last = 0
  readonly admitted: Array<number> | undefined
  constructor(
    readonly rate: number,
    readonly burst: number,
    record = false
  ) {
    this.tokens = burst
    this.admitted = record ? [] : undefined
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    this.admitted?.push(now)
    return true
  }
}

/** The most admitted calls in any window of `windowMs` (the times are in order). */
export const maxAdmittedIn = (times: ReadonlyArray<number>, windowMs: number): number => {
  let most = 0
  let from = 0
  for (let to = 0; to < times.length; to++) {
    while (times[to]! - times[from]! >= windowMs) from++
    most = Math.max(most, to - from + 1)
  }
  return most
}

// --- the event queue -------------------------------------------------------------------------

/**
 * A 4-ary min-heap of events ordered by (time, insertion order). The heap keeps each entry's time
 * and order beside it (sifting reads them in place); the other fields live in typed arrays indexed
 * by a slot. Two queues share one insertion counter: the next invocations (one per environment, far
 * ahead) and the calls in flight (few, near), so that the many calls sift through a shallow heap.
 */
class EventQueue {
  private cap = 1 << 12
  kind = new Uint8Array(this.cap)
  env = new Int32Array(this.cap)
  key = new Int32Array(this.cap)
  inv = new Int32Array(this.cap)
  aux = new Float64Array(this.cap)
  private heapTime = new Float64Array(this.cap)
  private heapOrder = new Float64Array(this.cap)
  private heapSlot = new Int32Array(this.cap)
  private free = new Int32Array(this.cap)
  private freeTop = 0
  private used = 0
  size = 0
  constructor(private readonly counter: { n: number }) {}

  private grow(): void {
    const cap = this.cap * 2
    const widen = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap)
      b.set(a)
      return b
    }
    this.kind = widen(this.kind, (n) => new Uint8Array(n))
    this.env = widen(this.env, (n) => new Int32Array(n))
    this.key = widen(this.key, (n) => new Int32Array(n))
    this.inv = widen(this.inv, (n) => new Int32Array(n))
    this.aux = widen(this.aux, (n) => new Float64Array(n))
    this.heapTime = widen(this.heapTime, (n) => new Float64Array(n))
    this.heapOrder = widen(this.heapOrder, (n) => new Float64Array(n))
    this.heapSlot = widen(this.heapSlot, (n) => new Int32Array(n))
    this.free = widen(this.free, (n) => new Int32Array(n))
    this.cap = cap
  }

  push(time: number, kind: number, env: number, key: number, inv: number, aux: number): void {
    let slot: number
    if (this.freeTop > 0) slot = this.free[--this.freeTop]!
    else {
      if (this.used === this.cap) this.grow()
      slot = this.used++
    }
    this.kind[slot] = kind
    this.env[slot] = env
    this.key[slot] = key
    this.inv[slot] = inv
    this.aux[slot] = aux
    const order = this.counter.n++
    const hTime = this.heapTime
    const hOrder = this.heapOrder
    const hSlot = this.heapSlot
    let i = this.size++
    while (i > 0) {
      const parent = (i - 1) >> 2
      const tp = hTime[parent]!
      if (tp < time || (tp === time && hOrder[parent]! < order)) break
      hTime[i] = tp
      hOrder[i] = hOrder[parent]!
      hSlot[i] = hSlot[parent]!
      i = parent
    }
    hTime[i] = time
    hOrder[i] = order
    hSlot[i] = slot
  }

  /** The first event's time (the queue is not empty). */
  get firstTime(): number {
    return this.heapTime[0]!
  }

  /** Whether this queue's first event comes before `other`'s (both non-empty). */
  before(other: EventQueue): boolean {
    const ta = this.heapTime[0]!
    const tb = other.heapTime[0]!
    return ta < tb || (ta === tb && this.heapOrder[0]! < other.heapOrder[0]!)
  }

  /** Removes the first event and returns its slot, valid until the next `push`. */
  pop(): number {
    const hTime = this.heapTime
    const hOrder = this.heapOrder
    const hSlot = this.heapSlot
    const top = hSlot[0]!
    const n = --this.size
    const time = hTime[n]!
    const order = hOrder[n]!
    const slot = hSlot[n]!
    let i = 0
    for (;;) {
      const first = 4 * i + 1
      if (first >= n) break
      // The earliest of up to four children.
      let c = first
      let tc = hTime[first]!
      const end = Math.min(first + 4, n)
      for (let j = first + 1; j < end; j++) {
        const tj = hTime[j]!
        if (tj < tc || (tj === tc && hOrder[j]! < hOrder[c]!)) {
          c = j
          tc = tj
        }
      }
      if (time < tc || (time === tc && order < hOrder[c]!)) break
      hTime[i] = tc
      hOrder[i] = hOrder[c]!
      hSlot[i] = hSlot[c]!
      i = c
    }
    hTime[i] = time
    hOrder[i] = order
    hSlot[i] = slot
    this.free[this.freeTop++] = top
    return top
  }
}

// --- the model -------------------------------------------------------------------------------

/** How the application's client treats the extension's answers. */
export type Strategy = "naive" | "defaults" | "opt-in"

/** How the fleet grows. */
export type Shape = "step" | "ramp" | "daily"

export const strategies: ReadonlyArray<Strategy> = ["naive", "defaults", "opt-in"]
export const shapes: ReadonlyArray<Shape> = ["step", "ramp", "daily"]

export interface Config {
  readonly environments: number
  readonly shape: Shape
  readonly strategy: Strategy
  readonly seed: number
  /** Simulated time. */
  readonly horizonSeconds: number
  /** The ramp's length (shape "ramp"). The daily peak rises over half the horizon and falls back. */
  readonly rampSeconds: number
  /** The app config read by every invocation: this many parameters, then this many secrets. */
  readonly parameters: number
  readonly secrets: number
  /** The extension's TTL, clamped to 300 s as the extension does. */
  readonly ttlSeconds: number
  readonly parameterStoreTps: number
  readonly secretsManagerTps: number
  /** The buckets' capacity, in seconds of their rate (at least one token). */
  readonly burstSeconds: number
  /** Invocations per second of each environment after its first (exponential gaps). */
  readonly invocationsPerSecond: number
  /** Each invocation's reads end by this deadline (the library's default 5 s, or the Lambda timeout). */
  readonly deadlineMs: number
  /** The opt-in retry window W from the layer's construction (the environment's start). */
  readonly retryWindowMs: number
  /** `PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS`: upstream calls at once per environment. */
  readonly maxConnections: number
  /** Init duration before the first invocation, uniform in [min, max]. */
  readonly initMs: readonly [number, number]
  /** Client ↔ extension round trip, uniform. */
  readonly extensionMs: readonly [number, number]
  /** Extension ↔ service round trip, uniform. */
  readonly upstreamMs: readonly [number, number]
  /** Share of cold starts whose extension answers "not ready" for the first moments of the first invocation. */
  readonly notReadyShare: number
  readonly notReadyMs: readonly [number, number]
  /** Keep the buckets' admitted times (for the `--check` bucket test). */
  readonly record?: boolean
}

export const defaults: Omit<Config, "environments" | "shape" | "strategy"> = {
  seed: 1,
  horizonSeconds: 600,
  rampSeconds: 60,
  parameters: 6,
  secrets: 1,
  ttlSeconds: 300,
  parameterStoreTps: 40,
  secretsManagerTps: 10_000,
  burstSeconds: 0.5,
  invocationsPerSecond: 0.1,
  deadlineMs: 5000,
  retryWindowMs: 10_000,
  maxConnections: 3,
  initMs: [150, 600],
  extensionMs: [5, 20],
  upstreamMs: [20, 60],
  notReadyShare: 0.1,
  notReadyMs: [10, 60]
}

export interface ServiceStats {
  /** Calls that reached the service (admitted or throttled). */
  readonly calls: number
  readonly throttles: number
  /** Admitted calls that filled an environment's cache for the first time. */
  readonly firstFills: number
  /** Admitted calls that refilled an expired entry. */
  readonly refills: number
  /** When half of the environments × names of this service had been filled once (ms), if ever. */
  readonly halfFilledMs: number | undefined
  /** When all of them had (ms), if ever. */
  readonly filledMs: number | undefined
}

export interface Result {
  readonly config: Config
  readonly invocations: number
  readonly served: number
  /** Environments whose first invocation fell within the horizon. */
  readonly coldStarts: number
  readonly coldStartsServed: number
  /** Per cold start: ms from the first invocation's start until its reads were all in, or failed. */
  readonly coldStartDelays: Float64Array
  /** When every environment had had every name in its cache (ms), or undefined within the horizon. */
  readonly fleetWarmMs: number | undefined
  /** Environments with every name filled at least once by the end. */
  readonly warmEnvironments: number
  readonly parameterStore: ServiceStats
  readonly secretsManager: ServiceStats
  readonly admitted?: { readonly parameterStore: ReadonlyArray<number>; readonly secretsManager: ReadonlyArray<number> }
}

const INVOKE = 0
const UPSTREAM = 1
const RESULT = 2
const RETRY = 3

const OK = 0
const THROTTLED = 1
const NOT_READY = 2

/** Runs one scale-out to the horizon. */
export const simulate = (config: Config): Result => {
  const N = config.environments
  // One stream per environment, the same whatever the strategy: the clients meet the same init
  // durations, latencies and invocation gaps until their behaviour sets them apart.
  const streams = new Uint32Array(N)
  const seeds = mulberry32(hash(`${config.shape}/${config.environments}`, config.seed))
  for (let i = 0; i < N; i++) streams[i] = Math.floor(seeds() * 4294967296)
  const random = (env: number) => next(streams, env)
  const uniform = (env: number, range: readonly [number, number]) => range[0] + (range[1] - range[0]) * random(env)
  const P = config.parameters
  const K = config.parameters + config.secrets
  const C = config.maxConnections
  const ttlMs = Math.min(config.ttlSeconds, 300) * 1000
  const horizonMs = config.horizonSeconds * 1000
  const meanGapMs = 1000 / config.invocationsPerSecond
  const optIn = config.strategy === "opt-in"
  const retriesTransient = config.strategy !== "naive"
  const buckets = [
    new TokenBucket(
      config.parameterStoreTps,
      Math.max(1, config.parameterStoreTps * config.burstSeconds),
      config.record
    ),
    new TokenBucket(
      config.secretsManagerTps,
      Math.max(1, config.secretsManagerTps * config.burstSeconds),
      config.record
    )
  ] as const
  const stats = [P, K - P].map((names) => ({
    calls: 0,
    throttles: 0,
    firstFills: 0,
    refills: 0,
    halfFilledMs: undefined as number | undefined,
    filledMs: undefined as number | undefined,
    half: Math.ceil((N * names) / 2),
    all: N * names
  }))

  // Per environment.
  const start = new Float64Array(N) // the layer's construction: the start of init
  const retire = new Float64Array(N).fill(Infinity)
  const readyAt = new Float64Array(N)
  const invocation = new Int32Array(N) // the current invocation's number (1 = the cold start)
  const done = new Uint8Array(N)
  const pending = new Int32Array(N)
  const invokedAt = new Float64Array(N)
  const deadline = new Float64Array(N)
  const failsAt = new Float64Array(N) // the first refusal that will fail the invocation, when known
  const filled = new Int32Array(N) // names filled at least once
  const coldStartDelays = new Float64Array(N).fill(Number.NaN)
  const slotFree = new Float64Array(N * C) // when each upstream connection is free
  // Per environment × name.
  const expiry = new Float64Array(N * K) // 0: never cached
  const throttleRetries = new Uint8Array(N * K)
  const transientRetries = new Uint8Array(N * K)

  const counter = { n: 0 }
  const upcoming = new EventQueue(counter)
  const queue = new EventQueue(counter)
  const halfHorizon = horizonMs / 2
  for (let i = 0; i < N; i++) {
    let t = 0
    if (config.shape === "ramp") t = (i / N) * config.rampSeconds * 1000
    else if (config.shape === "daily") {
      // The fleet follows N (1 − cos(π t / T)) / 2 up to its peak at T = half the horizon, then
      // shrinks back the same way (the newest environments go first).
      t = (halfHorizon / Math.PI) * Math.acos(1 - (2 * (i + 0.5)) / N)
      retire[i] = horizonMs - t
    }
    start[i] = t
    const first = t + uniform(i, config.initMs)
    if (first < Math.min(horizonMs, retire[i]!)) upcoming.push(first, INVOKE, i, 0, 0, 0)
  }

  let invocations = 0
  let served = 0
  let coldStarts = 0
  let coldStartsServed = 0
  let warmEnvironments = 0
  let fleetWarmMs: number | undefined
  let now = 0

  const finish = (env: number, ok: boolean, at: number): void => {
    done[env] = 1
    invocations++
    if (ok) served++
    if (invocation[env] === 1) {
      coldStarts++
      if (ok) coldStartsServed++
      coldStartDelays[env] = at - invokedAt[env]!
    }
    // Never in the past: a failure found late is dated at the deadline, but the queue has moved on.
    const next = Math.max(at - meanGapMs * Math.log(1 - random(env)), now)
    if (next < horizonMs && next < retire[env]!) upcoming.push(next, INVOKE, env, 0, 0, 0)
  }

  /** The client sends a read of name `k` at `t`. */
  const issue = (env: number, k: number, inv: number, t: number): void => {
    const arrives = t + uniform(env, config.extensionMs) / 2
    if (arrives < readyAt[env]!) {
      queue.push(arrives + uniform(env, config.extensionMs) / 2, RESULT, env, k, inv, NOT_READY)
      return
    }
    if (expiry[env * K + k]! > arrives) {
      queue.push(arrives + uniform(env, config.extensionMs) / 2, RESULT, env, k, inv, OK)
      return
    }
    // The extension's upstream connections, first come first served.
    let j = env * C
    for (let c = env * C + 1; c < env * C + C; c++) if (slotFree[c]! < slotFree[j]!) j = c
    const begins = Math.max(arrives, slotFree[j]!)
    const upstream = uniform(env, config.upstreamMs)
    slotFree[j] = begins + upstream
    queue.push(begins + upstream / 2, UPSTREAM, env, k, inv, begins + upstream)
  }

  const retry = (env: number, k: number, inv: number, t: number, waitMs: number): boolean => {
    if (t + waitMs >= deadline[env]!) return false
    queue.push(t + waitMs, RETRY, env, k, inv, 0)
    return true
  }

  while (queue.size > 0 || upcoming.size > 0) {
    const q = queue.size === 0 || (upcoming.size > 0 && upcoming.before(queue)) ? upcoming : queue
    const t = q.firstTime
    const e = q.pop()
    now = t
    const kind = q.kind[e]!
    const env = q.env[e]!
    const k = q.key[e]!
    const inv = q.inv[e]!
    const aux = q.aux[e]!

    if (kind === INVOKE) {
      const n = ++invocation[env]!
      done[env] = 0
      invokedAt[env] = t
      deadline[env] = t + config.deadlineMs
      failsAt[env] = Infinity
      if (n === 1 && random(env) < config.notReadyShare) readyAt[env] = t + uniform(env, config.notReadyMs)
      let misses = 0
      for (let key = 0; key < K; key++) {
        if (expiry[env * K + key]! > t) continue
        misses++
        throttleRetries[env * K + key] = 0
        transientRetries[env * K + key] = 0
        issue(env, key, n, t)
      }
      pending[env] = misses
      // Every name cached: served from the extension's memory.
      if (misses === 0) finish(env, true, t + uniform(env, config.extensionMs))
    } else if (kind === RETRY) {
      if (inv === invocation[env] && done[env] === 0) issue(env, k, inv, t)
    } else if (kind === UPSTREAM) {
      const service = k < P ? 0 : 1
      const admitted = buckets[service].take(t)
      stats[service]!.calls++
      if (!admitted) stats[service]!.throttles++
      // The answer reaches the extension at `aux`, and the client half a round trip later.
      const at = aux + uniform(env, config.extensionMs) / 2
      if (admitted) queue.push(at, RESULT, env, k, inv, -aux)
      else if (inv === invocation[env] && done[env] === 0 && at < failsAt[env]!) {
        // A refusal the client will not retry fails the invocation when it arrives: only the
        // first to arrive matters (the later ones would find it over). Skipping them draws no
        // number from the stream, so the results are the same, with fewer events.
        if (!optIn || at - start[env]! >= config.retryWindowMs) failsAt[env] = at
        queue.push(at, RESULT, env, k, inv, THROTTLED)
      }
    } else {
      // RESULT: aux is OK, THROTTLED, NOT_READY, or −(the time the extension cached the value).
      let status = aux
      if (aux < 0) {
        // The extension caches what it fetched, whether or not the client still waits for it.
        const at = -aux
        const service = k < P ? 0 : 1
        if (expiry[env * K + k] === 0) {
          const s = stats[service]!
          if (++s.firstFills === s.half) s.halfFilledMs = at
          if (s.firstFills === s.all) s.filledMs = at
          if (++filled[env] === K && ++warmEnvironments === N) fleetWarmMs = at
        } else stats[service]!.refills++
        expiry[env * K + k] = at + ttlMs
        status = OK
      }
      if (inv !== invocation[env] || done[env] === 1) continue
      if (t > deadline[env]!) {
        finish(env, false, deadline[env]!)
        continue
      }
      if (status === OK) {
        if (--pending[env] === 0) finish(env, true, t)
        continue
      }
      const i = env * K + k
      let retried = false
      if (status === NOT_READY && retriesTransient && transientRetries[i]! < 5) {
        // The library's defaultRetry: exponential from 25 ms, factor 2, jittered, 5 retries.
        const wait = 25 * 2 ** transientRetries[i]! * (0.8 + 0.4 * random(env))
        transientRetries[i]!++
        retried = retry(env, k, inv, t, wait)
      } else if (status === THROTTLED && optIn && t - start[env]! < config.retryWindowMs) {
        // The opt-in policy: the ambiguous 400 within W of the layer's construction, from 100 ms,
        // factor 2, each wait capped at 2 s, jittered.
        const wait = Math.min(2000, 100 * 2 ** throttleRetries[i]!) * (0.8 + 0.4 * random(env))
        if (throttleRetries[i]! < 255) throttleRetries[i]!++
        retried = retry(env, k, inv, t, wait)
      }
      if (!retried) finish(env, false, t)
    }
  }

  const result: Result = {
    config,
    invocations,
    served,
    coldStarts,
    coldStartsServed,
    coldStartDelays: coldStartDelays.filter((d) => !Number.isNaN(d)),
    fleetWarmMs,
    warmEnvironments,
    parameterStore: serviceStats(stats[0]!),
    secretsManager: serviceStats(stats[1]!)
  }
  return config.record
    ? {
        ...result,
        admitted: { parameterStore: buckets[0].admitted!, secretsManager: buckets[1].admitted! }
      }
    : result
}

const serviceStats = ({ half: _half, all: _all, ...s }: ServiceStats & { half: number; all: number }): ServiceStats => s

/** The p-th percentile (nearest rank) of some numbers. */
export const percentile = (values: ArrayLike<number>, p: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}
