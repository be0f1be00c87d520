// Builds the package in the current directory: ESM + `.d.ts` with tsc, then a CommonJS copy of every
// module with esbuild's per-file transform (no bundling), each with its own `.d.ts` beside it.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { transformSync } from "esbuild"

const cwd = process.cwd()
const build = path.join(cwd, "build")
// Only the published outputs: build/tsc holds what `tsc -b` (pnpm check) relies on.
for (const dir of ["esm", "cjs", "dts"]) fs.rmSync(path.join(build, dir), { recursive: true, force: true })
fs.rmSync(path.join(cwd, ".tsbuildinfo", "build.tsbuildinfo"), { force: true })
execFileSync(
  process.execPath,
  [path.join(import.meta.dirname, "..", "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.build.json"],
  { cwd, stdio: "inherit" }
)

const walk = (dir) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
const esm = path.join(build, "esm")
const dts = path.join(build, "dts")
const cjs = path.join(build, "cjs")
for (const file of walk(esm)) {
  const rel = path.relative(esm, file)
  if (!rel.endsWith(".js")) continue
  const out = path.join(cjs, rel)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  const { code } = transformSync(fs.readFileSync(file, "utf8"), {
    format: "cjs",
    target: "es2022",
    loader: "js",
    sourcefile: rel
  })
  fs.writeFileSync(out, code)
}
// Declarations beside each flavour, so TypeScript reads ESM types for `import` and CJS types for `require`.
for (const file of walk(dts)) {
  const rel = path.relative(dts, file)
  for (const target of [esm, cjs]) {
    const out = path.join(target, rel)
    fs.mkdirSync(path.dirname(out), { recursive: true })
    fs.copyFileSync(file, out)
  }
}
fs.writeFileSync(path.join(esm, "package.json"), JSON.stringify({ type: "module", sideEffects: [] }, null, 2) + "\n")
fs.writeFileSync(path.join(cjs, "package.json"), JSON.stringify({ type: "commonjs", sideEffects: [] }, null, 2) + "\n")
console.log(`built ${path.basename(cwd)}: build/esm, build/cjs, build/dts`)
