/**
 * The faults in force and their bookkeeping: `times` budgets, not-ready and refusal windows.
 *
 * @internal
 */
import type { Faults, Rule } from "../Faults.js"

export type RuleKey =
  | "latency"
  | "throttle"
  | "serverError"
  | "dropMidBody"
  | "malformedBody"
  | "oversizedBody"
  | "slowBody"

const RULE_KEYS: ReadonlyArray<RuleKey> = [
  "latency",
  "throttle",
  "serverError",
  "dropMidBody",
  "malformedBody",
  "oversizedBody",
  "slowBody"
]

export class FaultState {
  private faults: Faults = {}
  private readonly remaining = new Map<RuleKey, number>()
  private notReadySeen = 0
  private notReadyUntil: number | undefined
  private refuseUntil: number | undefined

  current(): Faults {
    return this.faults
  }

  set(faults: Faults, nowMs: number): void {
    this.faults = {}
    this.remaining.clear()
    this.notReadyUntil = undefined
    this.refuseUntil = undefined
    this.update(faults, nowMs)
  }

  /** Merges: each key present replaces that fault (and restarts its budget or window). */
  update(faults: Faults, nowMs: number): void {
    const next: Record<string, unknown> = { ...this.faults }
    for (const [key, value] of Object.entries(faults)) {
      if (value === undefined) delete next[key]
      else next[key] = value
    }
    this.faults = next as Faults
    for (const key of RULE_KEYS) {
      if (!(key in faults)) continue
      const rule = this.faults[key] as Rule | undefined
      if (rule?.times !== undefined) this.remaining.set(key, rule.times)
      else this.remaining.delete(key)
    }
    if ("notReady" in faults) {
      this.notReadySeen = 0
      const forMs = this.faults.notReady?.forMs
      this.notReadyUntil = forMs === undefined ? undefined : nowMs + forMs
    }
    if ("refuseConnections" in faults) {
      const forMs = this.faults.refuseConnections?.forMs
      this.refuseUntil = forMs === undefined ? undefined : nowMs + forMs
    }
  }

  /** `"time"`: inside the time window (or unbounded); `"count"`: within the first N requests. */
  notReady(nowMs: number): "none" | "time" | "count" {
    const nr = this.faults.notReady
    if (nr === undefined) return "none"
    if (nr.forMs === undefined && nr.requests === undefined) return "time"
    if (this.notReadyUntil !== undefined && nowMs < this.notReadyUntil) return "time"
    if (nr.requests !== undefined && this.notReadySeen < nr.requests) return "count"
    return "none"
  }

  countNotReady(): void {
    this.notReadySeen++
  }

  refusal(nowMs: number): "refuse" | "reset" | undefined {
    const rc = this.faults.refuseConnections
    if (rc === undefined) return undefined
    if (this.refuseUntil !== undefined && nowMs >= this.refuseUntil) return undefined
    return rc.mode ?? "refuse"
  }

  /** Whether the listener must be closed: refusal, or the Agent not being up yet. */
  listenerClosed(nowMs: number, dialect: "extension" | "agent"): boolean {
    return this.refusal(nowMs) === "refuse" || (dialect === "agent" && this.notReady(nowMs) === "time")
  }

  /** The next moment a window ends, if any (to reopen the listener then). */
  nextDeadline(nowMs: number): number | undefined {
    const deadlines = [this.notReadyUntil, this.refuseUntil].filter((d): d is number => d !== undefined && d > nowMs)
    return deadlines.length === 0 ? undefined : Math.min(...deadlines)
  }

  /** The rule if it hits this request (consuming one of its `times`), given a uniform random number. */
  take<K extends RuleKey>(key: K, random: number): NonNullable<Faults[K]> | undefined {
    const rule = this.faults[key] as NonNullable<Faults[K]> | undefined
    if (rule === undefined) return undefined
    const left = this.remaining.get(key)
    if (left !== undefined && left <= 0) return undefined
    if (rule.probability !== undefined && random >= rule.probability) return undefined
    if (left !== undefined) this.remaining.set(key, left - 1)
    return rule
  }
}
