/**
 * A scripted SecretsConfig for core's own tests: values can change, calls are counted (with the
 * most ever in flight), failures are queued, and latency runs on Effect's clock.
 */
import * as Parameter from "@secrets-config/core/Parameter"
import * as Secret from "@secrets-config/core/Secret"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import { type Duration, Effect, Layer, Option, Redacted } from "effect"

export const makeFake = (options?: {
  readonly values?: Record<string, string>
  readonly latency?: Duration.DurationInput
  readonly missing?: "NotFound" | "UpstreamError"
}) => {
  const state = {
    values: new Map<string, string>(Object.entries(options?.values ?? {})),
    calls: [] as Array<string>,
    failures: [] as Array<SecretsConfigError.SecretsConfigError>,
    errors: new Map<string, SecretsConfigError.SecretsConfigError>(),
    inFlight: 0,
    maxInFlight: 0
  }
  const next = <A>(kind: "parameter" | "secret", name: string, make: (value: string) => A) =>
    Effect.suspend(() => {
      state.calls.push(name)
      state.inFlight++
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
      const answer = Effect.suspend(() => {
        const failure = state.failures.shift() ?? state.errors.get(name)
        if (failure !== undefined) return Effect.fail(failure)
        const value = state.values.get(name)
        if (value !== undefined) return Effect.succeed(make(value))
        return Effect.fail(
          options?.missing === "UpstreamError"
            ? new SecretsConfigError.UpstreamError({
                kind,
                resource: name,
                status: 400,
                body: SecretsConfigError.GENERIC_ERROR_BODY,
                transient: false
              })
            : new SecretsConfigError.NotFound({ kind, resource: name })
        )
      })
      return (options?.latency === undefined ? answer : Effect.delay(answer, options.latency)).pipe(
        Effect.ensuring(Effect.sync(() => state.inFlight--))
      )
    })
  const service = SecretsConfig.make({
    getParameter: (request) =>
      next(
        "parameter",
        request.baseName,
        (value) =>
          new Parameter.Parameter({
            name: request.baseName,
            type: "String",
            value: Redacted.make(value),
            version: 1,
            selector: Option.none(),
            arn: "arn",
            dataType: Option.none(),
            lastModifiedDate: new Date(0),
            secret: Option.none()
          })
      ),
    getSecret: (request) =>
      next(
        "secret",
        request.secretId,
        (value) =>
          new Secret.Secret({
            arn: "arn",
            name: request.secretId,
            versionId: "v",
            versionStages: [],
            createdDate: new Date(0),
            value: Redacted.make(value)
          })
      )
  })
  return { state, service, layer: Layer.succeed(SecretsConfig.SecretsConfig, service) }
}
