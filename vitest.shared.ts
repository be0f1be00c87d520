import * as path from "node:path"
import type { UserConfig } from "vitest/config"

const config: UserConfig = {
  esbuild: { target: "es2022" },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: [path.join(import.meta.dirname, "vitest.setup.ts")],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fakeTimers: { toFake: undefined },
    sequence: { concurrent: false }
  }
}

export default config
