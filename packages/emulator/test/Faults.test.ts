/**
 * Every fault, observed by a raw client: switched on, the effect; switched off, normal service.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import { Effect } from "effect"
import { performance } from "node:perf_hooks"
import { connect, get, getWithToken, parseRaw, raw, requestText } from "./utils/http.js"

const GENERIC = "an unexpected error occurred while executing request"
const store = {
  parameters: [{ name: "/app/value", value: "the-value" }],
  secrets: [{ name: "app/secret", value: "s3cr3t-value" }]
}
const PARAM = "/systemsmanager/parameters/get?name=%2Fapp%2Fvalue"
const SECRET = "/secretsmanager/get?secretId=app%2Fsecret"

const statusOf = (emulator: Emulator.Emulator, path = PARAM) =>
  getWithToken(emulator, path).pipe(
    Effect.map((r) => r.status),
    Effect.catchAll((code) => Effect.succeed(code))
  )

const timed = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const start = performance.now()
    const value = yield* effect
    return [value, performance.now() - start] as const
  })

describe("faults", () => {
  it.scopedLive("notReady (extension): the first N requests get the 400 not-ready text, then service", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { notReady: { requests: 2 } } })
      for (let i = 0; i < 2; i++) {
        const response = yield* getWithToken(emulator, PARAM)
        assert.deepStrictEqual([response.status, response.body], [400, "not ready to serve traffic, please wait"])
      }
      assert.strictEqual(yield* statusOf(emulator), 200)
      yield* emulator.control.setFaults({ notReady: {} })
      assert.strictEqual(yield* statusOf(emulator), 400)
      yield* emulator.control.clearFaults
      assert.strictEqual(yield* statusOf(emulator), 200)
    })
  )

  it.scopedLive("notReady (extension): a time window", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { notReady: { forMs: 1000 } } })
      assert.strictEqual(yield* statusOf(emulator), 400)
      yield* Effect.sleep("1500 millis")
      assert.strictEqual(yield* statusOf(emulator), 200)
    })
  )

  it.scopedLive("notReady (agent): connections refused for the window, then the listener opens", () =>
    Effect.gen(function* () {
      const agent = yield* Emulator.make({ dialect: "agent", store, faults: { notReady: { forMs: 1000 } } })
      assert.strictEqual(yield* connect(agent.port), "ECONNREFUSED")
      yield* Effect.sleep("1500 millis")
      assert.strictEqual(yield* connect(agent.port), undefined)
      assert.strictEqual((yield* get(`${agent.url}/ping`)).status, 200)
    })
  )

  it.scopedLive("notReady (agent): the first N requests have their connection reset", () =>
    Effect.gen(function* () {
      const agent = yield* Emulator.make({ dialect: "agent", store, faults: { notReady: { requests: 2 } } })
      for (let i = 0; i < 2; i++) {
        const result = yield* raw(agent.port, requestText("/ping"))
        assert.strictEqual(result.raw.length, 0)
        assert.strictEqual(result.error, "ECONNRESET")
      }
      assert.strictEqual(parseRaw((yield* raw(agent.port, requestText("/ping"))).raw)?.status, 200)
      const statuses = (yield* agent.control.requests).map((e) => e.status)
      assert.deepStrictEqual(statuses, ["refused", "refused", 200])
    })
  )

  it.scopedLive("refuseConnections: the listener closes (ECONNREFUSED) until cleared or the window ends", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      yield* emulator.control.setFaults({ refuseConnections: {} })
      assert.strictEqual(yield* connect(emulator.port), "ECONNREFUSED")
      assert.strictEqual(yield* statusOf(emulator), "ECONNREFUSED")
      yield* emulator.control.clearFaults
      assert.strictEqual(yield* statusOf(emulator), 200)
      yield* emulator.control.setFaults({ refuseConnections: { forMs: 1000 } })
      assert.strictEqual(yield* connect(emulator.port), "ECONNREFUSED")
      yield* Effect.sleep("1500 millis")
      assert.strictEqual(yield* statusOf(emulator), 200)
    })
  )

  it.scopedLive("refuseConnections (reset mode): each request's connection is reset", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      yield* emulator.control.setFaults({ refuseConnections: { mode: "reset" } })
      const result = yield* raw(emulator.port, requestText(PARAM, { "X-Aws-Parameters-Secrets-Token": emulator.token }))
      assert.deepStrictEqual([result.raw.length, result.error], [0, "ECONNRESET"])
      yield* emulator.control.updateFaults({ refuseConnections: undefined })
      assert.strictEqual(yield* statusOf(emulator), 200)
    })
  )

  it.scopedLive("latency: fixed, with jitter, for the next N requests only", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { latency: { ms: 300, times: 1 } } })
      const [, slow] = yield* timed(statusOf(emulator))
      assert.isAtLeast(slow, 295)
      const [, fast] = yield* timed(statusOf(emulator))
      assert.isBelow(fast, 250)
      yield* emulator.control.setFaults({ latency: { ms: 50, jitterMs: 100 } })
      for (let i = 0; i < 3; i++) {
        const [status, took] = yield* timed(statusOf(emulator))
        assert.strictEqual(status, 200)
        assert.isAtLeast(took, 48)
        assert.isBelow(took, 400)
      }
    })
  )

  it.scopedLive("throttle: extension generic 400; agent ThrottlingException (status 400, or as set)", () =>
    Effect.gen(function* () {
      const extension = yield* Emulator.make({ store, faults: { throttle: { times: 1 } } })
      const throttled = yield* getWithToken(extension, PARAM)
      assert.deepStrictEqual([throttled.status, throttled.body], [400, GENERIC])
      assert.strictEqual(yield* statusOf(extension), 200)

      const agent = yield* Emulator.make({ dialect: "agent", store, faults: { throttle: {} } })
      const call = () => get(`${agent.url}${SECRET}`, { headers: { "X-Vault-Token": agent.token } })
      const a = yield* call()
      assert.deepStrictEqual([a.status, a.body], [400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`])
      yield* agent.control.setFaults({ throttle: { status: 429 } })
      assert.strictEqual((yield* call()).status, 429)
      yield* agent.control.clearFaults
      assert.strictEqual((yield* call()).status, 200)
    })
  )

  it.scopedLive("serverError: agent 500/502/504 bodies; extension generic 400 or the status asked for", () =>
    Effect.gen(function* () {
      const agent = yield* Emulator.make({ dialect: "agent", store })
      const call = () => get(`${agent.url}${SECRET}`, { headers: { "X-Aws-Parameters-Secrets-Token": agent.token } })
      const expected: Array<[number | undefined, number, string]> = [
        [undefined, 500, `{"__type":"InternalFailure"}`],
        [500, 500, `{"__type":"InternalFailure"}`],
        [502, 502, `{"__type":"ConnectionError","message":"Read Error"}`],
        [504, 504, `{"__type":"TimeoutError","message":"Timeout"}`]
      ]
      for (const [status, code, body] of expected) {
        yield* agent.control.setFaults({ serverError: status === undefined ? {} : { status } })
        const response = yield* call()
        assert.deepStrictEqual([response.status, response.body], [code, body])
      }
      yield* agent.control.clearFaults
      assert.strictEqual((yield* call()).status, 200)

      const extension = yield* Emulator.make({ store, faults: { serverError: {} } })
      const generic = yield* getWithToken(extension, PARAM)
      assert.deepStrictEqual([generic.status, generic.body], [400, GENERIC])
      yield* extension.control.setFaults({ serverError: { status: 503 } })
      const crashed = yield* getWithToken(extension, PARAM)
      assert.deepStrictEqual([crashed.status, crashed.body], [503, GENERIC])
    })
  )

  it.scopedLive("upstream faults only hit cache misses", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, ttlSeconds: 60 })
      assert.strictEqual(yield* statusOf(emulator), 200)
      yield* emulator.control.setFaults({ throttle: {}, serverError: {} })
      assert.strictEqual(yield* statusOf(emulator), 200)
      assert.strictEqual(yield* statusOf(emulator, SECRET), 400)
    })
  )

  it.scopedLive("dropMidBody: full Content-Length announced, part of the body, then the connection closes", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { dropMidBody: { times: 1 } } })
      const result = yield* raw(emulator.port, requestText(PARAM, { "X-Aws-Parameters-Secrets-Token": emulator.token }))
      const response = parseRaw(result.raw)!
      assert.strictEqual(response.status, 200)
      const announced = Number(response.headers["content-length"])
      assert.isAbove(announced, 0)
      assert.isBelow(response.body.length, announced)
      assert.isAbove(response.body.length, 0)
      // the budget is spent: normal service
      assert.strictEqual(yield* statusOf(emulator), 200)
      // real clients see an error, not a short body
      yield* emulator.control.setFaults({ dropMidBody: { afterBytes: 10 } })
      const viaFetch = yield* Effect.tryPromise(() =>
        fetch(`${emulator.url}${PARAM}`, { headers: { "X-Aws-Parameters-Secrets-Token": emulator.token } }).then((r) =>
          r.text()
        )
      ).pipe(Effect.flip)
      assert.isDefined(viaFetch)
      const viaNodeHttp = yield* getWithToken(emulator, PARAM).pipe(Effect.flip)
      assert.isString(viaNodeHttp)
      const log = yield* emulator.control.requests
      assert.deepStrictEqual(
        log.map((e) => e.status),
        ["dropped", 200, "dropped", "dropped"]
      )
      yield* emulator.control.clearFaults
      assert.strictEqual(yield* statusOf(emulator), 200)
    })
  )

  it.scopedLive("malformedBody: a 200 whose body is not JSON, with a matching Content-Length", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { malformedBody: {} } })
      const response = yield* getWithToken(emulator, PARAM)
      assert.strictEqual(response.status, 200)
      assert.strictEqual(Number(response.headers["content-length"]), Buffer.byteLength(response.body))
      assert.throws(() => JSON.parse(response.body))
      // errors are untouched
      const error = yield* getWithToken(emulator, "/systemsmanager/parameters/get?name=nope")
      assert.strictEqual(error.body, GENERIC)
      yield* emulator.control.clearFaults
      assert.strictEqual(JSON.parse((yield* getWithToken(emulator, PARAM)).body).Parameter.Value, "the-value")
    })
  )

  it.scopedLive("oversizedBody: valid JSON padded to the size asked for", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { oversizedBody: { bytes: 200_000 } } })
      const response = yield* getWithToken(emulator, PARAM)
      assert.strictEqual(Buffer.byteLength(response.body), 200_000)
      assert.strictEqual(JSON.parse(response.body).Parameter.Value, "the-value")
      yield* emulator.control.updateFaults({ oversizedBody: undefined })
      assert.isBelow((yield* getWithToken(emulator, PARAM)).body.length, 1000)
    })
  )

  it.scopedLive("slowBody: the body trickles in chunks; the response is still complete", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { slowBody: { chunkBytes: 60, intervalMs: 40 } } })
      const [result, took] = yield* timed(
        raw(emulator.port, requestText(PARAM, { "X-Aws-Parameters-Secrets-Token": emulator.token }))
      )
      const response = parseRaw(result.raw)!
      const body = response.body.toString()
      assert.strictEqual(JSON.parse(body).Parameter.Value, "the-value")
      const chunks = Math.ceil(Buffer.byteLength(body) / 60)
      assert.isAtLeast(result.chunks, chunks)
      assert.isAtLeast(took, chunks * 40 - 10)
      yield* emulator.control.clearFaults
      const [, fast] = yield* timed(statusOf(emulator))
      assert.isBelow(fast, took)
    })
  )

  it.scopedLive("probability and times budgets; updateFaults merges, setFaults replaces", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      yield* emulator.control.setFaults({ throttle: { probability: 0 } })
      assert.strictEqual(yield* statusOf(emulator), 200)
      yield* emulator.control.setFaults({ throttle: { times: 2 } })
      yield* emulator.control.updateFaults({ malformedBody: { times: 1 } })
      assert.deepStrictEqual(yield* emulator.control.faults, { throttle: { times: 2 }, malformedBody: { times: 1 } })
      assert.strictEqual(yield* statusOf(emulator), 400)
      assert.strictEqual(yield* statusOf(emulator), 400)
      const malformed = yield* getWithToken(emulator, PARAM)
      assert.throws(() => JSON.parse(malformed.body))
      assert.strictEqual(yield* statusOf(emulator), 200)
      yield* emulator.control.setFaults({ latency: { ms: 1 } })
      assert.deepStrictEqual(yield* emulator.control.faults, { latency: { ms: 1 } })
    })
  )

  it.scopedLive("invalid faults are rejected", () =>
    Effect.gen(function* () {
      const failed = yield* Emulator.make({ faults: { throttle: { probability: 2 } } }).pipe(Effect.flip)
      assert.strictEqual(failed.reason, "InvalidOptions")
      const emulator = yield* Emulator.make({})
      const exit = yield* Effect.exit(emulator.control.setFaults({ latency: { ms: -1 } }))
      assert.strictEqual(exit._tag, "Failure")
    })
  )
})
