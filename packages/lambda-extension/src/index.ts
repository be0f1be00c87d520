/**
 * @since 0.1.0
 */

/**
 * The live `SecretsConfig` layer for the AWS Parameters and Secrets Lambda Extension and the AWS
 * Secrets Manager Agent, over `@effect/platform`'s `HttpClient`.
 *
 * @since 0.1.0
 */
export * as LambdaExtension from "./LambdaExtension.js"
