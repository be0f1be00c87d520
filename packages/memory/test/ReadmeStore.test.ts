import { assert, it } from "@effect/vitest"
import { SecretsConfig } from "@secrets-config/core"
import { MemorySecretsConfig } from "@secrets-config/memory"
import { Effect, Redacted } from "effect"

const layer = MemorySecretsConfig.layer({
  parameters: [
    { name: "/app/host", value: "db.internal" }, // String, version 1
    { name: "/app/hosts", value: ["a", "b"] }, // StringList "a,b"
    { name: "/app/key", type: "SecureString", value: "k" },
    {
      name: "/app/flag",
      versions: [
        // oldest first: versions 1, 2, 3
        { value: "v1", labels: ["Legacy"] },
        { value: "v2", labels: ["Prod"] },
        { value: "v3", dataType: "text", lastModifiedDate: "2024-01-01T00:00:00Z" } // default: the Clock's time
      ]
    }
  ],
  secrets: [
    { name: "app/token", value: "t0k3n" }, // one AWSCURRENT version
    { name: "app/cert", binary: "AQID" }, // a binary secret, base64 (or value: new Uint8Array([1, 2, 3]))
    { name: "app/config", json: { user: "app", port: 5432 } }, // stored as its JSON text
    {
      name: "app/db",
      versions: [
        // oldest first
        { value: "old", stages: ["AWSPREVIOUS"] },
        { value: "new", stages: ["AWSCURRENT"], createdDate: new Date(0) }
      ]
    }
  ]
})

it.effect("the store format example", () =>
  Effect.gen(function* () {
    assert.strictEqual(Redacted.value(yield* SecretsConfig.parameterValue("/app/flag", { label: "Prod" })), "v2")
    assert.deepStrictEqual(Redacted.value(yield* SecretsConfig.secretBytes("app/cert")), Uint8Array.from([1, 2, 3]))
    const previous = yield* SecretsConfig.secretValue("app/db", { versionStage: "AWSPREVIOUS" })
    assert.strictEqual(Redacted.value(previous), "old")
  }).pipe(Effect.provide(layer))
)
