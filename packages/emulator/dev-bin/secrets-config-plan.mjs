#!/usr/bin/env node
// `secrets-config-plan` inside this repository (the published package points at build/esm/plan.js instead).
// The workspace's packages export their TypeScript sources, so the CLI runs from source through tsx:
// `pnpm exec secrets-config-plan` works from a fresh clone, before and after `pnpm build`, and installs link it
// without a warning (the file exists before any build).
const { register } = await import("tsx/esm/api")
register()
await import(new URL("../src/plan.ts", import.meta.url).href)
