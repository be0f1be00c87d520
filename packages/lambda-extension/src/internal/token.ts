/**
 * Finds the session token when the layer is built (PROTOCOL §1). The AWS extension: only
 * `AWS_SESSION_TOKEN`. The Secrets Manager Agent: the first set of `AWS_TOKEN`,
 * `AWS_SESSION_TOKEN`, `AWS_CONTAINER_AUTHORIZATION_TOKEN`, where a `file://` value names a file
 * whose trimmed content is the token. A missing token is not an error here: calls fail with
 * `MissingToken` when used, so a layer built outside Lambda (tests, tooling) still builds.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CODE } from "./response.js"

/** The variables each dialect reads, in order. */
export const EXTENSION_VARIABLES: ReadonlyArray<string> = ["AWS_SESSION_TOKEN"]
export const AGENT_VARIABLES: ReadonlyArray<string> = [
  "AWS_TOKEN",
  "AWS_SESSION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN"
]

/** The token, or what was looked at (for `MissingToken.variables`). */
export type ResolvedToken =
  | { readonly _tag: "Found"; readonly token: Redacted.Redacted<string> }
  | { readonly _tag: "Missing"; readonly variables: ReadonlyArray<string>; readonly detail?: string }

const FILE_PREFIX = "file://"

/** Reads a token file with the application's `FileSystem` if it has one, else `node:fs`. */
const readFile = (path: string): Effect.Effect<string, unknown> =>
  Effect.flatMap(Effect.serviceOption(FileSystem.FileSystem), (fs) =>
    Option.isSome(fs)
      ? fs.value.readFileString(path)
      : Effect.tryPromise({
          try: () => import("node:fs/promises").then((nodeFs) => nodeFs.readFile(path, "utf8")),
          catch: (cause) => cause
        })
  )

const errorCode = (cause: unknown): string => {
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined
  if (typeof code === "string" && CODE.test(code)) return code
  const reason = typeof cause === "object" && cause !== null ? (cause as { reason?: unknown }).reason : undefined
  return typeof reason === "string" && /^[A-Za-z]{1,40}$/.test(reason) ? reason : "unreadable"
}

/** A variable's value as the token; `file://` values are read in the Agent dialect only. */
const fromValue = (
  variable: string,
  value: Redacted.Redacted<string>,
  readFiles: boolean
): Effect.Effect<ResolvedToken | undefined> => {
  const raw = Redacted.value(value)
  if (raw.length === 0) return Effect.succeed(undefined)
  if (!readFiles || !raw.startsWith(FILE_PREFIX)) return Effect.succeed({ _tag: "Found", token: value })
  const path = raw.slice(FILE_PREFIX.length)
  return readFile(path).pipe(
    Effect.map((content): ResolvedToken => {
      const token = content.trim()
      return token.length === 0
        ? { _tag: "Missing", variables: [variable], detail: `${variable} names the file ${path}, which is empty` }
        : { _tag: "Found", token: Redacted.make(token) }
    }),
    Effect.catchAll((cause) =>
      Effect.succeed<ResolvedToken>({
        _tag: "Missing",
        variables: [variable],
        detail: `${variable} names the file ${path}, which could not be read (${errorCode(cause)})`
      })
    )
  )
}

/**
 * Resolves the token for a dialect from the current `ConfigProvider` (the environment by
 * default). An explicit token wins and is used as given.
 */
export const resolve = (
  dialect: "extension" | "agent",
  explicit: Redacted.Redacted<string> | undefined
): Effect.Effect<ResolvedToken, ConfigError.ConfigError> => {
  if (explicit !== undefined) {
    return Effect.succeed(
      Redacted.value(explicit).length === 0
        ? { _tag: "Missing", variables: ["the token option"], detail: "the token option is empty" }
        : { _tag: "Found", token: explicit }
    )
  }
  const variables = dialect === "agent" ? AGENT_VARIABLES : EXTENSION_VARIABLES
  const loop = (index: number): Effect.Effect<ResolvedToken, ConfigError.ConfigError> => {
    if (index >= variables.length) return Effect.succeed({ _tag: "Missing", variables })
    const variable = variables[index]!
    return Effect.flatMap(Config.option(Config.redacted(variable)), (value) =>
      Option.isNone(value)
        ? loop(index + 1)
        : Effect.flatMap(fromValue(variable, value.value, dialect === "agent"), (found) =>
            found === undefined ? loop(index + 1) : Effect.succeed(found)
          )
    )
  }
  return loop(0)
}
