/** P1 pitfall: `NodeHttpClient` imported from `@effect/platform-node`'s barrel (pulls undici in). */
import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"
import { makeHandler } from "./node-transport.js"

export const handler = makeHandler(
  NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))
)
