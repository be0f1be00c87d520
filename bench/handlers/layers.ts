/**
 * P1 layer build: the example handler's layers (`layerNode`), one more at a time, chosen by
 * `LAYERS` (read when `build` runs), and `layerFetch` beside them. Nothing calls the endpoint:
 * building the layers needs none.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import * as LambdaExtension from "@secrets-config/lambda-extension/LambdaExtension"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"

const live = (explicit: boolean) =>
  explicit ? LambdaExtension.layerNode({ port: 2773, token: Redacted.make("x") }) : LambdaExtension.layerNode()
const cache = SecretsConfigCache.layer({ ttl: "300 seconds" }).pipe(Layer.provideMerge(live(false)))
const provider = SecretsConfigProvider.layer({ prefix: "/demo", secrets: { db: "demo/db" } }).pipe(
  Layer.provideMerge(cache)
)

const layers: Record<string, Layer.Layer<never, unknown>> = {
  empty: Layer.empty,
  http: LoopbackHttpClient.layer(),
  "live-explicit": live(true),
  live: live(false),
  "fetch-http": FetchHttpClient.layer,
  "fetch-live": LambdaExtension.layerFetch(),
  cache,
  provider
}

/** Builds the runtime of `layers[LAYERS]` and runs one no-op through it. */
export const build = async (): Promise<void> => {
  const runtime = ManagedRuntime.make(layers[process.env.LAYERS ?? ""]!)
  await runtime.runPromise(Effect.void)
}
