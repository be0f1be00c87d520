/**
 * P1, where a cold start's CPU goes: the example handler, the bare effect + @effect/platform +
 * Schema handler and Powertools + SDK (bundled) are bundled as P1 bundles them but unminified (so
 * that esbuild's `// <path>` comments say which module every line comes from), then run as P1 runs
 * them — a fresh `node lib/invoke.mjs <bundle>` per sample — under `--cpu-prof`. Each profile's
 * samples are charged to the module (then the package) their line belongs to, or to Node's own
 * code, the garbage collector, or idle time (waiting for the endpoint). Medians of the per-process
 * milliseconds, interleaved; profiling slows everything down, so compare the columns, not the
 * totals with P1's.
 *
 *   pnpm --filter @secrets-config/bench p1:profile      (RUNS=9 by default; TOP=25 modules shown)
 */
import { build } from "esbuild"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { start as startEndpoints } from "./lib/endpoints.js"
import { check, environment, type Entry, fmt, interleaved, median, outputDir, table } from "./lib/stats.js"

const RUNS = Number(process.env.RUNS ?? 9)
const TOP = Number(process.env.TOP ?? 25)
const INTERVAL_US = 100
const here = import.meta.dirname
const out = outputDir("p1-profile")

const variants: ReadonlyArray<Entry & { readonly external: ReadonlyArray<string> }> = [
  {
    key: "ours",
    label: "secrets-config (example)",
    entry: "../examples/lambda-handler/src/handler.ts",
    external: ["@aws-sdk/*"]
  },
  {
    key: "effect",
    label: "effect + platform + Schema",
    entry: "handlers/effect-platform.ts",
    external: ["@aws-sdk/*"]
  },
  { key: "powertools-bundled", label: "Powertools + SDK bundled", entry: "handlers/powertools.ts", external: [] }
]

/** A bundle's lines → the module each comes from (esbuild marks each module with `// <path>`). */
interface Bundled {
  readonly file: string
  readonly starts: ReadonlyArray<number>
  readonly modules: ReadonlyArray<string>
}
const bundles = new Map<string, Bundled>()
for (const v of variants) {
  const file = path.join(out, `${v.key}.mjs`)
  // scripts/build.mjs's options (CDK's NodejsFunction), minify off.
  await build({
    entryPoints: [path.resolve(here, v.entry)],
    outfile: file,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: false,
    mainFields: ["module", "main"],
    external: [...v.external],
    banner: { js: "import { createRequire as __cr } from 'module';const require = __cr(import.meta.url);" },
    logLevel: "warning"
  })
  const starts: Array<number> = []
  const modules: Array<string> = []
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const m =
        /^\/\/ ((?:\.\.\/)*(?:node_modules|packages|examples|bench|handlers)\/\S+|\S+\.(?:ts|js|mjs|cjs))$/.exec(line)
      if (m !== null) {
        starts.push(i)
        modules.push(m[1]!)
      }
    })
  bundles.set(v.key, { file, starts, modules })
}

/** `node_modules/.pnpm/x/node_modules/@scope/pkg/dist/esm/A.js` → `@scope/pkg` and `@scope/pkg/dist/esm/A.js`. */
const name = (module: string): { readonly pkg: string; readonly module: string } => {
  const inPkg = module.split("node_modules/").pop()!
  if (inPkg !== module) {
    const parts = inPkg.split("/")
    const pkg = parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!
    return { pkg, module: inPkg }
  }
  const local = /packages\/([^/]+)\//.exec(module)
  if (local !== null)
    return { pkg: `@secrets-config/${local[1]}`, module: module.replace(/^.*packages\//, "packages/") }
  return { pkg: "the handler", module: module.replace(/^(\.\.\/)+/, "") }
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  }>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** Milliseconds per package and per module of one profile. */
const charge = (bundle: Bundled, profile: CpuProfile) => {
  const byNode = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  }
  const packages = new Map<string, number>()
  const modules = new Map<string, number>()
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms)
  for (const node of profile.nodes) {
    const ms = byNode.get(node.id) ?? 0
    if (ms === 0) continue
    const { url, lineNumber, functionName } = node.callFrame
    let pkg: string
    let module: string
    if (url.endsWith(path.basename(bundle.file))) {
      // The last module marker at or before the line.
      let lo = 0
      let hi = bundle.starts.length - 1
      let found = -1
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        if (bundle.starts[mid]! <= lineNumber) {
          found = mid
          lo = mid + 1
        } else hi = mid - 1
      }
      const named = found < 0 ? { pkg: "(bundle prelude)", module: "(bundle prelude)" } : name(bundle.modules[found]!)
      pkg = named.pkg
      module = named.module
    } else if (url.startsWith("node:") || url.startsWith("internal")) {
      pkg = "Node's own JS (node:*)"
      module = url
    } else if (url.includes("node_modules/")) {
      ;({ pkg, module } = name(url.replace(/^file:\/\//, "")))
    } else if (url === "") {
      pkg =
        functionName === "(idle)"
          ? "(idle: waiting)"
          : functionName === "(garbage collector)"
            ? "(GC)"
            : "(native, V8, program)"
      module = pkg
    } else {
      pkg = "(other scripts)"
      module = url
    }
    add(packages, pkg, ms)
    add(modules, module, ms)
  }
  return { packages, modules }
}

// The endpoints and the handler processes' environment (lib/endpoints.ts).
const endpoints = await startEndpoints(out)
const env = endpoints.env

const invoke = path.join(here, "lib", "invoke.mjs")
let seq = 0
const profileOnce = (key: string): Promise<CpuProfile> =>
  new Promise((resolve, reject) => {
    const dir = path.join(out, `prof-${key}-${seq++}`)
    fs.rmSync(dir, { recursive: true, force: true })
    const proc = spawn(
      process.execPath,
      ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${INTERVAL_US}`, invoke, bundles.get(key)!.file],
      { env, stdio: ["ignore", "pipe", "pipe"] }
    )
    let text = ""
    proc.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString()
    })
    proc.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${key} exited with ${code}: ${text}`))
      const { statusCode } = JSON.parse(text)
      if (statusCode !== 200) return reject(new Error(`${key} answered ${statusCode}`))
      const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))!
      resolve(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")))
    })
  })

console.log(`P1 profile — ${environment()}`)
console.log(
  `${RUNS} cold processes per handler under --cpu-prof (${INTERVAL_US} µs sampling), interleaved; unminified bundles; medians of per-process ms\n`
)

const results = new Map<string, Array<ReturnType<typeof charge>>>(variants.map((v) => [v.key, []]))
for (let run = 0; run < RUNS; run++) {
  for (const v of interleaved(variants, run)) {
    results.get(v.key)!.push(charge(bundles.get(v.key)!, await profileOnce(v.key)))
  }
}
check(
  variants.every((v) => results.get(v.key)!.length === RUNS),
  "every handler was profiled"
)

const keysOf = (level: "packages" | "modules") => [
  ...new Set(variants.flatMap((v) => results.get(v.key)!.flatMap((r) => [...r[level].keys()])))
]
const med = (key: string, level: "packages" | "modules", name: string) =>
  median(results.get(key)!.map((r) => r[level].get(name) ?? 0))
const total = (key: string) => median(results.get(key)!.map((r) => [...r.packages.values()].reduce((a, b) => a + b, 0)))

const rows = (level: "packages" | "modules", top: number) =>
  keysOf(level)
    .map((k) => ({ k, ms: variants.map((v) => med(v.key, level, k)) }))
    .sort((a, b) => Math.max(...b.ms) - Math.max(...a.ms))
    .slice(0, top)
    .map(({ k, ms }) => [k, ...ms.map((x) => fmt(x)), fmt(ms[0]! - ms[2]!), fmt(ms[0]! - ms[1]!)])

const header = (first: string) => [
  first,
  ...variants.map((v) => `${v.label} ms`),
  "ours − Powertools bundled",
  "ours − bare stack"
]
console.log(
  table(header("by package"), [
    ...rows("packages", 40),
    [
      "total (profiled)",
      ...variants.map((v) => fmt(total(v.key))),
      fmt(total("ours") - total("powertools-bundled")),
      fmt(total("ours") - total("effect"))
    ]
  ])
)
console.log(`\nthe ${TOP} modules with the most time\n`)
console.log(table(header("module"), rows("modules", TOP)))

await endpoints.close()
