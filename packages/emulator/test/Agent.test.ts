/**
 * The Secrets Manager Agent dialect, after its `server.rs` / `parse.rs`: /ping, check order,
 * 403/405/404 texts, query validation, refreshNow, X-Forwarded-For, /v1/<id>, JSON bodies, the
 * connection limit.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import { Clock, Effect, TestClock } from "effect"
import * as net from "node:net"
import { get, parseRaw, raw, requestText } from "./utils/http.js"

const NOT_FOUND_SECRET = `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`

const makeAgent = (options: Emulator.Options = {}) =>
  Emulator.make({
    dialect: "agent",
    token: "agent-token",
    store: {
      secrets: [
        { name: "app/db", value: `{"user":"app"}`, versionId: "v-1", createdDate: "2019-09-26T21:53:09.046Z" },
        { name: "bin", binary: "aGk=", versionId: "b-1", createdDate: "2019-09-26T21:53:09Z" },
        { name: "%ZZ", value: "literal-percent" }
      ]
    },
    ...options
  })

const withToken = { "X-Aws-Parameters-Secrets-Token": "agent-token" }

describe("agent dialect", () => {
  it.scopedLive("/ping answers healthy without a token (and ignores X-Forwarded-For), GET only", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const ping = yield* get(`${agent.url}/ping`)
      assert.deepStrictEqual([ping.status, ping.body], [200, "healthy"])
      assert.isUndefined(ping.headers["content-type"])
      assert.strictEqual((yield* get(`${agent.url}/ping`, { headers: { "X-Forwarded-For": "1.2.3.4" } })).status, 200)
      const post = yield* get(`${agent.url}/ping`, { method: "POST" })
      assert.deepStrictEqual([post.status, post.body], [405, "Not allowed"])
    })
  )

  it.scopedLive("check order: X-Forwarded-For (400 Forwarded) before token (403 Bad Token) before method (405)", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const url = `${agent.url}/secretsmanager/get?secretId=app%2Fdb`
      const cases: Array<[Record<string, string>, string, number, string]> = [
        [{}, "GET", 403, "Bad Token"],
        [{ "X-Aws-Parameters-Secrets-Token": "nope" }, "GET", 403, "Bad Token"],
        [{ "X-Forwarded-For": "10.0.0.1" }, "GET", 400, "Forwarded"],
        [{ ...withToken, "X-Forwarded-For": "10.0.0.1" }, "GET", 400, "Forwarded"],
        [{}, "POST", 403, "Bad Token"],
        [withToken, "POST", 405, "Not allowed"],
        [withToken, "DELETE", 405, "Not allowed"]
      ]
      for (const [headers, method, status, body] of cases) {
        const response = yield* get(url, { headers, method })
        assert.deepStrictEqual([response.status, response.body], [status, body], `${method} ${JSON.stringify(headers)}`)
        assert.isUndefined(response.headers["content-type"])
      }
      // X-Vault-Token is accepted too
      assert.strictEqual((yield* get(url, { headers: { "X-Vault-Token": "agent-token" } })).status, 200)
    })
  )

  it.scopedLive("paths: no /systemsmanager, no trailing slash, 404 after the token check", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      for (const path of [
        "/systemsmanager/parameters/get?name=%2Fx",
        "/secretsmanager/get/?secretId=app%2Fdb",
        "/v1",
        "/"
      ]) {
        const response = yield* get(`${agent.url}${path}`, { headers: withToken })
        assert.deepStrictEqual([response.status, response.body], [404, "Not found"], path)
        assert.strictEqual((yield* get(`${agent.url}${path}`)).status, 403, path)
      }
    })
  )

  it.scopedLive("query validation: unknown names, missing secretId, refreshNow values", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const call = (query: string) =>
        get(`${agent.url}/secretsmanager/get?${query}`, { headers: withToken }).pipe(
          Effect.map((r) => [r.status, r.body] as const)
        )
      assert.deepStrictEqual(yield* call("secretId=app%2Fdb&x=1"), [400, "unknown parameter: x"])
      assert.deepStrictEqual(yield* call("name=app%2Fdb"), [400, "unknown parameter: name"])
      assert.deepStrictEqual(yield* call("versionStage=AWSCURRENT"), [400, "missing parameter secretId"])
      assert.deepStrictEqual(yield* call(""), [400, "missing parameter secretId"])
      assert.deepStrictEqual(yield* call("secretId=app%2Fdb&refreshNow=yes"), [400, "invalid refreshNow value"])
      // the first problem in query order wins
      assert.deepStrictEqual(yield* call("refreshNow=2&x=1"), [400, "invalid refreshNow value"])
      assert.deepStrictEqual(yield* call("x=1&refreshNow=2"), [400, "unknown parameter: x"])
      for (const value of ["true", "TRUE", "1", "false", "False", "0"]) {
        assert.strictEqual((yield* call(`secretId=app%2Fdb&refreshNow=${value}`))[0], 200, value)
      }
    })
  )

  it.scopedLive("bodies: key order ARN, Name, VersionId, SecretString|SecretBinary, VersionStages, CreatedDate", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const text = yield* get(`${agent.url}/secretsmanager/get?secretId=app%2Fdb`, { headers: withToken })
      assert.strictEqual(
        text.body,
        `{"ARN":${JSON.stringify(JSON.parse(text.body).ARN)},"Name":"app/db","VersionId":"v-1","SecretString":"{\\"user\\":\\"app\\"}","VersionStages":["AWSCURRENT"],"CreatedDate":"1569534789.046"}`
      )
      assert.isUndefined(text.headers["content-type"])
      const binary = JSON.parse(
        (yield* get(`${agent.url}/secretsmanager/get?secretId=bin`, { headers: withToken })).body
      )
      assert.deepStrictEqual(Object.keys(binary), [
        "ARN",
        "Name",
        "VersionId",
        "SecretBinary",
        "VersionStages",
        "CreatedDate"
      ])
      assert.deepStrictEqual([binary.SecretBinary, binary.CreatedDate], ["aGk=", "1569534789"])
    })
  )

  it.scopedLive(
    "errors: ResourceNotFoundException (compact JSON, as since Agent v2.1.0), version and stage misses",
    () =>
      Effect.gen(function* () {
        const agent = yield* makeAgent()
        const call = (query: string) =>
          get(`${agent.url}/secretsmanager/get?${query}`, { headers: withToken }).pipe(
            Effect.map((r) => [r.status, r.body] as const)
          )
        assert.deepStrictEqual(yield* call("secretId=nope"), [400, NOT_FOUND_SECRET])
        assert.deepStrictEqual(yield* call("secretId=app%2Fdb&versionStage=AWSPENDING"), [
          400,
          `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret value for staging label: AWSPENDING"}`
        ])
        assert.deepStrictEqual(yield* call("secretId=app%2Fdb&versionId=v-9"), [
          400,
          `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret value for VersionId: v-9"}`
        ])
        assert.strictEqual((yield* call("secretId=app%2Fdb&versionId=v-1&versionStage=AWSCURRENT"))[0], 200)
      })
  )

  it.scopedLive("/v1/<id>: the id is the raw path; empty → missing secret ID; no secretId in the query", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const call = (path: string) =>
        get(`${agent.url}${path}`, { headers: withToken }).pipe(Effect.map((r) => [r.status, r.body] as const))
      const ok = yield* call("/v1/app/db?versionStage=AWSCURRENT")
      assert.deepStrictEqual([ok[0], JSON.parse(ok[1]).Name], [200, "app/db"])
      assert.deepStrictEqual(yield* call("/v1/"), [400, "missing secret ID"])
      assert.deepStrictEqual(yield* call("/v1/app%2Fdb"), [400, NOT_FOUND_SECRET])
      assert.deepStrictEqual(yield* call("/v1/app/db?secretId=app%2Fdb"), [400, "unknown parameter: secretId"])
    })
  )

  it.scopedLive("invalid percent-encoding is kept literally (form_urlencoded is lenient), as in the Agent", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const literal = yield* get(`${agent.url}/secretsmanager/get?secretId=%ZZ`, { headers: withToken })
      assert.deepStrictEqual([literal.status, JSON.parse(literal.body).SecretString], [200, "literal-percent"])
      const missing = yield* get(`${agent.url}/secretsmanager/get?secretId=%E0%A4%A`, { headers: withToken })
      assert.deepStrictEqual([missing.status, missing.body], [400, NOT_FOUND_SECRET])
    })
  )

  it.scopedLive("too many connections: 429 Connection limit exceeded; /ping gets two more", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent({ maxConnections: 2 })
      const held: Array<net.Socket> = []
      const release = Effect.sync(() => {
        for (const socket of held) socket.destroy()
      })
      yield* Effect.addFinalizer(() => release)
      const askUntil = (status: number) =>
        Effect.gen(function* () {
          let answer: ReturnType<typeof parseRaw>
          for (let i = 0; i < 100; i++) {
            answer = parseRaw(
              (yield* raw(agent.port, requestText("/secretsmanager/get?secretId=app%2Fdb", withToken))).raw
            )
            if (answer?.status === status) break
            yield* Effect.sleep("20 millis")
          }
          return answer
        })
      const open = () =>
        Effect.async<void>((resume) => {
          const socket = net.connect({ host: "127.0.0.1", port: agent.port }, () => resume(Effect.void))
          held.push(socket)
        })
      yield* open()
      // a second connection is within the limit
      const second = yield* raw(agent.port, requestText("/secretsmanager/get?secretId=app%2Fdb", withToken))
      assert.strictEqual(parseRaw(second.raw)?.status, 200)
      yield* open()
      // Two held open: a third is over the limit, once the server has seen the second (asked again
      // every 20 ms, 100 times at most: a loaded machine may accept it late).
      const over = yield* askUntil(429)
      assert.deepStrictEqual([over?.status, over?.body.toString()], [429, "Connection limit exceeded"])
      const ping = parseRaw((yield* raw(agent.port, requestText("/ping"))).raw)
      assert.deepStrictEqual([ping?.status, ping?.body.toString()], [200, "healthy"])
      yield* release
      const after = yield* askUntil(200)
      assert.strictEqual(after?.status, 200)
    })
  )

  it.scopedLive("env names the Agent's token variable", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      assert.deepStrictEqual(agent.env, {
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(agent.port),
        AWS_TOKEN: "agent-token"
      })
    })
  )

  it.scoped("a connection open for 61 s is dropped (TestClock drives the emulator's clock)", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const socket = yield* Effect.async<net.Socket>((resume) => {
        const s = net.connect({ host: "127.0.0.1", port: agent.port }, () => resume(Effect.succeed(s)))
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => socket.destroy()))
      const closed = Effect.async<boolean>((resume) => {
        if (socket.destroyed || socket.readableEnded) return resume(Effect.succeed(true))
        socket.once("close", () => resume(Effect.succeed(true)))
      })
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      yield* TestClock.adjust("60 seconds")
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      assert.isFalse(socket.destroyed)
      yield* TestClock.adjust("1 second")
      assert.isTrue(
        yield* closed.pipe(
          Effect.timeoutFail({ duration: "2 seconds", onTimeout: () => "not closed" }),
          Effect.withClock(Clock.make())
        )
      )
    })
  )
})
