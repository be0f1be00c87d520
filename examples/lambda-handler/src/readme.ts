import { SecretsConfig, SecretsConfigCache, SecretsConfigProvider } from "@secrets-config/core"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Config, Effect, Layer, ManagedRuntime } from "effect"

export const AppConfig = Config.all({
  greeting: Config.string("greeting"), // parameter /my-app/greeting
  apiKey: Config.redacted("api-key"), // a SecureString, kept Redacted
  db: Config.nested(Config.all({ host: Config.string("host"), password: Config.redacted("password") }), "db")
}) // keys of the JSON secret my-app/db

/** The app's layers over any source: the live extension in production, the memory layer in tests. */
export const makeLayer = <ROut, E>(source: Layer.Layer<ROut | SecretsConfig.SecretsConfig, E>) =>
  SecretsConfigProvider.layer({ prefix: "/my-app", secrets: { db: "my-app/db" } }).pipe(
    Layer.provideMerge(SecretsConfigCache.layer({ ttl: "5 minutes" })),
    Layer.provideMerge(source)
  )

/** One invocation, as an Effect: what tests run, under TestClock. */
export const handle = (_event: unknown, context: SecretsConfig.RemainingTime) =>
  Effect.gen(function* () {
    const config = yield* AppConfig
    return { statusCode: 200, body: `${config.greeting} (db at ${config.db.host})` }
  }).pipe(SecretsConfig.withRemainingTime(context)) // every read ends before the invocation times out

export const makeHandler = <E>(layer: Layer.Layer<SecretsConfig.SecretsConfig, E>) => {
  const runtime = ManagedRuntime.make(layer) // built on the first call, not during INIT
  return (event: unknown, context: SecretsConfig.RemainingTime) =>
    runtime.runPromise(
      // A failed read as Lambda will log it: one line per key, each cause explained once.
      handle(event, context).pipe(Effect.mapError((error) => new Error(SecretsConfigProvider.explain(error))))
    )
}

export const handler = makeHandler(makeLayer(LambdaExtension.layerNode()))
