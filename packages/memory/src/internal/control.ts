/**
 * The `Control` a memory layer's `SecretsConfig` service carries on itself, under a symbol: how
 * `controlOf` / `TestKit.control` find it however the layers were composed.
 *
 * @internal
 */
import type { SecretsConfig } from "@secrets-config/core/SecretsConfig"

const ControlTypeId: unique symbol = Symbol.for("@secrets-config/memory/MemorySecretsConfig/Control")

/** Puts `control` on `service` (not enumerable, not copied by a spread). */
export const attach = <C>(service: SecretsConfig.Service, control: C): void => {
  Object.defineProperty(service, ControlTypeId, { value: control })
}

/** The `Control` put on `service`, if any. */
export const of = <C>(service: SecretsConfig.Service): C | undefined =>
  (service as { readonly [ControlTypeId]?: C })[ControlTypeId]
