/**
 * The example handler's job (examples/lambda-handler: the same `Config`, the same body) over a live
 * layer given by the caller, for the P1 variants that differ from the example only in the layer:
 * `ours-fetch.ts` (`layerFetch`, the default before `layerNode`), `ours-node-barrel.ts` and
 * `ours-node-deep.ts` (`NodeHttpClient`, two import styles). Deep imports, as the example uses.
 */
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import * as LambdaExtension from "@secrets-config/lambda-extension/LambdaExtension"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"

const AppConfig = Config.all({
  greeting: Config.string("greeting"),
  featureFlags: Config.array(Config.string(), "feature-flags"),
  apiKey: Config.redacted("api-key"),
  logLevel: Config.string("log-level").pipe(Config.withDefault("info")),
  db: Config.nested(
    Config.all({
      host: Config.string("host"),
      port: Config.integer("port"),
      username: Config.string("username"),
      password: Config.redacted("password")
    }),
    "db"
  )
})

const fingerprint = (secret: Redacted.Redacted<string>) =>
  createHash("sha256").update(Redacted.value(secret)).digest("hex").slice(0, 8)

/** A handler over `live`, with its `ManagedRuntime` exposed as the example's is (P1 times the layer build). */
export const makeHandler = (live: Layer.Layer<SecretsConfig.SecretsConfig, ConfigError.ConfigError>) => {
  const runtime = ManagedRuntime.make(
    SecretsConfigProvider.layer({ prefix: "/demo", secrets: { db: "demo/db" } }).pipe(
      Layer.provideMerge(SecretsConfigCache.layer({ ttl: "300 seconds" }).pipe(Layer.provideMerge(live)))
    )
  )
  const handler = (_event: unknown, context: LambdaExtension.RemainingTime) =>
    runtime.runPromise(
      Effect.gen(function* () {
        const config = yield* AppConfig
        return {
          statusCode: 200,
          body: JSON.stringify({
            greeting: config.greeting,
            featureFlags: config.featureFlags,
            logLevel: config.logLevel,
            db: { host: config.db.host, port: config.db.port, username: config.db.username },
            fingerprints: { apiKey: fingerprint(config.apiKey), dbPassword: fingerprint(config.db.password) }
          })
        }
      }).pipe(
        LambdaExtension.withRemainingTime(context),
        Effect.catchAll((error) => Effect.succeed({ statusCode: 500, body: JSON.stringify({ error: error._tag }) }))
      )
    )
  return Object.assign(handler, { runtime })
}
