/**
 * @since 0.1.0
 */

/**
 * An in-memory `SecretsConfig` for tests, with the semantics of the AWS Parameters and Secrets
 * Lambda Extension: parameter versions and labels, `StringList`, `SecureString` ciphertext without
 * decryption, ARN names, `name:selector`, `/aws/reference/secretsmanager/` names, secret versions and
 * stages, and the extension's ambiguous answer for anything missing. A `Control` service changes the
 * store while a test runs (put, label, rotate, delete), injects faults and latency, and reads the log
 * of requests made.
 *
 * @since 0.1.0
 */
export * as MemorySecretsConfig from "./MemorySecretsConfig.js"
