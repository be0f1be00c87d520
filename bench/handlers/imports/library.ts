// P1 import breakdown, step 3: plus the live layer, the cache and the ConfigProvider (what the
// example handler imports), not yet used.
export * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
export * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
export * as LambdaExtension from "@secrets-config/lambda-extension/LambdaExtension"
export * as ManagedRuntime from "effect/ManagedRuntime"
export * from "./models.js"
