/** The shared contract suite, run against the memory layer in both missing modes. */
import { MemorySecretsConfig } from "@secrets-config/memory"
import { type ContractSeed, runContract } from "../../core/test/utils/contract.js"

/** The contract's plain seed as the memory layer's store. */
const storeOf = (seed: ContractSeed): MemorySecretsConfig.Store => ({
  parameters: Object.fromEntries(
    seed.parameters.map((parameter) => [
      parameter.name,
      {
        type: parameter.type,
        value: parameter.value,
        history: parameter.history,
        labels: parameter.labels
      }
    ])
  ),
  secrets: Object.fromEntries(
    seed.secrets.map((secret) => [
      secret.name,
      {
        versions: secret.versions.map((version) => ({
          value: version.value,
          stages: version.stages,
          versionId: version.versionId
        }))
      }
    ])
  )
})

runContract("MemorySecretsConfig (missing: extension)", (seed) => MemorySecretsConfig.layer(storeOf(seed)), {
  missing: "UpstreamError"
})

runContract(
  "MemorySecretsConfig (missing: exact)",
  (seed) => MemorySecretsConfig.layer(storeOf(seed), { missing: "exact" }),
  { missing: "NotFound" }
)
