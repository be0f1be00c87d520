/** Starts a TypeScript script in a child process (tsx) and waits until it says it is ready. */
import { spawn } from "node:child_process"
import * as path from "node:path"

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/

export interface Started {
  /** The first `http://127.0.0.1:<port>` the script printed after "listening on". */
  readonly url: string
  /** Everything the script has printed on stdout so far. */
  readonly output: () => string
  readonly close: () => Promise<void>
}

/**
 * `tsx <script> ...args`, resolved once its output says it listens (and `ready(output)` holds, for
 * scripts that print more before they can be used); rejected after 20 s or if it exits first.
 */
export const start = (
  script: string,
  args: ReadonlyArray<string> = [],
  ready: (output: string) => boolean = () => true
): Promise<Started> =>
  new Promise((resolve, reject) => {
    const tsx = path.resolve(import.meta.dirname, "..", "node_modules", ".bin", "tsx")
    const proc = spawn(tsx, [script, ...args], { stdio: ["ignore", "pipe", "inherit"] })
    // A benchmark that stops early (a failed sanity check calls process.exit) never leaves it behind.
    const stop = () => proc.kill("SIGTERM")
    process.once("exit", stop)
    proc.once("exit", () => process.off("exit", stop))
    let out = ""
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${out}`)), 20_000)
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const url = LISTENING.exec(out)
      if (url && ready(out)) {
        clearTimeout(timer)
        resolve({
          url: url[1]!,
          output: () => out,
          close: () =>
            new Promise<void>((done) => {
              proc.once("exit", () => done())
              proc.kill("SIGTERM")
            })
        })
      }
    })
    proc.once("exit", (code) => reject(new Error(`${script} exited (${code}): ${out}`)))
  })
