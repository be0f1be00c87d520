/**
 * What a `SecretsConfig` service may keep beside its two methods, for the layers in front of it:
 * reads of requests already validated (so that a call is validated once) and a synchronous look-up
 * of fresh values held in memory (the cache's). Kept under a symbol: not part of `Service`.
 */
import type * as Effect from "effect/Effect"
import type { Parameter } from "../Parameter.js"
import type { Secret } from "../Secret.js"
import type { Implementation, ParameterRequest, SecretRequest, SecretsConfig } from "../SecretsConfig.js"
import type { SecretsConfigError } from "../SecretsConfigError.js"

const InternalsId: unique symbol = Symbol.for("@secrets-config/core/SecretsConfig/ServiceInternals")

export interface Internals {
  readonly getParameter: (request: ParameterRequest) => Effect.Effect<Parameter, SecretsConfigError>
  readonly getSecret: (request: SecretRequest) => Effect.Effect<Secret, SecretsConfigError>
  readonly peek: ((request: ParameterRequest | SecretRequest) => Parameter | Secret | undefined) | undefined
  /** The implementation `make` was given, for a layer that rebuilds the service around it (a policy). */
  readonly implementation?: Implementation | undefined
}

export const internalsOf = (service: SecretsConfig.Service): Internals | undefined =>
  (service as { readonly [InternalsId]?: Internals })[InternalsId]

export const withInternals = <S extends SecretsConfig.Service>(service: S, internals: Internals): S =>
  Object.defineProperty(service, InternalsId, { value: internals })
