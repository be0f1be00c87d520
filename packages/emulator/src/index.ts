/**
 * A faithful local emulator of the AWS Parameters and Secrets Lambda Extension and the AWS Secrets
 * Manager Agent endpoints, as an Effect library and a CLI (`secrets-config-emulator`).
 *
 * @since 0.1.0
 */

/**
 * A local, faithful emulator of the endpoint that the AWS Parameters and Secrets Lambda Extension
 * (dialect `"extension"`) and the AWS Secrets Manager Agent (dialect `"agent"`) serve on
 * `127.0.0.1`.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * The one error the emulator's library API can fail with.
 *
 * @since 0.1.0
 */
export * as EmulatorError from "./EmulatorError.js"

/**
 * Fault injection: what can go wrong between a client and the local endpoint.
 *
 * @since 0.1.0
 */
export * as Faults from "./Faults.js"

/**
 * What the emulator serves: parameters and secrets, seeded from code or a JSON file.
 *
 * @since 0.1.0
 */
export * as Store from "./Store.js"
