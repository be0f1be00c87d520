import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import { Config, Schema } from "effect"

describe("SecretsConfigProvider.reads: what a Config reads, without I/O", () => {
  it("parameters under the prefix, JSON-secret subtrees, defaults, fallbacks, each once", () => {
    const config = Config.all({
      host: Config.string("host"),
      port: Config.integer("port").pipe(Config.withDefault(5432)),
      mode: Config.string("mode").pipe(Config.orElse(() => Config.string("legacy-mode"))),
      again: Config.string("host"),
      db: Config.nested(Config.all({ user: Config.string("user"), password: Config.redacted("password") }), "db"),
      token: Schema.Config("API_TOKEN", Schema.String),
      list: Config.array(Config.string(), "zones")
    })
    const reads = SecretsConfigProvider.reads(config, {
      prefix: "/app/prod/",
      secrets: { db: "app/db", API_TOKEN: "app/api-token" },
      compose: { order: "last" }
    })
    assert.deepStrictEqual(reads, [
      { kind: "parameter", name: "/app/prod/host", paths: ["host"], withDecryption: true },
      { kind: "parameter", name: "/app/prod/port", paths: ["port"], withDecryption: true },
      { kind: "parameter", name: "/app/prod/mode", paths: ["mode"], withDecryption: true },
      { kind: "parameter", name: "/app/prod/legacy-mode", paths: ["legacy-mode"], withDecryption: true },
      { kind: "secret", name: "app/db", paths: ["db.user", "db.password"], withDecryption: true },
      { kind: "secret", name: "app/api-token", paths: ["API_TOKEN"], withDecryption: true },
      { kind: "parameter", name: "/app/prod/zones", paths: ["zones"], withDecryption: true }
    ])
  })

  it("pathSegment maps names; nothing is read for an empty config", () => {
    const reads = SecretsConfigProvider.reads(Config.string("logLevel"), {
      prefix: "/svc",
      pathSegment: (segment) => segment.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
    })
    assert.deepStrictEqual(
      reads.map((read) => read.name),
      ["/svc/log-level"]
    )
    assert.deepStrictEqual(SecretsConfigProvider.reads(Config.succeed(1), { prefix: "/svc" }), [])
  })
})
