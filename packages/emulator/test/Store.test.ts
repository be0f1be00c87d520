/**
 * Store seeds and files: the bundled sample, validation, and errors that never quote a value.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import * as Store from "@secrets-config/emulator/Store"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { getWithToken } from "./utils/http.js"

const CANARY = "canary-5e3f-secret-value"
const samplePath = path.join(import.meta.dirname, "..", "stores", "sample.json")

const tempFile = (content: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-store-"))
      const file = path.join(dir, "store.json")
      fs.writeFileSync(file, content)
      return file
    }),
    (file) => Effect.sync(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }))
  )

describe("Store", () => {
  it.effect("stores/sample.json is Store.sample", () =>
    Effect.gen(function* () {
      const fromFile = yield* Store.fromJsonFile(samplePath)
      assert.deepStrictEqual(fromFile, Store.sample)
    })
  )

  it.scopedLive("the sample serves /demo parameters (incl. a SecureString) and the JSON secret demo/db", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store: Store.sample })
      const key = JSON.parse(
        (yield* getWithToken(emulator, "/systemsmanager/parameters/get?name=%2Fdemo%2Fapi-key&withDecryption=true"))
          .body
      )
      assert.strictEqual(key.Parameter.Type, "SecureString")
      const db = JSON.parse((yield* getWithToken(emulator, "/secretsmanager/get?secretId=demo%2Fdb")).body)
      assert.strictEqual(JSON.parse(db.SecretString).username, "app")
    })
  )

  it.scoped("file errors name the field, never the value", () =>
    Effect.gen(function* () {
      const wrongType = yield* tempFile(
        JSON.stringify({ secrets: [{ name: "x", value: 42, versionId: CANARY }], extra: CANARY })
      )
      const error = yield* Store.fromJsonFile(wrongType).pipe(Effect.flip)
      assert.strictEqual(error.reason, "InvalidStore")
      assert.include(error.message, "secrets.0.value")
      assert.notInclude(error.message, CANARY)
      assert.notInclude(error.message, "42")

      const notJson = yield* tempFile(`{"secrets": [{"name": "x", "value": "${CANARY}"}`)
      const parseError = yield* Store.fromJsonFile(notJson).pipe(Effect.flip)
      assert.include(parseError.message, "not valid JSON")
      assert.notInclude(parseError.message, CANARY)

      const missing = yield* Store.fromJsonFile("/nonexistent/store.json").pipe(Effect.flip)
      assert.include(missing.message, "ENOENT")
    })
  )

  it.scoped("seeds the store refuses: ':' in a parameter name, bad labels, value and versions, duplicate ids", () =>
    Effect.gen(function* () {
      const bad: Array<Store.StoreSeed> = [
        { parameters: [{ name: "/a:1", value: CANARY }] },
        { parameters: [{ name: "/a", value: CANARY, labels: ["1st"] }] },
        { parameters: [{ name: "/a", value: CANARY, labels: ["awsLabel"] }] },
        { parameters: [{ name: "/a", value: CANARY, versions: [{ value: CANARY }] }] },
        { parameters: [{ name: "/a" }] },
        { secrets: [{ name: "s", value: CANARY, binary: "AA==" }] },
        { secrets: [{ name: "s" }] },
        {
          secrets: [
            {
              name: "s",
              versions: [
                { value: CANARY, versionId: "v" },
                { value: CANARY, versionId: "v" }
              ]
            }
          ]
        },
        { secrets: [{ name: "s", binary: "not base64!" }] },
        { secrets: [{ name: "s", value: CANARY, createdDate: "yesterday" }] }
      ]
      for (const store of bad) {
        const error = yield* Emulator.make({ store }).pipe(Effect.flip)
        assert.strictEqual(error.reason, "InvalidStore", JSON.stringify(store))
        assert.notInclude(error.message, CANARY)
      }
    })
  )

  it.scoped("options are validated; a taken port is ListenFailed", () =>
    Effect.gen(function* () {
      for (const options of [
        { port: 70000 },
        { port: 1.5 },
        { token: "" },
        { token: "a\nb" },
        { ttlSeconds: -1 },
        { maxConnections: 0 }
      ]) {
        const error = yield* Emulator.make(options).pipe(Effect.flip)
        assert.strictEqual(error.reason, "InvalidOptions", JSON.stringify(options))
      }
      const first = yield* Emulator.make({})
      const taken = yield* Emulator.make({ port: first.port }).pipe(Effect.flip)
      assert.strictEqual(taken.reason, "ListenFailed")
      assert.include(taken.message, "EADDRINUSE")
    })
  )

  it.scoped("the layer starts a server and stops it with the scope", () =>
    Effect.gen(function* () {
      const url = yield* Effect.scoped(
        Emulator.Emulator.pipe(
          Effect.map((emulator) => emulator.url),
          Effect.provide(Emulator.layer({ store: Store.sample }))
        )
      )
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
      const closed = yield* Effect.tryPromise(() => fetch(`${url}/secretsmanager/get`)).pipe(Effect.flip)
      assert.isDefined(closed)
    })
  )
})
