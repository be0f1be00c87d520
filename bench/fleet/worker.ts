/**
 * A worker thread of the fleet simulation: runs the configs it is sent, one at a time.
 */
import { parentPort } from "node:worker_threads"
import { type Config, simulate } from "./model.js"

parentPort!.on("message", (config: Config) => {
  const result = simulate(config)
  parentPort!.postMessage(result, [result.coldStartDelays.buffer as ArrayBuffer])
})
