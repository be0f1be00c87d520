/** P1 pitfall: `NodeHttpClient` imported from `@effect/platform-node`'s barrel (pulls undici in). */
import { NodeHttpClient } from "@effect/platform-node"
import * as LambdaExtension from "@secrets-config/lambda-extension/LambdaExtension"
import * as Layer from "effect/Layer"
import { makeHandler } from "./ours-over.js"

export const handler = makeHandler(
  LambdaExtension.layer().pipe(
    Layer.provide(NodeHttpClient.layerWithoutAgent),
    Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
  )
)
