/**
 * P1, where the import time goes: bundles that add secrets-config's modules one step at a time to
 * the bare effect + @effect/platform + Schema stack, plus a control (the same number of
 * `Schema.TaggedError` / `Schema.Class` declarations with no library code), each bundled as P1
 * bundles the handlers and imported in a fresh process per sample (nothing is called). Interleaved,
 * medians, each step's cost measured against the previous one in the same run.
 *
 *   pnpm --filter @secrets-config/bench p1:imports            (RUNS=60 by default)
 */
import * as path from "node:path"
// @ts-expect-error: a plain .mjs script without types
import { bundle } from "../examples/lambda-handler/scripts/build.mjs"
import { environment, fmt, type Entry, interleaved, kb, median, outputDir, signed, table } from "./lib/stats.js"
import { timedProcess } from "./lib/timed.js"

const RUNS = Number(process.env.RUNS ?? 60)
const here = import.meta.dirname
const out = outputDir("p1-imports")

interface Step extends Entry {
  /** The step it is measured against. */
  readonly over?: string
}

const steps: ReadonlyArray<Step> = [
  { key: "stack", label: "effect + @effect/platform + Schema (modules only)", entry: "handlers/imports/stack.ts" },
  {
    key: "classes",
    label: "control: + 12 Schema.TaggedError + 2 Schema.Class, no library code",
    entry: "handlers/imports/schema-classes.ts",
    over: "stack"
  },
  {
    key: "errors",
    label: "+ SecretsConfigError (12 Schema.TaggedError)",
    entry: "handlers/imports/errors.ts",
    over: "stack"
  },
  {
    key: "models",
    label: "+ Wire, Parameter, Secret (Schema.Class, decoders)",
    entry: "handlers/imports/models.ts",
    over: "errors"
  },
  {
    key: "library",
    label: "+ live layer, cache, ConfigProvider, ManagedRuntime",
    entry: "handlers/imports/library.ts",
    over: "models"
  },
  {
    key: "handler",
    label: "the example handler (examples/lambda-handler)",
    entry: "../examples/lambda-handler/src/handler.ts",
    over: "library"
  },
  {
    key: "baseline",
    label: "P1's baseline handler (bench/handlers/effect-platform.ts)",
    entry: "handlers/effect-platform.ts"
  }
]

const bundles = new Map<string, { file: string; bytes: number }>()
for (const step of steps) {
  const file = path.join(out, `${step.key}.mjs`)
  const { bytes } = await bundle(path.resolve(here, step.entry), file)
  bundles.set(step.key, { file, bytes })
}

const importer = path.join(here, "lib", "import.mjs")

console.log(`P1 imports — ${environment()}`)
console.log(`${RUNS} fresh processes per bundle, interleaved; medians\n`)

const samples = new Map<string, Array<number>>(steps.map((s) => [s.key, []]))
for (let run = 0; run < RUNS; run++) {
  for (const step of interleaved(steps, run)) {
    samples.get(step.key)!.push(await timedProcess(importer, [bundles.get(step.key)!.file]))
  }
}

const ms = (key: string) => median(samples.get(key)!)
console.log(
  table(
    ["bundle", "minified", "import ms", "step adds KB", "step adds ms"],
    steps.map((step) => [
      step.label,
      kb(bundles.get(step.key)!.bytes),
      fmt(ms(step.key)),
      step.over === undefined ? "" : signed((bundles.get(step.key)!.bytes - bundles.get(step.over)!.bytes) / 1024),
      step.over === undefined ? "" : signed(ms(step.key) - ms(step.over))
    ])
  )
)
