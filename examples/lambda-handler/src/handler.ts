/**
 * A Lambda handler as a user deploys it: the app's `Config` comes from Parameter Store and a
 * Secrets Manager JSON secret through `SecretsConfigProvider`, behind `SecretsConfigCache`, over
 * the AWS Parameters and Secrets Lambda Extension. The runtime is built once, at module scope, and
 * does not call the endpoint during INIT (the extension is not ready then): the first read happens
 * inside the first invocation.
 */
// Deep imports: the `effect` barrel's namespace re-exports defeat tree-shaking (BENCHMARKS.md, P1).
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import * as LambdaExtension from "@secrets-config/lambda-extension/LambdaExtension"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"

/** The app's configuration: parameters under the prefix, the `db` subtree from the secret `<prefix>/db`. */
export const AppConfig = Config.all({
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

export interface Event {
  /** Also read this parameter (shows what a missing one looks like). */
  readonly lookup?: string
}

export interface Context {
  readonly getRemainingTimeInMillis: () => number
}

export interface Result {
  readonly statusCode: number
  readonly body: string
}

const program = (event: Event) =>
  Effect.gen(function* () {
    const config = yield* AppConfig
    const lookup = event.lookup === undefined ? undefined : yield* SecretsConfig.parameterValue(event.lookup)
    return {
      greeting: config.greeting,
      featureFlags: config.featureFlags,
      logLevel: config.logLevel,
      // Secrets are never returned, nor anything derived from them: a Redacted renders as "<redacted>".
      apiKey: String(config.apiKey),
      db: {
        host: config.db.host,
        port: config.db.port,
        username: config.db.username,
        password: String(config.db.password)
      },
      ...(lookup === undefined ? {} : { lookup: String(lookup) })
    }
  })

/** Typed errors become a clean response: the tag and its message (which never holds a value). */
const toResponse = (failure: SecretsConfigError.SecretsConfigError | ConfigError.ConfigError): Result => {
  // A config that could not be read carries the SecretsConfigError behind it.
  const error = ConfigError.isConfigError(failure)
    ? Option.getOrUndefined(SecretsConfigProvider.sourceError(failure))
    : failure
  if (error === undefined) {
    return { statusCode: 500, body: JSON.stringify({ error: "ConfigError", message: String(failure) }) }
  }
  const statusCode = SecretsConfigError.isTransient(error) ? 503 : 500
  return { statusCode, body: JSON.stringify({ error: error._tag, message: error.message }) }
}

/**
 * Where `AppConfig` is read from: parameters under `prefix`, the `db` subtree from the JSON secret
 * `<prefix without its leading />/db`. The CDK app derives the function's IAM policy from it
 * (`SecretsConfigProvider.reads(AppConfig, providerOptions(prefix))`).
 */
export const providerOptions = (prefix: string): SecretsConfigProvider.Options => ({
  prefix,
  secrets: { db: `${prefix.replace(/^\//, "")}/db` }
})

export interface HandlerOptions {
  /** The Parameter Store path of the app's keys (default `APP_PREFIX`, else `/demo`). */
  readonly prefix?: string
  /** How long values are kept in memory (default `CACHE_TTL_SECONDS`, else 300). */
  readonly cacheTtlSeconds?: number
}

/**
 * The app's layers over a `SecretsConfig` source: the live extension in production
 * (`LambdaExtension.layerNode()`), the memory layer of the test kit in tests. What the source
 * provides besides (the memory layer's `Control`) stays in the output.
 */
export const makeLayer = <ROut, E>(
  source: Layer.Layer<ROut | SecretsConfig.SecretsConfig, E>,
  options: HandlerOptions = {}
) => {
  const prefix = options.prefix ?? process.env.APP_PREFIX ?? "/demo"
  const ttl = options.cacheTtlSeconds ?? Number(process.env.CACHE_TTL_SECONDS ?? 300)
  return SecretsConfigProvider.layer(providerOptions(prefix)).pipe(
    Layer.provideMerge(SecretsConfigCache.layer({ ttl: `${ttl} seconds` })),
    Layer.provideMerge(source)
  )
}

/** One invocation as an Effect, typed errors turned into clean responses: what tests run under TestClock. */
export const handle = (event: Event, context: Context): Effect.Effect<Result, never, SecretsConfig.SecretsConfig> =>
  program(event).pipe(
    Effect.map((body): Result => ({ statusCode: 200, body: JSON.stringify(body) })),
    SecretsConfig.withRemainingTime(context),
    Effect.catchAll((error) => Effect.succeed(toResponse(error)))
  )

/** A handler with its own runtime over `layer`; the layer is built on the first invocation, not at import. */
export const makeHandler = <E>(layer: Layer.Layer<SecretsConfig.SecretsConfig, E>) => {
  const runtime = ManagedRuntime.make(layer)
  const handler = (event: Event, context: Context): Promise<Result> => runtime.runPromise(handle(event, context))
  return Object.assign(handler, { runtime })
}

/** The deployed handler: the live layer over the AWS Parameters and Secrets Lambda Extension. */
export const handler = makeHandler(makeLayer(LambdaExtension.layerNode()))
