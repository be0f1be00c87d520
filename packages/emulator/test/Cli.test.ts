/**
 * The CLI, run as users run it in development (`tsx src/bin.ts`): it prints the environment, serves
 * requests, and exits 0 on SIGTERM.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { get } from "./utils/http.js"

const packageDir = path.join(import.meta.dirname, "..")
const bin = path.join(packageDir, "src", "bin.ts")
const store = path.join(import.meta.dirname, "fixtures", "recorded-scenario.json")

const start = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync(() => spawn(process.execPath, ["--import", "tsx", bin, ...args], { cwd: packageDir, stdio: "pipe" })),
    (child) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
  )

/** Collects stdout until `done` says so (or the process ends, or 15 s pass). */
const readUntil = (child: ChildProcess, done: (text: string) => boolean) =>
  Effect.async<string>((resume) => {
    let text = ""
    const finish = () => {
      clearTimeout(timer)
      child.stdout!.off("data", onData)
      resume(Effect.succeed(text))
    }
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8")
      if (done(text)) finish()
    }
    const timer = setTimeout(finish, 15_000)
    child.stdout!.on("data", onData)
    child.once("exit", finish)
  })

/** A temporary folder, removed when the test's scope closes. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "emulator-cli-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** The `export KEY=value` lines the CLI prints. */
const envOf = (out: string): Record<string, string | undefined> =>
  Object.fromEntries(Array.from(out.matchAll(/^export (\w+)=(.*)$/gm), (m) => [m[1], m[2]]))

/** Waits for an agent-dialect CLI's environment: the URL of `demo/db` and the token header. */
const agentReady = (child: ChildProcess) =>
  Effect.map(
    readUntil(child, (text) => /AWS_TOKEN=.*\n/.test(text)),
    (out) => {
      const env = envOf(out)
      return {
        url: `http://127.0.0.1:${env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT}/secretsmanager/get?secretId=demo%2Fdb`,
        headers: { "X-Aws-Parameters-Secrets-Token": env.AWS_TOKEN! }
      }
    }
  )

const exited = (child: ChildProcess) =>
  Effect.async<number | null>((resume) => {
    if (child.exitCode !== null) return resume(Effect.succeed(child.exitCode))
    child.once("exit", (code) => resume(Effect.succeed(code)))
  })

describe("CLI", () => {
  it.scopedLive("--help prints usage and exits 0; a bad flag exits 2", () =>
    Effect.gen(function* () {
      const help = yield* start(["--help"])
      const usage = yield* readUntil(help, () => false)
      assert.include(usage, "Usage: secrets-config-emulator")
      for (const flag of [
        "--store",
        "--port",
        "--dialect",
        "--token",
        "--ttl",
        "--latency-ms",
        "--not-ready-requests"
      ]) {
        assert.include(usage, flag)
      }
      assert.strictEqual(yield* exited(help), 0)
      const bad = yield* start(["--port", "nope"])
      assert.strictEqual(yield* exited(bad), 2)
    })
  )

  it.scopedLive("serves a store on port 0, prints the env, and stops cleanly on SIGTERM", () =>
    Effect.gen(function* () {
      const child = yield* start(["--store", store, "--port", "0", "--token", "cli-token", "--quiet"])
      const out = yield* readUntil(child, (text) => /AWS_SESSION_TOKEN=.*\n/.test(text))
      const env = envOf(out)
      assert.strictEqual(env.AWS_SESSION_TOKEN, "cli-token")
      const port = Number(env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT)
      assert.isAbove(port, 0)
      assert.include(out, `http://127.0.0.1:${port}`)
      const response = yield* get(`http://127.0.0.1:${port}/secretsmanager/get?secretId=dummy-string-secret`, {
        headers: { "X-Aws-Parameters-Secrets-Token": "cli-token" }
      })
      assert.strictEqual(JSON.parse(response.body).SecretString, "an-insecure-string-secret-value")
      const rest = yield* Effect.fork(readUntil(child, () => false))
      child.kill("SIGTERM")
      assert.strictEqual(yield* exited(child), 0)
      assert.include(yield* Fiber.join(rest), "stopped")
      // the port is free again
      const after = yield* get(`http://127.0.0.1:${port}/secretsmanager/get`).pipe(Effect.flip)
      assert.strictEqual(after, "ECONNREFUSED")
    })
  )

  it.scopedLive("agent dialect with fault flags: prints AWS_TOKEN; the first request is refused", () =>
    Effect.gen(function* () {
      const child = yield* start([
        "--sample",
        "--port",
        "0",
        "--dialect",
        "agent",
        "--not-ready-requests",
        "1",
        "--quiet"
      ])
      const { headers, url } = yield* agentReady(child)
      assert.strictEqual(yield* get(url, { headers }).pipe(Effect.flip), "ECONNRESET")
      assert.strictEqual((yield* get(url, { headers })).status, 200)
      child.kill("SIGINT")
      assert.strictEqual(yield* exited(child), 0)
    })
  )

  it.scopedLive("agent dialect with --roles, --max-roles and --prefetch", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const role = "arn:aws:iam::210987654321:role/reader"
      const roles = path.join(dir, "roles.json")
      fs.writeFileSync(roles, JSON.stringify({ [role]: { secrets: [{ name: "demo/db", value: "via role" }] } }))
      const child = yield* start([
        "--sample",
        "--port",
        "0",
        "--dialect",
        "agent",
        "--roles",
        roles,
        "--max-roles",
        "1",
        "--prefetch",
        "demo/db",
        "--prefetch",
        "demo/api-token",
        "--quiet"
      ])
      const { headers, url: base } = yield* agentReady(child)
      const viaRole = yield* get(`${base}&roleArn=${encodeURIComponent(role)}`, { headers })
      assert.strictEqual(JSON.parse(viaRole.body).SecretString, "via role")
      const other = yield* get(`${base}&roleArn=${encodeURIComponent("arn:aws:iam::210987654321:role/x")}`, { headers })
      assert.strictEqual(other.status, 400, "past --max-roles 1")
      child.kill("SIGTERM")
      assert.strictEqual(yield* exited(child), 0)
    })
  )

  it.scopedLive("--write-env writes the client's environment, mode 0600, complete before it is printed", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = path.join(dir, "emulator.env")
      // A file left by an earlier run, readable by all: replaced whole, and 0600 after.
      fs.writeFileSync(file, "OLD=1\n", { mode: 0o644 })
      const child = yield* start(["--sample", "--port", "0", "--token", "t-1", "--write-env", file, "--quiet"])
      yield* readUntil(child, (text) => /AWS_SESSION_TOKEN=.*\n/.test(text))
      // Complete by the time the environment is printed: no waiting.
      const written = fs.readFileSync(file, "utf8")
      assert.match(written, /^PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=\d+\nAWS_SESSION_TOKEN=t-1\n$/)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
      assert.deepStrictEqual(fs.readdirSync(dir), ["emulator.env"], "no temporary file left beside it")
      child.kill("SIGTERM")
      assert.strictEqual(yield* exited(child), 0)
    })
  )

  it.scopedLive("a store the model refuses: exit 1, naming the file and the field, never a value", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = path.join(dir, "bad.json")
      fs.writeFileSync(
        file,
        JSON.stringify({
          secrets: [
            {
              name: "s",
              versions: [
                { value: "canary-value-1", stages: ["AWSCURRENT"] },
                { value: "canary-value-2", stages: ["AWSCURRENT"] }
              ]
            }
          ]
        })
      )
      const child = yield* start(["--store", file, "--port", "0"])
      let stderr = ""
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8")
      })
      assert.strictEqual(yield* exited(child), 1)
      assert.include(stderr, file)
      assert.include(stderr, "secrets.0")
      assert.notInclude(stderr, "canary-value")
    })
  )

  it.scopedLive("stops when the process that started it goes away (an npx killed)", () =>
    Effect.gen(function* () {
      // A parent that starts the CLI, prints its pid, and is then killed without a chance to pass it on.
      const script = `const { spawn } = require("node:child_process")
const child = spawn(process.execPath, ["--import", "tsx", ${JSON.stringify(bin)}, "--sample", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "ignore"] })
child.stdout.once("data", () => console.log(child.pid))
setInterval(() => {}, 1000)`
      const parent = yield* Effect.acquireRelease(
        Effect.sync(() => spawn(process.execPath, ["-e", script], { cwd: packageDir, stdio: "pipe" })),
        (p) => Effect.sync(() => p.exitCode === null && p.kill("SIGKILL"))
      )
      const out = yield* readUntil(parent, (text) => /\d+\n/.test(text))
      const pid = Number(out.trim())
      assert.isAbove(pid, 0)
      const alive = () => {
        try {
          process.kill(pid, 0)
          return true
        } catch {
          return false
        }
      }
      assert.isTrue(alive())
      parent.kill("SIGKILL")
      for (let i = 0; i < 60 && alive(); i++) yield* Effect.sleep("100 millis")
      assert.isFalse(alive(), "the emulator outlived its parent")
    })
  )

  it.scopedLive("the workspace's bin (what pnpm exec runs) works before any build", () =>
    Effect.gen(function* () {
      const child = yield* Effect.acquireRelease(
        Effect.sync(() =>
          spawn(process.execPath, [path.join(packageDir, "dev-bin", "secrets-config-emulator.mjs"), "--help"], {
            cwd: packageDir,
            stdio: "pipe"
          })
        ),
        (c) => Effect.sync(() => c.exitCode === null && c.kill("SIGKILL"))
      )
      assert.include(yield* readUntil(child, () => false), "Usage: secrets-config-emulator")
      assert.strictEqual(yield* exited(child), 0)
    })
  )
})
