#!/usr/bin/env node
/**
 * `secrets-config-emulator`: serves the emulator on 127.0.0.1 until SIGINT / SIGTERM and prints
 * the environment a client needs (port and token variables).
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as fs from "node:fs/promises"
import * as Emulator from "./Emulator.js"
import * as Faults from "./Faults.js"
import { type CliOptions, parse, shellQuote, USAGE, UsageError } from "./internal/cli.js"
import { errorCode, writeEnvFile } from "./internal/envFile.js"
import * as Store from "./Store.js"

const serve = (cli: CliOptions) =>
  Effect.gen(function* () {
    const store =
      cli.storePath !== undefined ? yield* Store.fromJsonFile(cli.storePath) : cli.sample ? Store.sample : Store.empty
    let faults = cli.faults
    if (cli.faultsJson !== undefined) {
      const json = yield* Effect.try({
        try: () => JSON.parse(cli.faultsJson!) as unknown,
        catch: () => new Emulator.EmulatorError({ reason: "InvalidOptions", detail: "--faults is not valid JSON" })
      })
      faults = { ...faults, ...(yield* Faults.decode(json)) }
    }
    const rolesPath = cli.rolesPath
    const roles =
      rolesPath === undefined
        ? undefined
        : yield* Effect.tryPromise({
            try: async () => JSON.parse(await fs.readFile(rolesPath, "utf8")) as Record<string, Store.StoreSeed>,
            catch: () =>
              new Emulator.EmulatorError({
                reason: "InvalidOptions",
                detail: `--roles ${JSON.stringify(rolesPath)}: not a readable JSON file`
              })
          })
    const emulator = yield* Emulator.make({
      dialect: cli.dialect,
      roles,
      maxRoles: cli.maxRoles,
      prefetch: cli.prefetch,
      port: cli.port,
      token: cli.token,
      store,
      ttlSeconds: cli.ttl,
      faults,
      maxConnections: cli.maxConnections,
      onRequest: cli.quiet
        ? undefined
        : (entry) => {
            // names only: the log never holds values or the token
            const query = entry.rawQuery === "" ? "" : `?${entry.rawQuery}`
            const took = Number.isNaN(entry.endedAtMs) ? "" : ` ${(entry.endedAtMs - entry.startedAtMs).toFixed(1)} ms`
            process.stderr.write(
              `${entry.method} ${entry.path}${query} -> ${entry.status}${entry.fromCache ? " (cache)" : ""}${took}\n`
            )
          }
    }).pipe(
      // A store the model refuses (a stage on two versions, …): say which file.
      Effect.mapError((error) =>
        error.reason === "InvalidStore" && cli.storePath !== undefined && !error.detail.startsWith(cli.storePath)
          ? new Emulator.EmulatorError({
              reason: error.reason,
              detail: `${cli.storePath}: ${error.detail}`,
              cause: error
            })
          : error
      )
    )
    yield* Effect.addFinalizer(() => Console.log("secrets-config-emulator: stopped"))
    const source = cli.storePath ?? (cli.sample ? "the bundled sample store" : "an empty store")
    const parameters = store.parameters?.length ?? 0
    const secrets = store.secrets?.length ?? 0
    // The file is complete before the environment is printed (internal/envFile.ts).
    if (cli.writeEnv !== undefined) {
      const path = cli.writeEnv
      const text = Object.entries(emulator.env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join("")
      yield* Effect.tryPromise({
        try: () => writeEnvFile(path, text),
        catch: (cause) =>
          new Emulator.EmulatorError({
            reason: "InvalidOptions",
            detail: `cannot write --write-env ${JSON.stringify(path)}: ${errorCode(cause)}`,
            cause
          })
      })
    }
    const lines = Object.entries(emulator.env).map(([key, value]) => `export ${key}=${shellQuote(value)}`)
    yield* Console.log(
      [
        `secrets-config-emulator: ${cli.dialect} dialect listening on ${emulator.url}`,
        `serving ${parameters} parameter(s) and ${secrets} secret(s) from ${source}; cache TTL ${cli.ttl.parameters} s (parameters), ${cli.ttl.secrets} s (secrets)`,
        `# the environment a client needs:`,
        ...lines,
        ""
      ].join("\n")
    )
    // Started by a parent that goes away (an `npx` killed, a terminal closed): stop with it.
    const parent = process.ppid
    yield* Effect.repeat(
      Effect.suspend(() => (process.ppid !== parent ? Effect.interrupt : Effect.void)),
      Schedule.spaced("500 millis")
    )
    return yield* Effect.never
  }).pipe(Effect.scoped)

const main = Effect.suspend(() => {
  let command: ReturnType<typeof parse>
  try {
    command = parse(process.argv.slice(2))
  } catch (error) {
    if (error instanceof UsageError) {
      return Console.error(`secrets-config-emulator: ${error.message}\nRun with --help for usage.`).pipe(
        Effect.zipRight(Effect.sync(() => process.exit(2)))
      )
    }
    return Effect.die(error)
  }
  if (command._tag === "Help") return Console.log(USAGE)
  return serve(command.options).pipe(
    Effect.tapErrorCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.void
      const failure = Cause.failureOption(cause)
      return Console.error(
        `secrets-config-emulator: ${Option.isSome(failure) ? failure.value.message : Cause.pretty(cause)}`
      )
    })
  )
})

NodeRuntime.runMain(main, { disableErrorReporting: true })
