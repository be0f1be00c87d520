/** Starts a TypeScript script in a child process (tsx) and waits for the URL it prints. */
import { spawn } from "node:child_process"
import * as path from "node:path"

export const start = (script: string, args: ReadonlyArray<string> = []) =>
  new Promise<{ readonly url: string; readonly output: () => string; readonly close: () => Promise<void> }>(
    (resolve, reject) => {
      const tsx = path.resolve(import.meta.dirname, "..", "node_modules", ".bin", "tsx")
      const proc = spawn(tsx, [script, ...args], { stdio: ["ignore", "pipe", "inherit"] })
      let out = ""
      const timer = setTimeout(() => reject(new Error(`${script} did not start: ${out}`)), 20_000)
      proc.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
        if (url) {
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
    }
  )
