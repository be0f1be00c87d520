/**
 * The AWS extension dialect: token and routing errors byte for byte, selectors, ARNs, SecureString
 * ciphertexts, `/aws/reference/secretsmanager/...`, and store changes at run time.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import { Effect } from "effect"
import { get, getWithToken, parseRaw, raw, requestText } from "./utils/http.js"

const GENERIC = "an unexpected error occurred while executing request"
const param = (name: string, extra = "") => `/systemsmanager/parameters/get?name=${encodeURIComponent(name)}${extra}`
const secret = (id: string, extra = "") => `/secretsmanager/get?secretId=${encodeURIComponent(id)}${extra}`

const json = (body: string) => JSON.parse(body)

describe("extension dialect", () => {
  it.scopedLive("401 for a missing or wrong token: exact plain text, x-amzn-errortype, no newline", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ token: "right-token" })
      for (const headers of [{}, { "X-Aws-Parameters-Secrets-Token": "wrong" }, { "X-Vault-Token": "right-token" }]) {
        const response = yield* get(`${emulator.url}${param("/x")}`, { headers })
        assert.strictEqual(response.status, 401)
        assert.strictEqual(response.body, "bad session token or header key")
        assert.strictEqual(response.headers["x-amzn-errortype"], "AccessDeniedException")
      }
      const log = yield* emulator.control.requests
      assert.deepStrictEqual(
        log.map((e) => e.tokenOk),
        [false, false, false]
      )
    })
  )

  it.scopedLive("the token header name is case-insensitive", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store: { parameters: [{ name: "/x", value: "v" }] } })
      for (const name of [
        "x-aws-parameters-secrets-token",
        "X-AWS-PARAMETERS-SECRETS-TOKEN",
        "x-Aws-Parameters-Secrets-Token"
      ]) {
        const result = yield* raw(emulator.port, requestText(param("/x"), { [name]: emulator.token }))
        assert.strictEqual(parseRaw(result.raw)?.status, 200, name)
      }
    })
  )

  it.scopedLive("both paths answer with and without a trailing slash; other paths 404; GET only", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        store: { parameters: [{ name: "/x", value: "v" }], secrets: [{ name: "s", value: "sv" }] }
      })
      for (const path of [
        param("/x"),
        param("/x").replace("get?", "get/?"),
        secret("s"),
        secret("s").replace("get?", "get/?")
      ]) {
        assert.strictEqual((yield* getWithToken(emulator, path)).status, 200, path)
      }
      const missing = yield* getWithToken(emulator, "/systemsmanager/parameters/list?name=%2Fx")
      assert.strictEqual(missing.status, 404)
      const post = yield* get(`${emulator.url}${param("/x")}`, {
        method: "POST",
        headers: { "X-Aws-Parameters-Secrets-Token": emulator.token }
      })
      assert.strictEqual(post.status, 405)
    })
  )

  it.scopedLive("missing parameter, bad version, unknown label, missing secret, unknown stage: the generic 400", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        store: { parameters: [{ name: "/x", value: "v" }], secrets: [{ name: "s", value: "sv" }] }
      })
      for (const path of [
        param("/nope"),
        param("/x", "&version=0"),
        param("/x", "&version=2"),
        param("/x", "&label=Nope"),
        "/systemsmanager/parameters/get",
        "/systemsmanager/parameters/get?name=",
        secret("nope"),
        secret("s", "&versionStage=AWSPREVIOUS"),
        secret("s", "&versionId=00000000-0000-4000-8000-000000000000"),
        "/secretsmanager/get"
      ]) {
        const response = yield* getWithToken(emulator, path)
        assert.strictEqual(response.status, 400, path)
        assert.strictEqual(response.body, GENERIC, path)
        assert.strictEqual(response.headers["content-type"], "text/plain; charset=utf-8")
      }
    })
  )

  it.scopedLive("selectors: version, label, name:selector, the first of version/label wins, ARN names", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        store: {
          parameters: [
            {
              name: "/app/flag",
              versions: [{ value: "one", labels: ["Dev"] }, { value: "two", labels: ["Prod"] }, { value: "three" }]
            },
            { name: "plain", value: "no-slash" }
          ]
        }
      })
      const value = (path: string) =>
        getWithToken(emulator, path).pipe(
          Effect.map((r) => {
            assert.strictEqual(r.status, 200, path)
            return json(r.body).Parameter as { Value: string; Version: number; Selector: string | null; Name: string }
          })
        )
      assert.deepStrictEqual(
        [(yield* value(param("/app/flag"))).Value, (yield* value(param("/app/flag"))).Selector],
        ["three", null]
      )
      const v1 = yield* value(param("/app/flag", "&version=1"))
      assert.deepStrictEqual([v1.Value, v1.Version, v1.Selector], ["one", 1, ":1"])
      const dev = yield* value(param("/app/flag", "&label=Prod"))
      assert.deepStrictEqual([dev.Value, dev.Version, dev.Selector], ["two", 2, ":Prod"])
      assert.strictEqual((yield* value(param("/app/flag:2"))).Value, "two")
      assert.strictEqual((yield* value(param("/app/flag:Dev"))).Selector, ":Dev")
      assert.strictEqual((yield* value(param("/app/flag", "&label=Dev&version=3"))).Value, "one")
      assert.strictEqual((yield* value(param("/app/flag", "&version=3&label=Dev"))).Value, "three")
      // a selector in the name plus version asks for "/app/flag:2:1": no such parameter
      assert.strictEqual((yield* getWithToken(emulator, param("/app/flag:2", "&version=1"))).status, 400)
      const arn = "arn:aws:ssm:us-east-1:123456789012:parameter/app/flag"
      const byArn = yield* value(param(`${arn}:1`))
      assert.deepStrictEqual([byArn.Value, byArn.Name, byArn.Selector], ["one", arn, ":1"])
      assert.strictEqual((yield* value(param("arn:aws:ssm:us-east-1:123456789012:parameter/plain"))).Value, "no-slash")
      assert.strictEqual(
        (yield* getWithToken(emulator, param("arn:aws:ssm:us-east-1:999999999999:parameter/app/flag"))).status,
        400
      )
    })
  )

  it.scopedLive("StringList is comma-joined; a raw + in the query is a space", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        store: {
          parameters: [
            { name: "/list", value: ["a", "b", "c"] },
            { name: "/with space", value: "spaced" }
          ]
        }
      })
      const list = json((yield* getWithToken(emulator, param("/list"))).body).Parameter
      assert.deepStrictEqual([list.Type, list.Value], ["StringList", "a,b,c"])
      const spaced = yield* getWithToken(emulator, "/systemsmanager/parameters/get?name=/with+space")
      assert.strictEqual(json(spaced.body).Parameter.Value, "spaced")
    })
  )

  it.scopedLive("SecureString: a deterministic base64 ciphertext without decryption, the value with it", () =>
    Effect.gen(function* () {
      const seed = {
        parameters: [{ name: "/db/password", type: "SecureString" as const, value: "correct-horse-battery" }]
      }
      const a = yield* Emulator.make({ store: seed })
      const b = yield* Emulator.make({ store: seed })
      const cipherA = json((yield* getWithToken(a, param("/db/password"))).body).Parameter.Value as string
      const cipherB = json((yield* getWithToken(b, param("/db/password", "&withDecryption=false"))).body).Parameter
        .Value
      assert.strictEqual(cipherA, cipherB)
      assert.match(cipherA, /^AQICAH[A-Za-z0-9+/]+=*$/)
      assert.isFalse(cipherA.includes("correct-horse-battery"))
      assert.isFalse(Buffer.from(cipherA, "base64").toString("latin1").includes("correct-horse-battery"))
      const plain = json((yield* getWithToken(a, param("/db/password", "&withDecryption=true"))).body).Parameter
      assert.deepStrictEqual([plain.Type, plain.Value], ["SecureString", "correct-horse-battery"])
    })
  )

  it.scopedLive("values are JSON-escaped as Go does (<, >, & as \\u escapes)", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        store: { parameters: [{ name: "/html", value: `<a href="x">&amp;</a>` }] }
      })
      const response = yield* getWithToken(emulator, param("/html"))
      assert.include(response.body, '\\u003ca href=\\"x\\"\\u003e\\u0026amp;\\u003c/a\\u003e')
      assert.strictEqual(json(response.body).Parameter.Value, `<a href="x">&amp;</a>`)
    })
  )

  it.scopedLive("/aws/reference/secretsmanager/: requires withDecryption; SourceResult as the Java SDK writes it", () =>
    Effect.gen(function* () {
      const bytes = Uint8Array.from([0, 1, 127, 128, 200, 255])
      const emulator = yield* Emulator.make({
        store: {
          secrets: [
            { name: "app/db", value: `{"user":"app","pass":"x=y"}`, createdDate: "2023-03-05T14:07:09.120Z" },
            {
              name: "app/key",
              versions: [
                {
                  binary: Buffer.from(bytes).toString("base64"),
                  versionId: "v-old",
                  createdDate: "2022-11-16T00:05:01Z"
                },
                { value: Uint8Array.from([9]), versionId: "v-new", createdDate: "2022-11-16T12:30:00Z" }
              ]
            }
          ]
        }
      })
      const ref = (id: string, extra = "&withDecryption=true") => param(`/aws/reference/secretsmanager/${id}`, extra)
      const without = yield* getWithToken(emulator, ref("app/db", ""))
      assert.deepStrictEqual([without.status, without.body], [400, GENERIC])

      const text = json((yield* getWithToken(emulator, ref("app/db"))).body).Parameter
      assert.strictEqual(text.Value, `{"user":"app","pass":"x=y"}`)
      assert.deepStrictEqual([text.Type, text.Version, text.DataType, text.Selector], ["SecureString", 0, null, null])
      assert.strictEqual(text.Name, "/aws/reference/secretsmanager/app/db")
      assert.strictEqual(text.LastModifiedDate, "2023-03-05T14:07:09.12Z")
      assert.match(text.ARN, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:app\/db-[A-Za-z]{6}$/)
      // Gson escapes '=' (HTML-safe) and writes lower-camel keys in the SDK's field order
      assert.include(text.SourceResult, `\\"pass\\":\\"x\\u003dy\\"`)
      const source = JSON.parse(text.SourceResult)
      assert.deepStrictEqual(Object.keys(source), [
        "ARN",
        "name",
        "versionId",
        "secretString",
        "versionStages",
        "createdDate"
      ])
      assert.deepStrictEqual([source.createdDate, source.versionStages], ["Mar 5, 2023, 2:07:09 PM", ["AWSCURRENT"]])

      const binary = json((yield* getWithToken(emulator, ref("app/key:AWSPREVIOUS"))).body).Parameter
      assert.deepStrictEqual(
        [binary.Value, binary.Selector, binary.LastModifiedDate],
        [null, ":AWSPREVIOUS", "2022-11-16T00:05:01Z"]
      )
      const bin = JSON.parse(binary.SourceResult)
      assert.deepStrictEqual(Object.keys(bin), [
        "ARN",
        "name",
        "versionId",
        "secretBinary",
        "versionStages",
        "createdDate"
      ])
      assert.deepStrictEqual(bin.secretBinary.hb, [0, 1, 127, -128, -56, -1])
      assert.deepStrictEqual(
        (bin.secretBinary.hb as Array<number>).map((b) => b & 0xff),
        Array.from(bytes)
      )
      assert.deepStrictEqual([bin.secretBinary.limit, bin.secretBinary.capacity, bin.versionId], [6, 6, "v-old"])
      assert.strictEqual(bin.createdDate, "Nov 16, 2022, 12:05:01 AM")
      // the same through the label query parameter and by version id
      const viaLabel = json(
        (yield* getWithToken(emulator, ref("app/key", "&label=AWSPREVIOUS&withDecryption=true"))).body
      )
      assert.strictEqual(JSON.parse(viaLabel.Parameter.SourceResult).versionId, "v-old")
      const byId = json((yield* getWithToken(emulator, ref("app/key:v-new"))).body).Parameter
      assert.strictEqual(JSON.parse(byId.SourceResult).createdDate, "Nov 16, 2022, 12:30:00 PM")
      assert.strictEqual((yield* getWithToken(emulator, ref("app/key:NOPE"))).status, 400)
      assert.strictEqual((yield* getWithToken(emulator, ref("nope"))).status, 400)
    })
  )

  it.scopedLive("GetSecretValue: keys in the SDK's order, base64 binary, secrets by ARN and partial ARN", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        store: {
          secrets: [
            {
              name: "bin",
              value: Uint8Array.from([104, 105]),
              versionId: "b-1",
              createdDate: "2022-11-16T08:24:07.000Z"
            },
            { name: "app/db", json: { user: "app" } }
          ]
        }
      })
      const response = json((yield* getWithToken(emulator, secret("bin"))).body)
      assert.deepStrictEqual(Object.keys(response), [
        "ARN",
        "CreatedDate",
        "Name",
        "SecretBinary",
        "SecretString",
        "VersionId",
        "VersionStages",
        "ResultMetadata"
      ])
      assert.deepStrictEqual(
        [response.SecretBinary, response.SecretString, response.CreatedDate, response.VersionId],
        ["aGk=", null, "2022-11-16T08:24:07Z", "b-1"]
      )
      const arn = json((yield* getWithToken(emulator, secret("app/db"))).body).ARN as string
      for (const id of [arn, arn.slice(0, -7)]) {
        const byArn = json((yield* getWithToken(emulator, secret(id))).body)
        assert.deepStrictEqual([byArn.Name, byArn.SecretString], ["app/db", `{"user":"app"}`])
      }
    })
  )

  it.scopedLive("run-time changes: a new secret version takes AWSCURRENT, the old one AWSPREVIOUS", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store: { secrets: [{ name: "rot", value: "v1", versionId: "id-1" }] } })
      const { control } = emulator
      const read = (extra = "") =>
        getWithToken(emulator, secret("rot", extra)).pipe(Effect.map((r) => [r.status, r.body] as const))
      yield* control.putSecret({ name: "rot", value: "v2", versionId: "id-2" })
      yield* control.rotateSecret("rot", "v3")
      const current = json((yield* read())[1])
      assert.deepStrictEqual([current.SecretString, current.VersionStages], ["v3", ["AWSCURRENT"]])
      const previous = json((yield* read("&versionStage=AWSPREVIOUS"))[1])
      assert.deepStrictEqual([previous.SecretString, previous.VersionId], ["v2", "id-2"])
      // the oldest version has no stage left but is still there by id
      const oldest = json((yield* read("&versionId=id-1"))[1])
      assert.deepStrictEqual([oldest.SecretString, oldest.VersionStages], ["v1", []])
      // by ARN, with bytes: a binary version
      yield* control.rotateSecret(current.ARN, Uint8Array.from([1, 2, 3]))
      assert.strictEqual(json((yield* read())[1]).SecretBinary, "AQID")
      yield* control.deleteSecret("rot")
      assert.deepStrictEqual(yield* read(), [400, GENERIC])
    })
  )

  it.scopedLive("run-time changes: parameters get new versions, labels move, deletes are seen", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({})
      const { control } = emulator
      yield* control.putParameter({ name: "/p", value: "a", labels: ["Live"] })
      yield* control.putParameter({ name: "/p", value: "b" })
      const latest = json((yield* getWithToken(emulator, param("/p"))).body).Parameter
      assert.deepStrictEqual([latest.Value, latest.Version], ["b", 2])
      assert.strictEqual(json((yield* getWithToken(emulator, param("/p", "&label=Live"))).body).Parameter.Value, "a")
      yield* control.putParameter({ name: "/p", value: "c", labels: ["Live"] })
      assert.strictEqual(json((yield* getWithToken(emulator, param("/p", "&label=Live"))).body).Parameter.Version, 3)
      yield* control.deleteParameter("/p")
      assert.strictEqual((yield* getWithToken(emulator, param("/p"))).status, 400)
    })
  )

  it.scopedLive("a bad seed at run time is a defect carrying an EmulatorError", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({})
      const exit = yield* Effect.exit(emulator.control.putParameter({ name: "/bad:name", value: "x" }))
      assert.isTrue(exit._tag === "Failure")
      const defect = exit._tag === "Failure" && exit.cause._tag === "Die" ? exit.cause.defect : undefined
      assert.instanceOf(defect, Emulator.EmulatorError)
    })
  )

  it.scopedLive("the request log keeps the newest requestLogLimit entries; onRequest sees each one", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const emulator = yield* Emulator.make({ requestLogLimit: 3, onRequest: (entry) => seen.push(entry.seq) })
      for (let i = 0; i < 5; i++) yield* getWithToken(emulator, param("/nope"))
      const log = yield* emulator.control.requests
      assert.deepStrictEqual(
        log.map((e) => [e.seq, e.status, e.completed]),
        [
          [3, 400, true],
          [4, 400, true],
          [5, 400, true]
        ]
      )
      assert.deepStrictEqual(seen, [1, 2, 3, 4, 5])
      yield* emulator.control.clearRequests
      assert.strictEqual((yield* emulator.control.requests).length, 0)
    })
  )
})
