// Checks the built packages the way users get them: `pnpm pack` each one (publishConfig applied),
// unpack the tarballs into a temporary node_modules outside the workspace, then load every public
// module with a plain Node ESM `import` and a CommonJS `require`, compare their exports, and check
// that internal modules are blocked. Run after `pnpm build`.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const pnpm = [
  "-y",
  `pnpm@${JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).packageManager.split("@")[1]}`
]
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-config-build-"))
const modules = path.join(tmp, "node_modules")
fs.mkdirSync(path.join(modules, "@secrets-config"), { recursive: true })

// Peer dependencies come from the workspace's own install.
const rootRequire = createRequire(path.join(root, "packages", "emulator", "package.json"))
for (const peer of ["effect", "@effect/platform", "@effect/platform-node"]) {
  const dir = path.dirname(rootRequire.resolve(`${peer}/package.json`))
  fs.mkdirSync(path.dirname(path.join(modules, peer)), { recursive: true })
  fs.symlinkSync(dir, path.join(modules, peer), "dir")
}

const packages = fs.readdirSync(path.join(root, "packages"))
for (const dir of packages) {
  const pkgDir = path.join(root, "packages", dir)
  if (!fs.existsSync(path.join(pkgDir, "build", "esm"))) throw new Error(`${dir}: no build/esm — run pnpm build first`)
  const out = execFileSync("npx", [...pnpm, "pack", "--pack-destination", tmp], { cwd: pkgDir, encoding: "utf8" })
  const tarball = out.trim().split("\n").pop().trim()
  const target = path.join(modules, "@secrets-config", dir)
  fs.mkdirSync(target, { recursive: true })
  execFileSync("tar", [
    "-xzf",
    path.isAbsolute(tarball) ? tarball : path.join(tmp, tarball),
    "-C",
    target,
    "--strip-components=1"
  ])
}

// One plain ESM script and one CommonJS script, run from outside the workspace.
const specifiers = []
for (const dir of packages) {
  const manifest = JSON.parse(fs.readFileSync(path.join(modules, "@secrets-config", dir, "package.json"), "utf8"))
  if (typeof manifest.exports["."] === "string")
    throw new Error(`${dir}: the packed package.json still points at sources`)
  const esm = path.join(modules, "@secrets-config", dir, "build", "esm")
  for (const file of fs.readdirSync(esm).filter((f) => f.endsWith(".js") && f !== "bin.js")) {
    const name = file.slice(0, -3)
    specifiers.push({ specifier: name === "index" ? manifest.name : `${manifest.name}/${name}`, dir, name })
  }
  specifiers.push({ specifier: `${manifest.name}/internal/request`, dir, blocked: true })
}
const list = JSON.stringify(specifiers.map((s) => s.specifier))
fs.writeFileSync(
  path.join(tmp, "esm.mjs"),
  `const out = {}\nfor (const s of ${list}) {\n  try { const m = await import(s); out[s] = { keys: Object.keys(m).sort(), at: import.meta.resolve(s) } }\n  catch (e) { out[s] = { error: e.code } }\n}\nconsole.log(JSON.stringify(out))\n`
)
fs.writeFileSync(
  path.join(tmp, "cjs.cjs"),
  `const out = {}\nfor (const s of ${list}) {\n  try { const m = require(s); out[s] = { keys: Object.keys(m).filter((k) => k !== "__esModule").sort(), at: require.resolve(s) } }\n  catch (e) { out[s] = { error: e.code } }\n}\nconsole.log(JSON.stringify(out))\n`
)
const run = (file) => JSON.parse(execFileSync(process.execPath, [file], { cwd: tmp, encoding: "utf8" }))
const viaImport = run(path.join(tmp, "esm.mjs"))
const viaRequire = run(path.join(tmp, "cjs.cjs"))
let count = 0
for (const { specifier, dir, name, blocked } of specifiers) {
  const a = viaImport[specifier]
  const b = viaRequire[specifier]
  if (blocked) {
    if (a.error !== "ERR_PACKAGE_PATH_NOT_EXPORTED" || b.error !== "ERR_PACKAGE_PATH_NOT_EXPORTED") {
      throw new Error(`${specifier} is not blocked (import: ${JSON.stringify(a)}, require: ${JSON.stringify(b)})`)
    }
    continue
  }
  if (a.error || b.error) throw new Error(`${specifier}: import ${a.error ?? "ok"}, require ${b.error ?? "ok"}`)
  if (!a.at.includes("/build/esm/") || !b.at.includes("/build/cjs/"))
    throw new Error(`${specifier}: resolved to ${a.at} and ${b.at}`)
  if (a.keys.length === 0 || a.keys.join() !== b.keys.join()) {
    throw new Error(`${specifier}: ESM exports [${a.keys}] differ from CJS exports [${b.keys}]`)
  }
  for (const flavour of ["esm", "cjs"]) {
    if (!fs.existsSync(path.join(modules, "@secrets-config", dir, "build", flavour, `${name}.d.ts`))) {
      throw new Error(`${specifier}: no ${flavour} types`)
    }
  }
  count++
}
fs.rmSync(tmp, { recursive: true, force: true })
console.log(
  `check-build: ${count} public modules of ${packages.length} packed packages load with import and require, with types; internal modules blocked`
)
