// One cold Lambda-like life in a fresh process: import the bundled handler (INIT), invoke it once,
// print what was measured inside the process as one JSON line, exit.
import { performance } from "node:perf_hooks"
import { pathToFileURL } from "node:url"

const bootMs = performance.now() // since the process started: Node's own start-up
const t0 = performance.now()
const mod = await import(pathToFileURL(process.argv[2]).href)
const t1 = performance.now()
// A handler that exposes its ManagedRuntime (the example's does): time the layer build apart — it
// happens inside the first invocation either way, so the invocation's total is unchanged.
const runtime = mod.handler.runtime
if (runtime !== undefined) await runtime.runtime()
const layersMs = runtime === undefined ? null : performance.now() - t1
const result = await mod.handler({}, { getRemainingTimeInMillis: () => 10_000 })
const t2 = performance.now()
process.stdout.write(
  `${JSON.stringify({ bootMs, importMs: t1 - t0, invokeMs: t2 - t1, layersMs, statusCode: result.statusCode, body: result.body })}\n`
)
process.exit(0)
