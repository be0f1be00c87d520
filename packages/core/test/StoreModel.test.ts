import { assert, describe, it } from "@effect/vitest"
import * as StoreFile from "@secrets-config/core/StoreFile"
import { StoreModel, StoreModelError } from "@secrets-config/core/StoreModel"
import { Either } from "effect"

const CANARY = "canary-5d1e-store"

const refusal = (f: () => unknown): StoreModelError => {
  try {
    f()
  } catch (error) {
    assert.instanceOf(error, StoreModelError)
    return error as StoreModelError
  }
  assert.fail("expected a StoreModelError")
}

describe("StoreModel", () => {
  it("a refused seed names the field and never the value", () => {
    const error = refusal(
      () =>
        new StoreModel({
          parameters: [
            { name: "/ok", value: CANARY },
            { name: "/aws/x", value: CANARY }
          ]
        })
    )
    assert.strictEqual(error.path, "parameters.1.name")
    assert.notInclude(error.message, CANARY)
    const stages = refusal(
      () =>
        new StoreModel({
          secrets: [{ name: "s", versions: [{ value: CANARY, stages: ["AWSPENDING"] }] }]
        })
    )
    assert.strictEqual(stages.path, "secrets.0")
    assert.include(stages.problem, "AWSCURRENT")
    assert.notInclude(stages.message, CANARY)
  })

  it("a change is all or nothing: a refused put leaves the store as it was", () => {
    const store = new StoreModel({ parameters: [{ name: "/p", value: "v1" }] })
    refusal(() => store.putParameter("/p", "v2", { labels: ["1bad"] }))
    assert.strictEqual(store.findParameter("/p")?.versions.length, 1)
    refusal(() => store.seedParameter({ name: "/p", versions: [{ value: "v2" }, { value: "" }] }, 0))
    assert.strictEqual(store.findParameter("/p")?.versions.length, 1)
    store.putSecret("s", "a")
    refusal(() => store.putSecret("s", "b", { stages: [""] }))
    assert.strictEqual(store.findSecret("s")?.versions.length, 1)
  })

  it("rules: aws refuses what AWS refuses; lenient keeps only the structural rules", () => {
    const odd = {
      parameters: [{ name: "/with space/ü", value: "x" }],
      secrets: [{ name: "odd name", value: "x", versionId: "v1" }]
    }
    refusal(() => new StoreModel(odd))
    const lenient = new StoreModel(odd, 0, { rules: "lenient" })
    assert.strictEqual(lenient.resolveParameter("/with space/ü")?.version.value, "x")
    assert.strictEqual(lenient.resolveSecret("odd name", "v1", undefined)._tag, "Found")
    refusal(() => new StoreModel({ parameters: [{ name: "/a:b", value: "x" }] }, 0, { rules: "lenient" }))
  })

  it("a secret created again gets a new ARN; its old ARN finds nothing", () => {
    const store = new StoreModel({ secrets: [{ name: "app/db", value: "x" }] })
    const first = store.findSecret("app/db")!.arn
    assert.isTrue(store.deleteSecret(first))
    store.putSecret("app/db", "y")
    const second = store.findSecret("app/db")!.arn
    assert.notStrictEqual(second, first)
    assert.isUndefined(store.findSecret(first))
    assert.strictEqual(store.findSecret(second.slice(0, -7))?.name, "app/db")
  })

  it("rotation: AWSCURRENT moves, the old current becomes AWSPREVIOUS, the older one loses it", () => {
    const store = new StoreModel({ secrets: [{ name: "s", versions: [{ value: "1" }, { value: "2" }] }] })
    const third = store.rotateSecret("s", "3")
    const stagesOf = () => store.findSecret("s")!.versions.map((v) => [...v.stages])
    assert.deepStrictEqual(stagesOf(), [[], ["AWSPREVIOUS"], ["AWSCURRENT"]])
    assert.strictEqual(store.findSecret("s")!.versions[2]!.versionId, third)
    refusal(() => store.rotateSecret("missing", "x"))
  })

  it("the store file decodes to the seed the model takes; a bad file names fields only", () => {
    const text = JSON.stringify({
      parameters: [{ name: "/a", value: ["x", "y"] }],
      secrets: [{ name: "s", json: { k: 1 } }]
    })
    const seed = Either.getOrThrow(StoreFile.fromJson(text))
    const store = new StoreModel(seed)
    assert.strictEqual(store.resolveParameter("/a")?.version.type, "StringList")
    const bad = StoreFile.fromJson(JSON.stringify({ parameters: [{ name: "/a", value: 1, secret: CANARY }] }))
    assert.isTrue(Either.isLeft(bad))
    if (Either.isLeft(bad)) {
      assert.include(bad.left, "parameters.0")
      assert.notInclude(bad.left, CANARY)
    }
    assert.deepStrictEqual(StoreFile.fromJson(`{"parameters": [${CANARY}`), Either.left("the store is not valid JSON"))
  })
})
