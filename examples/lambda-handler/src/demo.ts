/**
 * `pnpm demo`: drives the example handler through a Lambda life against the bundled emulator of the
 * AWS Parameters and Secrets Lambda Extension — INIT, a cold start inside the extension's not-ready
 * window, warm invocations, a secret rotation, a missing parameter, a missing token — one line per
 * invocation, at most 100 columns. No AWS account needed; no secret, nor anything derived from one,
 * is ever shown.
 *
 * This file prints the first line at once and only then loads Effect and the emulator
 * (`demoLife.ts`), so that a terminal shows something within a moment of starting.
 */
console.log("secrets-config demo: the example handler through a Lambda life, against the emulator")
await import("./demoLife.js")
