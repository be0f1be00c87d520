// Loads every package's build the way users will: a plain Node ESM import and a CommonJS require of
// each public module, and checks that a `.d.ts` sits beside each.
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

const root = path.resolve(import.meta.dirname, "..")
let count = 0
for (const dir of fs.readdirSync(path.join(root, "packages"))) {
  const pkg = path.join(root, "packages", dir)
  const esm = path.join(pkg, "build", "esm")
  if (!fs.existsSync(esm)) throw new Error(`${dir}: no build/esm — run pnpm build`)
  const require = createRequire(path.join(pkg, "package.json"))
  for (const file of fs.readdirSync(esm).filter((f) => f.endsWith(".js") && f !== "bin.js")) {
    const base = file.slice(0, -3)
    const viaImport = await import(pathToFileURL(path.join(esm, file)).href)
    const viaRequire = require(path.join(pkg, "build", "cjs", file))
    const a = Object.keys(viaImport).sort().join(",")
    const b = Object.keys(viaRequire)
      .filter((k) => k !== "__esModule")
      .sort()
      .join(",")
    if (a !== b || a.length === 0) throw new Error(`${dir}/${file}: ESM exports [${a}] differ from CJS exports [${b}]`)
    for (const flavour of ["esm", "cjs"]) {
      if (!fs.existsSync(path.join(pkg, "build", flavour, `${base}.d.ts`)))
        throw new Error(`${dir}: no ${flavour}/${base}.d.ts`)
    }
    count++
  }
}
console.log(`check-build: ${count} modules load as ESM and as CJS, with types`)
