/**
 * Hostile or heavy traffic gets a clean answer and the server keeps serving: 1,000 concurrent
 * connections, a request sent byte by byte, huge query strings, invalid percent-encoding.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import { Effect, Either, Fiber } from "effect"
import * as http from "node:http"
import { performance } from "node:perf_hooks"
import { get, getWithToken, parseRaw, raw, requestText } from "./utils/http.js"

const GENERIC = "an unexpected error occurred while executing request"
const store = { parameters: [{ name: "/app/value", value: "the-value" }], secrets: [{ name: "app/db", value: "s" }] }
const PARAM = "/systemsmanager/parameters/get?name=%2Fapp%2Fvalue"

const stillServes = (emulator: Emulator.Emulator) =>
  Effect.gen(function* () {
    const response = yield* getWithToken(emulator, PARAM)
    assert.strictEqual(response.status, 200)
    assert.strictEqual(JSON.parse(response.body).Parameter.Value, "the-value")
  })

describe("robustness", () => {
  it.scopedLive("1,000 concurrent connections are all answered; they overlap; the server serves after", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { latency: { ms: 100 } } })
      const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY })
      yield* Effect.addFinalizer(() => Effect.sync(() => agent.destroy()))
      const one = Effect.async<number, string>((resume) => {
        const req = http.get(
          `${emulator.url}${PARAM}`,
          { agent, headers: { "X-Aws-Parameters-Secrets-Token": emulator.token } },
          (res) => {
            res.resume()
            res.on("end", () => resume(Effect.succeed(res.statusCode ?? 0)))
          }
        )
        req.on("error", (error: NodeJS.ErrnoException) => resume(Effect.fail(error.code ?? error.message)))
      })
      const statuses = yield* Effect.all(
        Array.from({ length: 1000 }, () => one),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(statuses.length, 1000)
      assert.isTrue(statuses.every((s) => s === 200))
      const stats = yield* emulator.control.stats
      assert.strictEqual(stats.total, 1000)
      assert.strictEqual(stats.inFlight, 0)
      assert.isAbove(stats.maxInFlight, 100)
      // the log lets a test count overlaps: the largest number of requests in flight at one instant
      const log = yield* emulator.control.requests
      const events = log
        .flatMap((e) => [
          [e.startedAtMs, 1],
          [e.endedAtMs, -1]
        ])
        .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
      let current = 0
      let peak = 0
      for (const [, delta] of events) peak = Math.max(peak, (current += delta!))
      assert.strictEqual(peak, stats.maxInFlight)
      yield* emulator.control.clearFaults
      yield* stillServes(emulator)
    })
  )

  it.scopedLive("a client sending its request byte by byte gets a complete answer", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      const result = yield* raw(
        emulator.port,
        requestText(PARAM, { "X-Aws-Parameters-Secrets-Token": emulator.token }),
        {
          pieceBytes: 1,
          pieceDelayMs: 2
        }
      )
      const response = parseRaw(result.raw)!
      assert.strictEqual(response.status, 200)
      assert.strictEqual(JSON.parse(response.body.toString()).Parameter.Value, "the-value")
      yield* stillServes(emulator)
    })
  )

  it.scopedLive("huge query strings: answered up to the header limit, then a clean 431", () =>
    Effect.gen(function* () {
      const extension = yield* Emulator.make({ store })
      const big = "x".repeat(200_000)
      const answered = yield* getWithToken(extension, `/systemsmanager/parameters/get?name=${big}`)
      assert.deepStrictEqual([answered.status, answered.body], [400, GENERIC])
      const tooBig = yield* raw(
        extension.port,
        requestText(`/systemsmanager/parameters/get?name=${"y".repeat(1_100_000)}`)
      )
      assert.strictEqual(parseRaw(tooBig.raw)?.status, 431)
      yield* stillServes(extension)

      const agent = yield* Emulator.make({ dialect: "agent", store })
      const agentBig = yield* get(`${agent.url}/secretsmanager/get?secretId=${big}`, {
        headers: { "X-Vault-Token": agent.token }
      })
      assert.strictEqual(agentBig.status, 400)
      assert.include(agentBig.body, "ResourceNotFoundException")
      const agentTooBig = yield* raw(agent.port, requestText(`/secretsmanager/get?secretId=${"y".repeat(400_000)}`))
      assert.strictEqual(parseRaw(agentTooBig.raw)?.status, 431)
      assert.strictEqual((yield* get(`${agent.url}/ping`)).status, 200)
    })
  )

  it.scopedLive("invalid percent-encoding: the extension drops the pair (generic 400); the server keeps serving", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      for (const query of ["name=%ZZ", "name=%2", "name=%", "name=%2Fapp%2Fvalue%G1", "name=%2Fapp%2Fvalue;x=1"]) {
        const response = yield* getWithToken(emulator, `/systemsmanager/parameters/get?${query}`)
        assert.deepStrictEqual([response.status, response.body], [400, GENERIC], query)
      }
      // an invalid pair elsewhere does not hide a valid name (Go's Query() skips just that pair)
      const other = yield* getWithToken(emulator, `${PARAM}&junk=%ZZ`)
      assert.strictEqual(other.status, 200)
      // an invalid escape in the path is a bad request
      const path = yield* getWithToken(emulator, "/systemsmanager%ZZ/parameters/get?name=x")
      assert.strictEqual(path.status, 400)
      // bytes the HTTP parser refuses get Node's clean 400 and a closed connection
      const garbage = yield* raw(emulator.port, "GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n")
      assert.strictEqual(parseRaw(garbage.raw)?.status, 400)
      yield* stillServes(emulator)
    })
  )

  it.scopedLive("closing the scope never hangs: requests in flight, idle keep-alive sockets, a closed listener", () =>
    Effect.gen(function* () {
      const agent = new http.Agent({ keepAlive: true })
      yield* Effect.addFinalizer(() => Effect.sync(() => agent.destroy()))
      const started = performance.now()
      const outcome = yield* Effect.scoped(
        Effect.gen(function* () {
          const emulator = yield* Emulator.make({ store })
          // an idle keep-alive connection
          yield* Effect.async<void>((resume) => {
            http.get(`${emulator.url}/`, { agent }, (res) => {
              res.resume()
              res.on("end", () => resume(Effect.void))
            })
          })
          yield* emulator.control.setFaults({ latency: { ms: 10_000 } })
          const inFlight = yield* Effect.fork(getWithToken(emulator, PARAM).pipe(Effect.either))
          yield* Effect.sleep("50 millis")
          assert.strictEqual((yield* emulator.control.stats).inFlight, 1)
          const closed = yield* Emulator.make({ store, faults: { refuseConnections: {} } })
          assert.isAbove(closed.port, 0)
          return inFlight
        })
      )
      // the request in flight ends with a connection error instead of hanging
      const result = yield* Fiber.join(outcome)
      assert.isTrue(Either.isLeft(result))
      assert.isBelow(performance.now() - started, 2_000)
    })
  )
})
