/**
 * The fleet simulation of issue #15 ("At fleet scale"): N Lambda environments start at once (or
 * over a ramp, or along a daily peak), each with an empty extension cache, and read an app config
 * of 6 parameters + 1 secret against Parameter Store's 40 TPS and Secrets Manager's 10,000 TPS.
 * Three clients — `naive` (no retry), `defaults` (the library's default retry: transient errors
 * only) and `opt-in` (also the ambiguous 400 within W = 10 s of the layer's construction) — for
 * each shape and size; then the step shape against `ColdStartPlanner.plan`. Model: `model.ts`;
 * what it assumes: `docs/fleet/README.md`.
 *
 *   pnpm --filter @secrets-config/bench fleet              (writes docs/fleet/results.md + the chart)
 *   pnpm --filter @secrets-config/bench fleet --check      (determinism and token-bucket checks; exit 1 on failure)
 *
 * Knobs: --seed N, --sizes 10,100,…, --shapes step,ramp,daily, --strategies naive,defaults,opt-in,
 * --horizon S, --ramp S, --rate PER_S, --parameters N, --secrets N, --ttl S, --ssm-tps N,
 * --sm-tps N, --burst S, --deadline MS, --window MS, --max-connections N, --not-ready SHARE,
 * --threads N (worker threads; 2 by default, 1 runs everything in this thread), --no-write. The
 * runs are independent and each is deterministic, so the thread count never changes a figure.
 */
import * as ColdStartPlanner from "@secrets-config/core/ColdStartPlanner"
import { mkdirSync, writeFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { Worker } from "node:worker_threads"
import { servedVsScaleOut } from "./chart.js"
import {
  type Config,
  defaults,
  maxAdmittedIn,
  percentile,
  type Result,
  type Shape,
  type Strategy,
  shapes as allShapes,
  strategies as allStrategies,
  simulate,
  TokenBucket
} from "./model.js"

// --- arguments -------------------------------------------------------------------------------

const argv = process.argv.slice(2)
const flag = (name: string): boolean => argv.includes(`--${name}`)
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : undefined
}
const number = (name: string, fallback: number): number => {
  const value = option(name)
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a number >= 0, got ${value}`)
  return n
}
const list = <A extends string>(name: string, all: ReadonlyArray<A>): ReadonlyArray<A> => {
  const value = option(name)
  if (value === undefined) return all
  const items = value.split(",") as Array<A>
  for (const item of items) if (!all.includes(item)) throw new Error(`--${name}: unknown ${item}`)
  return items
}

const DEFAULT_SIZES = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500, 5000, 10_000]
const sizes = option("sizes")?.split(",").map(Number) ?? DEFAULT_SIZES
if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000)) throw new Error("--sizes: integers in 1..10000")
const shapes = list<Shape>("shapes", allShapes)
const strategies = list<Strategy>("strategies", allStrategies)
const base: Omit<Config, "environments" | "shape" | "strategy"> = {
  ...defaults,
  seed: number("seed", defaults.seed),
  horizonSeconds: number("horizon", defaults.horizonSeconds),
  rampSeconds: number("ramp", defaults.rampSeconds),
  invocationsPerSecond: number("rate", defaults.invocationsPerSecond),
  parameters: number("parameters", defaults.parameters),
  secrets: number("secrets", defaults.secrets),
  ttlSeconds: number("ttl", defaults.ttlSeconds),
  parameterStoreTps: number("ssm-tps", defaults.parameterStoreTps),
  secretsManagerTps: number("sm-tps", defaults.secretsManagerTps),
  burstSeconds: number("burst", defaults.burstSeconds),
  deadlineMs: number("deadline", defaults.deadlineMs),
  retryWindowMs: number("window", defaults.retryWindowMs),
  maxConnections: Math.max(1, number("max-connections", defaults.maxConnections)),
  notReadyShare: number("not-ready", defaults.notReadyShare)
}
const threads = Math.max(1, Math.floor(number("threads", Math.min(2, availableParallelism()))))
const command = ["pnpm --filter @secrets-config/bench fleet", ...argv].join(" ")

// --- formatting ------------------------------------------------------------------------------

const pct = (part: number, whole: number): string => (whole === 0 ? "—" : `${((100 * part) / whole).toFixed(1)}`)
const int = (n: number): string => n.toLocaleString("en-US")
const secs = (ms: number | undefined): string => (ms === undefined ? "—" : (ms / 1000).toFixed(1))
/** A Markdown table; the first `left` columns are text, the others numbers (right-aligned). */
const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, left: number): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`
  const rule = widths.map((w, i) => (i < left ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")
  return [line(header), `|${rule}|`, ...rows.map(line)].join("\n")
}

// --- --check ---------------------------------------------------------------------------------

const check = (): number => {
  const failures: Array<string> = []
  // The same seed gives the same result, bit for bit; another seed gives another.
  const digest = (r: Result) =>
    JSON.stringify({ ...r, coldStartDelays: Array.from(r.coldStartDelays), config: undefined })
  for (const shape of allShapes) {
    for (const strategy of allStrategies) {
      for (const environments of [20, 500]) {
        const config: Config = { ...base, environments, shape, strategy, horizonSeconds: 120, record: true }
        const a = simulate(config)
        const b = simulate(config)
        const label = `${shape}/${strategy}/${environments}`
        if (digest(a) !== digest(b)) failures.push(`${label}: two runs with seed ${config.seed} differ`)
        if (environments === 500 && digest(a) === digest(simulate({ ...config, seed: config.seed + 1 }))) {
          failures.push(`${label}: seeds ${config.seed} and ${config.seed + 1} give the same result`)
        }
        // No bucket admits more than burst + rate × window in any window.
        for (const [service, rate] of [
          ["parameterStore", config.parameterStoreTps],
          ["secretsManager", config.secretsManagerTps]
        ] as const) {
          const burst = Math.max(1, rate * config.burstSeconds)
          for (const windowMs of [100, 1000, 10_000]) {
            const most = maxAdmittedIn(a.admitted![service], windowMs)
            const bound = Math.floor(burst + (rate * windowMs) / 1000)
            if (most > bound)
              failures.push(`${label}: ${service} admitted ${most} calls in ${windowMs} ms (> ${bound})`)
          }
        }
      }
    }
  }
  // The bucket alone, hammered: 10 calls per ms for 5 s against 40 TPS with a burst of 20.
  const bucket = new TokenBucket(40, 20, true)
  for (let t = 0; t < 5000; t += 0.1) bucket.take(t)
  const admitted = bucket.admitted!.length
  if (admitted > 20 + 40 * 5) failures.push(`a hammered 40 TPS bucket admitted ${admitted} calls in 5 s (> 220)`)
  if (admitted < 20 + 40 * 5 - 1) failures.push(`a hammered 40 TPS bucket admitted only ${admitted} calls in 5 s`)
  if (maxAdmittedIn(bucket.admitted!, 1000) > 60) failures.push("a hammered bucket admitted > 60 calls in 1 s")

  for (const failure of failures) console.error(`FAIL ${failure}`)
  console.log(
    failures.length === 0
      ? "fleet --check: deterministic for a seed (18 configurations run twice), buckets within rate + burst: OK"
      : `fleet --check: ${failures.length} failure(s)`
  )
  return failures.length === 0 ? 0 : 1
}

if (flag("check")) process.exit(check())

// --- the runs --------------------------------------------------------------------------------

interface Row {
  readonly shape: Shape
  readonly environments: number
  readonly strategy: Strategy
  readonly result: Result
}

console.log(
  `Fleet simulation — seed ${base.seed}; ${base.parameters} parameters + ${base.secrets} secret(s); ` +
    `Parameter Store ${base.parameterStoreTps} TPS, Secrets Manager ${base.secretsManagerTps} TPS ` +
    `(burst ${base.burstSeconds} s of rate); TTL ${Math.min(300, base.ttlSeconds)} s; horizon ${base.horizonSeconds} s; ` +
    `${base.invocationsPerSecond} invocations/s per environment; deadline ${base.deadlineMs} ms; ` +
    `opt-in window ${base.retryWindowMs} ms; ${base.maxConnections} upstream connections per extension; ` +
    `${threads} thread(s)\n`
)

/** Runs the configs on `threads` worker threads, the largest first; the results in the configs' order. */
const runAll = async (configs: ReadonlyArray<Config>): Promise<Array<Result>> => {
  if (threads <= 1) return configs.map(simulate)
  const results = new Array<Result>(configs.length)
  const order = configs.map((_, i) => i).sort((a, b) => configs[b]!.environments - configs[a]!.environments || a - b)
  let taken = 0
  await Promise.all(
    Array.from(
      { length: Math.min(threads, configs.length) },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(new URL("./worker.mjs", import.meta.url))
          let current = -1
          const feed = () => {
            if (taken === order.length) {
              worker.terminate().then(() => resolve(), reject)
              return
            }
            current = order[taken++]!
            worker.postMessage(configs[current])
          }
          worker.on("message", (result: Result) => {
            results[current] = result
            feed()
          })
          worker.on("error", reject)
          feed()
        })
    )
  )
  return results
}

const started = performance.now()
const configs: Array<Config> = []
for (const shape of shapes) {
  for (const environments of sizes) {
    for (const strategy of strategies) configs.push({ ...base, environments, shape, strategy })
  }
}
const rows: Array<Row> = (await runAll(configs)).map((result) => ({
  shape: result.config.shape,
  environments: result.config.environments,
  strategy: result.config.strategy,
  result
}))
const elapsed = (performance.now() - started) / 1000

const header = [
  "shape",
  "N",
  "client",
  "served %",
  "cold starts served %",
  "upstream calls (PS + SM)",
  "throttles",
  "p99 cold-start delay (ms)",
  "fleet warm (s)"
]
const resultRows = rows.map(({ environments, result: r, shape, strategy }) => [
  shape,
  int(environments),
  strategy,
  pct(r.served, r.invocations),
  pct(r.coldStartsServed, r.coldStarts),
  int(r.parameterStore.calls + r.secretsManager.calls),
  int(r.parameterStore.throttles + r.secretsManager.throttles),
  r.coldStartDelays.length === 0 ? "—" : percentile(r.coldStartDelays, 99).toFixed(0),
  r.fleetWarmMs === undefined ? `> ${base.horizonSeconds}` : secs(r.fleetWarmMs)
])
const results = table(header, resultRows, 3)
console.log(results)

// Where each client stops serving 100 %: the largest size before the first that drops below.
const limits = shapes.map((shape) => [
  shape,
  ...strategies.flatMap((strategy) => {
    const mine = rows.filter((r) => r.shape === shape && r.strategy === strategy)
    const where = (served: (r: Result) => number) => {
      const firstBelow = mine.findIndex((r) => served(r.result) < 1)
      if (firstBelow === -1) return `all ≤ ${int(mine[mine.length - 1]!.environments)}`
      if (firstBelow === 0) return `< ${int(mine[0]!.environments)}`
      return `${int(mine[firstBelow - 1]!.environments)} (not ${int(mine[firstBelow]!.environments)})`
    }
    return [where((r) => r.served / r.invocations), where((r) => r.coldStartsServed / Math.max(1, r.coldStarts))]
  })
])
const limitsTable = table(
  ["shape", ...strategies.flatMap((s) => [`${s}: all`, `${s}: cold starts`])],
  limits,
  1 + strategies.length * 2
)
console.log(`\nLargest N still served at 100 % (all invocations / cold starts only):\n\n${limitsTable}`)

// --- the planner against the step -------------------------------------------------------------

const reads: Array<ColdStartPlanner.Read> = [
  ...Array.from({ length: base.parameters }, (_, i) => ({
    kind: "parameter" as const,
    name: `/app/param-${i + 1}`,
    withDecryption: false
  })),
  ...Array.from({ length: base.secrets }, (_, i) => ({
    kind: "secret" as const,
    name: `app/secret-${i + 1}`,
    withDecryption: true
  }))
]
const TOLERANCE = { relative: 0.1, absoluteSeconds: 1 }
let disagreements = 0
const plannerRows: Array<Array<string>> = []
if (shapes.includes("step")) {
  for (const environments of sizes) {
    const p = ColdStartPlanner.plan({
      reads,
      scaleOut: { environments, rampSeconds: 0 },
      ttlSeconds: base.ttlSeconds,
      quotas: { parameterStoreTps: base.parameterStoreTps, secretsManagerTps: base.secretsManagerTps },
      invocationsPerEnvironmentPerSecond: base.invocationsPerSecond,
      deadlineSeconds: base.deadlineMs / 1000,
      retryWindowSeconds: base.retryWindowMs / 1000
    })
    const step = (strategy: Strategy) =>
      rows.find((r) => r.shape === "step" && r.environments === environments && r.strategy === strategy)?.result
    const reference = step("opt-in") ?? step(strategies[0]!)!
    const ps = reference.parameterStore
    const predicted = p.parameterStore.timeToWarmSeconds!
    // Half the fleet's Parameter Store names are in after half the time to warm: the clients'
    // demand still exceeds the quota then, so the fill runs at the quota's pace.
    const predictedHalf = predicted / 2
    const simulatedHalf = ps.halfFilledMs === undefined ? undefined : ps.halfFilledMs / 1000
    const comparable = p.parameterStore.overQuota && predicted < Math.min(p.ttlSeconds, base.horizonSeconds)
    let verdict: string
    if (!comparable) {
      verdict = p.parameterStore.overQuota ? "n/a (warm-up ≥ TTL or horizon)" : "n/a (within quota)"
    } else {
      const tolerance = TOLERANCE.relative * predictedHalf + TOLERANCE.absoluteSeconds
      const callsMatch = ps.filledMs === undefined || ps.firstFills === p.parameterStore.coldStartCalls
      const ok = simulatedHalf !== undefined && Math.abs(simulatedHalf - predictedHalf) <= tolerance && callsMatch
      // Nothing can warm faster than the quota allows (less the bucket's burst).
      const burstSeconds = base.burstSeconds
      const tooFast =
        ps.filledMs !== undefined && ps.filledMs / 1000 < predicted - burstSeconds - TOLERANCE.absoluteSeconds
      verdict = ok && !tooFast ? "ok" : "DISAGREE"
      if (verdict !== "ok") disagreements++
    }
    const warm = (strategy: Strategy) => {
      const r = step(strategy)
      return r === undefined
        ? "—"
        : r.parameterStore.filledMs === undefined
          ? `> ${base.horizonSeconds}`
          : secs(r.parameterStore.filledMs)
    }
    const optIn = step("opt-in")
    plannerRows.push([
      int(environments),
      int(p.parameterStore.coldStartCalls!),
      int(ps.firstFills),
      int(ps.calls),
      predicted.toFixed(1),
      predictedHalf.toFixed(1),
      simulatedHalf === undefined ? "—" : simulatedHalf.toFixed(1),
      strategies.map(warm).join(" / "),
      p.coldStartsServedWithOptInRetry === undefined ? "—" : (100 * p.coldStartsServedWithOptInRetry).toFixed(1),
      optIn === undefined ? "—" : pct(optIn.coldStartsServed, optIn.coldStarts),
      verdict
    ])
  }
}
const plannerTable = table(
  [
    "N",
    "planner: PS calls",
    "sim: PS first fills",
    "sim: PS calls incl. throttled",
    "planner: warm (s)",
    "planner: half (s)",
    "sim: half (s)",
    `sim: warm (s) ${strategies.join(" / ")}`,
    "planner: opt-in cold ≤ %",
    "sim: opt-in cold %",
    "check"
  ],
  plannerRows,
  1
)
const toleranceText =
  `Tolerance: the simulated time to fill half of the fleet's Parameter Store names (opt-in client) within ` +
  `${TOLERANCE.relative * 100} % + ${TOLERANCE.absoluteSeconds} s of half the planner's time to warm; the ` +
  `simulated first fills equal the planner's calls when the fleet warmed; no fleet warms faster than ` +
  `the planner's time less the burst. Compared only where Parameter Store is over quota and the planner's ` +
  `warm-up is shorter than the TTL and the horizon.`
if (plannerRows.length > 0) {
  console.log(`\nColdStartPlanner vs the step (Parameter Store):\n\n${plannerTable}\n\n${toleranceText}`)
  console.log(disagreements === 0 ? "Planner and simulation agree." : `DISAGREEMENT: ${disagreements} size(s).`)
}
console.log(`\n${rows.length} runs in ${elapsed.toFixed(1)} s`)

// --- the report and the chart ----------------------------------------------------------------

if (!flag("no-write")) {
  const out = path.join(import.meta.dirname, "..", "..", "docs", "fleet")
  mkdirSync(out, { recursive: true })
  const stepRows = rows.filter((r) => r.shape === "step")
  const points = stepRows.flatMap(({ environments, result: r, strategy }) => [
    { environments, strategy, metric: "all invocations over the horizon", served: (100 * r.served) / r.invocations },
    {
      environments,
      strategy,
      metric: "cold starts (first invocations)",
      served: (100 * r.coldStartsServed) / Math.max(1, r.coldStarts)
    }
  ])
  if (points.length > 0) {
    const svg = await servedVsScaleOut(
      points,
      `Served % vs a step scale-out: ${base.parameters} parameters + ${base.secrets} secret, ` +
        `${base.parameterStoreTps} TPS, seed ${base.seed}`
    )
    writeFileSync(path.join(out, "served-vs-scale-out.svg"), svg)
  }
  const markdown = `# Fleet simulation: results

Generated by \`bench/fleet/simulate.ts\`; do not edit by hand. How to read it, the model and its
limits: [README.md](README.md).

\`\`\`sh
${command}
\`\`\`

Seed **${base.seed}**. ${base.parameters} parameters + ${base.secrets} secret per invocation; Parameter Store ${base.parameterStoreTps} TPS, Secrets Manager ${int(base.secretsManagerTps)} TPS, each bucket holding ${base.burstSeconds} s of its rate; extension TTL ${Math.min(300, base.ttlSeconds)} s, ${base.maxConnections} upstream connections per extension; horizon ${base.horizonSeconds} s; after its first invocation each environment is invoked ${base.invocationsPerSecond} times per second (exponential gaps); deadline ${base.deadlineMs} ms per invocation; opt-in window ${base.retryWindowMs} ms; ramp ${base.rampSeconds} s; ${base.notReadyShare * 100} % of cold starts meet the extension's "not ready" answer. The figures depend only on these settings and the seed, not on the machine or the thread count.

![served % vs scale-out](served-vs-scale-out.svg)

## Where each client stops serving 100 %

The largest size still served at 100 % (with the next size tried, which is not), over all
invocations of the horizon and over cold starts (first invocations) only.

${limitsTable}

## All runs

"served %" counts every invocation of the horizon; "cold starts served %" the first invocation of
each environment; upstream calls count every call that reached a service, throttled or not;
"p99 cold-start delay" is the first invocation's time from its start until its reads were all in or
it failed; "fleet warm" is when every environment had had every name in its cache.

${results}

## ColdStartPlanner against the step

${plannerTable}

${toleranceText} ${disagreements === 0 ? "**Planner and simulation agree.**" : `**DISAGREEMENT at ${disagreements} size(s).**`}
`
  writeFileSync(path.join(out, "results.md"), markdown)
  console.log(`wrote ${path.relative(process.cwd(), out)}/results.md and served-vs-scale-out.svg`)
}
