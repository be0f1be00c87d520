/**
 * The cache layer and the ConfigProvider over the live layer, against the emulator on real sockets:
 * coalescing and bounded concurrency counted by the emulator's request log, an app Config loaded
 * in one concurrent burst (overlap counted in the log, not timed), and missing keys per dialect.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import { Emulator } from "@secrets-config/emulator"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { MemorySecretsConfig } from "@secrets-config/memory"
import { Config, ConfigError, Effect, Layer, Redacted } from "effect"

const KEYS = Array.from({ length: 100 }, (_, i) => `K${String(i).padStart(3, "0")}`)

const store: Emulator.StoreSeed = {
  parameters: KEYS.map((k) => ({ name: `/app/${k}`, value: `value-${k}` })),
  secrets: [{ name: "app/db", json: { user: "app", password: "pw" } }]
}

/** The live layer pointed at an emulator (no environment needed). */
const live = (emulator: Emulator.Emulator, options: LambdaExtension.Options = {}) =>
  LambdaExtension.layerFetch({
    port: emulator.port,
    token: Redacted.make(emulator.token),
    dialect: emulator.dialect,
    ...options
  })

/** The most requests the emulator was answering at the same moment, from its log. */
const maxOverlap = (entries: ReadonlyArray<Emulator.RequestLogEntry>): number => {
  const events = entries.flatMap((e) => [
    { at: e.startedAtMs, delta: 1 },
    { at: e.endedAtMs, delta: -1 }
  ])
  events.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let current = 0
  let max = 0
  for (const { delta } of events) max = Math.max(max, (current += delta))
  return max
}

describe("SecretsConfigCache over the live layer", () => {
  it.scopedLive("1,000 concurrent gets of one key make exactly 1 endpoint request", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { latency: { ms: 20 } } })
      const values = yield* Effect.forEach(
        KEYS.slice(0, 1).flatMap((k) => Array(1000).fill(k)),
        (k: string) => SecretsConfig.parameterValue(`/app/${k}`),
        { concurrency: "unbounded" }
      ).pipe(Effect.provide(SecretsConfigCache.layer().pipe(Layer.provide(live(emulator)))))
      assert.strictEqual(values.length, 1000)
      assert.isTrue(values.every((v) => Redacted.value(v) === "value-K000"))
      const requests = yield* emulator.control.requests
      assert.strictEqual(requests.length, 1)
    })
  )

  it.scopedLive("100 distinct keys make 100 requests, never more than maxConcurrency in flight", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { latency: { ms: 10 } } })
      const maxConcurrency = 8
      yield* Effect.forEach(KEYS, (k) => SecretsConfig.parameterValue(`/app/${k}`), { concurrency: "unbounded" }).pipe(
        Effect.provide(SecretsConfigCache.layer().pipe(Layer.provide(live(emulator, { maxConcurrency }))))
      )
      const requests = yield* emulator.control.requests
      assert.strictEqual(requests.length, 100)
      assert.strictEqual(new Set(requests.map((r) => r.query.name)).size, 100)
      const stats = yield* emulator.control.stats
      assert.isAtMost(stats.maxInFlight, maxConcurrency)
      assert.isAtMost(maxOverlap(requests), maxConcurrency)
      // …and they did run side by side, not one after another.
      assert.isAtLeast(stats.maxInFlight, 2)
    })
  )
})

describe("SecretsConfigProvider over the live layer", () => {
  // The latency is long enough that a loaded machine still starts all ten before the first answer.
  it.scopedLive("a 10-key app Config with 300 ms latency per request is fetched in one concurrent burst", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { latency: { ms: 300 } } })
      const keys = KEYS.slice(0, 10)
      const config = yield* Config.all(keys.map((k) => Config.string(k))).pipe(
        Effect.provide(SecretsConfigProvider.layer({ prefix: "/app" }).pipe(Layer.provide(live(emulator))))
      )
      assert.deepStrictEqual(
        config,
        keys.map((k) => `value-${k}`)
      )
      const requests = yield* emulator.control.requests
      assert.strictEqual(requests.length, 10)
      // Sequential reads would never overlap; the burst has all ten in flight at once.
      assert.strictEqual(maxOverlap(requests), 10)
    })
  )

  it.scopedLive("the burst is bounded by the live layer's maxConcurrency", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, faults: { latency: { ms: 10 } } })
      yield* Config.all(KEYS.slice(0, 20).map((k) => Config.string(k))).pipe(
        Effect.provide(
          SecretsConfigProvider.layer({ prefix: "/app" }).pipe(Layer.provide(live(emulator, { maxConcurrency: 4 })))
        )
      )
      const requests = yield* emulator.control.requests
      assert.strictEqual(requests.length, 20)
      assert.strictEqual(maxOverlap(requests), 4)
    })
  )

  it.scopedLive(
    "extension dialect: a missing parameter fails loudly, unless the ambiguous 400 is opted in as missing",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.make({ store })
        const read = Config.string("NOPE").pipe(Config.withDefault("fallback"))
        const error = yield* Effect.flip(
          read.pipe(Effect.provide(SecretsConfigProvider.layer({ prefix: "/app" }).pipe(Layer.provide(live(emulator)))))
        )
        assert.isFalse(ConfigError.isMissingDataOnly(error))
        assert.strictEqual(
          SecretsConfigProvider.sourceError(error).pipe((o) => (o._tag === "Some" ? o.value._tag : "")),
          "UpstreamError"
        )
        const value = yield* read.pipe(
          Effect.provide(
            SecretsConfigProvider.layer({ prefix: "/app", upstreamErrorAsMissing: true }).pipe(
              Layer.provide(live(emulator))
            )
          )
        )
        assert.strictEqual(value, "fallback")
      })
  )

  it.scopedLive("agent dialect: a missing secret is missing data, so Config.withDefault applies", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ store, dialect: "agent" })
      const provider = SecretsConfigProvider.layer({ prefix: "/app", secrets: { db: "app/db", other: "app/missing" } })
      const result = yield* Config.all({
        user: Config.nested(Config.string("user"), "db"),
        port: Config.nested(Config.integer("port"), "db").pipe(Config.withDefault(5432)),
        other: Config.nested(Config.string("key"), "other").pipe(Config.withDefault("default"))
      }).pipe(Effect.provide(provider.pipe(Layer.provide(live(emulator)))))
      assert.deepStrictEqual(result, { user: "app", port: 5432, other: "default" })
    })
  )

  it.effect("memory layer in exact mode: a missing parameter is missing data, so Config.withDefault applies", () =>
    Effect.gen(function* () {
      const value = yield* Config.all([
        Config.string("K000"),
        Config.string("NOPE").pipe(Config.withDefault("fallback"))
      ])
      assert.deepStrictEqual(value, ["v", "fallback"])
    }).pipe(
      Effect.provide(
        SecretsConfigProvider.layer({ prefix: "/app" }).pipe(
          Layer.provide(
            MemorySecretsConfig.layer({ parameters: [{ name: "/app/K000", value: "v" }] }, { missing: "exact" })
          )
        )
      )
    )
  )
})
