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

// The example's `Config`, its keys in the order of the example's response body.
const AppConfig = Config.all({
  greeting: Config.string("greeting"),
  featureFlags: Config.array(Config.string(), "feature-flags"),
  logLevel: Config.string("log-level").pipe(Config.withDefault("info")),
  apiKey: Config.redacted("api-key"),
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
          // The example's body: a Redacted renders as "<redacted>" (its toJSON).
          body: JSON.stringify(config)
        }
      }).pipe(
        LambdaExtension.withRemainingTime(context),
        Effect.catchAll((error) => Effect.succeed({ statusCode: 500, body: JSON.stringify({ error: error._tag }) }))
      )
    )
  return Object.assign(handler, { runtime })
}
