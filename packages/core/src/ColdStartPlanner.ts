/**
 * A cold-start budget planner for a fleet of Lambda environments that read their configuration
 * through the AWS Parameters and Secrets Lambda Extension. Each new environment starts with an
 * empty extension cache, so a scale-out of N environments that each read K names sends N × K calls
 * upstream within seconds, against Parameter Store's 40 TPS (default, per account and Region) and
 * Secrets Manager's 10,000 TPS for GetSecretValue. Throttled calls come back from the extension as
 * its ambiguous 400, so cold starts fail. `plan` tells how far over quota a scale-out goes, how
 * long the fleet takes to warm at the quota, what the caches cost at steady state, and what to
 * change; `format` writes it as a report.
 *
 * Plain arithmetic over a fluid model (calls are served at the quota's rate, first come first
 * served): the figures are what the quotas allow at best, not a prediction of a client's luck. No
 * dependency at all, so that any line of the library can share it.
 *
 * @since 0.2.0
 */

/**
 * One name an environment reads at cold start. A parameter under `/aws/reference/secretsmanager/`
 * is served by Secrets Manager and counts against its quota, not Parameter Store's.
 *
 * @since 0.2.0
 * @category models
 */
export interface Read {
  readonly kind: "parameter" | "secret"
  readonly name: string
  readonly withDecryption: boolean
}

/**
 * The shape of the scale-out: a peak rate of new environments (`environments`, when known, is
 * the fleet size the rate reaches, for the fleet-wide figures), or `environments` started over
 * `rampSeconds` (0 = a step: all at once, counted as arriving within one second).
 *
 * @since 0.2.0
 * @category models
 */
export type ScaleOut =
  | { readonly coldStartsPerSecond: number; readonly environments?: number }
  | { readonly environments: number; readonly rampSeconds: number }

/**
 * Upstream quotas in transactions per second, per account and Region.
 *
 * @since 0.2.0
 * @category models
 */
export interface Quotas {
  /** GetParameter; 40 by default, more with the paid higher-throughput setting. */
  readonly parameterStoreTps?: number
  /** GetSecretValue; 10,000 by default. */
  readonly secretsManagerTps?: number
}

/**
 * What `plan` needs.
 *
 * @since 0.2.0
 * @category models
 */
export interface Input {
  readonly reads: ReadonlyArray<Read>
  readonly scaleOut: ScaleOut
  /** The extension's TTL (`SSM_PARAMETER_STORE_TTL`, `SECRETS_MANAGER_TTL`); 300, capped at 300. */
  readonly ttlSeconds?: number
  readonly quotas?: Quotas
  /** How often each warm environment is invoked; without it, as if always (every TTL refreshes). */
  readonly invocationsPerEnvironmentPerSecond?: number
  /** Each call's deadline (the library's default is 5 s, or the Lambda's remaining time). */
  readonly deadlineSeconds?: number
  /** The opt-in cold-start retry window, from the layer's construction; 10 s by default. */
  readonly retryWindowSeconds?: number
}

/**
 * The two upstream services.
 *
 * @since 0.2.0
 * @category models
 */
export type Service = "parameterStore" | "secretsManager"

/**
 * The figures for one upstream service.
 *
 * @since 0.2.0
 * @category models
 */
export interface ServicePlan {
  readonly service: Service
  /** `"Parameter Store"` or `"Secrets Manager"`. */
  readonly label: string
  /** The distinct names read from this service (a name read twice is fetched once). */
  readonly names: ReadonlyArray<string>
  /** Upstream calls per cold start: the number of distinct reads. */
  readonly callsPerColdStart: number
  /** Upstream calls to warm the whole fleet (environments × calls per cold start). */
  readonly coldStartCalls: number | undefined
  readonly quotaTps: number
  /** Upstream TPS at the peak of the scale-out (cold starts per second × calls per cold start). */
  readonly peakTps: number
  /** `peakTps / quotaTps`: above 1, calls are throttled. */
  readonly peakRatio: number
  readonly overQuota: boolean
  /** Seconds from the scale-out's start until every environment has its names: max(ramp, calls / quota). */
  readonly timeToWarmSeconds: number | undefined
  /** The longest a cold start waits for quota, first come first served: max(0, calls / quota − ramp). */
  readonly backlogSeconds: number | undefined
  /** Refresh calls per second once warm: environments × names / (TTL + 1 / invocation rate). */
  readonly steadyStateTps: number | undefined
  readonly steadyStateOverQuota: boolean
}

/**
 * The result of `plan`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Plan {
  readonly environments: number | undefined
  /** 0 for a step; `environments / coldStartsPerSecond` for a rate with a known fleet size. */
  readonly rampSeconds: number | undefined
  readonly peakColdStartsPerSecond: number
  /** The TTL in force (at most 300 s). */
  readonly ttlSeconds: number
  /** Whether the TTL asked for was above 300 s and is clamped. */
  readonly ttlClamped: boolean
  readonly deadlineSeconds: number
  readonly retryWindowSeconds: number
  readonly parameterStore: ServicePlan
  readonly secretsManager: ServicePlan
  /** The slower service's time to warm (both are read at once). */
  readonly timeToWarmSeconds: number | undefined
  readonly backlogSeconds: number | undefined
  /** The most new environments per second both quotas absorb (Infinity when nothing is read). */
  readonly maxColdStartsPerSecond: number
  /** The shortest ramp that keeps `environments` within quota. */
  readonly minRampSeconds: number | undefined
  /**
   * Share of first invocations served when throttled calls are not retried: each call gets through
   * with probability min(1, quota / peak), and a cold start needs all of them. A rough figure.
   */
  readonly coldStartsServedWithoutRetry: number
  /**
   * Share of first invocations served at best by the opt-in retry: a cold start waits at most
   * min(deadline, window) for its turn, and the backlog is `backlogSeconds`.
   */
  readonly coldStartsServedWithOptInRetry: number | undefined
  /** The opt-in retry window that covers the backlog (whole seconds, at least the default). */
  readonly recommendedRetryWindowSeconds: number | undefined
  readonly advice: ReadonlyArray<string>
}

/**
 * @since 0.2.0
 * @category constants
 */
export const defaultParameterStoreTps: number = 40

/**
 * @since 0.2.0
 * @category constants
 */
export const defaultSecretsManagerTps: number = 10_000

/**
 * The extension clamps larger TTLs to this (and it is its default).
 *
 * @since 0.2.0
 * @category constants
 */
export const maxTtlSeconds: number = 300

/**
 * @since 0.2.0
 * @category constants
 */
export const defaultDeadlineSeconds: number = 5

/**
 * @since 0.2.0
 * @category constants
 */
export const defaultRetryWindowSeconds: number = 10

/**
 * Parameter names under this prefix are Secrets Manager secrets read through Parameter Store.
 *
 * @since 0.2.0
 * @category constants
 */
export const referencePrefix: string = "/aws/reference/secretsmanager/"

/**
 * The service whose quota a read counts against.
 *
 * @since 0.2.0
 * @category planning
 */
export const serviceOf = (read: Read): Service =>
  read.kind === "secret" || read.name.startsWith(referencePrefix) ? "secretsManager" : "parameterStore"

const label = (service: Service): string => (service === "parameterStore" ? "Parameter Store" : "Secrets Manager")

const check = (what: string, value: number | undefined, positive: boolean): void => {
  if (value === undefined) return
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new RangeError(`ColdStartPlanner: ${what} must be a finite number ${positive ? "> 0" : ">= 0"}, got ${value}`)
  }
}

/**
 * Plans the upstream budget of a scale-out.
 *
 * @example
 * ```ts
 * import { ColdStartPlanner, SecretsConfigProvider } from "@secrets-config/core"
 * import { Config } from "effect"
 *
 * const AppConfig = Config.all({
 *   host: Config.string("DB_HOST"),
 *   apiUrl: Config.string("API_URL"),
 *   password: Config.nested(Config.redacted("password"), "db")
 * })
 *
 * // What each new environment reads (two parameters, one secret), and 500 environments in 10 s
 * const plan = ColdStartPlanner.plan({
 *   reads: SecretsConfigProvider.reads(AppConfig, { prefix: "/app/prod", secrets: { db: "app/db" } }),
 *   scaleOut: { environments: 500, rampSeconds: 10 }
 * })
 *
 * plan.parameterStore.peakTps // 100: 50 cold starts a second × 2 parameters
 * plan.parameterStore.overQuota // true: Parameter Store allows 40 TPS
 * console.log(ColdStartPlanner.format(plan)) // the report, with advice
 * ```
 *
 * @throws RangeError when a number is negative or not finite, or a quota is 0.
 * @since 0.2.0
 * @category planning
 */
export const plan = (input: Input): Plan => {
  const quotas = input.quotas ?? {}
  const parameterStoreTps = quotas.parameterStoreTps ?? defaultParameterStoreTps
  const secretsManagerTps = quotas.secretsManagerTps ?? defaultSecretsManagerTps
  const askedTtl = input.ttlSeconds ?? maxTtlSeconds
  const deadlineSeconds = input.deadlineSeconds ?? defaultDeadlineSeconds
  const retryWindowSeconds = input.retryWindowSeconds ?? defaultRetryWindowSeconds
  const rate = input.invocationsPerEnvironmentPerSecond
  check("parameterStoreTps", parameterStoreTps, true)
  check("secretsManagerTps", secretsManagerTps, true)
  check("ttlSeconds", askedTtl, false)
  check("deadlineSeconds", deadlineSeconds, false)
  check("retryWindowSeconds", retryWindowSeconds, false)
  check("invocationsPerEnvironmentPerSecond", rate, true)

  const scaleOut = input.scaleOut
  let environments: number | undefined
  let rampSeconds: number | undefined
  let peakColdStartsPerSecond: number
  if ("coldStartsPerSecond" in scaleOut) {
    check("coldStartsPerSecond", scaleOut.coldStartsPerSecond, true)
    check("environments", scaleOut.environments, false)
    environments = scaleOut.environments
    peakColdStartsPerSecond = scaleOut.coldStartsPerSecond
    rampSeconds = environments === undefined ? undefined : environments / peakColdStartsPerSecond
  } else {
    check("environments", scaleOut.environments, false)
    check("rampSeconds", scaleOut.rampSeconds, false)
    environments = scaleOut.environments
    rampSeconds = scaleOut.rampSeconds
    // A step: all environments start at once, counted as within one second.
    peakColdStartsPerSecond = rampSeconds === 0 ? environments : environments / rampSeconds
  }

  const ttlSeconds = Math.min(askedTtl, maxTtlSeconds)
  // The extension refreshes on demand: a name expires after the TTL and is fetched again at the
  // next invocation, on average 1 / rate later.
  const refreshPeriod = ttlSeconds + (rate === undefined ? 0 : 1 / rate)

  const seen = new Set<string>()
  const names: Record<Service, Array<string>> = { parameterStore: [], secretsManager: [] }
  for (const read of input.reads) {
    const key = `${read.kind}\u0000${read.name}\u0000${read.withDecryption}`
    if (seen.has(key)) continue
    seen.add(key)
    names[serviceOf(read)].push(read.name)
  }

  const service = (which: Service, quotaTps: number): ServicePlan => {
    const calls = names[which].length
    const peakTps = peakColdStartsPerSecond * calls
    const coldStartCalls = environments === undefined ? undefined : environments * calls
    const atQuota = coldStartCalls === undefined ? undefined : coldStartCalls / quotaTps
    const timeToWarmSeconds =
      atQuota === undefined || rampSeconds === undefined ? undefined : calls === 0 ? 0 : Math.max(rampSeconds, atQuota)
    const backlogSeconds =
      atQuota === undefined || rampSeconds === undefined ? undefined : Math.max(0, atQuota - rampSeconds)
    const steadyStateTps =
      environments === undefined ? undefined : refreshPeriod === 0 ? Infinity : (environments * calls) / refreshPeriod
    return {
      service: which,
      label: label(which),
      names: names[which],
      callsPerColdStart: calls,
      coldStartCalls,
      quotaTps,
      peakTps,
      peakRatio: peakTps / quotaTps,
      overQuota: peakTps > quotaTps,
      timeToWarmSeconds,
      backlogSeconds,
      steadyStateTps,
      steadyStateOverQuota: steadyStateTps !== undefined && calls > 0 && steadyStateTps > quotaTps
    }
  }
  const parameterStore = service("parameterStore", parameterStoreTps)
  const secretsManager = service("secretsManager", secretsManagerTps)
  const services = [parameterStore, secretsManager]

  const maxOf = (pick: (s: ServicePlan) => number | undefined): number | undefined => {
    const values = services.map(pick)
    return values.some((v) => v === undefined) ? undefined : Math.max(...(values as Array<number>))
  }
  const timeToWarmSeconds = maxOf((s) => s.timeToWarmSeconds)
  const backlogSeconds = maxOf((s) => s.backlogSeconds)
  const maxColdStartsPerSecond = Math.min(
    ...services.map((s) => (s.callsPerColdStart === 0 ? Infinity : s.quotaTps / s.callsPerColdStart))
  )
  const minRampSeconds =
    environments === undefined
      ? undefined
      : Number.isFinite(maxColdStartsPerSecond)
        ? environments / maxColdStartsPerSecond
        : 0
  const coldStartsServedWithoutRetry = services.reduce(
    (p, s) => p * Math.min(1, s.peakRatio === 0 ? 1 : 1 / s.peakRatio) ** s.callsPerColdStart,
    1
  )
  const overAtPeak = services.some((s) => s.overQuota)
  const wait = Math.min(deadlineSeconds, retryWindowSeconds)
  // Within quota at peak, nothing is throttled: the backlog is only the time the calls take.
  const coldStartsServedWithOptInRetry = !overAtPeak
    ? 1
    : backlogSeconds === undefined
      ? undefined
      : backlogSeconds <= wait
        ? 1
        : wait / backlogSeconds
  const recommendedRetryWindowSeconds =
    backlogSeconds === undefined ? undefined : Math.max(retryWindowSeconds, Math.ceil(backlogSeconds))

  const result = {
    environments,
    rampSeconds,
    peakColdStartsPerSecond,
    ttlSeconds,
    ttlClamped: askedTtl > maxTtlSeconds,
    deadlineSeconds,
    retryWindowSeconds,
    parameterStore,
    secretsManager,
    timeToWarmSeconds,
    backlogSeconds,
    maxColdStartsPerSecond,
    minRampSeconds,
    coldStartsServedWithoutRetry,
    coldStartsServedWithOptInRetry,
    recommendedRetryWindowSeconds
  }
  return { ...result, advice: advise(result, askedTtl, rate) }
}

// --- advice ----------------------------------------------------------------------------------

/** Up to 2 decimals, thousands separated: 3000 → "3,000", 7.5 → "7.5", 1/3 → "0.33". */
const num = (n: number): string =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: n !== 0 && Math.abs(n) < 1 ? 2 : 1 }) : "∞"

const pct = (share: number): string => `${(share * 100).toLocaleString("en-US", { maximumFractionDigits: 1 })} %`

const seconds = (s: number): string => `${num(s)} s`

const advise = (p: Omit<Plan, "advice">, askedTtl: number, rate: number | undefined): Array<string> => {
  const advice: Array<string> = []
  const services = [p.parameterStore, p.secretsManager]
  const ps = p.parameterStore
  const sm = p.secretsManager
  const total = ps.callsPerColdStart + sm.callsPerColdStart
  if (total === 0) return ["Nothing is read at cold start: no upstream budget to plan."]

  // Folding: Parameter Store keys into one JSON secret moves them to the 10,000 TPS quota.
  if ((ps.overQuota || ps.steadyStateOverQuota) && ps.callsPerColdStart >= 1) {
    const keys = ps.callsPerColdStart
    advice.push(
      `Fold ${keys === 1 ? "the Parameter Store key" : `these ${keys} Parameter Store keys`} into one JSON secret ` +
        `in Secrets Manager: ${ps.names.join(", ")}. A cold start then makes ${1 + sm.callsPerColdStart} ` +
        `call${1 + sm.callsPerColdStart === 1 ? "" : "s"} instead of ${total}, ` +
        `none against Parameter Store's ${num(ps.quotaTps)} TPS.`
    )
  }
  if ((sm.overQuota || sm.steadyStateOverQuota) && sm.callsPerColdStart >= 2) {
    advice.push(
      `Fold these ${sm.callsPerColdStart} secrets into one JSON secret: ${sm.names.join(", ")} ` +
        `(${sm.callsPerColdStart} calls per cold start become 1).`
    )
  }

  // Quotas.
  if (ps.overQuota) {
    advice.push(
      `Or enable Parameter Store's higher throughput (a paid account setting): this scale-out needs ` +
        `${num(Math.ceil(ps.peakTps))} TPS at peak, ${num(ps.peakRatio)}× the ${num(ps.quotaTps)} TPS quota.`
    )
  }
  if (sm.overQuota) {
    advice.push(
      `Ask for a Secrets Manager quota increase: this scale-out needs ${num(Math.ceil(sm.peakTps))} ` +
        `GetSecretValue TPS at peak, ${num(sm.peakRatio)}× the ${num(sm.quotaTps)} TPS quota.`
    )
  }

  // Staggering.
  if (ps.overQuota || sm.overQuota) {
    const limit = p.maxColdStartsPerSecond
    const pace =
      limit >= 1
        ? `at most ${num(Math.floor(limit))} new environments per second`
        : `at most one new environment every ${num(1 / limit)} s`
    advice.push(
      `Or stagger the scale-out to ${pace}` +
        (p.environments === undefined || p.minRampSeconds === undefined
          ? "."
          : ` (a ramp of at least ${seconds(Math.ceil(p.minRampSeconds))} for ${num(p.environments)} environments).`)
    )
  }

  // TTL.
  if (p.ttlClamped) {
    advice.push(`The extension clamps a TTL of ${seconds(askedTtl)} to ${seconds(maxTtlSeconds)}: planned with 300 s.`)
  } else if (askedTtl < maxTtlSeconds && p.environments !== undefined) {
    const period = (ttl: number) => ttl + (rate === undefined ? 0 : 1 / rate)
    const at = (ttl: number) => (p.environments! * total) / period(ttl)
    advice.push(
      `Raise SSM_PARAMETER_STORE_TTL / SECRETS_MANAGER_TTL from ${seconds(askedTtl)} to 300 s (the cap): ` +
        `steady-state refreshes fall from ${num(at(askedTtl))} to ${num(at(maxTtlSeconds))} TPS in all.`
    )
  }
  for (const s of services) {
    if (s.steadyStateOverQuota) {
      advice.push(
        `Even once warm, ${s.label} refreshes need ${num(s.steadyStateTps!)} TPS, over its ` +
          `${num(s.quotaTps)} TPS quota: TTLs expire faster than the fleet can refill, so this fleet never ` +
          `stays warm. Folding or a higher quota is required, not optional.`
      )
    }
  }

  // The opt-in cold-start retry.
  if (!(ps.overQuota || sm.overQuota)) {
    // Nothing throttled at peak: no retry window to size.
  } else if (p.backlogSeconds !== undefined && p.backlogSeconds > 0) {
    const window = p.recommendedRetryWindowSeconds!
    const served = p.coldStartsServedWithOptInRetry!
    advice.push(
      `With the opt-in cold-start retry, make its window cover the ${seconds(p.backlogSeconds)} backlog: ` +
        `W ≥ ${seconds(window)}${window === p.retryWindowSeconds ? " (the current window suffices)" : ""}. ` +
        (served < 1
          ? `Each call still ends at its ${seconds(p.deadlineSeconds)} deadline, so at best ${pct(served)} of ` +
            `first invocations are served; the rest fail and fill on later invocations.`
          : `Every cold start fits within its ${seconds(p.deadlineSeconds)} deadline.`) +
        ` During the window a name that really is missing is retried until its deadline` +
        ` (${seconds(p.deadlineSeconds)}) before it fails` +
        (p.backlogSeconds > 60 ? `: a window of minutes is no remedy here, change the budget (above) instead.` : `.`)
    )
  } else if (p.backlogSeconds === undefined) {
    advice.push(
      `The backlog grows for as long as this rate lasts; give the fleet size (environments) to size the ` +
        `opt-in retry window.`
    )
  }

  if (advice.length === 0) {
    advice.push(
      `Within quota: ${ps.label} at ${pct(ps.peakRatio)} and ${sm.label} at ${pct(sm.peakRatio)} of ` +
        `their quotas at peak. No change needed.`
    )
  }
  return advice
}

// --- the report ------------------------------------------------------------------------------

const WIDTH = 100

const wrap = (text: string, first: string, rest: string): Array<string> => {
  const lines: Array<string> = []
  let line = first
  let empty = true
  for (let word of text.split(" ")) {
    while (word.length > 0) {
      const room = WIDTH - line.length - (empty ? 0 : 1)
      if (word.length <= room) {
        line += (empty ? "" : " ") + word
        empty = false
        word = ""
      } else if (!empty) {
        lines.push(line)
        line = rest
        empty = true
      } else {
        // A word longer than a line (a long name): cut it.
        line += word.slice(0, room)
        word = word.slice(room)
        lines.push(line)
        line = rest
      }
    }
  }
  if (!empty) lines.push(line)
  return lines
}

const orDash = (n: number | undefined, f: (n: number) => string): string => (n === undefined ? "—" : f(n))

/**
 * A multi-line report of a plan, no line longer than 100 columns.
 *
 * @since 0.2.0
 * @category formatting
 */
export const format = (p: Plan): string => {
  const shape =
    p.environments === undefined
      ? `${num(p.peakColdStartsPerSecond)} cold starts per second at peak`
      : p.rampSeconds === 0
        ? `a step to ${num(p.environments)} environments (counted as within one second)`
        : `${num(p.environments)} environments over ${seconds(p.rampSeconds!)} ` +
          `(${num(p.peakColdStartsPerSecond)} per second)`
  const lines: Array<string> = [
    ...wrap(`Cold-start budget: ${shape}; TTL ${seconds(p.ttlSeconds)}${p.ttlClamped ? " (clamped)" : ""}.`, "", "  ")
  ]
  const col = (s: string, width: number) => s.padStart(width)
  lines.push(
    "",
    `${"".padEnd(34)}${col("Parameter Store", 18)}${col("Secrets Manager", 18)}`,
    ...(
      [
        ["calls per cold start", (s) => num(s.callsPerColdStart)],
        ["calls to warm the fleet", (s) => orDash(s.coldStartCalls, num)],
        ["quota (TPS)", (s) => num(s.quotaTps)],
        ["peak upstream TPS", (s) => num(s.peakTps)],
        ["peak / quota", (s) => `${num(s.peakRatio)}×${s.overQuota ? " OVER" : ""}`],
        ["time to warm at quota", (s) => orDash(s.timeToWarmSeconds, seconds)],
        ["longest wait for quota", (s) => orDash(s.backlogSeconds, seconds)],
        [
          "steady-state refresh TPS",
          (s) => orDash(s.steadyStateTps, (n) => `${num(n)}${s.steadyStateOverQuota ? " OVER" : ""}`)
        ]
      ] as ReadonlyArray<readonly [string, (s: ServicePlan) => string]>
    ).map(([name, f]) => `${name.padEnd(34)}${col(f(p.parameterStore), 18)}${col(f(p.secretsManager), 18)}`),
    ""
  )
  lines.push(
    `Fleet: warm after ${orDash(p.timeToWarmSeconds, seconds)}; at most ` +
      `${Number.isFinite(p.maxColdStartsPerSecond) ? num(p.maxColdStartsPerSecond) : "∞"} new environments/s ` +
      `within quota.`
  )
  lines.push(
    ...wrap(
      `First invocations served: about ${pct(p.coldStartsServedWithoutRetry)} without retrying throttles; ` +
        `at best ${orDash(p.coldStartsServedWithOptInRetry, pct)} with the opt-in retry ` +
        `(window ${seconds(p.retryWindowSeconds)}, deadline ${seconds(p.deadlineSeconds)}).`,
      "",
      "  "
    ),
    "",
    "Advice:"
  )
  for (const a of p.advice) lines.push(...wrap(a, "- ", "  "))
  return lines.join("\n")
}
