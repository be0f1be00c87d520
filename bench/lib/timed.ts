/** Runs a small Node script in a fresh process and reads the one number (ms) it prints. */
import { spawn } from "node:child_process"

/** `node <script> ...args`, with `env` as the whole environment when given (else this one's). */
export const timedProcess = (
  script: string,
  args: ReadonlyArray<string>,
  env?: Record<string, string>
): Promise<number> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "inherit"] })
    let text = ""
    proc.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString()
    })
    proc.once("exit", (code) =>
      code === 0 ? resolve(Number(text)) : reject(new Error(`${script} ${args.join(" ")} exited with ${code}`))
    )
  })
