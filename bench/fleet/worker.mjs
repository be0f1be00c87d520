// The entry of a worker thread: Node 20 does not pass tsx's hooks on to workers, so load the
// TypeScript worker through tsx's API.
import { tsImport } from "tsx/esm/api"

await tsImport("./worker.ts", import.meta.url)
