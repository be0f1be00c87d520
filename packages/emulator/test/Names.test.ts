/**
 * Property: any name put into the store, requested with `encodeURIComponent`, reaches its own entry.
 * Parameter names never contain `:` (SSM reads it as a selector and refuses it in names, and so does
 * the store); secret ids may contain anything, `:` included, since `secretId` is taken verbatim.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import { Effect } from "effect"
import * as fc from "fast-check"
import { get, getWithToken } from "./utils/http.js"

const tricky = fc.constantFrom(
  "/",
  "+",
  "&",
  "#",
  "%",
  ":",
  " ",
  "=",
  "?",
  ";",
  "é",
  "ß",
  "😀",
  "\u00a0",
  "%2F",
  "%zz",
  "a",
  "Z",
  "0"
)
const name = fc
  .array(fc.oneof(tricky, fc.fullUnicode(), fc.char()), { minLength: 1, maxLength: 24 })
  .map((parts) => parts.join(""))

let counter = 0
const unique = () => `value-${++counter}-+&=`

describe("names survive encoding", () => {
  it.scopedLive("parameters (extension): unicode, / + & # % spaces, no ':'", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({})
      const property = fc.asyncProperty(
        name.filter((n) => !n.includes(":")),
        async (n) => {
          const value = unique()
          const result = await Effect.runPromise(
            emulator.control
              .putParameter({ name: n, value })
              .pipe(
                Effect.zipRight(getWithToken(emulator, `/systemsmanager/parameters/get?name=${encodeURIComponent(n)}`))
              )
          )
          assert.strictEqual(result.status, 200, JSON.stringify(n))
          const parameter = JSON.parse(result.body).Parameter
          assert.strictEqual(parameter.Name, n)
          assert.strictEqual(parameter.Value, value)
        }
      )
      yield* Effect.promise(() => fc.assert(property, { numRuns: 100 }))
    })
  )

  it.scopedLive("parameters: a ':' in the requested name is a selector, not part of the name", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        store: { parameters: [{ name: "/a/b", versions: [{ value: "1" }, { value: "2" }] }] }
      })
      const response = yield* getWithToken(
        emulator,
        `/systemsmanager/parameters/get?name=${encodeURIComponent("/a/b:1")}`
      )
      const parameter = JSON.parse(response.body).Parameter
      assert.deepStrictEqual([parameter.Name, parameter.Value, parameter.Selector], ["/a/b", "1", ":1"])
      const refused = yield* Emulator.make({ store: { parameters: [{ name: "/a:b", value: "x" }] } }).pipe(Effect.flip)
      assert.strictEqual(refused.reason, "InvalidStore")
    })
  )

  it.scopedLive("secrets (extension and agent): anything, ':' included", () =>
    Effect.gen(function* () {
      const extension = yield* Emulator.make({})
      const agent = yield* Emulator.make({ dialect: "agent" })
      const property = fc.asyncProperty(name, async (n) => {
        const value = unique()
        const viaExtension = await Effect.runPromise(
          extension.control
            .putSecret({ name: n, value })
            .pipe(Effect.zipRight(getWithToken(extension, `/secretsmanager/get?secretId=${encodeURIComponent(n)}`)))
        )
        assert.strictEqual(viaExtension.status, 200, JSON.stringify(n))
        assert.deepStrictEqual(
          [JSON.parse(viaExtension.body).Name, JSON.parse(viaExtension.body).SecretString],
          [n, value]
        )
        const viaAgent = await Effect.runPromise(
          agent.control.putSecret({ name: n, value }).pipe(
            Effect.zipRight(
              get(`${agent.url}/secretsmanager/get?secretId=${encodeURIComponent(n)}`, {
                headers: { "X-Vault-Token": agent.token }
              })
            )
          )
        )
        assert.strictEqual(viaAgent.status, 200, JSON.stringify(n))
        assert.deepStrictEqual([JSON.parse(viaAgent.body).Name, JSON.parse(viaAgent.body).SecretString], [n, value])
      })
      yield* Effect.promise(() => fc.assert(property, { numRuns: 100 }))
    })
  )
})
