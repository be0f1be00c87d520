/** The README's snippets are these test files, verbatim: so each one type-checks and runs. */
import { assert, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "README.md"), "utf8")

for (const file of ["Readme.test.ts", "ReadmeKit.test.ts", "ReadmeStore.test.ts"]) {
  it(`README.md shows test/${file} as it is`, () => {
    const source = fs.readFileSync(path.join(import.meta.dirname, file), "utf8")
    assert.include(readme, `\`\`\`ts\n${source}\`\`\``)
  })
}
