/**
 * Clients that are not ours: curl, the platform `fetch`, `node:http`, and Python's `urllib` the way
 * AWS's documentation calls the extension.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as http from "node:http"

const store = {
  parameters: [{ name: "/demo/db-host", value: "db.internal" }],
  secrets: [{ name: "demo/db", json: { user: "app", password: "pw+&/=" } }]
}

const run = (file: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.async<{ readonly stdout: string; readonly stderr: string; readonly code: number }>((resume) => {
    const child = execFile(
      file,
      [...args],
      { env: { ...process.env, ...env }, timeout: 10_000 },
      (error, stdout, stderr) => {
        resume(
          Effect.succeed({ stdout, stderr, code: error === null ? 0 : typeof error.code === "number" ? error.code : 1 })
        )
      }
    )
    return Effect.sync(() => child.kill())
  })

describe("third-party clients", () => {
  it.scopedLive("curl", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      const ok = yield* run("curl", [
        "-sS",
        "-w",
        "\\n%{http_code}",
        "-H",
        `X-Aws-Parameters-Secrets-Token: ${emulator.token}`,
        `${emulator.url}/systemsmanager/parameters/get?name=%2Fdemo%2Fdb-host`
      ])
      const [body, status] = ok.stdout.split("\n")
      assert.strictEqual(status, "200")
      assert.strictEqual(JSON.parse(body!).Parameter.Value, "db.internal")
      const denied = yield* run("curl", ["-sS", "-i", `${emulator.url}/secretsmanager/get?secretId=demo%2Fdb`])
      assert.match(denied.stdout, /^HTTP\/1\.1 401 /)
      assert.match(denied.stdout, /x-amzn-errortype: AccessDeniedException\r\n/i)
      assert.isTrue(denied.stdout.endsWith("\r\n\r\nbad session token or header key"))
    })
  )

  it.scopedLive("fetch (undici), keep-alive reused across requests", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      const url = new URL("/secretsmanager/get", emulator.url)
      url.searchParams.set("secretId", "demo/db")
      for (let i = 0; i < 3; i++) {
        const response = yield* Effect.promise(() =>
          fetch(url, { headers: { "X-Aws-Parameters-Secrets-Token": emulator.token } })
        )
        assert.strictEqual(response.status, 200)
        const body = yield* Effect.promise(() => response.json() as Promise<{ SecretString: string }>)
        assert.deepStrictEqual(JSON.parse(body.SecretString), { user: "app", password: "pw+&/=" })
      }
    })
  )

  it.scopedLive("node:http with a keep-alive agent", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      yield* Effect.addFinalizer(() => Effect.sync(() => agent.destroy()))
      const once = Effect.async<[number, string]>((resume) => {
        http
          .get(
            `${emulator.url}/systemsmanager/parameters/get/?name=%2Fdemo%2Fdb-host`,
            { agent, headers: { "x-aws-parameters-secrets-token": emulator.token } },
            (res) => {
              let body = ""
              res.setEncoding("utf8")
              res.on("data", (chunk: string) => (body += chunk))
              res.on("end", () => resume(Effect.succeed([res.statusCode ?? 0, body])))
            }
          )
          .on("error", (error) => resume(Effect.die(error)))
      })
      for (let i = 0; i < 3; i++) {
        const [status, body] = yield* once
        assert.strictEqual(status, 200)
        assert.strictEqual(JSON.parse(body).Parameter.Name, "/demo/db-host")
      }
    })
  )

  it.scopedLive("Python urllib, as in the AWS documentation", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      const script = [
        "import json, os, urllib.parse, urllib.request",
        "port = os.environ['PARAMETERS_SECRETS_EXTENSION_HTTP_PORT']",
        "name = urllib.parse.quote('/demo/db-host', safe='')",
        "url = 'http://127.0.0.1:' + port + '/systemsmanager/parameters/get?name=' + name",
        "req = urllib.request.Request(url)",
        "req.add_header('X-Aws-Parameters-Secrets-Token', os.environ.get('AWS_SESSION_TOKEN'))",
        "param = json.loads(urllib.request.urlopen(req).read())",
        "url = 'http://127.0.0.1:' + port + '/secretsmanager/get?secretId=' + urllib.parse.quote('demo/db', safe='')",
        "req = urllib.request.Request(url)",
        "req.add_header('X-Aws-Parameters-Secrets-Token', os.environ.get('AWS_SESSION_TOKEN'))",
        "secret = json.loads(json.loads(urllib.request.urlopen(req).read())['SecretString'])",
        "print(json.dumps([name, param['Parameter']['Value'], secret['user']]))"
      ].join("\n")
      const result = yield* run("python3", ["-c", script], { ...emulator.env })
      assert.strictEqual(result.code, 0, result.stderr)
      assert.deepStrictEqual(JSON.parse(result.stdout), ["%2Fdemo%2Fdb-host", "db.internal", "app"])
      const log = yield* emulator.control.requests
      assert.deepStrictEqual(
        log.map((e) => e.rawQuery),
        ["name=%2Fdemo%2Fdb-host", "secretId=demo%2Fdb"]
      )
    })
  )
})
