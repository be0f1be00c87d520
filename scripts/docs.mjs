// The API reference: runs @effect/docgen for each published package and writes its markdown to
// docs/api/<package-dir>/. Every `@example` is type-checked by docgen (tsc over the examples, with
// the package's `docgen.json` `examplesCompilerOptions`, against the workspace sources); a failing
// one fails this script. Examples are not executed: TestKit's load vitest, the layers' would read
// from an endpoint that is not there.
//
// docgen reads `name` and `homepage` (required) from the package.json in its working directory, and
// writes the examples to `docs/examples/` there. So each package is documented in a staging
// directory under node_modules/.cache: `<dir>/package.json` (a homepage), `<dir>/docgen.json` (the
// package's), `<dir>/src` (a symlink to the package's sources). The staged directories mirror
// `packages/`, so the `paths` of `docgen.json` (`../../../<dir>/src/…`, from `<dir>/docs/examples/`)
// hold in both places, and packages/<dir> is left without generated files.
//
// After tsc, docgen runs the examples with `tsx` found on its PATH: the PATH it gets here starts
// with a `tsx` that does nothing.
//
// Usage: node scripts/docs.mjs [package-dir …]   (default: all published packages)
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const PACKAGES = ["core", "lambda-extension", "memory", "emulator"]
const stage = path.join(root, "node_modules", ".cache", "secrets-config-docgen")
const shims = path.join(stage, ".bin")
const outRoot = path.join(root, "docs", "api")
/** The name of each staged package.json (never imported by an example). */
const STAGED_NAME = "secrets-config-docgen-stage"
const docgenBin = path.join(root, "node_modules", "@effect", "docgen", "bin.cjs")

const requested = process.argv.slice(2)
for (const dir of requested) {
  if (!PACKAGES.includes(dir)) {
    console.error(`docs: unknown package ${dir} (one of ${PACKAGES.join(", ")})`)
    process.exit(2)
  }
}
const selected = requested.length > 0 ? requested : PACKAGES

const readJson = (file) => JSON.parse(fs.readFileSync(file, "utf8"))

/** The package's homepage, else its directory in the repository. */
const homepageOf = (pkg, dir) => {
  if (typeof pkg.homepage === "string") return pkg.homepage
  const url = String(pkg.repository?.url ?? "")
    .replace(/^git\+/, "")
    .replace(/\.git$/, "")
  return url === "" ? "https://www.npmjs.com/package/" + pkg.name : `${url}/tree/main/packages/${dir}`
}

const stagePackage = (dir) => {
  const source = path.join(root, "packages", dir)
  const pkg = readJson(path.join(source, "package.json"))
  const target = path.join(stage, dir)
  fs.rmSync(target, { recursive: true, force: true })
  fs.mkdirSync(target, { recursive: true })
  fs.symlinkSync(path.relative(target, path.join(source, "src")), path.join(target, "src"), "dir")
  fs.copyFileSync(path.join(source, "docgen.json"), path.join(target, "docgen.json"))
  // Not the package's own name: docgen would rewrite imports of it to `../../src`, a path through
  // the symlink, whose modules TypeScript would then hold apart from the same modules reached
  // through the other packages (their types would not match). Through `paths`, all are one.
  const staged = { name: `${STAGED_NAME}-${dir}`, type: "module", homepage: homepageOf(pkg, dir) }
  fs.writeFileSync(path.join(target, "package.json"), JSON.stringify(staged, null, 2) + "\n")
  return { dir, name: pkg.name, cwd: target }
}

const runDocgen = ({ cwd }) =>
  new Promise((resolve) => {
    const env = {
      ...process.env,
      PATH: [shims, path.join(root, "node_modules", ".bin"), process.env.PATH].join(path.delimiter),
      FORCE_COLOR: "0"
    }
    const child = spawn(process.execPath, [docgenBin], { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    child.on("close", (code) => resolve({ ok: code === 0 && output.includes("Docs generation succeeded"), output }))
  })

/**
 * docgen 0.5 separates its front matter's lines with blank lines, and prettier then reads the first
 * `---` as a thematic break (`***`) and the rest as a heading: written back as YAML front matter,
 * with the package as the parent page.
 */
const frontMatter = (markdown, name) =>
  markdown.replace(
    /^(?:\*\*\*|---)\n+title: (.*)\n+nav_order: (\d+)\n+parent: Modules\n+---\n/,
    (_, title, order) => `---\ntitle: ${title}\nnav_order: ${order}\nparent: "${name}"\n---\n`
  )

/** The first sentence of a module's overview, for the package's index. */
const summaryOf = (markdown) => {
  const overview = /^## \S+ overview\n\n([\s\S]*?)\n\n/m.exec(markdown)
  if (overview === null || overview[1].startsWith("Added in ")) return ""
  const text = overview[1].replace(/\s+/g, " ").trim()
  const end = text.search(/(?<!\b(?:e\.g|i\.e))\.(\s|$)/)
  return end === -1 ? text : text.slice(0, end + 1)
}

const publish = ({ dir, name, cwd }) => {
  const modules = path.join(cwd, "docs", "modules")
  const out = path.join(outRoot, dir)
  fs.rmSync(out, { recursive: true, force: true })
  fs.mkdirSync(out, { recursive: true })
  const files = fs
    .readdirSync(modules)
    .filter((file) => file.endsWith(".ts.md"))
    .sort()
  const lines = []
  for (const file of files) {
    const markdown = frontMatter(fs.readFileSync(path.join(modules, file), "utf8"), name)
    fs.writeFileSync(path.join(out, file), markdown)
    const summary = summaryOf(markdown)
    lines.push(`- [${file.replace(/\.ts\.md$/, "")}](${file})${summary === "" ? "" : ` — ${summary}`}`)
  }
  fs.writeFileSync(
    path.join(out, "README.md"),
    `# ${name}\n\nThe API reference of \`${name}\`, generated from the TSDoc of \`packages/${dir}/src\` by ` +
      "`pnpm run docs` (@effect/docgen; every example is type-checked). Do not edit by hand.\n\n" +
      `${lines.join("\n")}\n`
  )
  return files.length
}

const main = async () => {
  if (!fs.existsSync(docgenBin)) {
    console.error("docs: @effect/docgen is not installed (pnpm install)")
    process.exit(1)
  }
  fs.mkdirSync(shims, { recursive: true })
  fs.writeFileSync(path.join(shims, "tsx"), "#!/bin/sh\n# docs.mjs: examples are type-checked, never run.\nexit 0\n", {
    mode: 0o755
  })
  // Every package is staged first: an example may import any of them (the `paths` of docgen.json).
  const staged = PACKAGES.map(stagePackage)
  const failed = []
  const document = async (entry) => {
    const started = Date.now()
    const { ok, output } = await runDocgen(entry)
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const examples = /(\d+) example\(s\) found/.exec(output)?.[1] ?? "0"
    if (!ok) {
      failed.push(entry.dir)
      console.error(`docs: ${entry.name} FAILED (${seconds} s); docgen said:\n${output.trimEnd()}\n`)
      console.error(
        `docs: the examples as checked are in ${path.relative(root, path.join(entry.cwd, "docs", "examples"))}`
      )
      return
    }
    const modules = publish(entry)
    console.log(`docs: ${entry.name}: ${modules} modules, ${examples} examples type-checked (${seconds} s)`)
  }
  // Two at a time (DOCS_CONCURRENCY to change it): each docgen is mostly one busy core.
  const queue = staged.filter(({ dir }) => selected.includes(dir))
  const concurrency = Math.max(1, Number(process.env.DOCS_CONCURRENCY ?? 2) || 1)
  const worker = async () => {
    for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) await document(entry)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker))
  if (failed.length > 0) {
    console.error(`docs: failed for ${failed.join(", ")}; docs/api/<dir> of those is left as it was`)
    process.exit(1)
  }
  fs.rmSync(stage, { recursive: true, force: true })
  console.log(`docs: written to ${path.relative(root, outRoot)}/`)
}

await main()
