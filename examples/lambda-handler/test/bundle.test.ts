import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
// @ts-expect-error — a plain .mjs script without types
import { bundle } from "../scripts/build.mjs"

describe("the bundled handler (esbuild, as CDK's NodejsFunction bundles it)", () => {
  it("holds nothing of the memory layer, the emulator or undici, and loads", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "handler-bundle-"))
    try {
      const out = path.join(dir, "handler.mjs")
      const result: { bytes: number; inputs: Array<string> } = await bundle(undefined, out)
      const inputs = result.inputs.join("\n")
      assert.include(inputs, "packages/core/src/")
      assert.include(inputs, "packages/lambda-extension/src/")
      assert.notInclude(inputs, "packages/memory/")
      assert.notInclude(inputs, "packages/emulator/")
      assert.notInclude(inputs, "undici")
      assert.isBelow(result.bytes, 600 * 1024)
      const module = await import(pathToFileURL(out).href)
      assert.strictEqual(typeof module.handler, "function")
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
