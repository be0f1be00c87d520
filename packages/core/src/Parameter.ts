/**
 * A Parameter Store parameter as returned by `SecretsConfig.getParameter` (GetParameter), with its
 * value kept `Redacted`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Secret } from "./Secret.js"

/**
 * @since 0.1.0
 * @category models
 */
export const ParameterType = Schema.Literal("String", "StringList", "SecureString")

/**
 * @since 0.1.0
 * @category models
 */
export type ParameterType = typeof ParameterType.Type

/**
 * A parameter. `value` is the text Parameter Store returned: comma-joined for a `StringList`,
 * base64 KMS ciphertext for a `SecureString` read with `withDecryption: false`. For a name under
 * `/aws/reference/secretsmanager/`, `secret` holds the referenced secret; for a binary secret
 * Parameter Store has no text value, so `value` is the bytes in standard base64 and the bytes
 * themselves are `secret.value`.
 *
 * @since 0.1.0
 * @category models
 */
export class Parameter extends Schema.Class<Parameter>("@secrets-config/core/Parameter")({
  name: Schema.String,
  type: ParameterType,
  value: Schema.RedactedFromSelf(Schema.String),
  version: Schema.Number,
  /** `":<version>"` or `":<label>"` when the request named one, as the endpoint echoes it. */
  selector: Schema.OptionFromSelf(Schema.String),
  arn: Schema.String,
  /** `"text"`, `"aws:ec2:image"`, …; absent for `/aws/reference/secretsmanager/` names. */
  dataType: Schema.OptionFromSelf(Schema.String),
  lastModifiedDate: Schema.DateFromSelf,
  /** The referenced secret, for `/aws/reference/secretsmanager/` names. */
  secret: Schema.OptionFromSelf(Secret)
}) {}
