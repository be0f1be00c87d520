/**
 * P1: cold start. Each handler is bundled the way CDK's NodejsFunction bundles an ESM function
 * (the example's `scripts/build.mjs`), then run in a fresh `node` process per sample: import the
 * bundle (INIT), invoke the handler once against a running endpoint, exit. Whole-process time is
 * measured from `spawn` to the handler's response arriving here (a cold start as Lambda has it:
 * Lambda never exits the process, and fetch's teardown alone takes 100–160 ms more, so spawn→exit
 * is shown beside it); import time inside the process. Variants are interleaved
 * (ABCD DCBA …) so drift hits them alike, and every ratio is taken within a round (one process of
 * each variant), then summarised as the median of the rounds' ratios with their range.
 *
 *   pnpm --filter @secrets-config/bench p1            (RUNS=20 by default)
 *   RUNS=0 pnpm --filter @secrets-config/bench p1     (CI: the bundles, no undici, the same answer
 *                                                      from every handler; no timing)
 */
import { spawn } from "node:child_process"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
// @ts-expect-error: a plain .mjs script without types
import { bundle } from "../examples/lambda-handler/scripts/build.mjs"
import { start as startEndpoints } from "./lib/endpoints.js"
import {
  check,
  environment,
  type Entry,
  fmt,
  interleaved,
  kb,
  median,
  outputDir,
  ratios,
  spread,
  spreadDiff,
  table
} from "./lib/stats.js"

const RUNS = Number(process.env.RUNS ?? 20)
const here = import.meta.dirname
const out = outputDir("p1")

interface Variant extends Entry {
  /** Bundle `@aws-sdk/*` too (CDK leaves it out: Lambda's Node.js runtime ships it). */
  readonly bundleSdk?: boolean
  /** Only sizes and import time matter (a pitfall shown beside the others). */
  readonly aside?: boolean
}

const variants: ReadonlyArray<Variant> = [
  {
    key: "ours",
    label: "secrets-config (examples/lambda-handler, layerNode)",
    entry: "../examples/lambda-handler/src/handler.ts"
  },
  {
    key: "ours-fetch",
    label: "secrets-config, the same handler over layerFetch",
    entry: "handlers/ours-fetch.ts",
    aside: true
  },
  { key: "fetch", label: "raw fetch", entry: "handlers/fetch.ts" },
  { key: "effect", label: "effect + @effect/platform + Schema", entry: "handlers/effect-platform.ts" },
  { key: "powertools", label: "Powertools + SDK (SDK external, as CDK)", entry: "handlers/powertools.ts" },
  {
    key: "powertools-bundled",
    label: "Powertools + SDK (SDK bundled)",
    entry: "handlers/powertools.ts",
    bundleSdk: true
  },
  {
    key: "node-barrel",
    label: "secrets-config over NodeHttpClient, barrel import",
    entry: "handlers/ours-node-barrel.ts",
    aside: true
  },
  {
    key: "node-deep",
    label: "secrets-config over NodeHttpClient, deep import",
    entry: "handlers/ours-node-deep.ts",
    aside: true
  }
]

interface Bundled {
  readonly file: string
  readonly bytes: number
  readonly gzip: number
  readonly undici: boolean
}

const bundles = new Map<string, Bundled>()
for (const v of variants) {
  const file = path.join(out, `${v.key}.mjs`)
  const entry = path.resolve(here, v.entry)
  // The same options as scripts/build.mjs; `bundleSdk` drops its `@aws-sdk/*` external.
  const { bytes, gzip, inputs }: { bytes: number; gzip: number; inputs: ReadonlyArray<string> } = v.bundleSdk
    ? await bundle(entry, file, [])
    : await bundle(entry, file)
  // `inputs` are only the files whose code reached the output (esbuild also lists what it shook off).
  bundles.set(v.key, { file, bytes, gzip, undici: inputs.some((input) => input.includes("/undici/")) })
}
check(!bundles.get("ours")!.undici, "the example handler's bundle contains undici")

// The endpoints and the handler processes' environment (lib/endpoints.ts).
const endpoints = await startEndpoints(out)
const env = endpoints.env

interface Sample {
  /** spawn → the handler's response read from the child: a cold start as Lambda has it. */
  readonly wholeMs: number
  /** spawn → the process has exited (Lambda never pays this; fetch's teardown is slow). */
  readonly exitMs: number
  readonly bootMs: number
  readonly importMs: number
  readonly invokeMs: number
  /** Of the first invocation, building the layers (handlers that expose their runtime only). */
  readonly layersMs: number | null
  readonly statusCode: number
  readonly body: string
}

const invoke = path.join(here, "lib", "invoke.mjs")
const runOnce = (file: string): Promise<Sample> =>
  new Promise((resolve, reject) => {
    const start = performance.now()
    const proc = spawn(process.execPath, [invoke, file], { env, stdio: ["ignore", "pipe", "pipe"] })
    let text = ""
    let errors = ""
    let wholeMs = Number.NaN
    proc.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString()
      if (text.endsWith("\n")) wholeMs = performance.now() - start
    })
    // The SDK warns on stderr that it will need Node 22 from 2027; shown only if the run fails.
    proc.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString()
    })
    const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000)
    proc.once("exit", (code) => {
      clearTimeout(timer)
      const exitMs = performance.now() - start
      if (code !== 0) return reject(new Error(`${file} exited with ${code}: ${text}${errors}`))
      resolve({ wholeMs, exitMs, ...JSON.parse(text) })
    })
  })

console.log(`P1 — cold start, ${environment()}`)
console.log(
  `${RUNS} cold processes per variant, interleaved; emulator and SSM stub each in a process of their own; medians\n`
)

// Every handler must do the same job: the same 200 body as ours.
const reference = await runOnce(bundles.get("ours")!.file)
check(reference.statusCode === 200, `the example handler answered ${reference.statusCode}: ${reference.body}`)
for (const v of variants.filter((v) => v.key !== "ours")) {
  const sample = await runOnce(bundles.get(v.key)!.file)
  check(sample.statusCode === 200 && sample.body === reference.body, `${v.label} answered ${sample.body}`)
}

if (RUNS === 0) {
  console.log(
    `RUNS=0: ${variants.length} handlers bundled (no undici in the example's) and each gave the example's answer; no timing`
  )
  await endpoints.close()
  process.exit(0)
}

const samples = new Map<string, Array<Sample>>(variants.map((v) => [v.key, []]))
for (let run = 0; run < RUNS; run++) {
  for (const v of interleaved(variants, run)) samples.get(v.key)!.push(await runOnce(bundles.get(v.key)!.file))
}

type Field = keyof Omit<Sample, "body" | "statusCode" | "layersMs">
/** One field of a variant's samples, in round order. */
const series = (key: string, field: Field) => samples.get(key)!.map((s) => s[field])
const med = (key: string, field: Field) => median(series(key, field))
const layers = (key: string) => {
  const ms = samples.get(key)!.flatMap((s) => (s.layersMs === null ? [] : [s.layersMs]))
  return ms.length === 0 ? "" : fmt(median(ms))
}
/** Per-round whole-process ratios of a variant to another. */
const whole = (key: string, over: string) => ratios(series(key, "wholeMs"), series(over, "wholeMs"))

console.log(
  table(
    [
      "handler",
      "minified",
      "gzip",
      "undici inside",
      "whole process ms",
      "spawn→exit ms",
      "node boot ms",
      "import ms",
      "first invoke ms",
      "of which layer build ms"
    ],
    variants.map((v) => {
      const b = bundles.get(v.key)!
      return [
        v.label,
        kb(b.bytes),
        kb(b.gzip),
        b.undici ? "yes" : "no",
        fmt(med(v.key, "wholeMs")),
        fmt(med(v.key, "exitMs")),
        fmt(med(v.key, "bootMs")),
        fmt(med(v.key, "importMs")),
        fmt(med(v.key, "invokeMs")),
        layers(v.key)
      ]
    })
  )
)
console.log(`\nwhole process, per-round ratios: median (min–max) over ${RUNS} rounds\n`)
console.log(
  table(
    ["handler", "vs effect + platform + Schema", "vs Powertools + SDK (CDK)", "vs Powertools + SDK bundled"],
    variants.map((v) => [
      v.label,
      spread(whole(v.key, "effect")),
      spread(whole(v.key, "powertools")),
      spread(whole(v.key, "powertools-bundled"))
    ])
  )
)
const phases: ReadonlyArray<readonly [string, Field]> = [
  ["whole process", "wholeMs"],
  ["node boot", "bootMs"],
  ["import", "importMs"],
  ["first invoke", "invokeMs"]
]
console.log(`\nwhere the difference goes, ms: median (min…max) of per-round differences\n`)
console.log(
  table(
    ["phase", "secrets-config − effect + platform + Schema", "secrets-config − Powertools + SDK bundled"],
    phases.map(([label, field]) => [
      label,
      spreadDiff(series("ours", field), series("effect", field)),
      spreadDiff(series("ours", field), series("powertools-bundled", field))
    ])
  )
)

const ours = bundles.get("ours")!
const bare = bundles.get("effect")!
const vsBare = median(whole("ours", "effect"))
const vsPowertools = median(whole("ours", "powertools"))
const barrel = bundles.get("node-barrel")!
const deep = bundles.get("node-deep")!
console.log(`
targets (medians of per-round ratios):
- whole-process cold start ${vsBare.toFixed(2)}× effect + @effect/platform + Schema (target ≤ 1.05×): ${vsBare <= 1.05 ? "met" : "NOT met"}
- whole-process cold start ${vsPowertools.toFixed(2)}× Powertools + SDK as CDK bundles it (target ≤ 0.75×): ${vsPowertools <= 0.75 ? "met" : "NOT met"}; ${median(whole("ours", "powertools-bundled")).toFixed(2)}× with the SDK bundled
- undici inside the bundle: ${ours.undici ? "yes — NOT met" : "no — met"}
size: secrets-config adds ${((ours.bytes - bare.bytes) / 1024).toFixed(1)} KB minified to effect + @effect/platform + Schema
pitfall: NodeHttpClient from the barrel adds ${((barrel.bytes - deep.bytes) / 1024).toFixed(0)} KB minified and ${fmt(med("node-barrel", "importMs") - med("node-deep", "importMs"))} ms import over the deep import (undici inside: ${barrel.undici ? "yes" : "no"} vs ${deep.undici ? "yes" : "no"})
`)

await endpoints.close()
