/** P1 pitfall avoided: `NodeHttpClient` imported from its own module, `@effect/platform-node/NodeHttpClient`. */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as LambdaExtension from "@secrets-config/lambda-extension/LambdaExtension"
import * as Layer from "effect/Layer"
import { makeHandler } from "./ours-over.js"

export const handler = makeHandler(
  LambdaExtension.layer().pipe(
    Layer.provide(NodeHttpClient.layerWithoutAgent),
    Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
  )
)
