/**
 * The cache's memory is bounded by its capacity: failed reads, invalidations and more keys than the
 * capacity leave no per-key state behind. Each figure is taken after full collections: the test
 * turns on `--expose-gc` itself (`v8.setFlagsFromString`), and reads this isolate's heap. The
 * bounds are generous against noise and far below what unbounded per-key state costs (tens of MB
 * for 100,000 keys).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Parameter from "@secrets-config/core/Parameter"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
import { NotFound } from "@secrets-config/core/SecretsConfigError"
import { Effect, Option, Redacted } from "effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"

// `--expose-gc`, set from inside: a new context then has `gc`.
v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as (() => void) | undefined

/** This isolate's heap in use after full collections, in bytes. */
const heap = Effect.sync(() => {
  for (let i = 0; i < 3; i++) gc!()
  return v8.getHeapStatistics().used_heap_size
})

const MB = 1024 * 1024

// One error for every failed read: a tagged error costs tens of microseconds to build, and this
// test is about what the cache keeps, not about building errors.
const notFound = new NotFound({ kind: "parameter", resource: "/app" })

/**
 * An endpoint where nothing exists, or where everything does. A bare service (not built with
 * `SecretsConfig.make`, whose span and metrics per call would only slow the test down).
 */
const underlying = (found: boolean) =>
  SecretsConfig.SecretsConfig.of({
    getParameter: (name) =>
      found
        ? Effect.succeed(
            new Parameter.Parameter(
              {
                name,
                type: "String",
                value: Redacted.make(`value of ${name}`),
                version: 1,
                selector: Option.none(),
                arn: `arn:aws:ssm:eu-west-1:111122223333:parameter${name}`,
                dataType: Option.some("text"),
                lastModifiedDate: new Date(0),
                secret: Option.none()
              },
              { disableValidation: true }
            )
          )
        : Effect.fail(notFound),
    getSecret: () => Effect.fail(notFound)
  })

const reads = (cache: SecretsConfig.SecretsConfig.Service, from: number, count: number) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => `/app/key-${from + i}`),
    (name) => Effect.either(cache.getParameter(name)),
    { discard: true }
  )

describe("SecretsConfigCache memory", () => {
  it.effect("the collector is available", () => Effect.sync(() => assert.isFunction(gc)))

  it.effect(
    "200,000 distinct keys that fail leave the heap where it was (< 8 MB)",
    () =>
      Effect.gen(function* () {
        const { control, service } = yield* SecretsConfigCache.make(underlying(false), { capacity: 1000 })
        yield* reads(service, 0, 5_000) // warm-up: code paths, metrics
        const before = yield* heap
        yield* reads(service, 5_000, 200_000)
        const after = yield* heap
        assert.strictEqual((yield* control.stats).size, 0)
        assert.isBelow(after - before, 8 * MB, `grew by ${((after - before) / MB).toFixed(1)} MB`)
      }),
    { timeout: 180_000 }
  )

  it.effect("100,000 invalidations of distinct names leave the heap where it was (< 8 MB)", () =>
    Effect.gen(function* () {
      const { control } = yield* SecretsConfigCache.make(underlying(true), { capacity: 1000 })
      const invalidations = (from: number, count: number) =>
        Effect.forEach(
          Array.from({ length: count }, (_, i) => from + i),
          (i) => Effect.zipRight(control.invalidateParameter(`/app/key-${i}`), control.invalidateSecret(`app/s-${i}`)),
          { discard: true }
        )
      yield* invalidations(0, 5_000)
      const before = yield* heap
      yield* invalidations(5_000, 100_000)
      const after = yield* heap
      assert.isBelow(after - before, 8 * MB, `grew by ${((after - before) / MB).toFixed(1)} MB`)
    })
  )

  it.effect(
    "50,000 successful keys into a capacity of 1,000: the cache holds 1,000, and the heap stays bounded",
    () =>
      Effect.gen(function* () {
        const capacity = 1000
        const { control, service } = yield* SecretsConfigCache.make(underlying(true), { capacity })
        const empty = yield* heap
        yield* reads(service, 0, capacity)
        const full = yield* heap
        const perEntry = (full - empty) / capacity
        // Printed for README/BENCHMARKS: the bytes one cached parameter costs, value and bookkeeping.
        console.log(`SecretsConfigCache: ${Math.round(perEntry)} bytes per cached parameter (capacity ${capacity})`)
        assert.isBelow(perEntry, 8 * 1024)
        yield* reads(service, capacity, 50_000)
        const after = yield* heap
        assert.strictEqual((yield* control.stats).size, capacity)
        assert.isBelow(after - full, 8 * MB, `grew by ${((after - full) / MB).toFixed(1)} MB`)
      }),
    { timeout: 180_000 }
  )
})
