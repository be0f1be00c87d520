// P1 import breakdown, step 1: the stack plus secrets-config's 12 error classes.
export * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
export * from "./stack.js"
