/**
 * The test kit for `@effect/vitest` users: a memory layer for `it.layer` that gives every test a
 * fresh store, typed access to its `Control` however the layers were composed, store builders, and
 * the contract suite that the memory layer and the live layer over the emulator both pass — to run
 * against your own `SecretsConfig` implementation or fake.
 *
 * Import it from its own entry point, `@secrets-config/memory/TestKit` (it needs `vitest` and
 * `@effect/vitest`, optional peers of this package; the package's main entry does not load them).
 *
 * @since 0.2.0
 */
import type * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigModule from "@secrets-config/core/SecretsConfig"
import * as StoreFile from "@secrets-config/core/StoreFile"
import type { ParameterSeed, SecretSeed, SecretVersionSeed, StoreSeed } from "@secrets-config/core/StoreModel"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import { getCurrentTest } from "vitest/suite"
import * as internalContract from "./internal/contract.js"
import * as internalControl from "./internal/control.js"
import * as internalSeed from "./internal/contractSeed.js"
import * as MemorySecretsConfig from "./MemorySecretsConfig.js"

// -----------------------------------------------------------------------------
// layers
// -----------------------------------------------------------------------------

/**
 * A memory layer for `it.layer` (or `Effect.provide`): `SecretsConfig` and its `Control`, over a
 * store seeded from `seed`. Under `it.layer` the layer is built once for the block, yet every test
 * — and every retry or repeat of one — gets a fresh store, fresh faults and an empty request log:
 * the store is made again from the seed, at the test's own `Clock`, the first time the test touches
 * it. Concurrent tests (`it.concurrent`, `describe.concurrent`) cannot share it: it dies saying so
 * (provide each its own layer). Outside a vitest test (a script), one store is kept.
 *
 * @example
 * ```ts
 * // test/config.test.ts
 * import { expect, it } from "@effect/vitest"
 * import { SecretsConfig } from "@secrets-config/core"
 * import { MemorySecretsConfig } from "@secrets-config/memory"
 * import * as TestKit from "@secrets-config/memory/TestKit"
 * import { Effect, Redacted } from "effect"
 *
 * const seed = TestKit.store(
 *   TestKit.parameter("/app/host", "db.internal"),
 *   TestKit.jsonSecret("app/db", { user: "app", password: "s3cr3t" })
 * )
 * const host = Effect.map(SecretsConfig.parameterValue("/app/host"), Redacted.value)
 *
 * it.layer(TestKit.layer(seed))("config", (it) => {
 *   it.effect("a test may change the store", () =>
 *     Effect.gen(function* () {
 *       yield* MemorySecretsConfig.putParameter("/app/host", "changed")
 *       expect(yield* host).toBe("changed")
 *     })
 *   )
 *   it.effect("the next one starts from the seed", () =>
 *     Effect.gen(function* () {
 *       expect(yield* host).toBe("db.internal")
 *     })
 *   )
 * })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  seed?: StoreSeed,
  options?: MemorySecretsConfig.Options
): Layer.Layer<SecretsConfig.SecretsConfig | MemorySecretsConfig.Control> => {
  let current:
    | {
        readonly test: unknown
        readonly instance: Effect.Effect<{
          readonly secretsConfig: SecretsConfig.SecretsConfig.Service
          readonly control: MemorySecretsConfig.Control.Service
        }>
      }
    | undefined
  // The instance of the running test, built in that test's fiber (its TestClock dates the seed).
  const instance = Effect.suspend(() => {
    const running = getCurrentTest()
    if (running?.concurrent === true) {
      return Effect.dieMessage(
        "TestKit.layer keeps one store per running test, which concurrent tests would share: give each " +
          "concurrent test its own with Effect.provide(TestKit.layer(seed))"
      )
    }
    // A retried or repeated test starts from the seed again too.
    const test =
      running === undefined
        ? "outside a test"
        : `${running.id}#${running.result?.retryCount ?? 0}#${running.result?.repeatCount ?? 0}`
    if (current === undefined || current.test !== test) {
      current = { test, instance: Effect.runSync(Effect.cached(MemorySecretsConfig.make(seed, options))) }
    }
    return current.instance
  })
  const secretsConfig: SecretsConfig.SecretsConfig.Service = {
    getParameter: (name, getOptions) =>
      Effect.flatMap(instance, ({ secretsConfig }) => secretsConfig.getParameter(name, getOptions)),
    getSecret: (secretId, getOptions) =>
      Effect.flatMap(instance, ({ secretsConfig }) => secretsConfig.getSecret(secretId, getOptions))
  }
  const through =
    <Args extends ReadonlyArray<unknown>, A, E>(
      f: (control: MemorySecretsConfig.Control.Service) => (...args: Args) => Effect.Effect<A, E>
    ) =>
    (...args: Args): Effect.Effect<A, E> =>
      Effect.flatMap(instance, ({ control }) => f(control)(...args))
  const control: MemorySecretsConfig.Control.Service = {
    putParameter: through((c) => c.putParameter),
    labelParameterVersion: through((c) => c.labelParameterVersion),
    deleteParameter: through((c) => c.deleteParameter),
    putSecret: through((c) => c.putSecret),
    rotateSecret: through((c) => c.rotateSecret),
    moveSecretStage: through((c) => c.moveSecretStage),
    deleteSecret: through((c) => c.deleteSecret),
    failNext: through((c) => c.failNext),
    clearFaults: Effect.flatMap(instance, ({ control }) => control.clearFaults),
    setLatency: through((c) => c.setLatency),
    requests: Effect.flatMap(instance, ({ control }) => control.requests),
    clearRequests: Effect.flatMap(instance, ({ control }) => control.clearRequests)
  }
  internalControl.attach(secretsConfig, control)
  return Layer.succeedContext(
    Context.make(SecretsConfigModule.SecretsConfig, secretsConfig).pipe(
      Context.add(MemorySecretsConfig.Control, control)
    )
  )
}

/**
 * The memory store's `Control`, found wherever it is: the `Control` service when the layers kept it
 * in the context, else on the `SecretsConfig` service itself (a memory layer's, from `layer` here or
 * `MemorySecretsConfig.layer`, even when a helper's type forgot `Control`). Dies, saying so, when the
 * `SecretsConfig` in use is not a memory layer's (a cache in front of it hides it: keep `Control`
 * with `Layer.provideMerge`).
 *
 * @since 0.2.0
 * @category control
 */
export const control: Effect.Effect<MemorySecretsConfig.Control.Service, never, SecretsConfig.SecretsConfig> =
  Effect.flatMap(Effect.serviceOption(MemorySecretsConfig.Control), (found) =>
    Option.match(found, {
      onSome: Effect.succeed,
      onNone: () =>
        Effect.flatMap(SecretsConfigModule.SecretsConfig, (service) =>
          Option.match(MemorySecretsConfig.controlOf(service), {
            onSome: Effect.succeed,
            onNone: () =>
              Effect.dieMessage(
                "TestKit.control: the SecretsConfig in use is not a memory layer's (a SecretsConfigCache in front " +
                  "of it hides its Control); compose with Layer.provideMerge to keep MemorySecretsConfig.Control"
              )
          })
        )
    })
  )

// -----------------------------------------------------------------------------
// store builders
// -----------------------------------------------------------------------------

/**
 * Merges store parts into one seed (later parts' `region`, `accountId` and `partition` win):
 * `TestKit.store(TestKit.parameter("/app/host", "db.internal"), TestKit.jsonSecret("app/db", {...}))`.
 *
 * @since 0.2.0
 * @category builders
 */
export const store = (...parts: ReadonlyArray<StoreSeed>): StoreSeed => {
  const merged: {
    region?: string | undefined
    accountId?: string | undefined
    partition?: string | undefined
    parameters: Array<ParameterSeed>
    secrets: Array<SecretSeed>
  } = { parameters: [], secrets: [] }
  for (const part of parts) {
    if (part.region !== undefined) merged.region = part.region
    if (part.accountId !== undefined) merged.accountId = part.accountId
    if (part.partition !== undefined) merged.partition = part.partition
    merged.parameters.push(...(part.parameters ?? []))
    merged.secrets.push(...(part.secrets ?? []))
  }
  return merged
}

/**
 * A `String` parameter (a list: a `StringList`), with any other field of a parameter seed.
 *
 * @since 0.2.0
 * @category builders
 */
export const parameter = (
  name: string,
  value: string | ReadonlyArray<string>,
  options?: Omit<ParameterSeed, "name" | "value" | "versions">
): StoreSeed => ({ parameters: [{ ...options, name, value }] })

/**
 * A `SecureString` parameter.
 *
 * @since 0.2.0
 * @category builders
 */
export const secureString = (name: string, value: string): StoreSeed => parameter(name, value, { type: "SecureString" })

/**
 * A secret with one `AWSCURRENT` version: a string or bytes.
 *
 * @since 0.2.0
 * @category builders
 */
export const secret = (
  name: string,
  value: string | Uint8Array,
  options?: Omit<SecretVersionSeed, "value" | "binary" | "json">
): StoreSeed => ({ secrets: [{ ...options, name, value }] })

/**
 * A secret holding JSON (`JSON.stringify(json)`), as RDS and most app secrets are stored.
 *
 * @since 0.2.0
 * @category builders
 */
export const jsonSecret = (name: string, json: unknown): StoreSeed => ({ secrets: [{ name, json }] })

/**
 * Reads a store file (the emulator's `--store` format) synchronously, for a test's seed. Throws an
 * `Error` naming the file and the fields that are wrong, never their values.
 *
 * @since 0.2.0
 * @category builders
 */
export const fromFile = (path: string): StoreSeed =>
  Either.getOrThrowWith(StoreFile.fromJson(fs.readFileSync(path, "utf8")), (detail) => new Error(`${path}: ${detail}`))

// -----------------------------------------------------------------------------
// the contract suite
// -----------------------------------------------------------------------------

/**
 * Options of `runContract`.
 *
 * @since 0.2.0
 * @category contract
 */
export type ContractOptions = internalContract.ContractOptions

/**
 * Registers the contract suite (about 50 `describe`/`it` tests) for a `SecretsConfig` layer: the
 * behaviour the AWS extension has and the memory layer and the live layer both pass — values,
 * types, versions, labels, stages, ARNs, references, binary secrets, Schema decoding, what missing
 * things fail with, `InvalidRequest` before I/O, and no secret in any rendering. `makeLayer` gets
 * the suite's store (`contractSeed`) once per test and must return a fresh layer serving exactly it.
 * Call it at the top level of a `*.test.ts` file.
 *
 * @example
 * ```ts
 * // test/contract.test.ts
 * import { MemorySecretsConfig } from "@secrets-config/memory"
 * import * as TestKit from "@secrets-config/memory/TestKit"
 *
 * // Your own implementation, held to the same contract (here: the memory layer itself). A source
 * // that says what is missing, as the Secrets Manager Agent does, fails with NotFound.
 * TestKit.runContract("my SecretsConfig", (seed) => MemorySecretsConfig.layer(seed, { missing: "exact" }), {
 *   missing: "NotFound"
 * })
 * ```
 *
 * @since 0.2.0
 * @category contract
 */
export const runContract: (
  name: string,
  makeLayer: (seed: StoreSeed) => Layer.Layer<SecretsConfig.SecretsConfig, unknown>,
  options?: ContractOptions
) => void = internalContract.runContract

/**
 * The store the contract suite seeds, in the store-file format.
 *
 * @since 0.2.0
 * @category contract
 */
export const contractSeed: StoreSeed = internalSeed.seed

/**
 * A value the contract suite seeds and checks never shows up in a string, a JSON text, an
 * inspection or an error message. Use it for canary checks of your own.
 *
 * @since 0.2.0
 * @category contract
 */
export const CANARY: string = internalSeed.CANARY
