/**
 * The example handler's job over `NodeHttpClient` (a keep-alive agent) instead of fetch, for the
 * two import styles measured in P1: `ours-node-barrel.ts` and `ours-node-deep.ts`.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { SecretsConfigCache, SecretsConfigProvider } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Config, Effect, Layer, ManagedRuntime, Redacted } from "effect"
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

export const makeHandler = (client: Layer.Layer<HttpClient.HttpClient>) => {
  const runtime = ManagedRuntime.make(
    SecretsConfigProvider.layer({ prefix: "/demo", secrets: { db: "demo/db" } }).pipe(
      Layer.provideMerge(SecretsConfigCache.layer({ ttl: "300 seconds" })),
      Layer.provideMerge(LambdaExtension.layer()),
      Layer.provide(client)
    )
  )
  return (_event: unknown, context: LambdaExtension.RemainingTime) =>
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
}
