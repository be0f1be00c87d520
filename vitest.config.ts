import { defineConfig } from "vitest/config"
import workspace from "./vitest.workspace.js"

// The projects are the ones `vitest.workspace.ts` lists, given as `test.projects`: vitest 3.2 runs
// them without its deprecation warning about workspace files (and vitest >= 4, which ignores
// workspace files, would still find them). `.ci/run` fails if no test ran.
export default defineConfig({ test: { projects: workspace } })
