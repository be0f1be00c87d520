/** The published contract suite, run against the memory layer in both missing modes, seeded as is. */
import { MemorySecretsConfig } from "@secrets-config/memory"
import * as TestKit from "@secrets-config/memory/TestKit"

TestKit.runContract("MemorySecretsConfig (missing: extension)", (seed) => MemorySecretsConfig.layer(seed), {
  missing: "UpstreamError"
})

TestKit.runContract(
  "MemorySecretsConfig (missing: exact)",
  (seed) => MemorySecretsConfig.layer(seed, { missing: "exact" }),
  { missing: "NotFound" }
)

// The kit's own layer (a fresh store per test, also under it.layer) is a memory layer too.
TestKit.runContract("TestKit.layer", (seed) => TestKit.layer(seed))
