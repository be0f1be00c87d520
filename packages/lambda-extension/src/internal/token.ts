/**
 * Finds the session token when the layer is built (docs/protocol.md#tokens). The AWS extension: only
 * `AWS_SESSION_TOKEN`, and an empty one is no token. The Secrets Manager Agent: the first *set* of
 * `AWS_TOKEN`, `AWS_SESSION_TOKEN`, `AWS_CONTAINER_AUTHORIZATION_TOKEN`, an empty value included
 * (the Agent's `get_token` takes the first variable that is set, and then accepts a header equal
 * to it, empty or not), where a `file://` value names a file whose trimmed content is the token.
 * A token with a character an HTTP header cannot carry (CR, LF, other controls, anything above
 * U+00FF) is no token either. A missing token is not an error here: calls fail with
 * `MissingToken` when used, before any I/O, so a layer built outside Lambda (tests, tooling)
 * still builds.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CODE } from "./answer.js"

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

/** What an HTTP header value may hold (RFC 9110 field-value; Node refuses anything else). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/** A token, unless a header cannot carry it. */
const checked = (source: string, token: Redacted.Redacted<string>, variables: ReadonlyArray<string>): ResolvedToken =>
  HEADER_VALUE.test(Redacted.value(token))
    ? { _tag: "Found", token }
    : {
        _tag: "Missing",
        variables,
        detail: `${source} holds a character an HTTP header cannot carry (CR, LF or another control character, or one above U+00FF), so it cannot be sent`
      }

/**
 * A variable's value as the token. The Agent dialect (`agent`) takes an empty value as it is and
 * reads `file://` values; the extension's dialect skips an empty one.
 */
const fromValue = (
  variable: string,
  value: Redacted.Redacted<string>,
  agent: boolean
): Effect.Effect<ResolvedToken | undefined> => {
  const raw = Redacted.value(value)
  if (!agent) return Effect.succeed(raw.length === 0 ? undefined : checked(variable, value, [variable]))
  if (!raw.startsWith(FILE_PREFIX)) return Effect.succeed(checked(variable, value, [variable]))
  const path = raw.slice(FILE_PREFIX.length)
  return readFile(path).pipe(
    Effect.map(
      (content): ResolvedToken =>
        checked(`the file ${path} (named by ${variable})`, Redacted.make(content.trim()), [variable])
    ),
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
        : checked("the token option", explicit, ["the token option"])
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
