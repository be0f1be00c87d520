// Bundles the handler the way CDK's NodejsFunction does for an ESM function (esbuild: bundle,
// platform node, format esm, target node20, minify, `module` before `main`, the AWS SDK external),
// writes dist/handler.mjs with its metafile, and reports the bundle's size and what it contains.
import { build } from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { gzipSync } from "node:zlib"

const root = path.resolve(import.meta.dirname, "..")
const outfile = path.join(root, "dist", "handler.mjs")

/** `external`: what stays out of the bundle (default the AWS SDK, which Lambda's runtime ships). */
export const bundle = async (
  entry = path.join(root, "src", "handler.ts"),
  out = outfile,
  external = ["@aws-sdk/*"]
) => {
  const result = await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: true,
    mainFields: ["module", "main"],
    external,
    // CDK's ESM banner, so bundled CommonJS can still `require` Node built-ins.
    banner: { js: "import { createRequire as __cr } from 'module';const require = __cr(import.meta.url);" },
    metafile: true,
    logLevel: "warning"
  })
  fs.writeFileSync(`${out}.meta.json`, JSON.stringify(result.metafile))
  const code = fs.readFileSync(out)
  // What actually ended up in the bundle (esbuild also reads files whose code it then drops).
  const output =
    Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined) ??
    Object.values(result.metafile.outputs)[0]
  const inputs = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => file)
  return { bytes: code.length, gzip: gzipSync(code).length, inputs }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { bytes, gzip, inputs } = await bundle()
  const has = (needle) => inputs.some((i) => i.includes(needle))
  console.log(
    `dist/handler.mjs: ${(bytes / 1024).toFixed(1)} KB minified, ${(gzip / 1024).toFixed(1)} KB gzip, ${inputs.length} input files`
  )
  console.log(
    `  contains undici: ${has("undici")}, @secrets-config/memory: ${has("packages/memory")}, @secrets-config/emulator: ${has("packages/emulator")}`
  )
  if (has("undici") || has("packages/memory") || has("packages/emulator")) process.exit(1)
}
