// Type-checks every ```ts block of the READMEs as a module, the way a user would paste it: its own
// imports, nothing else in scope. A block that is deliberately a fragment (a few lines out of a
// larger program) says so in its info string, ```ts fragment, and is skipped. Errors are reported
// as README:line. Run by `pnpm check` (so CI runs it).
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const readmes = [
  "README.md",
  ...fs.readdirSync(path.join(root, "packages")).map((p) => `packages/${p}/README.md`),
  ...fs.readdirSync(path.join(root, "examples")).map((p) => `examples/${p}/README.md`)
].filter((f) => fs.existsSync(path.join(root, f)))

// Where a snippet resolves its imports from: a package that depends on what READMEs import.
const homeOf = (readme) => (readme.startsWith("examples/cdk-app/") ? "examples/cdk-app" : "examples/lambda-handler")

const byHome = new Map()
let checked = 0
let skipped = 0
for (const readme of readmes) {
  const lines = fs.readFileSync(path.join(root, readme), "utf8").split("\n")
  for (let i = 0; i < lines.length; i++) {
    const open = /^```ts(?:\s+(.*))?$/.exec(lines[i])
    if (open === null) continue
    const start = i + 1
    let end = start
    while (end < lines.length && lines[end] !== "```") end++
    i = end
    if ((open[1] ?? "").split(/\s+/).includes("fragment")) {
      skipped++
      continue
    }
    const home = homeOf(readme)
    const list = byHome.get(home) ?? []
    list.push({ readme, line: start + 1, code: lines.slice(start, end).join("\n") })
    byHome.set(home, list)
    checked++
  }
}

let failed = false
for (const [home, snippets] of byHome) {
  const dir = path.join(root, home, ".snippets")
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  const where = new Map()
  snippets.forEach((snippet, n) => {
    const file = `snippet-${n}.ts`
    // `export {}` keeps each snippet a module even when it has no import.
    // Relative imports are written from the README's folder; the snippet sits one level below it.
    const code = snippet.code.replace(/from "\.\/(?!\.)/g, 'from "../')
    fs.writeFileSync(path.join(dir, file), `${code}\nexport {}\n`)
    where.set(file, snippet)
  })
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: "../../../tsconfig.base.json",
      include: ["*.ts"],
      compilerOptions: {
        noEmit: true,
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        noUnusedLocals: false,
        noUnusedParameters: false
      }
    })
  )
  try {
    execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir], {
      encoding: "utf8",
      stdio: "pipe"
    })
  } catch (error) {
    failed = true
    for (const line of String(error.stdout).split("\n")) {
      const m = /(?:^|\/)(snippet-\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line.trim())
      if (m === null) {
        if (line.trim() !== "") console.error(`  ${line}`)
        continue
      }
      const snippet = where.get(m[1])
      console.error(`${snippet.readme}:${snippet.line + Number(m[2]) - 1}: ${m[4]}`)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
if (failed) {
  console.error("check-snippets: README snippets that do not type-check (fix them, or mark a fragment ```ts fragment)")
  process.exit(1)
}
console.log(`check-snippets: ${checked} README snippets type-check as modules (${skipped} marked fragments)`)
