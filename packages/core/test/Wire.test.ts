import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import * as Wire from "@secrets-config/core/Wire"
import { Either, Option, Redacted } from "effect"
import { errors, GENERIC, successes } from "./fixtures/extension.js"

const valueOf = (fixture: (typeof successes)[number]): string | Uint8Array => {
  if (fixture.kind === "secret") {
    const secret = Either.getOrThrow(Wire.decodeGetSecretValue(fixture.body))
    return Redacted.value(secret.value as Redacted.Redacted<string | Uint8Array>)
  }
  const parameter = Either.getOrThrow(Wire.decodeGetParameter(fixture.body))
  if (fixture.value instanceof Uint8Array) {
    const secret = Option.getOrThrow(parameter.secret)
    return Redacted.value(secret.value as Redacted.Redacted<Uint8Array>)
  }
  return Redacted.value(parameter.value)
}

describe("Wire", () => {
  describe("the project's own fixtures", () => {
    for (const fixture of successes) {
      it(`decodes ${fixture.description}`, () => {
        assert.deepStrictEqual(valueOf(fixture), fixture.value)
      })
    }
    for (const fixture of errors) {
      it(`maps ${fixture.description} to UpstreamError`, () => {
        const error = Wire.errorFromResponse({ ...fixture, resource: fixture.path })
        assert.strictEqual(error._tag, "UpstreamError")
        assert.isFalse(SecretsConfigError.isTransient(error))
        assert.include(error.message, "CloudWatch")
      })
    }
  })

  describe("GetParameter", () => {
    it("reads every field of the model", () => {
      const parameter = Either.getOrThrow(Wire.decodeGetParameter(successes[2]!.body))
      assert.strictEqual(parameter.name, "/app/zones")
      assert.strictEqual(parameter.type, "StringList")
      assert.strictEqual(parameter.version, 1)
      assert.deepStrictEqual(parameter.selector, Option.some(":1"))
      assert.strictEqual(parameter.arn, "arn:aws:ssm:eu-west-1:111122223333:parameter/app/zones")
      assert.deepStrictEqual(parameter.dataType, Option.some("text"))
      assert.strictEqual(parameter.lastModifiedDate.toISOString(), "2024-03-01T10:00:00.123Z")
      assert.isTrue(Option.isNone(parameter.secret))
    })

    it("reads a /aws/reference/secretsmanager/ answer: Version 0, no DataType, the secret from SourceResult", () => {
      const parameter = Either.getOrThrow(Wire.decodeGetParameter(successes[8]!.body))
      assert.strictEqual(parameter.version, 0)
      assert.isTrue(Option.isNone(parameter.dataType))
      const secret = Option.getOrThrow(parameter.secret)
      assert.strictEqual(secret.name, "app/api-key")
      assert.strictEqual(secret.versionId, "3f1c2b9a-0000-4000-8000-000000000001")
      assert.deepStrictEqual(secret.versionStages, ["AWSCURRENT"])
      assert.strictEqual(secret.createdDate.toISOString(), "2024-03-01T10:00:00.000Z")
      assert.strictEqual(Redacted.value(secret.value as Redacted.Redacted<string>), "key-123")
    })

    it("gives a binary reference the bytes as base64 text and the secret as bytes (Java bytes masked)", () => {
      const parameter = Either.getOrThrow(Wire.decodeGetParameter(successes[9]!.body))
      const secret = Option.getOrThrow(parameter.secret)
      assert.isTrue(secret.isBinary)
      assert.strictEqual(secret.createdDate.toISOString(), "2024-03-01T13:05:09.000Z")
      const bytes = Redacted.value(secret.value as Redacted.Redacted<Uint8Array>)
      assert.deepStrictEqual(Array.from(bytes.slice(0, 7)), [0, 1, 2, 127, 128, 200, 255])
      assert.strictEqual(Redacted.value(parameter.value), Buffer.from(bytes).toString("base64"))
    })

    it("reads SourceResult with PascalCase keys and an epoch date, as AWS's documentation shows it", () => {
      const body = {
        Parameter: {
          ARN: "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf",
          LastModifiedDate: 1709287200,
          Name: "/aws/reference/secretsmanager/x",
          Type: "SecureString",
          Value: "v",
          Version: 0,
          SourceResult: JSON.stringify({
            ARN: "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf",
            Name: "x",
            VersionId: "id-1",
            SecretString: "v",
            VersionStages: ["AWSCURRENT"],
            CreatedDate: 1709287200.25
          })
        }
      }
      const secret = Option.getOrThrow(Either.getOrThrow(Wire.decodeGetParameter(body)).secret)
      assert.strictEqual(secret.name, "x")
      assert.strictEqual(secret.createdDate.toISOString(), "2024-03-01T10:00:00.250Z")
    })

    it("treats null and absent alike", () => {
      const { Selector: _s, SourceResult: _r, DataType: _d, ...rest } = (successes[0]!.body as any).Parameter
      const parameter = Either.getOrThrow(Wire.decodeGetParameter({ Parameter: rest }))
      assert.isTrue(Option.isNone(parameter.selector))
      assert.isTrue(Option.isNone(parameter.dataType))
    })

    it("rejects a body that is not the envelope, naming paths and types but never a value", () => {
      const canary = "canary-7f3a9c-secret"
      const bodies = [
        { Parameter: { Name: "/x", Type: "Nope", Value: canary, ARN: "a", LastModifiedDate: "2024-01-01T00:00:00Z" } },
        { Parameter: { Name: "/x", Type: "String", Value: canary, ARN: "a", LastModifiedDate: canary } },
        { Parameter: { Name: "/x", Type: "String", Value: null, ARN: "a", LastModifiedDate: "2024-01-01T00:00:00Z" } },
        { NotParameter: canary },
        canary,
        null
      ]
      for (const body of bodies) {
        const issues = Either.getLeft(Wire.decodeGetParameter(body)).pipe(Option.getOrThrow)
        assert.isAbove(issues.length, 0)
        assert.notInclude(issues.join("\n"), canary)
      }
    })

    it("rejects a SourceResult that is not JSON without quoting it", () => {
      const canary = "canary-7f3a9c-secret"
      const body = {
        Parameter: {
          ...(successes[8]!.body as any).Parameter,
          SourceResult: `{"secretString": "${canary}"`
        }
      }
      const issues = Option.getOrThrow(Either.getLeft(Wire.decodeGetParameter(body)))
      assert.include(issues.join(), "SourceResult")
      assert.notInclude(issues.join(), canary)
    })
  })

  describe("GetSecretValue", () => {
    it("requires exactly one of SecretString and SecretBinary", () => {
      const base = successes[6]!.body as Record<string, unknown>
      assert.isTrue(Either.isLeft(Wire.decodeGetSecretValue({ ...base, SecretString: null })))
      assert.isTrue(Either.isLeft(Wire.decodeGetSecretValue({ ...base, SecretBinary: "YQ==" })))
    })

    it("rejects SecretBinary that is not base64 without quoting it", () => {
      const canary = "canary-7f3a9c-secret!!"
      const body = { ...(successes[10]!.body as Record<string, unknown>), SecretBinary: canary }
      const issues = Option.getOrThrow(Either.getLeft(Wire.decodeGetSecretValue(body)))
      assert.notInclude(issues.join(), canary)
    })

    it("reads the Agent's body: VersionStages absent, epoch-seconds date", () => {
      const { VersionStages: _, ...body } = successes[12]!.body as Record<string, unknown>
      const secret = Either.getOrThrow(Wire.decodeGetSecretValue(body))
      assert.deepStrictEqual(secret.versionStages, [])
      assert.strictEqual(secret.createdDate.toISOString(), "2024-03-01T10:00:00.500Z")
    })
  })

  describe("parseDate", () => {
    const cases: ReadonlyArray<readonly [string | number, string]> = [
      ["2022-11-16T08:22:40Z", "2022-11-16T08:22:40.000Z"],
      ["2022-11-16T08:22:40.3Z", "2022-11-16T08:22:40.300Z"],
      ["2022-11-16T08:22:40.362Z", "2022-11-16T08:22:40.362Z"],
      ["2022-11-16T08:22:40.123456789Z", "2022-11-16T08:22:40.123Z"],
      ["2022-11-16T10:22:40.5+02:00", "2022-11-16T08:22:40.500Z"],
      ["2022-11-16T03:22:40-0500", "2022-11-16T08:22:40.000Z"],
      ["1668586960.362", "2022-11-16T08:22:40.362Z"],
      ["1668586960", "2022-11-16T08:22:40.000Z"],
      [1668586960.362, "2022-11-16T08:22:40.362Z"],
      ["Nov 16, 2022, 8:22:40 AM", "2022-11-16T08:22:40.000Z"],
      ["Nov 16, 2022, 8:22:40\u202fPM", "2022-11-16T20:22:40.000Z"],
      ["Jan 1, 2023, 12:00:01 AM", "2023-01-01T00:00:01.000Z"],
      ["Jan 1, 2023, 12:00:01 PM", "2023-01-01T12:00:01.000Z"]
    ]
    for (const [input, expected] of cases) {
      it(`reads ${JSON.stringify(input)}`, () => {
        assert.strictEqual(Wire.parseDate(input)?.toISOString(), expected)
      })
    }
    it("refuses what is not a date", () => {
      for (const input of ["", "yesterday", "2022-13-45", "Foo 1, 2022, 1:00:00 AM", Number.NaN]) {
        assert.isUndefined(Wire.parseDate(input))
      }
    })
  })

  describe("errorFromResponse", () => {
    const map = (_dialect: Wire.Dialect, status: number, body: string, kind: "parameter" | "secret" = "secret") =>
      Wire.errorFromResponse({ kind, resource: "app/db", status, body })

    it("a plain 504 → RequestTimeout upstream; a redirect or another 2xx → InvalidResponse", () => {
      const timeout = map("extension", 504, "Gateway Timeout")
      assert.strictEqual(timeout._tag, "RequestTimeout")
      assert.strictEqual(map("extension", 302, "")._tag, "InvalidResponse")
      assert.strictEqual(map("extension", 204, "")._tag, "InvalidResponse")
    })
    it("extension: 401 → TokenRejected", () => {
      assert.strictEqual(map("extension", 401, "bad session token or header key")._tag, "TokenRejected")
    })
    it("extension: the not-ready 400 → ExtensionNotReady, transient", () => {
      const error = map("extension", 400, "not ready to serve traffic, please wait\n")
      assert.strictEqual(error._tag, "ExtensionNotReady")
      assert.isTrue(SecretsConfigError.isTransient(error))
    })
    it("extension: the generic 400 → UpstreamError keeping status and body, not transient", () => {
      const error = map("extension", 400, ` ${GENERIC}\n`, "parameter")
      assert.strictEqual(error._tag, "UpstreamError")
      if (error._tag !== "UpstreamError") return
      assert.strictEqual(error.status, 400)
      assert.strictEqual(error.body, GENERIC)
      assert.isFalse(error.transient)
      assert.include(error.message, "ssm:GetParameter")
      assert.include(error.message, "kms:Decrypt")
    })
    it("agent: 403 → TokenRejected, 429 → Throttled", () => {
      assert.strictEqual(map("agent", 403, "Bad Token")._tag, "TokenRejected")
      assert.strictEqual(map("agent", 429, "Connection limit exceeded")._tag, "Throttled")
    })
    it("agent since v2.1.0: compact, escaped JSON bodies; the 2026 role errors", () => {
      const denied = map("agent", 400, JSON.stringify({ __type: "AccessDeniedException", message: 'not "authorized"' }))
      assert.strictEqual(denied._tag, "AccessDenied")
      assert.include(denied.message, 'not "authorized"')
      assert.notInclude(denied.message, '\\"')
      assert.strictEqual(
        map(
          "agent",
          400,
          `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`
        )._tag,
        "NotFound"
      )
      // A role the Agent could not assume (STS refused): 403, but not the token's fault.
      const role = map(
        "agent",
        403,
        `{"__type":"AccessDeniedException","message":"Failed to create caching client from role: arn:aws:iam::123456789012:role/R"}`
      )
      assert.strictEqual(role._tag, "AccessDenied")
      assert.include(role.message, "role/R")
      const limit = map(
        "agent",
        400,
        `{"__type":"MaxRolesExceeded","message":"The maximum number of assumed roles (20) has been reached. Unable to assume the following role to create a client: arn:aws:iam::123456789012:role/R"}`
      )
      assert.strictEqual(limit._tag, "UpstreamError")
      assert.isFalse(SecretsConfigError.isTransient(limit))
      assert.strictEqual(map("agent", 403, "Bad Token")._tag, "TokenRejected")
    })
    it("agent: __type codes, also in invalid JSON", () => {
      assert.strictEqual(
        map(
          "agent",
          400,
          `{"__type":"ResourceNotFoundException", "message":"Secrets Manager can't find the specified secret."}`
        )._tag,
        "NotFound"
      )
      const denied = map("agent", 400, `{"__type":"AccessDeniedException", "message":"User: x is not "authorized""}`)
      assert.strictEqual(denied._tag, "AccessDenied")
      assert.include(denied.message, `not "authorized"`)
      assert.strictEqual(
        map("agent", 400, `{"__type":"ThrottlingException", "message":"Rate exceeded"}`)._tag,
        "Throttled"
      )
      const timeout = map("agent", 504, `{"__type":"TimeoutError", "message":"Timeout"}`)
      assert.strictEqual(timeout._tag, "RequestTimeout")
      assert.isTrue(SecretsConfigError.isTransient(timeout))
      const connection = map("agent", 502, `{"__type":"ConnectionError", "message":"Read Error"}`)
      assert.strictEqual(connection._tag, "UpstreamError")
      assert.isTrue(SecretsConfigError.isTransient(connection))
      const internal = map("agent", 500, `{"__type":"InternalFailure"}`)
      assert.strictEqual(internal._tag, "UpstreamError")
      assert.isTrue(SecretsConfigError.isTransient(internal))
      assert.strictEqual(
        map("agent", 400, `{"__type":"com.amazonaws.kms#ThrottlingException","message":"x"}`)._tag,
        "Throttled"
      )
      assert.strictEqual(
        map("agent", 400, `{"__type":"ValidationException:http://internal.amazon.com/"}`)._tag,
        "UpstreamError"
      )
      assert.strictEqual(
        map("agent", 400, `{"__type":"AccessDeniedException", "message":"${"x".repeat(1000)}"}`).message.length < 1200,
        true
      )
    })
    it("agent: plain-text client errors stay UpstreamError with their text", () => {
      for (const [status, body] of [
        [404, "Not found"],
        [405, "Not allowed"],
        [400, "unknown parameter: foo"],
        [400, "Forwarded"]
      ] as const) {
        const error = map("agent", status, body)
        assert.strictEqual(error._tag, "UpstreamError")
        assert.include(error.message, body)
      }
    })
  })
})
