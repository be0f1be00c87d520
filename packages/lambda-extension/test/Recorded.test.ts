/**
 * The 17 recorded request/response pairs of the real AWS extension: the client must send exactly
 * the recorded request and decode the recorded answer to the recorded value — against the file
 * itself (through a fake endpoint) and against the emulator seeded with the same account.
 */
import { assert, describe, it } from "@effect/vitest"
import { FetchHttpClient } from "@effect/platform"
import { Emulator } from "@secrets-config/emulator"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import { ConfigProvider, Effect } from "effect"
import * as fs from "node:fs"
import { json, makeService, text } from "./utils/fake.js"
import { checkRecorded, RECORDED_PATH, recordedCases, recordedStore, runRecorded } from "./utils/recorded.js"

const clients = [
  ["LoopbackHttpClient", LoopbackHttpClient.layer()],
  ["FetchHttpClient", FetchHttpClient.layer]
] as const

describe("recorded extension responses", () => {
  const exists = fs.existsSync(RECORDED_PATH)
  if (!exists) {
    console.warn(`recorded fixtures not found at ${RECORDED_PATH}: the conformance test against the file is skipped`)
    it.skip("conformance with the recorded file (the file is missing)", () => {})
  } else {
    const recorded = JSON.parse(fs.readFileSync(RECORDED_PATH, "utf8")) as Record<
      string,
      { readonly response: unknown; readonly value: unknown }
    >

    it("our expectations cover the 17 recorded keys", () => {
      assert.deepStrictEqual(Object.keys(recorded).sort(), recordedCases.map((c) => c.key).sort())
    })

    for (const c of recordedCases) {
      it.effect(`sends ${c.key} and decodes the recorded answer`, () =>
        Effect.gen(function* () {
          const entry = recorded[c.key]!
          const response = entry.response as { readonly error?: string }
          const { requests, service } = yield* makeService(
            () => {
              if (typeof response.error === "string") {
                // The recording client wrote `<status> <reason>: <body>`; the extension sent the body as text.
                const m = /^(\d{3}) [^:]*: (.*)$/.exec(response.error)!
                return text(Number(m[1]), m[2]!)
              }
              return json(entry.response)
            },
            { retry: undefined }
          )
          const result = yield* runRecorded(service, c)
          checkRecorded(c, result)
          if (c.expected._tag === "error" && !c.expected.io) {
            assert.strictEqual(requests.length, 0)
          } else {
            assert.deepStrictEqual(
              requests.map((r) => r.target),
              [c.key]
            )
          }
          // The recorded `value` agrees with our expectation (null where the recording client itself
          // refused the answer, e.g. a String read as a StringList).
          const value = entry.value as string | ReadonlyArray<string> | { readonly data: ReadonlyArray<number> } | null
          if (value === null) return
          if (c.expected._tag === "text") {
            assert.strictEqual(Array.isArray(value) ? value.join(",") : value, c.expected.value)
          } else if (c.expected._tag === "bytes") {
            assert.deepStrictEqual((value as { data: ReadonlyArray<number> }).data, Array.from(c.expected.value))
          }
        })
      )
    }
  }

  for (const dialect of ["extension", "agent"] as const)
    for (const [clientName, client] of clients) {
      it.scopedLive(`the emulator (${dialect}) serves the recorded account as recorded, over ${clientName}`, () =>
        Effect.gen(function* () {
          const emulator = yield* Emulator.make({ dialect, store: recordedStore })
          const service = yield* LambdaExtension.make({ dialect, port: emulator.port }).pipe(
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(emulator.env))))
          )
          for (const c of recordedCases) {
            yield* emulator.control.clearRequests
            const result = yield* runRecorded(service, c)
            if (dialect === "agent" && c.call._tag === "parameter") {
              // The Agent has no Parameter Store path: refused before any I/O.
              assert.isTrue(result._tag === "Left" && result.left._tag === "InvalidRequest", c.key)
              assert.strictEqual((yield* emulator.control.requests).length, 0)
              continue
            }
            if (dialect === "agent" && c.expected._tag === "error" && c.expected.io) {
              // The Agent answers a missing version stage unambiguously.
              assert.isTrue(result._tag === "Left" && result.left._tag === "NotFound", c.key)
              continue
            }
            checkRecorded(c, result)
            const log = yield* emulator.control.requests
            if (c.expected._tag === "error" && !c.expected.io) {
              assert.strictEqual(log.length, 0)
            } else {
              assert.deepStrictEqual(
                log.map((r) => `${r.path}?${r.rawQuery}`),
                [c.key],
                c.key
              )
            }
          }
        }).pipe(Effect.provide(client))
      )
    }
})
