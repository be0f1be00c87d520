/**
 * `pnpm invoke`: runs the README's handler (`src/readme.ts`) once against the bundled emulator,
 * serving `stores/my-app.json` (a store with the handler's names), and prints the response. What a
 * user does with their own handler: the emulator's CLI serves their store file, the handler reads
 * it through the environment Lambda would set. No AWS account needed.
 *
 *   pnpm invoke                       # from the repository root
 *   pnpm invoke '{"any":"event"}'     # with an event
 */
import { Emulator, Store } from "@secrets-config/emulator"
import { Effect } from "effect"
import * as path from "node:path"

const storeFile = path.join(import.meta.dirname, "..", "stores", "my-app.json")
const event: unknown = process.argv[2] === undefined ? {} : JSON.parse(process.argv[2])

const program = Effect.gen(function* () {
  const store = yield* Store.fromJsonFile(storeFile)
  const emulator = yield* Emulator.make({ store })
  // What Lambda sets for a function with the extension layer attached.
  Object.assign(process.env, emulator.env)
  console.log(`emulator at ${emulator.url}, serving ${path.relative(process.cwd(), storeFile)}`)
  // Imported after the environment is set, as Lambda loads a handler.
  const { handler } = yield* Effect.promise(() => import("./readme.js"))
  const context = { getRemainingTimeInMillis: () => 3000 }
  const response = yield* Effect.tryPromise(() => handler(event, context))
  console.log(JSON.stringify(response, null, 2))
  console.log(`endpoint requests: ${(yield* emulator.control.requests).length}`)
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
