/**
 * What the emulator serves: parameters (with versions, labels and types) and secrets (with versions
 * and staging labels), seeded from code or from a JSON file of the same shape.
 *
 * ```json
 * {
 *   "parameters": [{ "name": "/app/db-host", "value": "db.internal" }],
 *   "secrets": [{ "name": "app/db", "json": { "user": "app", "password": "s3cr3t" } }]
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as StoreFile from "@secrets-config/core/StoreFile"
import type { StoreSeed } from "@secrets-config/core/StoreModel"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"
import { EmulatorError } from "./EmulatorError.js"

/**
 * The seed types, shared with the memory layer (one model, `@secrets-config/core/StoreModel`).
 *
 * @since 0.1.0
 * @category models
 */
export type {
  /**
   * A parameter to seed: a value (or versions), its type, labels, ARN and dates.
   * See `ParameterSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.1.0
   * @category models
   */
  ParameterSeed,
  /**
   * `"String"`, `"StringList"` or `"SecureString"`.
   * See `ParameterType` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.1.0
   * @category models
   */
  ParameterType,
  /**
   * One version of a parameter to seed.
   * See `ParameterVersionSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.1.0
   * @category models
   */
  ParameterVersionSeed,
  /**
   * A secret to seed: one version's fields, or `versions`.
   * See `SecretSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.1.0
   * @category models
   */
  SecretSeed,
  /**
   * One version of a secret to seed: `value`, `binary` (base64) or `json`, with its id and stages.
   * See `SecretVersionSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.1.0
   * @category models
   */
  SecretVersionSeed,
  /**
   * A whole store to seed: parameters, secrets, and the region, account and partition of their ARNs.
   * See `StoreSeed` in `@secrets-config/core/StoreModel`.
   *
   * @since 0.1.0
   * @category models
   */
  StoreSeed
} from "@secrets-config/core/StoreModel"

/**
 * The schema of a store seed (and of a store JSON file), the same as `StoreFile.schema` in
 * `@secrets-config/core`. Unknown keys are rejected so a typo does not silently drop data.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StoreSeedSchema: Schema.Schema<StoreSeed, StoreSeed> = StoreFile.schema

/**
 * Validates an unknown value (e.g. parsed JSON) as a store seed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const decode = (input: unknown): Effect.Effect<StoreSeed, EmulatorError> =>
  Either.match(StoreFile.decode(input), {
    onLeft: (detail) => Effect.fail(new EmulatorError({ reason: "InvalidStore", detail })),
    onRight: Effect.succeed
  })

/**
 * Parses and validates a store from JSON text.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromJson = (text: string): Effect.Effect<StoreSeed, EmulatorError> =>
  Either.match(StoreFile.fromJson(text), {
    onLeft: (detail) => Effect.fail(new EmulatorError({ reason: "InvalidStore", detail })),
    onRight: Effect.succeed
  })

/**
 * Reads a store JSON file (see the README for the format).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromJsonFile = (path: string): Effect.Effect<StoreSeed, EmulatorError> =>
  Effect.tryPromise({
    try: () => fs.readFile(path, "utf8"),
    catch: (cause) =>
      new EmulatorError({
        reason: "InvalidStore",
        detail: `cannot read the store file ${JSON.stringify(path)} (${(cause as NodeJS.ErrnoException)?.code ?? "error"})`,
        cause
      })
  }).pipe(
    Effect.flatMap((text) =>
      fromJson(text).pipe(
        Effect.mapError(
          (error) =>
            new EmulatorError({ reason: "InvalidStore", detail: `${path}: ${error.detail}`, cause: error.cause })
        )
      )
    )
  )

/**
 * An empty store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: StoreSeed = {}

/**
 * The bundled sample store, the same content as `stores/sample.json` in this package: a few
 * `/demo/...` parameters (a `String`, a `StringList`, a `SecureString`, a labelled history) and the
 * secrets `demo/db` (JSON), `demo/api-token` (string) and `demo/signing-key` (binary). None of the
 * values is a real credential.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sample: StoreSeed = {
  region: "us-east-1",
  accountId: "123456789012",
  parameters: [
    { name: "/demo/greeting", value: "Hello from the secrets-config emulator" },
    { name: "/demo/feature-flags", type: "StringList", value: ["checkout", "search", "dark-mode"] },
    { name: "/demo/api-key", type: "SecureString", value: "demo-api-key-0000-not-a-real-key", labels: ["prod"] },
    { name: "/demo/config", value: '{"timeoutMs":2500,"retries":3}' },
    {
      name: "/demo/log-level",
      versions: [
        { value: "debug", labels: ["dev"] },
        { value: "info", labels: ["prod"] }
      ]
    }
  ],
  secrets: [
    {
      name: "demo/db",
      json: {
        engine: "postgres",
        host: "db.internal",
        port: 5432,
        dbname: "app",
        username: "app",
        password: "demo-password-not-real"
      }
    },
    { name: "demo/api-token", value: "demo-token-not-real" },
    { name: "demo/signing-key", binary: "ZGVtby1zaWduaW5nLWtleS1ub3QtcmVhbA==" }
  ]
}
