/** P1 pitfall avoided: `NodeHttpClient` imported from its own module, `@effect/platform-node/NodeHttpClient`. */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Layer } from "effect"
import { makeHandler } from "./node-transport.js"

export const handler = makeHandler(
  NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))
)
