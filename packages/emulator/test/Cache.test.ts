/**
 * The extension's cache: a rotated value is served stale until the TTL passes, keyed by name +
 * selector + decryption flag; TTL clamped to 300 s; off by default in the library. The emulator's
 * clock is Effect's, so `TestClock` drives the long TTLs; one test uses real time.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import { Effect, TestClock } from "effect"
import { get, getWithToken } from "./utils/http.js"

const PARAM = "/systemsmanager/parameters/get?name=%2Fapp%2Fkey"
const SECRET = "/secretsmanager/get?secretId=app%2Fdb"
const store = {
  parameters: [{ name: "/app/key", type: "SecureString" as const, value: "v1" }],
  secrets: [{ name: "app/db", value: "s1" }]
}

const value = (emulator: Emulator.Emulator, path: string) =>
  getWithToken(emulator, path).pipe(
    Effect.map((r) => {
      const body = JSON.parse(r.body)
      return (body.Parameter?.Value ?? body.SecretString) as string
    })
  )

describe("cache", () => {
  it.scopedLive("library default: no cache, a change is visible at once", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store })
      assert.strictEqual(yield* value(emulator, SECRET), "s1")
      yield* emulator.control.rotateSecret("app/db", "s2")
      assert.strictEqual(yield* value(emulator, SECRET), "s2")
      assert.isFalse((yield* emulator.control.requests).some((e) => e.fromCache))
    })
  )

  it.scopedLive("real time: stale until a 1 s TTL passes, then fresh", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, ttlSeconds: 1 })
      assert.strictEqual(yield* value(emulator, SECRET), "s1")
      yield* emulator.control.rotateSecret("app/db", "s2")
      assert.strictEqual(yield* value(emulator, SECRET), "s1")
      yield* Effect.sleep("1100 millis")
      assert.strictEqual(yield* value(emulator, SECRET), "s2")
      const log = yield* emulator.control.requests
      assert.deepStrictEqual(
        log.map((e) => e.fromCache),
        [false, true, false]
      )
    })
  )

  it.scoped("TestClock: a TTL over 300 s is clamped to 300 s; deletes are not seen before expiry either", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, ttlSeconds: 10_000 })
      assert.match(yield* value(emulator, PARAM), /^AQICAH/)
      assert.strictEqual(yield* value(emulator, `${PARAM}&withDecryption=true`), "v1")
      yield* emulator.control.putParameter({ name: "/app/key", value: "v2" })
      yield* emulator.control.deleteSecret("app/db")
      yield* TestClock.adjust("299 seconds")
      assert.strictEqual(yield* value(emulator, `${PARAM}&withDecryption=true`), "v1")
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* value(emulator, `${PARAM}&withDecryption=true`), "v2")
      // never cached before the delete: not found at once
      assert.strictEqual((yield* getWithToken(emulator, SECRET)).status, 400)
    })
  )

  it.scoped("TestClock: keyed by name + selector and by the decryption flag", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, ttlSeconds: { parameters: 60, secrets: 0 } })
      const cipher = yield* value(emulator, PARAM)
      assert.notStrictEqual(cipher, "v1")
      yield* emulator.control.putParameter({ name: "/app/key", value: "v2" })
      // another decryption flag, another key: fresh
      assert.strictEqual(yield* value(emulator, `${PARAM}&withDecryption=true`), "v2")
      // same key: stale ciphertext of v1
      assert.strictEqual(yield* value(emulator, PARAM), cipher)
      // name:selector and version= build the same key
      assert.strictEqual(yield* value(emulator, `${PARAM}&version=1&withDecryption=true`), "v1")
      yield* emulator.control.putParameter({ name: "/app/key", value: "v3" })
      assert.strictEqual(yield* value(emulator, `${PARAM}%3A1&withDecryption=true`), "v1")
      assert.strictEqual(yield* value(emulator, `${PARAM}&withDecryption=true`), "v2")
      // secrets TTL 0: no cache for secrets
      yield* emulator.control.rotateSecret("app/db", "s2")
      assert.strictEqual(yield* value(emulator, SECRET), "s2")
      yield* emulator.control.clearCache
      assert.strictEqual(yield* value(emulator, `${PARAM}&withDecryption=true`), "v3")
    })
  )

  it.scoped("agent: refreshNow=true bypasses the cache and refreshes it", () =>
    Effect.gen(function* () {
      const agent = yield* Emulator.make({ dialect: "agent", store, ttlSeconds: 300 })
      const call = (query = "") =>
        get(`${agent.url}${SECRET}${query}`, { headers: { "X-Vault-Token": agent.token } }).pipe(
          Effect.map((r) => JSON.parse(r.body).SecretString as string)
        )
      assert.strictEqual(yield* call(), "s1")
      yield* agent.control.rotateSecret("app/db", "s2")
      assert.strictEqual(yield* call(), "s1")
      assert.strictEqual(yield* call("&refreshNow=false"), "s1")
      assert.strictEqual(yield* call("&refreshNow=true"), "s2")
      assert.strictEqual(yield* call(), "s2")
    })
  )
})
