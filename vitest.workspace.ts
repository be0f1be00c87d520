import * as path from "node:path"
import { defineWorkspace } from "vitest/config"

// vitest 3.2 honours this file; vitest >= 4 silently ignores it, so stay on 3.2 (see .ci/run).
export default defineWorkspace([
  path.join(import.meta.dirname, "packages/*"),
  path.join(import.meta.dirname, "examples/*")
])
