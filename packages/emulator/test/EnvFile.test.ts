import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { errorCode, writeEnvFile } from "../src/internal/envFile.js"

const TEXT = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=2773\nAWS_SESSION_TOKEN=t-1\n"

const withDir = async (body: (dir: string) => Promise<void>) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-config-envfile-"))
  try {
    await body(dir)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

describe("--write-env's file", () => {
  it("a new file: the text, mode 0600, nothing else left in the folder", () =>
    withDir(async (dir) => {
      const file = path.join(dir, "emulator.env")
      await writeEnvFile(file, TEXT)
      assert.strictEqual(fs.readFileSync(file, "utf8"), TEXT)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
      assert.deepStrictEqual(fs.readdirSync(dir), ["emulator.env"])
    }))

  it("a symlink stays a link: its target is replaced, mode 0600", () =>
    withDir(async (dir) => {
      fs.mkdirSync(path.join(dir, "real"))
      const target = path.join(dir, "real", "emulator.env")
      fs.writeFileSync(target, "OLD=1\n", { mode: 0o644 })
      const link = path.join(dir, "emulator.env")
      fs.symlinkSync(target, link)
      await writeEnvFile(link, TEXT)
      assert.isTrue(fs.lstatSync(link).isSymbolicLink())
      assert.strictEqual(fs.readFileSync(target, "utf8"), TEXT)
      assert.strictEqual(fs.statSync(target).mode & 0o777, 0o600)
      assert.deepStrictEqual(fs.readdirSync(path.join(dir, "real")), ["emulator.env"])
    }))

  it("a leftover temporary file of an earlier run does not get in the way", () =>
    withDir(async (dir) => {
      const file = path.join(dir, "emulator.env")
      fs.writeFileSync(`${file}.${process.pid}.tmp`, "left by a crash")
      await writeEnvFile(file, TEXT)
      assert.strictEqual(fs.readFileSync(file, "utf8"), TEXT)
    }))

  it("a folder that does not exist: the OS error, with its code", () =>
    withDir(async (dir) => {
      const error = await writeEnvFile(path.join(dir, "missing", "emulator.env"), TEXT).then(
        () => assert.fail("expected a failure"),
        (error: unknown) => error
      )
      assert.strictEqual(errorCode(error), "ENOENT")
    }))
})
