/**
 * What the memory layer answers: the shared store model's versions turned into the core's
 * `Parameter` and `Secret`, as the endpoint would send them.
 *
 * @internal
 */
import { Parameter } from "@secrets-config/core/Parameter"
import { Secret } from "@secrets-config/core/Secret"
import type * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import type { SecretEntry, SecretMiss, SecretVersion, StoreModel } from "@secrets-config/core/StoreModel"
import { REFERENCE_PREFIX, toBase64 } from "@secrets-config/core/StoreModel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

const selectorText = (selector: SecretsConfig.ParameterSelector): string =>
  selector._tag === "Version" ? String(selector.version) : selector.label

const secretOf = (entry: SecretEntry, version: SecretVersion): Secret =>
  new Secret(
    {
      arn: entry.arn,
      name: entry.name,
      versionId: version.versionId,
      versionStages: [...version.stages],
      createdDate: new Date(version.createdMs),
      value:
        version.value._tag === "String"
          ? Redacted.make(version.value.value)
          : Redacted.make(Uint8Array.from(version.value.value))
    },
    { disableValidation: true }
  )

const readReference = (store: StoreModel, request: SecretsConfig.ParameterRequest): Option.Option<Parameter> => {
  const entry = store.findSecret(request.baseName.slice(REFERENCE_PREFIX.length))
  if (entry === undefined) return Option.none()
  // Here a selector is a version id or a stage.
  const selector = Option.map(request.selector, selectorText)
  const version = store.referenceVersion(entry, Option.getOrUndefined(selector))
  if (version === undefined) return Option.none()
  return Option.some(
    new Parameter(
      {
        name: request.baseName,
        type: "SecureString",
        // Parameter Store has no text for a binary secret: the core models it as the bytes in base64.
        value: Redacted.make(version.value._tag === "String" ? version.value.value : toBase64(version.value.value)),
        version: 0,
        selector: Option.map(selector, (s) => `:${s}`),
        arn: entry.arn,
        dataType: Option.none(),
        lastModifiedDate: new Date(version.createdMs),
        secret: Option.some(secretOf(entry, version))
      },
      { disableValidation: true }
    )
  )
}

/** GetParameter against the store. */
export const readParameter = (store: StoreModel, request: SecretsConfig.ParameterRequest): Option.Option<Parameter> => {
  if (request.isReference) return readReference(store, request)
  const entry = store.findParameter(request.baseName)
  if (entry === undefined) return Option.none()
  const version = store.parameterVersion(entry, Option.getOrUndefined(request.selector))
  if (version === undefined) return Option.none()
  return Option.some(
    new Parameter(
      {
        // Parameter Store echoes the name as asked for (an ARN stays an ARN), without the selector.
        name: request.baseName,
        type: version.type,
        value: Redacted.make(
          version.type === "SecureString" && !request.withDecryption ? version.ciphertext : version.value
        ),
        version: version.version,
        selector: Option.map(request.selector, (s) => `:${selectorText(s)}`),
        arn: entry.arn,
        dataType: Option.some(version.dataType),
        lastModifiedDate: new Date(version.lastModifiedMs),
        secret: Option.none()
      },
      { disableValidation: true }
    )
  )
}

/** GetSecretValue against the store, or why it found nothing. */
export const readSecret = (store: StoreModel, request: SecretsConfig.SecretRequest): Secret | SecretMiss => {
  const found = store.resolveSecret(
    request.secretId,
    Option.getOrUndefined(request.versionId),
    Option.getOrUndefined(request.versionStage)
  )
  return found._tag === "Found" ? secretOf(found.entry, found.version) : found
}
