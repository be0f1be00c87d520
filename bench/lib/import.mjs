// Imports one bundle in a fresh process and prints how long the import took (ms), as one line.
import { performance } from "node:perf_hooks"
import { pathToFileURL } from "node:url"

const t0 = performance.now()
await import(pathToFileURL(process.argv[2]).href)
process.stdout.write(`${performance.now() - t0}\n`)
