/** The planner's CLI, run as users run it in development (`tsx src/plan.ts`). */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const packageDir = path.join(import.meta.dirname, "..")
const plan = (args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(packageDir, "src", "plan.ts"), ...args], {
    cwd: packageDir,
    encoding: "utf8",
    timeout: 30_000
  })

describe("secrets-config-plan", () => {
  it("a step of 500 environments reading 6 parameters and a secret: the hand arithmetic", () => {
    const run = plan(["--parameters", "6", "--secrets", "1", "--environments", "500"])
    assert.strictEqual(run.status, 0, run.stderr)
    // 500 × 6 = 3,000 Parameter Store calls at 40 TPS: 75 s to warm, 75× over quota.
    assert.match(run.stdout, /calls to warm the fleet\s+3,000\s+500/)
    assert.match(run.stdout, /peak \/ quota\s+75× OVER/)
    assert.match(run.stdout, /time to warm at quota\s+75 s/)
    assert.include(run.stdout, "Fold these 6 Parameter Store keys into one JSON secret")
    for (const line of run.stdout.split("\n")) assert.isAtMost(line.length, 100, line)
  })

  it("reads the JSON of SecretsConfigProvider.reads; a reference name counts against Secrets Manager", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"))
    try {
      const file = path.join(dir, "reads.json")
      fs.writeFileSync(
        file,
        JSON.stringify([
          { kind: "parameter", name: "/app/host", withDecryption: true, paths: ["host"] },
          { kind: "parameter", name: "/aws/reference/secretsmanager/app/key", withDecryption: true },
          { kind: "secret", name: "app/db", withDecryption: true }
        ])
      )
      const run = plan(["--reads", file, "--environments", "100", "--ramp", "10"])
      assert.strictEqual(run.status, 0, run.stderr)
      assert.match(run.stdout, /calls per cold start\s+1\s+2/)
      assert.include(run.stdout, "100 environments over 10 s")
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("bad input: exit 2 with a reason", () => {
    for (const args of [[], ["--parameters", "2"], ["--parameters", "x", "--environments", "1"], ["--nope"]]) {
      const run = plan(args)
      assert.strictEqual(run.status, 2, args.join(" "))
      assert.include(run.stderr, "secrets-config-plan:")
    }
  })
})
