/**
 * The store the contract suite (`./contract.ts`) seeds into every `SecretsConfig` implementation, in
 * the one store format (the emulator's JSON store file, `StoreSeed`), and the values it expects
 * back. Plain data, free of Effect types.
 *
 * @internal
 */
import type { StoreSeed } from "@secrets-config/core/StoreModel"

/** A value that must never show up in a string, a JSON text, an inspection or an error message. */
export const CANARY = "canary-7f3a9c-secret"

/** The body of the AWS extension's generic 400 (docs/protocol.md#extension-errors). */
export const GENERIC_ERROR_BODY = "an unexpected error occurred while executing request"

export const REFERENCE_PREFIX = "/aws/reference/secretsmanager/"

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)

export const names = {
  string: "/contract/app/db-host",
  list: "/contract/app/hosts",
  secure: "/contract/app/api-key",
  versioned: "/contract/app/feature",
  port: "/contract/app/port",
  settings: "/contract/app/settings",
  /** A name without a leading `/`: its ARN is `…:parameter/contract-top-level` too. */
  topLevel: "contract-top-level",
  missing: "/contract/app/does-not-exist",
  stringSecret: "contract/db",
  binarySecret: "contract/cert",
  missingSecret: "contract/does-not-exist"
} as const

export const values = {
  string: "db.internal",
  list: ["alpha", "beta", "gamma"] as ReadonlyArray<string>,
  versioned: ["feature-v1", "feature-v2", "feature-v3"] as ReadonlyArray<string>,
  port: "8080",
  settings: { host: "db.internal", port: 5432 },
  topLevel: "top-level-value",
  secretPrevious: JSON.stringify({ user: "app", password: "previous-password" }),
  secretCurrent: JSON.stringify({ user: "app", password: CANARY }),
  // High bytes on purpose: Java writes them signed inside SourceResult.
  binaryPrevious: Uint8Array.from([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]),
  binaryCurrent: Uint8Array.from([...encode(`binary ${CANARY}`), 0x80, 0xff, 0x00])
} as const

export const versionIds = {
  secretPrevious: "c0ffee00-0000-4000-8000-00000000a001",
  secretCurrent: "c0ffee00-0000-4000-8000-00000000a002",
  binaryPrevious: "c0ffee00-0000-4000-8000-00000000b001",
  binaryCurrent: "c0ffee00-0000-4000-8000-00000000b002"
} as const

export const seed: StoreSeed = {
  parameters: [
    { name: names.string, type: "String", value: values.string },
    { name: names.list, type: "StringList", value: values.list },
    { name: names.secure, type: "SecureString", value: CANARY },
    {
      name: names.versioned,
      type: "String",
      versions: [
        { value: values.versioned[0]!, labels: ["Legacy"] },
        { value: values.versioned[1]!, labels: ["Stable"] },
        { value: values.versioned[2]! }
      ]
    },
    { name: names.port, type: "String", value: values.port },
    { name: names.settings, type: "String", value: JSON.stringify(values.settings) },
    { name: names.topLevel, type: "String", value: values.topLevel }
  ],
  secrets: [
    {
      name: names.stringSecret,
      versions: [
        { value: values.secretPrevious, stages: ["AWSPREVIOUS"], versionId: versionIds.secretPrevious },
        { value: values.secretCurrent, stages: ["AWSCURRENT"], versionId: versionIds.secretCurrent }
      ]
    },
    {
      name: names.binarySecret,
      versions: [
        { value: values.binaryPrevious, stages: ["AWSPREVIOUS"], versionId: versionIds.binaryPrevious },
        { value: values.binaryCurrent, stages: ["AWSCURRENT"], versionId: versionIds.binaryCurrent }
      ]
    }
  ]
}
