/** Small statistics and table helpers shared by the benchmark scripts. */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const median = (xs: ReadonlyArray<number>): number => percentile(xs, 50)

/** Nearest-rank percentile (p in 0..100) of a sample. */
export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  if (xs.length === 0) return Number.NaN
  const sorted = [...xs].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : "—")

/** `n` with its sign, as a step's cost in a table (`+6.2`, `-0.3`). */
export const signed = (n: number, digits = 1): string => `${n >= 0 ? "+" : ""}${fmt(n, digits)}`

/**
 * The contenders in the order to run them in round `round`: as given, then reversed, in turn, so
 * that drift over a run does not favour one of them (ABCD DCBA …).
 */
export const interleaved = <A>(items: ReadonlyArray<A>, round: number): ReadonlyArray<A> =>
  round % 2 === 0 ? items : [...items].reverse()

/** A byte count as kilobytes (KiB), as the tables show sizes. */
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`

export const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "—")

/** Per-round ratios `a[i] / b[i]` (the same round's samples, so drift within a run cancels out). */
export const ratios = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): Array<number> => a.map((x, i) => x / b[i]!)

/** The median of per-round ratios with their range: `0.96× (0.85–1.10)`. */
export const spread = (rs: ReadonlyArray<number>): string =>
  rs.length === 0 || !rs.every(Number.isFinite)
    ? "—"
    : `${median(rs).toFixed(2)}× (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)})`

/** The median of per-round differences with their range: `+12.3 (−4.0…+20.1)`. */
export const spreadDiff = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, digits = 1): string => {
  const ds = a.map((x, i) => x - b[i]!)
  return ds.length === 0
    ? "—"
    : `${signed(median(ds), digits)} (${signed(Math.min(...ds), digits)}…${signed(Math.max(...ds), digits)})`
}

/** A Markdown table (so the output can be pasted into BENCHMARKS.md as is). */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`
  const sep = `|${widths.map((w, i) => (i === 0 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`
  return [line(header), sep, ...rows.map(line)].join("\n")
}

/** One line describing where the numbers come from. */
export const environment = (): string => {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU"
  return `${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${os.platform()} ${os.release()}, ${new Date().toISOString().slice(0, 10)}`
}

/** Fails the run loudly if a sanity check does not hold (a benchmark of a broken client is worthless). */
export const check = (condition: boolean, message: string): void => {
  if (!condition) {
    console.error(`benchmark sanity check failed: ${message}`)
    process.exit(1)
  }
}

/** `bench/.out/<name>` (git-ignored), created if missing: where a script writes its bundles. */
export const outputDir = (name: string): string => {
  const dir = path.join(import.meta.dirname, "..", ".out", name)
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

/** A contender of a bundling benchmark: a key, a label for the tables, its entry file (from bench/). */
export interface Entry {
  readonly key: string
  readonly label: string
  readonly entry: string
}
