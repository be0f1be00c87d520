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

/**
 * A lean `HttpClient` for one job: short requests to an HTTP endpoint on this machine, over
 * `node:http` with a keep-alive agent — the transport of `LambdaExtension.layerNode`.
 *
 * @since 0.2.0
 */
export * as LoopbackHttpClient from "./LoopbackHttpClient.js"
