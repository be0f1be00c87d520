/**
 * The published contract suite (`TestKit.runContract`), run against the live layer over real
 * sockets: a fresh emulator per test, seeded with the contract's store as it is (one store format).
 * The agent dialect runs the secrets part: the Secrets Manager Agent serves no parameters.
 */
import { FetchHttpClient } from "@effect/platform"
import { Emulator } from "@secrets-config/emulator"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import { Effect, Layer, Redacted } from "effect"
import * as TestKit from "@secrets-config/memory/TestKit"

// The default transport (layerNode's LoopbackHttpClient) and fetch.
for (const [name, client] of [
  ["LoopbackHttpClient", LoopbackHttpClient.layer()],
  ["FetchHttpClient", FetchHttpClient.layer]
] as const) {
  TestKit.runContract(
    `LambdaExtension over the emulator (extension dialect, ${name})`,
    (seed) =>
      Layer.unwrapScoped(
        Effect.map(Emulator.make({ dialect: "extension", store: seed }), (emulator) =>
          LambdaExtension.layer({ port: emulator.port, token: Redacted.make(emulator.token) })
        )
      ).pipe(Layer.provide(client)),
    { missing: "UpstreamError", live: true }
  )
}

TestKit.runContract(
  "LambdaExtension over the emulator (agent dialect, LoopbackHttpClient)",
  (seed) =>
    Layer.unwrapScoped(
      Effect.map(Emulator.make({ dialect: "agent", store: seed }), (emulator) =>
        LambdaExtension.layer({ dialect: "agent", port: emulator.port, token: Redacted.make(emulator.token) })
      )
    ).pipe(Layer.provide(LoopbackHttpClient.layer())),
  { missing: "NotFound", live: true, serves: "secrets" }
)
