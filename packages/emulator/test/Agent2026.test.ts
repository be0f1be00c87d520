/**
 * What the Agent (aws/aws-workload-credentials-provider) added or does that the emulator now
 * follows: `roleArn` (per-role stores and caches, 400 and 403), compact JSON error bodies, CONNECT
 * → 405, `/v1/` ids with dot segments, and prefetch. docs/protocol.md#agent-features-added-in-2026.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import { Effect, Exit } from "effect"
import * as net from "node:net"
import { get, parseRaw, raw, requestText } from "./utils/http.js"

const ROLE = "arn:aws:iam::210987654321:role/reader"
const OTHER_ROLE = "arn:aws:iam::210987654321:role/other"
const withToken = { "X-Aws-Parameters-Secrets-Token": "agent-token" }

const makeAgent = (options: Emulator.Options = {}) =>
  Emulator.make({
    dialect: "agent",
    token: "agent-token",
    ttlSeconds: 300,
    store: {
      secrets: [
        { name: "shared", value: "default account" },
        { name: "My/Test", value: "my test" }
      ]
    },
    roles: {
      [ROLE]: { accountId: "210987654321", secrets: [{ name: "shared", value: "through the role" }] },
      [OTHER_ROLE]: { accountId: "210987654321", secrets: [{ name: "shared", value: "other role" }] }
    },
    ...options
  })

const read = (agent: Emulator.Emulator, query: string) =>
  get(`${agent.url}/secretsmanager/get?${query}`, { headers: withToken })

const secretString = (body: string) => JSON.parse(body).SecretString as string

describe("agent dialect, 2026", () => {
  it.scopedLive("roleArn reads the role's store, with a cache of its own", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const plain = yield* read(agent, "secretId=shared")
      assert.strictEqual(secretString(plain.body), "default account")
      const viaRole = yield* read(agent, `secretId=shared&roleArn=${encodeURIComponent(ROLE)}`)
      assert.strictEqual(viaRole.status, 200)
      assert.strictEqual(secretString(viaRole.body), "through the role")
      assert.include(JSON.parse(viaRole.body).ARN, ":210987654321:")
      // Both cached apart: each answered again from its own entry.
      yield* read(agent, "secretId=shared")
      yield* read(agent, `secretId=shared&roleArn=${encodeURIComponent(ROLE)}`)
      const log = yield* agent.control.requests
      assert.deepStrictEqual(
        log.map((e) => e.fromCache),
        [false, false, true, true]
      )
      // The path style takes roleArn too.
      const path = yield* get(`${agent.url}/v1/shared?roleArn=${encodeURIComponent(ROLE)}`, { headers: withToken })
      assert.strictEqual(secretString(path.body), "through the role")
    })
  )

  it.scopedLive("a malformed roleArn: 400 with the Agent's text, after the other query checks", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      for (const bad of ["not-an-arn", "arn:aws:iam::12345:role/x", "arn:aws:iam::123456789012:user/x", ""]) {
        const response = yield* read(agent, `secretId=shared&roleArn=${encodeURIComponent(bad)}`)
        assert.deepStrictEqual(
          [response.status, response.body],
          [400, "invalid roleArn format, expected arn:<partition>:iam::<account>:role/<name>"],
          bad
        )
      }
      // Without a secretId, that is said first.
      const missing = yield* get(`${agent.url}/secretsmanager/get?roleArn=bad`, { headers: withToken })
      assert.deepStrictEqual([missing.status, missing.body], [400, "missing parameter secretId"])
      // The name is case-sensitive: another casing is an unknown parameter.
      const casing = yield* read(agent, `secretId=shared&rolearn=${encodeURIComponent(ROLE)}`)
      assert.deepStrictEqual([casing.status, casing.body], [400, "unknown parameter: rolearn"])
    })
  )

  it.scopedLive("a role that cannot be assumed: 403 AccessDeniedException, and no slot taken", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent({ maxRoles: 1 })
      const unknown = "arn:aws:iam::000000000000:role/NonExistentRole"
      const denied = yield* read(agent, `secretId=shared&roleArn=${encodeURIComponent(unknown)}`)
      assert.strictEqual(denied.status, 403)
      assert.deepStrictEqual(JSON.parse(denied.body), {
        __type: "AccessDeniedException",
        message: `Failed to create caching client from role: ${unknown}`
      })
      // The failed role took no slot: the one slot is still free.
      assert.strictEqual((yield* read(agent, `secretId=shared&roleArn=${encodeURIComponent(ROLE)}`)).status, 200)
    })
  )

  it.scopedLive("past maxRoles a new role is 400 MaxRolesExceeded; roles held keep working", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent({ maxRoles: 1 })
      assert.strictEqual((yield* read(agent, `secretId=shared&roleArn=${encodeURIComponent(ROLE)}`)).status, 200)
      const over = yield* read(agent, `secretId=shared&roleArn=${encodeURIComponent(OTHER_ROLE)}`)
      assert.strictEqual(over.status, 400)
      assert.deepStrictEqual(JSON.parse(over.body), {
        __type: "MaxRolesExceeded",
        message: `The maximum number of assumed roles (1) has been reached. Unable to assume the following role to create a client: ${OTHER_ROLE}`
      })
      assert.strictEqual((yield* read(agent, `secretId=shared&roleArn=${encodeURIComponent(ROLE)}`)).status, 200)
    })
  )

  it.scopedLive("error bodies are compact, escaped JSON, as the Agent writes them since v2.1.0", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const missing = yield* read(agent, "secretId=nope")
      assert.strictEqual(
        missing.body,
        `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`
      )
    })
  )

  it.scopedLive("CONNECT: 405 Not allowed with the token, 403 Bad Token without", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const withTokenReply = parseRaw((yield* raw(agent.port, requestText("127.0.0.1:443", withToken, "CONNECT"))).raw)
      assert.deepStrictEqual([withTokenReply?.status, withTokenReply?.body.toString()], [405, "Not allowed"])
      const without = parseRaw((yield* raw(agent.port, requestText("127.0.0.1:443", {}, "CONNECT"))).raw)
      assert.deepStrictEqual([without?.status, without?.body.toString()], [403, "Bad Token"])
      const logged = (yield* agent.control.requests).map((e) => [e.method, e.status])
      assert.deepStrictEqual(logged, [
        ["CONNECT", 405],
        ["CONNECT", 403]
      ])
    })
  )

  it.scopedLive("/v1/ ids are cut from the parsed URL: `.` segments dropped, `..` resolved", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      for (const path of ["/v1/./My/Test", "/v1/My/./Test", "/v1/My/%2e/Test", "/v1/x/../My/Test"]) {
        const response = yield* get(`${agent.url}${path}`, { headers: withToken })
        assert.strictEqual(response.status, 200, path)
        assert.strictEqual(secretString(response.body), "my test", path)
      }
      for (const path of ["/v1/../x", "/v1/.", "/v1/x/.."]) {
        const response = parseRaw((yield* raw(agent.port, requestText(path, withToken))).raw)
        assert.deepStrictEqual([response?.status, response?.body.toString()], [400, "missing secret ID"], path)
      }
      // The query route is matched on the raw path.
      const dotted = parseRaw(
        (yield* raw(agent.port, requestText("/secretsmanager/./get?secretId=shared", withToken))).raw
      )
      assert.strictEqual(dotted?.status, 404)
    })
  )

  it.scopedLive("prefetch: cached by name at start, so a first read by that name is a hit; by ARN, a miss", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent({ prefetch: ["shared", { secretId: "shared", roleArn: ROLE }] })
      yield* agent.control.rotateSecret("shared", "rotated after start")
      const first = yield* read(agent, "secretId=shared")
      assert.strictEqual(secretString(first.body), "default account", "served from the prefetched entry")
      const viaRole = yield* read(agent, `secretId=shared&roleArn=${encodeURIComponent(ROLE)}`)
      assert.strictEqual(secretString(viaRole.body), "through the role")
      const arn = JSON.parse(first.body).ARN as string
      const byArn = yield* read(agent, `secretId=${encodeURIComponent(arn)}`)
      assert.strictEqual(secretString(byArn.body), "rotated after start")
      assert.deepStrictEqual(
        (yield* agent.control.requests).map((e) => e.fromCache),
        [true, true, false]
      )
    })
  )

  it.effect("roles, maxRoles and prefetch are checked when the emulator starts", () =>
    Effect.gen(function* () {
      const errors = yield* Effect.all(
        [
          Effect.flip(Emulator.make({ roles: { [ROLE]: {} } })),
          Effect.flip(Emulator.make({ dialect: "agent", maxRoles: 21 })),
          Effect.flip(Emulator.make({ dialect: "agent", prefetch: ["x"] }))
        ].map(Effect.scoped)
      )
      for (const error of errors) assert.strictEqual(error.reason, "InvalidOptions")
    })
  )

  it.scopedLive("a CONNECT whose client resets mid-answer is a dropped request, not a crash", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent({ faults: { latency: { ms: 200 } } })
      yield* Effect.async<void>((resume) => {
        const socket = net.connect({ host: "127.0.0.1", port: agent.port }, () => {
          socket.write(requestText("127.0.0.1:443", withToken, "CONNECT"))
          setTimeout(() => {
            socket.resetAndDestroy()
            resume(Effect.void)
          }, 50)
        })
        socket.on("error", () => {})
      })
      yield* Effect.sleep("400 millis")
      // Still serving.
      assert.strictEqual((yield* read(agent, "secretId=shared")).status, 200)
    })
  )

  it.scoped("control.rotateSecret of a secret that does not exist is a defect, never a new secret", () =>
    Effect.gen(function* () {
      const agent = yield* makeAgent()
      const exit = yield* Effect.exit(agent.control.rotateSecret("no/such-secret", "x"))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), "does not exist")
    })
  )
})
