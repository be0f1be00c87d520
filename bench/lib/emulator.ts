/** Starts the emulator, in this process (to read its request log) or in a child (to keep its CPU out of ours). */
import { Emulator, Store } from "@secrets-config/emulator"
import { Effect, Exit, Scope } from "effect"
import * as path from "node:path"
import { start } from "./child.js"

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
export const child = async (args: ReadonlyArray<string> = []): Promise<Running> => {
  const bin = path.join(root, "packages", "emulator", "src", "bin.ts")
  const started = await start(bin, ["--sample", "--port", "0", "--quiet", ...args], (out) => TOKEN.test(out))
  return {
    url: started.url,
    port: Number(new URL(started.url).port),
    token: TOKEN.exec(started.output())![1]!,
    close: started.close
  }
}

const TOKEN = /AWS_SESSION_TOKEN=(\S+)/
