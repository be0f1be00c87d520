/**
 * @since 0.1.0
 */

/**
 * A Parameter Store parameter as returned by `SecretsConfig.getParameter` (GetParameter), with its
 * value kept `Redacted`.
 *
 * @since 0.1.0
 */
export * as Parameter from "./Parameter.js"

/**
 * A Secrets Manager secret as returned by `SecretsConfig.getSecret` (GetSecretValue), with its value
 * kept `Redacted`.
 *
 * @since 0.1.0
 */
export * as Secret from "./Secret.js"

/**
 * The `SecretsConfig` service: read SSM Parameter Store parameters and Secrets Manager secrets, with
 * typed errors and values kept `Redacted`.
 *
 * @since 0.1.0
 */
export * as SecretsConfig from "./SecretsConfig.js"

/**
 * The tagged errors of `SecretsConfig`.
 *
 * @since 0.1.0
 */
export * as SecretsConfigError from "./SecretsConfigError.js"

/**
 * Schemas of the endpoint's JSON answers and their decoding into the models.
 *
 * @since 0.1.0
 */
export * as Wire from "./Wire.js"

/**
 * An in-process cache in front of any `SecretsConfig`: TTL, capacity, single-flight, failures never
 * cached, optional stale-if-error, invalidate and refresh.
 *
 * @since 0.1.0
 */
export * as SecretsConfigCache from "./SecretsConfigCache.js"

/**
 * The metrics every `SecretsConfig` layer records.
 *
 * @since 0.1.0
 */
export * as SecretsConfigMetrics from "./SecretsConfigMetrics.js"

/**
 * A `ConfigProvider` backed by Parameter Store and Secrets Manager through `SecretsConfig`.
 *
 * @since 0.1.0
 */
export * as SecretsConfigProvider from "./SecretsConfigProvider.js"

/**
 * Retries and deadlines, one policy for every `SecretsConfig`: the live layer's, for the memory
 * layer and any other implementation too.
 *
 * @since 0.2.0
 */
export * as SecretsConfigPolicy from "./SecretsConfigPolicy.js"

/**
 * One model of what Parameter Store and Secrets Manager hold, shared by the memory layer and the
 * emulator. Plain TypeScript, without Effect types.
 *
 * @since 0.2.0
 */
export * as StoreModel from "./StoreModel.js"

/**
 * The store file: the one seed format of the memory layer and the emulator, as a `Schema`.
 *
 * @since 0.2.0
 */
export * as StoreFile from "./StoreFile.js"

/**
 * Secret rotation handled for the user: re-read a rejected secret past every cache and run once more.
 *
 * @since 0.2.0
 */
export * as SecretsConfigRotation from "./SecretsConfigRotation.js"

/**
 * The cold-start budget planner: upstream calls, peak TPS against the quotas, time to warm a fleet,
 * and advice. Plain arithmetic, without Effect types (the CLI is `secrets-config-plan`).
 *
 * @since 0.2.0
 */
export * as ColdStartPlanner from "./ColdStartPlanner.js"
