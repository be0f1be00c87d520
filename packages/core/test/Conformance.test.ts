/**
 * Conformance with the 17 request/response pairs recorded from the real AWS extension, read from
 * `../shared/fixtures/recorded-extension-responses.json` beside the repository when it is there (as
 * in CI). A fresh clone without it skips this file and says so; the project's own fixtures
 * (`Wire.test.ts`) cover the same facts.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import type * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import * as Wire from "@secrets-config/core/Wire"
import { Effect, Either, Exit, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

const recordedPath = path.resolve(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "..",
  "shared",
  "fixtures",
  "recorded-extension-responses.json"
)
const present = fs.existsSync(recordedPath)
if (!present) {
  console.warn(
    `[conformance] SKIPPED: ${recordedPath} is not there; the recorded-fixture conformance tests did not run.`
  )
}

interface Recorded {
  readonly description: string
  readonly value: unknown
  readonly response: { readonly error?: string } & Record<string, unknown>
}
const recorded: Record<string, Recorded> = present ? JSON.parse(fs.readFileSync(recordedPath, "utf8")) : {}

const toBytes = (value: unknown): Uint8Array | undefined =>
  typeof value === "object" && value !== null && (value as any).type === "Buffer"
    ? Uint8Array.from((value as { data: Array<number> }).data)
    : undefined

/** A SecretsConfig that answers with the recorded body, decoded the way every layer decodes. */
const serviceFor = (entry: Recorded) => {
  const fail = (kind: "parameter" | "secret", name: string) => {
    const [, status, body] = /^(\d{3}) [^:]*: (.*)$/.exec(entry.response.error!)!
    return Effect.fail(Wire.errorFromResponse({ kind, resource: name, status: Number(status), body: body! }))
  }
  return SecretsConfig.make({
    getParameter: (request) =>
      entry.response.error !== undefined
        ? fail("parameter", request.name)
        : Effect.orDie(Wire.decodeGetParameter(entry.response)),
    getSecret: (request) =>
      entry.response.error !== undefined
        ? fail("secret", request.secretId)
        : Effect.orDie(Wire.decodeGetSecretValue(entry.response))
  })
}

describe.skipIf(!present)("conformance with the recorded AWS extension responses", () => {
  it("has the 17 recorded pairs: 14 answers and 3 errors", () => {
    const entries = Object.values(recorded)
    assert.strictEqual(entries.length, 17)
    assert.strictEqual(entries.filter((e) => e.response.error !== undefined).length, 3)
  })

  for (const [key, entry] of Object.entries(recorded)) {
    it.effect(`${key} — ${entry.description}`, () =>
      Effect.gen(function* () {
        const url = new URL(key, "http://127.0.0.1:2773")
        const service = serviceFor(entry)
        const q = url.searchParams
        const version = q.get("version")
        const options = {
          ...(version !== null ? { version: Number(version) } : {}),
          ...(q.get("label") !== null ? { label: q.get("label")! } : {}),
          withDecryption: q.get("withDecryption") === "true"
        }
        const isSecret = url.pathname.startsWith("/secretsmanager/")
        const readSecret = service.getSecret(q.get("secretId") ?? "", {
          ...(q.get("versionId") !== null ? { versionId: q.get("versionId")! } : {}),
          ...(q.get("versionStage") !== null ? { versionStage: q.get("versionStage")! } : {})
        })
        const read = service.getParameter(q.get("name") ?? "", options)
        const provided = Effect.provideService(SecretsConfig.SecretsConfig, service)

        if (entry.response.error !== undefined) {
          const attempt: Effect.Effect<unknown, SecretsConfigError.SecretsConfigError> = isSecret ? readSecret : read
          const exit = yield* Effect.exit(attempt)
          assert.isTrue(Exit.isFailure(exit))
          const error = yield* Effect.flip(attempt)
          // Versions below 1 are refused before any I/O; everything that reached the endpoint is ambiguous.
          assert.include(["UpstreamError", "InvalidRequest"], error._tag)
          if (version !== "0") assert.strictEqual(error._tag, "UpstreamError")
          // And the recorded answer itself, whatever the request, maps to UpstreamError.
          const [, status, body] = /^(\d{3}) [^:]*: (.*)$/.exec(entry.response.error)!
          const mapped = Wire.errorFromResponse({
            kind: "parameter",
            resource: key,
            status: Number(status),
            body: body!
          })
          assert.strictEqual(mapped._tag, "UpstreamError")
          return
        }

        const bytes = toBytes(entry.value)
        if (isSecret) {
          if (bytes !== undefined) {
            const value = yield* provided(SecretsConfig.secretBytes(q.get("secretId")!, {}))
            assert.deepStrictEqual(Redacted.value(value), bytes)
          } else {
            const secret = yield* readSecret
            assert.strictEqual(Redacted.value(secret.value as Redacted.Redacted<string>), entry.value)
          }
          return
        }
        const name = q.get("name")!
        if (Array.isArray(entry.value)) {
          assert.deepStrictEqual(yield* provided(SecretsConfig.parameterList(name, options)), entry.value)
        } else if (bytes !== undefined) {
          const parameter = yield* read
          const secret = Option.getOrThrow(parameter.secret)
          assert.deepStrictEqual(Redacted.value(secret.value as Redacted.Redacted<Uint8Array>), bytes)
        } else if (entry.value === null) {
          // The recording client refused to read a String parameter as a StringList; so do we.
          const error = yield* Effect.flip(provided(SecretsConfig.parameterList(name, options)))
          assert.strictEqual(error._tag, "DecodeError")
          assert.notInclude(error.message, "my-string-param-value")
        } else {
          const value = yield* provided(SecretsConfig.parameterValue(name, options))
          assert.strictEqual(Redacted.value(value), entry.value)
          const parameter = yield* read
          assert.deepStrictEqual(parameter.selector, Option.fromNullable((entry.response as any).Parameter.Selector))
        }
        const decoded: Either.Either<unknown, ReadonlyArray<string>> = isSecret
          ? Wire.decodeGetSecretValue(entry.response)
          : Wire.decodeGetParameter(entry.response)
        assert.isTrue(Either.isRight(decoded))
      })
    )
  }
})
