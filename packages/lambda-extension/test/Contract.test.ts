/**
 * The shared contract suite (packages/core/test/utils/contract.ts), run against the live layer over
 * real sockets: a fresh emulator per test, seeded with the contract's store.
 *
 * Only the extension dialect runs it: the suite reads parameters, which the Secrets Manager Agent
 * does not serve (the agent dialect's secret reads are covered in Emulator.test.ts).
 */
import { FetchHttpClient } from "@effect/platform"
import { Emulator } from "@secrets-config/emulator"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import { Effect, Layer, Redacted } from "effect"
import { type ContractSeed, runContract } from "../../core/test/utils/contract.js"

/** The contract's plain seed as the emulator's store. */
const storeOf = (seed: ContractSeed): Emulator.StoreSeed => ({
  parameters: seed.parameters.map((parameter) => {
    const values = [...(parameter.history ?? []), parameter.value]
    return {
      name: parameter.name,
      versions: values.map((value, index) => ({
        type: parameter.type,
        value: parameter.type === "StringList" ? value.split(",") : value,
        labels: Object.entries(parameter.labels ?? {})
          .filter(([, version]) => version === index + 1)
          .map(([label]) => label)
      }))
    }
  }),
  secrets: seed.secrets.map((secret) => ({
    name: secret.name,
    versions: secret.versions.map((version) => ({
      value: version.value,
      stages: version.stages,
      ...(version.versionId === undefined ? {} : { versionId: version.versionId })
    }))
  }))
})

// The default transport (layerNode's LoopbackHttpClient) and fetch.
for (const [name, client] of [
  ["LoopbackHttpClient", LoopbackHttpClient.layer()],
  ["FetchHttpClient", FetchHttpClient.layer]
] as const) {
  runContract(
    `LambdaExtension over the emulator (extension dialect, ${name})`,
    (seed) =>
      Layer.unwrapScoped(
        Effect.map(Emulator.make({ dialect: "extension", store: storeOf(seed) }), (emulator) =>
          LambdaExtension.layer({ port: emulator.port, token: Redacted.make(emulator.token) })
        )
      ).pipe(Layer.provide(client)),
    { missing: "UpstreamError", live: true }
  )
}
