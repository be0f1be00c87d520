/**
 * `--write-env`: the client's environment as `KEY=VALUE` lines, mode 0600, never seen half-written.
 * Written to a temporary file beside its target (a symlink's target, so the link stays a link) and
 * renamed over it. Where a rename cannot replace it — a file bind-mounted into a container (EBUSY),
 * a folder the user may not write to (EACCES), another file system (EXDEV) — written in place.
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"

/** The error codes after which the file is written in place instead of renamed over. */
const IN_PLACE = new Set(["EBUSY", "EXDEV", "EACCES", "EPERM", "EROFS"])

/** The OS error code of a failure (`ENOENT`, `EACCES`, …), or its message. */
export const errorCode = (error: unknown): string =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : String(error)

const inPlace = async (target: string, text: string): Promise<void> => {
  await fs.writeFile(target, text, { mode: 0o600 })
  await fs.chmod(target, 0o600)
}

export const writeEnvFile = async (path: string, text: string): Promise<void> => {
  const target = await fs.realpath(path).catch(() => path)
  // A name no other run uses (pids repeat in containers); "wx" refuses anything already there.
  const temporary = `${target}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`
  try {
    await fs.writeFile(temporary, text, { mode: 0o600, flag: "wx" })
  } catch (error) {
    if (IN_PLACE.has(errorCode(error))) return inPlace(target, text)
    throw error
  }
  try {
    await fs.rename(temporary, target)
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined)
    if (IN_PLACE.has(errorCode(error))) return inPlace(target, text)
    throw error
  }
}
