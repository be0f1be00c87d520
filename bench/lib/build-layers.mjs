// Imports a bundle of handlers/layers.ts in a fresh process, builds the layers named by LAYERS and
// prints how long that took (ms), as one line.
import { performance } from "node:perf_hooks"
import { pathToFileURL } from "node:url"

const mod = await import(pathToFileURL(process.argv[2]).href)
const t0 = performance.now()
await mod.build()
process.stdout.write(`${performance.now() - t0}\n`)
