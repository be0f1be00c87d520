/**
 * `pnpm demo` as a newcomer sees it: it runs to its checks, every line fits 100 columns, and no
 * secret — nor anything derived from one — is printed. (How soon its first line shows is measured,
 * not asserted: see the session notes.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Store } from "@secrets-config/emulator"
import { spawnSync } from "node:child_process"
import * as path from "node:path"

describe("pnpm demo", () => {
  it("goes through a Lambda life; lines fit 100 columns; no secret or hash of one shown", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join("src", "demo.ts")], {
      cwd: path.join(import.meta.dirname, ".."),
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: "1" }
    })
    assert.strictEqual(run.status, 0, run.stderr)
    const lines = run.stdout.split("\n")
    for (const line of lines) assert.isAtMost([...line].length, 100, line)
    assert.strictEqual(lines.filter((line) => line.startsWith("✓ ")).length, 4)
    assert.notInclude(run.stdout, "✗")
    const secrets = [
      ...(Store.sample.secrets ?? []).flatMap((s) => [
        s.value,
        s.json === undefined ? undefined : JSON.stringify(s.json)
      ]),
      "demo-password-not-real",
      "rotated-password-not-real",
      "demo-api-key-0000-not-a-real-key"
    ].filter((s): s is string => typeof s === "string")
    for (const secret of secrets) assert.notInclude(run.stdout, secret)
    assert.notMatch(run.stdout, /sha256|[0-9a-f]{8}\b(?![-.])/i, "no fingerprint of a secret")
    assert.include(run.stdout, "password <redacted>")
  })
})
