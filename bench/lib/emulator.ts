/** Starts the emulator, in this process (to read its request log) or in a child (to keep its CPU out of ours). */
import { Emulator, Store } from "@secrets-config/emulator"
import { Effect, Exit, Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"

export interface Running {
  readonly url: string
  readonly port: number
  readonly token: string
  readonly control?: Emulator.Control
  readonly close: () => Promise<void>
}

/** The emulator inside this process, with the sample store. */
export const inProcess = async (options: Emulator.Options = {}): Promise<Running & { control: Emulator.Control }> => {
  const scope = await Effect.runPromise(Scope.make())
  const emulator = await Effect.runPromise(Emulator.make({ store: Store.sample, ...options }).pipe(Scope.extend(scope)))
  return {
    url: emulator.url,
    port: emulator.port,
    token: emulator.token,
    control: emulator.control,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const root = path.resolve(import.meta.dirname, "..", "..")

/**
 * The emulator CLI in a child process (sample store, `--quiet`), so that the client's CPU time can
 * be measured alone. `args` are extra CLI flags (`--ttl 300`, `--latency-ms 20`, …).
 */
export const child = (args: ReadonlyArray<string> = []): Promise<Running> =>
  new Promise((resolve, reject) => {
    const tsx = path.join(root, "bench", "node_modules", ".bin", "tsx")
    const bin = path.join(root, "packages", "emulator", "src", "bin.ts")
    const proc: ChildProcess = spawn(tsx, [bin, "--sample", "--port", "0", "--quiet", ...args], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${out}`)), 20_000)
    proc.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const url = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out)
      const token = /AWS_SESSION_TOKEN=(\S+)/.exec(out)
      if (url && token) {
        clearTimeout(timer)
        resolve({
          url: url[1]!,
          port: Number(url[2]),
          token: token[1]!,
          close: () =>
            new Promise<void>((done) => {
              proc.once("exit", () => done())
              proc.kill("SIGTERM")
            })
        })
      }
    })
    proc.once("exit", (code) => reject(new Error(`the emulator exited (${code}): ${out}`)))
  })
