/**
 * The 17 request/response pairs recorded from the real AWS extension, replayed against the
 * emulator seeded with `fixtures/recorded-scenario.json` (a store written from the facts of the
 * recording). The project carries its own copy of the expectations
 * (`fixtures/recorded-expectations.json`), so a fresh clone passes alone; when the shared recording
 * sits beside the repository (`../shared/fixtures/...`), it is checked directly as well.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@secrets-config/emulator/Emulator"
import * as Store from "@secrets-config/emulator/Store"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { getWithToken } from "./utils/http.js"

const fixtures = path.join(import.meta.dirname, "fixtures")
const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..")
const sharedRecording = path.resolve(repoRoot, "..", "shared", "fixtures", "recorded-extension-responses.json")
const hasSharedRecording = fs.existsSync(sharedRecording)

interface Expectation {
  readonly request: string
  readonly status: number
  readonly json?: unknown
  readonly text?: string
}

const expectations: ReadonlyArray<Expectation> = JSON.parse(
  fs.readFileSync(path.join(fixtures, "recorded-expectations.json"), "utf8")
)

const scenario = Effect.gen(function* () {
  const store = yield* Store.fromJsonFile(path.join(fixtures, "recorded-scenario.json"))
  return yield* Emulator.make({ store })
})

/** Same status; for a 200 the same JSON with the same key order; otherwise the same plain text. */
const check = (emulator: Emulator.Emulator, expectation: Expectation) =>
  Effect.gen(function* () {
    const response = yield* getWithToken(emulator, expectation.request)
    assert.strictEqual(response.status, expectation.status, expectation.request)
    if (expectation.status === 200) {
      assert.strictEqual(
        JSON.stringify(JSON.parse(response.body)),
        JSON.stringify(expectation.json),
        expectation.request
      )
    } else {
      assert.strictEqual(response.body, expectation.text, expectation.request)
      assert.throws(() => JSON.parse(response.body))
    }
  })

describe("recorded AWS extension responses", () => {
  it("the project's copy holds all 17 pairs", () => {
    assert.strictEqual(expectations.length, 17)
    assert.strictEqual(expectations.filter((e) => e.status !== 200).length, 3)
  })

  it.scopedLive("every recorded request gets the recorded answer", () =>
    Effect.gen(function* () {
      const emulator = yield* scenario
      for (const expectation of expectations) yield* check(emulator, expectation)
    })
  )

  if (!hasSharedRecording) {
    console.log(`[emulator] shared recording not found at ${sharedRecording}: skipping the direct conformance check`)
  }

  it.scopedLive.skipIf(!hasSharedRecording)(
    "conformance with ../shared/fixtures/recorded-extension-responses.json (skipped when absent)",
    () =>
      Effect.gen(function* () {
        const recorded: Record<string, { readonly response: Record<string, unknown> }> = JSON.parse(
          fs.readFileSync(sharedRecording, "utf8")
        )
        const emulator = yield* scenario
        const entries = Object.entries(recorded)
        assert.strictEqual(entries.length, 17)
        for (const [request, { response }] of entries) {
          // the recording client wrote errors as {"error": "<status> <reason>: <plain-text body>"}
          const error = response.error as string | undefined
          if (error !== undefined) {
            const [statusPart, text] = [error.slice(0, error.indexOf(":")), error.slice(error.indexOf(":") + 2)]
            yield* check(emulator, { request, status: Number(statusPart.split(" ")[0]), text })
          } else {
            yield* check(emulator, { request, status: 200, json: response })
          }
        }
      })
  )
})
