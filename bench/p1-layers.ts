/**
 * P1, where the layer build goes: the example handler's layers (handlers/layers.ts), bundled as P1
 * bundles the handlers, built one more at a time in a fresh process per sample (no endpoint call).
 * Interleaved, medians, each step against the one before in the same run.
 *
 *   pnpm --filter @secrets-config/bench p1:layers            (RUNS=60 by default)
 */
import * as path from "node:path"
// @ts-expect-error: a plain .mjs script without types
import { bundle } from "../examples/lambda-handler/scripts/build.mjs"
import { environment, fmt, interleaved, median, outputDir, signed, table } from "./lib/stats.js"
import { timedProcess } from "./lib/timed.js"

const RUNS = Number(process.env.RUNS ?? 60)
const here = import.meta.dirname
const file = path.join(outputDir("p1-layers"), "layers.mjs")
await bundle(path.join(here, "handlers", "layers.ts"), file)

const steps: ReadonlyArray<{ readonly key: string; readonly label: string; readonly over?: string }> = [
  { key: "empty", label: "ManagedRuntime over Layer.empty" },
  { key: "http", label: "LoopbackHttpClient.layer()", over: "empty" },
  { key: "live-explicit", label: "LambdaExtension.layerNode, port and token as options", over: "http" },
  { key: "live", label: "LambdaExtension.layerNode, port and token from Config", over: "http" },
  { key: "cache", label: "+ SecretsConfigCache.layer", over: "live" },
  { key: "provider", label: "+ SecretsConfigProvider.layer (the example's layers)", over: "cache" },
  { key: "fetch-http", label: "(for comparison) FetchHttpClient.layer", over: "empty" },
  { key: "fetch-live", label: "(for comparison) LambdaExtension.layerFetch, from Config", over: "fetch-http" }
]

const builder = path.join(here, "lib", "build-layers.mjs")
const buildOnce = (layers: string): Promise<number> =>
  timedProcess(builder, [file], { PATH: process.env.PATH ?? "", LAYERS: layers, AWS_SESSION_TOKEN: "x" })

console.log(`P1 layers — ${environment()}`)
console.log(`${RUNS} fresh processes per step, interleaved; medians\n`)

const samples = new Map<string, Array<number>>(steps.map((s) => [s.key, []]))
for (let run = 0; run < RUNS; run++) {
  for (const step of interleaved(steps, run)) samples.get(step.key)!.push(await buildOnce(step.key))
}
const ms = (key: string) => median(samples.get(key)!)
console.log(
  table(
    ["layers built", "build ms", "step adds ms"],
    steps.map((step) => [
      step.label,
      fmt(ms(step.key)),
      step.over === undefined ? "" : signed(ms(step.key) - ms(step.over))
    ])
  )
)
