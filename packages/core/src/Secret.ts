/**
 * A Secrets Manager secret as returned by `SecretsConfig.getSecret` (GetSecretValue), with its value
 * kept `Redacted`.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * A secret's value: a string secret (`SecretString`) or a binary one (`SecretBinary`, as bytes).
 *
 * @since 0.1.0
 * @category models
 */
export const SecretValue = Schema.Union(
  Schema.RedactedFromSelf(Schema.String),
  Schema.RedactedFromSelf(Schema.Uint8ArrayFromSelf)
)

/**
 * @since 0.1.0
 * @category models
 */
export type SecretValue = Redacted.Redacted<string> | Redacted.Redacted<Uint8Array>

/**
 * @since 0.1.0
 * @category models
 */
export class Secret extends Schema.Class<Secret>("@secrets-config/core/Secret")({
  arn: Schema.String,
  name: Schema.String,
  versionId: Schema.String,
  versionStages: Schema.Array(Schema.String),
  createdDate: Schema.DateFromSelf,
  value: SecretValue
}) {
  /**
   * Whether this is a binary secret (its value is bytes).
   *
   * @since 0.1.0
   */
  get isBinary(): boolean {
    return isBinaryValue(this.value)
  }
}

/**
 * @since 0.1.0
 * @category refinements
 */
export const isBinaryValue = (value: SecretValue): value is Redacted.Redacted<Uint8Array> =>
  typeof Redacted.value(value as Redacted.Redacted<unknown>) !== "string"
