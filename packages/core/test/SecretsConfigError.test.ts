import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import { Schema } from "effect"

const base = { kind: "parameter", resource: "/app/db-host" } as const

const all: ReadonlyArray<readonly [SecretsConfigError.SecretsConfigError, boolean, ReadonlyArray<string>]> = [
  [new SecretsConfigError.InvalidRequest({ ...base, reason: "the name is empty" }), false, ["Nothing was sent"]],
  [
    new SecretsConfigError.MissingToken({ ...base, variables: ["AWS_SESSION_TOKEN"] }),
    false,
    ["AWS_SESSION_TOKEN", "SnapStart"]
  ],
  [new SecretsConfigError.TokenRejected({ ...base, status: 401 }), false, ["401", "AWS_SESSION_TOKEN"]],
  [new SecretsConfigError.ExtensionNotReady(base), true, ["INIT", "inside the handler"]],
  [
    new SecretsConfigError.ExtensionUnreachable({
      ...base,
      url: "http://127.0.0.1:2773",
      reason: "connection refused"
    }),
    true,
    ["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "layer", "connection refused"]
  ],
  [new SecretsConfigError.RequestTimeout({ ...base, timeoutMillis: 1000, scope: "attempt" }), true, ["1000 ms"]],
  [new SecretsConfigError.Throttled({ ...base, status: 429 }), true, ["40 transactions per second"]],
  [new SecretsConfigError.NotFound(base), false, ["does not exist"]],
  [new SecretsConfigError.AccessDenied({ ...base, detail: "" }), false, ["ssm:GetParameter", "kms:Decrypt"]],
  [
    new SecretsConfigError.UpstreamError({
      ...base,
      status: 400,
      body: SecretsConfigError.GENERIC_ERROR_BODY,
      transient: false
    }),
    false,
    ["CloudWatch", "ssm:GetParameter", "kms:Decrypt", "throttled", "does not exist"]
  ],
  [new SecretsConfigError.UpstreamError({ ...base, status: 502, body: "Read Error", transient: true }), true, ["502"]],
  [
    new SecretsConfigError.InvalidResponse({ ...base, reason: "the body is not JSON", status: 200 }),
    false,
    ["not JSON"]
  ],
  [
    new SecretsConfigError.DecodeError({ ...base, issues: ["expected number"] }),
    false,
    ["expected number", "not shown"]
  ]
]

describe("SecretsConfigError", () => {
  for (const [error, transient, mentions] of all) {
    it(`${error._tag}: names the resource, says what to do, ${transient ? "is" : "is not"} transient`, () => {
      assert.include(error.message, `"/app/db-host"`)
      for (const m of mentions) assert.include(error.message, m)
      assert.strictEqual(SecretsConfigError.isTransient(error), transient)
      assert.isTrue(SecretsConfigError.isSecretsConfigError(error))
      assert.include(String(error), error._tag)
      assert.strictEqual(error.name, error._tag)
    })
  }

  it("the union schema round-trips every error", () => {
    for (const [error] of all) {
      const encoded = Schema.encodeSync(SecretsConfigError.SecretsConfigError)(error)
      const decoded = Schema.decodeUnknownSync(SecretsConfigError.SecretsConfigError)(encoded)
      assert.strictEqual(decoded._tag, error._tag)
      assert.strictEqual(decoded.message, error.message)
    }
  })

  it("cuts a huge name in messages", () => {
    const error = new SecretsConfigError.InvalidRequest({
      kind: "parameter",
      resource: "x".repeat(5000),
      reason: "too long"
    })
    assert.isBelow(error.message.length, 500)
    assert.include(error.message, "5000 characters")
  })

  it("is not confused with other errors", () => {
    assert.isFalse(SecretsConfigError.isSecretsConfigError(new Error("x")))
    assert.isFalse(SecretsConfigError.isSecretsConfigError({ _tag: "NotFound" }))
  })
})
