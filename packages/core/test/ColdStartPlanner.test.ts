import { assert, describe, it } from "@effect/vitest"
import * as ColdStartPlanner from "@secrets-config/core/ColdStartPlanner"

const parameter = (name: string, withDecryption = false): ColdStartPlanner.Read => ({
  kind: "parameter",
  name,
  withDecryption
})
const secret = (name: string): ColdStartPlanner.Read => ({ kind: "secret", name, withDecryption: true })

// The app config of the issue: 6 parameters (one SecureString) and 1 secret.
const parameterNames = ["/app/db-host", "/app/db-port", "/app/db-name", "/app/api-key", "/app/flags", "/app/log-level"]
const appConfig: ReadonlyArray<ColdStartPlanner.Read> = [
  ...parameterNames.map((name) => parameter(name, name === "/app/api-key")),
  secret("app/db")
]

const close = (actual: number | undefined, expected: number, what: string) => {
  assert.isDefined(actual, what)
  assert.approximately(actual!, expected, 1e-9 * Math.max(1, Math.abs(expected)), what)
}

describe("ColdStartPlanner", () => {
  describe("the worked example: a step to 500 environments, 6 parameters + 1 secret", () => {
    const plan = ColdStartPlanner.plan({ reads: appConfig, scaleOut: { environments: 500, rampSeconds: 0 } })
    const ps = plan.parameterStore
    const sm = plan.secretsManager

    it("counts the calls per cold start and to warm the fleet", () => {
      assert.strictEqual(ps.callsPerColdStart, 6)
      assert.strictEqual(sm.callsPerColdStart, 1)
      assert.deepStrictEqual(ps.names, parameterNames)
      assert.deepStrictEqual(sm.names, ["app/db"])
      assert.strictEqual(ps.coldStartCalls, 500 * 6) // 3,000
      assert.strictEqual(sm.coldStartCalls, 500 * 1) // 500
    })

    it("compares the peak with the default quotas", () => {
      assert.strictEqual(ps.quotaTps, 40)
      assert.strictEqual(sm.quotaTps, 10_000)
      // A step counts as 500 cold starts within one second.
      assert.strictEqual(plan.peakColdStartsPerSecond, 500)
      assert.strictEqual(ps.peakTps, 500 * 6) // 3,000 TPS
      assert.strictEqual(sm.peakTps, 500 * 1) // 500 TPS
      close(ps.peakRatio, 3000 / 40, "PS ratio") // 75×
      close(sm.peakRatio, 500 / 10_000, "SM ratio") // 0.05×
      assert.isTrue(ps.overQuota)
      assert.isFalse(sm.overQuota)
    })

    it("times the warm-up at the quota", () => {
      close(ps.timeToWarmSeconds, 3000 / 40, "PS warm") // 75 s
      close(sm.timeToWarmSeconds, 500 / 10_000, "SM warm") // 0.05 s
      close(plan.timeToWarmSeconds, 75, "fleet warm") // the slower service
      close(ps.backlogSeconds, 75 - 0, "PS backlog") // a step: the whole warm-up is a wait
      close(plan.backlogSeconds, 75, "fleet backlog")
    })

    it("prices the steady-state refreshes at TTL 300 s", () => {
      assert.strictEqual(plan.ttlSeconds, 300)
      assert.isFalse(plan.ttlClamped)
      close(ps.steadyStateTps, (500 * 6) / 300, "PS refresh") // 10 TPS
      close(sm.steadyStateTps, (500 * 1) / 300, "SM refresh") // 1.67 TPS
      assert.isFalse(ps.steadyStateOverQuota)
    })

    it("derives the stagger limit, the retry window and the served shares", () => {
      close(plan.maxColdStartsPerSecond, 40 / 6, "stagger") // 6.67 environments/s (Parameter Store binds)
      close(plan.minRampSeconds, 500 / (40 / 6), "min ramp") // 75 s
      // A cold start waits at most min(deadline 5 s, window 10 s) = 5 s of a 75 s backlog.
      close(plan.coldStartsServedWithOptInRetry, 5 / 75, "opt-in share") // 6.7 %
      assert.strictEqual(plan.recommendedRetryWindowSeconds, 75)
      // Without retrying throttles each call passes with 1/75 and a cold start needs 6 of them.
      close(plan.coldStartsServedWithoutRetry, (1 / 75) ** 6, "no-retry share")
    })

    it("advises folding (naming the keys), a higher quota, a stagger and the retry window", () => {
      const text = plan.advice.join("\n")
      assert.include(text, "Fold these 6 Parameter Store keys into one JSON secret")
      for (const name of parameterNames) assert.include(text, name)
      assert.include(text, "2 calls instead of 7")
      assert.include(text, "higher throughput")
      assert.include(text, "3,000 TPS at peak, 75×")
      assert.include(text, "at most 6 new environments per second")
      assert.include(text, "a ramp of at least 75 s")
      assert.include(text, "W ≥ 75 s")
      assert.include(text, "6.7 %")
      assert.notInclude(text, "Secrets Manager quota increase")
    })

    it("formats a report with the key figures, within 100 columns", () => {
      const report = ColdStartPlanner.format(plan)
      for (const figure of ["500 environments", "3,000", "75×", "OVER", "75 s", "0.05 s", "10,000", "6.7", "6.7 %"]) {
        assert.include(report, figure)
      }
      assert.include(report, "/app/log-level")
      for (const line of report.split("\n")) assert.isAtMost(line.length, 100, line)
    })
  })

  describe("edge cases", () => {
    it("no reads: nothing to plan", () => {
      const plan = ColdStartPlanner.plan({ reads: [], scaleOut: { environments: 1000, rampSeconds: 0 } })
      assert.strictEqual(plan.parameterStore.callsPerColdStart, 0)
      assert.strictEqual(plan.secretsManager.coldStartCalls, 0)
      assert.strictEqual(plan.timeToWarmSeconds, 0)
      assert.strictEqual(plan.maxColdStartsPerSecond, Infinity)
      assert.strictEqual(plan.coldStartsServedWithoutRetry, 1)
      assert.strictEqual(plan.coldStartsServedWithOptInRetry, 1)
      assert.deepStrictEqual(plan.advice, ["Nothing is read at cold start: no upstream budget to plan."])
      assert.include(ColdStartPlanner.format(plan), "Nothing is read")
    })

    it("only secrets: Parameter Store is untouched and 10,000 TPS absorbs 2,000 environments × 3", () => {
      const reads = [secret("a"), secret("b"), secret("c")]
      const plan = ColdStartPlanner.plan({ reads, scaleOut: { environments: 2000, rampSeconds: 0 } })
      assert.strictEqual(plan.parameterStore.callsPerColdStart, 0)
      assert.strictEqual(plan.parameterStore.peakTps, 0)
      assert.strictEqual(plan.parameterStore.timeToWarmSeconds, 0)
      assert.strictEqual(plan.secretsManager.coldStartCalls, 6000) // 2,000 × 3
      close(plan.secretsManager.peakRatio, 6000 / 10_000, "ratio") // 0.6×
      assert.isFalse(plan.secretsManager.overQuota)
      close(plan.timeToWarmSeconds, 6000 / 10_000, "warm") // 0.6 s
      close(plan.maxColdStartsPerSecond, 10_000 / 3, "stagger")
      assert.strictEqual(plan.coldStartsServedWithOptInRetry, 1)
      assert.lengthOf(plan.advice, 1)
      assert.include(plan.advice[0]!, "No change needed")
    })

    it("a step over the Secrets Manager quota asks for an increase and to fold the secrets", () => {
      const reads = [secret("a"), secret("b")]
      const plan = ColdStartPlanner.plan({ reads, scaleOut: { environments: 10_000, rampSeconds: 0 } })
      close(plan.secretsManager.peakRatio, 20_000 / 10_000, "ratio") // 2×
      close(plan.timeToWarmSeconds, 2, "warm") // 20,000 / 10,000
      const text = plan.advice.join("\n")
      assert.include(text, "Secrets Manager quota increase")
      assert.include(text, "Fold these 2 secrets")
    })

    it("reference names count against Secrets Manager; duplicates are fetched once", () => {
      const reads = [
        parameter("/aws/reference/secretsmanager/app/db", true),
        parameter("/aws/reference/secretsmanager/app/db", true), // the same cache key
        parameter("/app/host"),
        parameter("/app/host", true), // another cache key: withDecryption differs
        secret("app/db") // another path: another call
      ]
      assert.strictEqual(ColdStartPlanner.serviceOf(reads[0]!), "secretsManager")
      assert.strictEqual(ColdStartPlanner.serviceOf(reads[2]!), "parameterStore")
      const plan = ColdStartPlanner.plan({ reads, scaleOut: { environments: 100, rampSeconds: 0 } })
      assert.strictEqual(plan.parameterStore.callsPerColdStart, 2)
      assert.strictEqual(plan.secretsManager.callsPerColdStart, 2)
      assert.deepStrictEqual(plan.secretsManager.names, ["/aws/reference/secretsmanager/app/db", "app/db"])
    })

    it("a ramp within quota warms as fast as it scales", () => {
      // 500 environments over 150 s: 3.33 per second × 6 = 20 TPS, half the quota.
      const plan = ColdStartPlanner.plan({ reads: appConfig, scaleOut: { environments: 500, rampSeconds: 150 } })
      close(plan.peakColdStartsPerSecond, 500 / 150, "rate")
      close(plan.parameterStore.peakTps, 20, "peak")
      close(plan.parameterStore.peakRatio, 0.5, "ratio")
      assert.isFalse(plan.parameterStore.overQuota)
      close(plan.timeToWarmSeconds, 150, "warm") // max(150, 3,000 / 40 = 75)
      close(plan.backlogSeconds, 0, "backlog")
      assert.strictEqual(plan.coldStartsServedWithoutRetry, 1)
      assert.strictEqual(plan.coldStartsServedWithOptInRetry, 1)
      assert.include(plan.advice.join("\n"), "No change needed")
    })

    it("a ramp over quota builds a backlog", () => {
      // 500 environments over 50 s: 10 per second × 6 = 60 TPS, 1.5× the quota.
      const plan = ColdStartPlanner.plan({ reads: appConfig, scaleOut: { environments: 500, rampSeconds: 50 } })
      close(plan.parameterStore.peakRatio, 60 / 40, "ratio")
      close(plan.timeToWarmSeconds, 75, "warm") // max(50, 3,000 / 40)
      close(plan.backlogSeconds, 75 - 50, "backlog") // 25 s
      close(plan.coldStartsServedWithOptInRetry, 5 / 25, "opt-in share") // 20 %
      close(plan.coldStartsServedWithoutRetry, (40 / 60) ** 6, "no-retry share")
      assert.strictEqual(plan.recommendedRetryWindowSeconds, 25)
      assert.include(plan.advice.join("\n"), "a ramp of at least 75 s")
      assert.include(ColdStartPlanner.format(plan), "500 environments over 50 s (10 per second)")
    })

    it("a peak rate without a fleet size gives the rates, not the fleet-wide figures", () => {
      const plan = ColdStartPlanner.plan({ reads: appConfig, scaleOut: { coldStartsPerSecond: 10 } })
      close(plan.parameterStore.peakTps, 60, "peak")
      assert.isTrue(plan.parameterStore.overQuota)
      assert.isUndefined(plan.timeToWarmSeconds)
      assert.isUndefined(plan.parameterStore.steadyStateTps)
      assert.isUndefined(plan.coldStartsServedWithOptInRetry)
      assert.include(plan.advice.join("\n"), "give the fleet size")
      assert.include(ColdStartPlanner.format(plan), "10 cold starts per second at peak")
    })

    it("a peak rate with a fleet size is a ramp", () => {
      const plan = ColdStartPlanner.plan({
        reads: appConfig,
        scaleOut: { coldStartsPerSecond: 10, environments: 500 }
      })
      close(plan.rampSeconds, 50, "ramp")
      close(plan.timeToWarmSeconds, 75, "warm")
    })

    it("clamps the TTL at 300 s and accounts for the invocation rate", () => {
      const clamped = ColdStartPlanner.plan({
        reads: appConfig,
        scaleOut: { environments: 500, rampSeconds: 0 },
        ttlSeconds: 900
      })
      assert.strictEqual(clamped.ttlSeconds, 300)
      assert.isTrue(clamped.ttlClamped)
      assert.include(clamped.advice.join("\n"), "clamps a TTL of 900 s")
      // TTL 60 s, one invocation every 4 s: a name is refetched every 60 + 4 = 64 s.
      const short = ColdStartPlanner.plan({
        reads: appConfig,
        scaleOut: { environments: 500, rampSeconds: 0 },
        ttlSeconds: 60,
        invocationsPerEnvironmentPerSecond: 0.25
      })
      close(short.parameterStore.steadyStateTps, (500 * 6) / 64, "refresh") // 46.875 TPS
      assert.isTrue(short.parameterStore.steadyStateOverQuota)
      const text = short.advice.join("\n")
      assert.include(text, "from 60 s to 300 s")
      assert.include(text, "never stays warm")
    })

    it("a higher quota is taken into account", () => {
      const plan = ColdStartPlanner.plan({
        reads: appConfig,
        scaleOut: { environments: 500, rampSeconds: 0 },
        quotas: { parameterStoreTps: 10_000 }
      })
      close(plan.parameterStore.peakRatio, 0.3, "ratio") // 3,000 / 10,000
      close(plan.timeToWarmSeconds, 0.3, "warm")
      assert.strictEqual(plan.coldStartsServedWithOptInRetry, 1)
    })

    it("rejects nonsense", () => {
      assert.throws(
        () => ColdStartPlanner.plan({ reads: [], scaleOut: { environments: -1, rampSeconds: 0 } }),
        RangeError
      )
      assert.throws(
        () =>
          ColdStartPlanner.plan({
            reads: [],
            scaleOut: { environments: 1, rampSeconds: 0 },
            quotas: { parameterStoreTps: 0 }
          }),
        RangeError
      )
      assert.throws(
        () => ColdStartPlanner.plan({ reads: [], scaleOut: { coldStartsPerSecond: Number.NaN } }),
        RangeError
      )
    })

    it("wraps names longer than a line", () => {
      const long = `/app/${"x".repeat(250)}`
      const plan = ColdStartPlanner.plan({ reads: [parameter(long)], scaleOut: { environments: 100, rampSeconds: 0 } })
      for (const line of ColdStartPlanner.format(plan).split("\n")) assert.isAtMost(line.length, 100)
    })
  })
})
