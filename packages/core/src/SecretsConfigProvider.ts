/**
 * A `ConfigProvider` backed by Parameter Store and Secrets Manager through `SecretsConfig`: with
 * `prefix: "/app/prod"`, `Config.string("DB_HOST")` reads the parameter `/app/prod/DB_HOST`, nested
 * configs become path segments, and chosen subtrees read the keys of a JSON secret. Every key a
 * `Config` declares is fetched in one concurrent burst, not one after another.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import type * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PathPatch from "effect/ConfigProviderPathPatch"
import * as Redacted from "effect/Redacted"
import type { Parameter } from "./Parameter.js"
import * as Secret from "./Secret.js"
import * as SecretsConfig from "./SecretsConfig.js"
import * as SecretsConfigCache from "./SecretsConfigCache.js"
import { isSecretsConfigError, type SecretsConfigError } from "./SecretsConfigError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The Parameter Store path under which config keys live, e.g. `"/app/prod"`. */
  readonly prefix: string
  /**
   * Config subtrees read from Secrets Manager JSON secrets: `{ db: "app/db" }` reads
   * `Config.nested(Config.string("password"), "db")` from the key `password` of the secret `app/db`.
   * A key path with dots (`"services.payments"`) names a deeper subtree; a path that is a whole
   * key (`{ API_KEY: "app/api-key" }`) reads the whole secret string.
   */
  readonly secrets?: Readonly<Record<string, string>> | undefined
  /**
   * Another provider to compose with (default: the environment, `ConfigProvider.fromEnv()`), asked
   * `"first"` (it wins where it has a value) or `"last"` (only for what Parameter Store does not
   * have). Omitted: no composition.
   */
  readonly compose?:
    | { readonly order: "first" | "last"; readonly provider?: ConfigProvider.ConfigProvider | undefined }
    | undefined
  /**
   * Treat the AWS extension's ambiguous `UpstreamError` (its generic 400, also sent for missing
   * permissions and throttling) as missing data, so `Config.withDefault` applies. Off by default:
   * such failures are loud.
   */
  readonly upstreamErrorAsMissing?: boolean | undefined
  /** Maps each path segment to its name in Parameter Store (default: unchanged). */
  readonly pathSegment?: ((segment: string) => string) | undefined
  /**
   * How many reads run at once in a burst (default 16, the live layer's own `maxConcurrency`): more
   * would only queue behind the layer's limit, each waiting reader costing a fiber and a timer.
   */
  readonly concurrency?: number | "unbounded" | undefined
}

type Source =
  | { readonly _tag: "Parameter"; readonly name: string }
  | { readonly _tag: "Secret"; readonly secretId: string; readonly keys: ReadonlyArray<string> }

/** A value read, and whether it is secret (a SecureString or a secret): then no part of it is ever shown. */
interface Value {
  readonly text: string
  readonly sensitive: boolean
  /** The text parsed as JSON, once per load (a JSON secret's keys are read one by one). */
  json?: { readonly node: unknown } | undefined
}

/** A value's JSON, parsed once; `undefined` when it is not JSON. */
const jsonOf = (value: Value): { readonly node: unknown } | undefined => {
  if (value.json === undefined) {
    try {
      value.json = { node: JSON.parse(value.text) }
    } catch {
      return undefined
    }
  }
  return value.json
}

type Fetched = Exit.Exit<Value, SecretsConfigError>

interface Recorded {
  readonly path: ReadonlyArray<string>
  readonly primitive?: Config.Config.Primitive<unknown> | undefined
  /** A `Config.hashMap` / `Config.hashSet`-like read of a subtree's children, not of one value. */
  readonly enumerate?: boolean | undefined
}

const parameterValue = (parameter: Parameter): Value => ({
  text: Redacted.value(parameter.value),
  sensitive: parameter.type === "SecureString"
})

const secretValue = (value: Redacted.Redacted<string>): Value => ({ text: Redacted.value(value), sensitive: true })

const sourceKey = (source: Source): string =>
  source._tag === "Parameter" ? `p:${source.name}` : `s:${source.secretId}`

/** Strips the tail of Effect's primitive messages ("… but received <text>"), which quotes values. */
const RECEIVED = /\s*(?:but )?received[\s\S]*$/

/** Rewrites every `InvalidData` in an error tree (the only kind whose message may quote a value). */
const mapInvalidData = (
  error: ConfigError.ConfigError,
  f: (error: ConfigError.InvalidData) => ConfigError.ConfigError
): ConfigError.ConfigError => {
  switch (error._op) {
    case "And":
      return ConfigError.And(mapInvalidData(error.left, f), mapInvalidData(error.right, f))
    case "Or":
      return ConfigError.Or(mapInvalidData(error.left, f), mapInvalidData(error.right, f))
    case "InvalidData":
      return f(error)
    default:
      return error
  }
}

/** A line of Schema's tree: its drawing, then its text. */
const TREE_LINE = /^([\s│├└─]*)([\s\S]*)$/
/** Schema's "Expected <type>, actual <the value>": the type stays, the value goes. */
const ACTUAL = /,?\s+actual\s[\s\S]*$/
/** The leaves of Schema's tree that hold no value ("Expected <type>" once its "actual" is cut). */
const SAFE_LEAF = /^(?:Expected |is missing$|is forbidden$|is unexpected, expected: )/
const NOT_SHOWN = "<not shown: it may quote the value>"
const NOT_SHOWN_NOTE = "(the value is not shown: it may be secret)"

/**
 * A message about a secret value, reduced to what cannot hold any of it. In Schema's tree, a line
 * with lines under it names the schema (its description, a key, a step such as "Type side
 * transformation failure"); a leaf is either "Expected <type>, actual <value>" — kept without the
 * value — or a free text (a JSON parser's message, a refinement's or the application's own) that
 * may quote the value, and goes. A one-line message is a leaf.
 */
const strictMessage = (message: string): string => {
  const lines = message.replace(RECEIVED, "").split("\n")
  const depthOf = (line: string) => TREE_LINE.exec(line)![1]!.length
  return lines
    .map((line, index) => {
      const [, drawing, text] = TREE_LINE.exec(line)!
      const kept = text!.replace(ACTUAL, "")
      const leaf = index === lines.length - 1 || depthOf(lines[index + 1]!) <= drawing!.length
      return !leaf || SAFE_LEAF.test(kept) ? `${drawing}${kept}` : `${drawing}${NOT_SHOWN}`
    })
    .join("\n")
}

/**
 * The pieces of a value that must never be printed: the whole text and, for JSON, every string and
 * number inside it (fields of JSON secrets), also in their JSON-escaped form.
 */
const fragmentsOf = (text: string, into: Set<string>) => {
  const add = (piece: string) => {
    if (piece.length === 0) return
    into.add(piece)
    into.add(JSON.stringify(piece).slice(1, -1))
  }
  add(text)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return
  }
  const walk = (node: unknown, depth: number) => {
    if (depth > 32) return
    if (typeof node === "string") {
      // Short pieces would cut ordinary words out of the message; the strict message keeps none of them anyway.
      if (node.length >= 3) add(node)
    } else if (typeof node === "number") {
      const digits = String(node)
      if (digits.length >= 3) add(digits)
    } else if (typeof node === "object" && node !== null) {
      for (const child of Object.values(node)) walk(child, depth + 1)
    }
  }
  walk(parsed, 0)
}

/** What one load read: every value (its pieces are found only if an error needs them), and the paths whose value is secret. */
interface Seen {
  readonly values: Set<string>
  readonly sensitivePaths: Set<string>
  readonly paths: Set<string>
  sensitive: boolean
}

const pathKey = (path: ReadonlyArray<string>) => path.join("\u0000")

/**
 * Removes from every `InvalidData` what may quote a value read: messages about a secret value (or
 * at a path this load cannot place, when it read any secret) keep only the schema's expectations;
 * every message loses the values' pieces.
 */
const scrub = (error: ConfigError.ConfigError, seen: Seen): ConfigError.ConfigError =>
  mapInvalidData(error, (invalid) => {
    const key = pathKey(invalid.path)
    const strict = seen.sensitivePaths.has(key) || (seen.sensitive && !seen.paths.has(key))
    let message = strict ? strictMessage(invalid.message) : invalid.message.replace(RECEIVED, "")
    const fragments = new Set<string>()
    for (const value of seen.values) fragmentsOf(value, fragments)
    for (const fragment of [...fragments].sort((a, b) => b.length - a.length)) {
      message = message.split(fragment).join("<redacted>")
    }
    return ConfigError.InvalidData(
      invalid.path,
      message.endsWith(NOT_SHOWN_NOTE) ? message : `${message} ${NOT_SHOWN_NOTE}`
    )
  })

/** A primitive's parse error without the value it quotes. */
const unquoted = (error: ConfigError.ConfigError, description: string): ConfigError.ConfigError =>
  mapInvalidData(error, (invalid) => ConfigError.InvalidData(invalid.path, `Expected ${description} ${NOT_SHOWN_NOTE}`))

/**
 * Builds the provider over the `SecretsConfig` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
/** Where each config path is read from: a key of a JSON secret subtree, else a parameter under the prefix. */
const sourcing = (options: Options) => {
  const prefix = options.prefix.replace(/\/+$/, "")
  const segment = options.pathSegment ?? ((s: string) => s)
  const subtrees = Object.entries(options.secrets ?? {})
    .map(([path, secretId]) => ({ path: path.split("."), secretId }))
    .sort((a, b) => b.path.length - a.path.length)
  return (path: ReadonlyArray<string>): Source => {
    for (const subtree of subtrees) {
      if (subtree.path.length <= path.length && subtree.path.every((s, i) => s === path[i])) {
        return { _tag: "Secret", secretId: subtree.secretId, keys: path.slice(subtree.path.length) }
      }
    }
    return { _tag: "Parameter", name: `${prefix}/${path.map(segment).join("/")}` }
  }
}

/**
 * The dry run: the config against a recorder that fails every read as missing finds every path it
 * may read (both sides of every `Config.all`, defaults and fallbacks included), with no I/O.
 */
const record = (config: Config.Config<unknown>): Effect.Effect<ReadonlyArray<Recorded>> => {
  const recorded: Array<Recorded> = []
  const recorder = ConfigProvider.makeFlat({
    load: (path, primitive) => {
      recorded.push({ path, primitive })
      return Effect.fail(ConfigError.MissingData([...path], "recording"))
    },
    // A map of a subtree (`Config.hashMap(…, "FLAGS")`) reads a JSON secret's keys: recorded too.
    enumerateChildren: (path) => {
      recorded.push({ path, enumerate: true })
      return Effect.succeed(HashSet.empty<string>())
    },
    patch: PathPatch.empty
  })
  return Effect.as(Effect.either(ConfigProvider.fromFlat(recorder).load(config)), recorded)
}

/**
 * One parameter or secret an app's `Config` reads through the provider: what IAM must allow and what
 * a cold start costs upstream (the shape `ColdStartPlanner.plan` takes).
 *
 * @since 0.2.0
 * @category models
 */
export interface Read {
  readonly kind: "parameter" | "secret"
  /** The parameter's full name, or the secret's id. */
  readonly name: string
  /** Parameters are read decrypted (a `SecureString` is decrypted with `kms:Decrypt`); secrets always are. */
  readonly withDecryption: boolean
  /** The config paths it serves (`db.host`, …), in the order the config reads them. */
  readonly paths: ReadonlyArray<string>
}

/**
 * Every parameter and secret the provider would read for `config`, each once, without any I/O (the
 * dry run the provider itself makes before its burst): for IAM policies that match the code, and
 * for the cold-start planner. Defaults, fallbacks (`Config.orElse`) and every branch of
 * `Config.all` are included: it lists what may be read, not what a given environment will find.
 * With `compose`, values the other provider has are still asked of Parameter Store (`"last"`) or
 * may be (`"first"`): they are listed too.
 *
 * @example
 * ```ts
 * import { SecretsConfigProvider } from "@secrets-config/core"
 * import { Config } from "effect"
 *
 * const AppConfig = Config.all({
 *   host: Config.string("DB_HOST"),
 *   port: Config.integer("DB_PORT").pipe(Config.withDefault(5432)),
 *   password: Config.nested(Config.redacted("password"), "db")
 * })
 *
 * const reads = SecretsConfigProvider.reads(AppConfig, { prefix: "/app/prod", secrets: { db: "app/db" } })
 * // [
 * //   { kind: "parameter", name: "/app/prod/DB_HOST", paths: ["DB_HOST"], withDecryption: true },
 * //   { kind: "parameter", name: "/app/prod/DB_PORT", paths: ["DB_PORT"], withDecryption: true },
 * //   { kind: "secret", name: "app/db", paths: ["db.password"], withDecryption: true }
 * // ]
 *
 * // What an IAM policy for this code must allow
 * const parameterNames = reads.filter((read) => read.kind === "parameter").map((read) => read.name)
 * const secretIds = reads.filter((read) => read.kind === "secret").map((read) => read.name)
 * ```
 *
 * @since 0.2.0
 * @category dry run
 */
export const reads = (config: Config.Config<unknown>, options: Options): ReadonlyArray<Read> => {
  const sourceOf = sourcing(options)
  const found = new Map<string, { kind: "parameter" | "secret"; name: string; paths: Array<string> }>()
  for (const { enumerate, path } of Effect.runSync(record(config))) {
    const source = sourceOf(path)
    // The provider enumerates only a JSON secret's keys: a map under the prefix reads nothing.
    if (enumerate === true && source._tag === "Parameter") continue
    const key = sourceKey(source)
    let read = found.get(key)
    if (read === undefined) {
      read =
        source._tag === "Parameter"
          ? { kind: "parameter", name: source.name, paths: [] }
          : { kind: "secret", name: source.secretId, paths: [] }
      found.set(key, read)
    }
    const shown = enumerate === true ? `${path.join(".")}.*` : path.join(".")
    if (!read.paths.includes(shown)) read.paths.push(shown)
  }
  return [...found.values()].map((read) => ({ ...read, withDecryption: true }))
}

/**
 * Builds the provider over the `SecretsConfig` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<ConfigProvider.ConfigProvider, never, SecretsConfig.SecretsConfig> =>
  Effect.map(SecretsConfig.SecretsConfig, (service) => fromService(service, options))

/**
 * Builds the provider over a given `SecretsConfig` service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromService = (
  service: SecretsConfig.SecretsConfig.Service,
  options: Options
): ConfigProvider.ConfigProvider => {
  const other = options.compose === undefined ? undefined : (options.compose.provider ?? ConfigProvider.fromEnv())
  const concurrency = options.concurrency ?? 16
  const sourceOf = sourcing(options)

  const fetch = (source: Source): Effect.Effect<Fetched> =>
    Effect.exit(
      source._tag === "Parameter"
        ? Effect.map(service.getParameter(source.name), parameterValue)
        : Effect.map(
            SecretsConfig.secretValue(source.secretId).pipe(
              Effect.provideService(SecretsConfig.SecretsConfig, service)
            ),
            secretValue
          )
    )

  // A source's request, validated once (sources are kept with their config, see `neededOf`).
  const requests = new WeakMap<Source, SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest | null>()
  const requestOf = (source: Source) => {
    let request = requests.get(source)
    if (request === undefined) {
      const validated: Either.Either<SecretsConfig.ParameterRequest | SecretsConfig.SecretRequest, unknown> =
        source._tag === "Parameter"
          ? SecretsConfig.parameterRequest(source.name)
          : SecretsConfig.secretRequest(source.secretId)
      request = Either.isRight(validated) ? validated.right : null
      requests.set(source, request)
    }
    return request
  }
  /** A fresh value the service already holds (the cache's), without running an effect. */
  const peek = (source: Source): Fetched | undefined => {
    const request = requestOf(source)
    if (request === null) return undefined
    if (request._tag === "ParameterRequest") {
      const parameter = SecretsConfig.peek(service, request)
      return parameter === undefined ? undefined : Exit.succeed(parameterValue(parameter))
    }
    const secret = SecretsConfig.peek(service, request)
    // A binary secret is read the long way, for its DecodeError.
    return secret === undefined || Secret.isBinaryValue(secret.value)
      ? undefined
      : Exit.succeed(secretValue(secret.value as Redacted.Redacted<string>))
  }

  const toConfigError = (
    path: ReadonlyArray<string>,
    source: Source,
    error: SecretsConfigError
  ): ConfigError.ConfigError => {
    const where = source._tag === "Parameter" ? `parameter ${source.name}` : `secret ${source.secretId}`
    if (error._tag === "NotFound" || (error._tag === "UpstreamError" && options.upstreamErrorAsMissing === true)) {
      return ConfigError.MissingData([...path], `Expected ${where} to exist (${error._tag})`)
    }
    return ConfigError.SourceUnavailable([...path], error.message, Cause.fail(error))
  }

  /** The text at a path, from a fetched parameter or from a key inside a fetched JSON secret. */
  const textAt = (
    path: ReadonlyArray<string>,
    source: Source,
    fetched: Fetched
  ): Either.Either<string, ConfigError.ConfigError> => {
    if (Exit.isFailure(fetched)) {
      const error = Cause.failureOption(fetched.cause)
      return Either.left(
        error._tag === "Some"
          ? toConfigError(path, source, error.value)
          : ConfigError.SourceUnavailable(
              [...path],
              "The read was interrupted or died",
              fetched.cause as Cause.Cause<unknown>
            )
      )
    }
    if (source._tag === "Parameter" || source.keys.length === 0) return Either.right(fetched.value.text)
    const json = jsonOf(fetched.value)
    if (json === undefined) {
      return Either.left(ConfigError.InvalidData([...path], `Expected secret ${source.secretId} to hold a JSON object`))
    }
    let node = json.node
    for (const key of source.keys) {
      if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) {
        return Either.left(
          ConfigError.MissingData(
            [...path],
            `Expected secret ${source.secretId} to have the key ${source.keys.join(".")}`
          )
        )
      }
      node = (node as Record<string, unknown>)[key]
    }
    if (node === null || node === undefined) {
      return Either.left(
        ConfigError.MissingData(
          [...path],
          `Expected secret ${source.secretId} to have the key ${source.keys.join(".")}`
        )
      )
    }
    return Either.right(typeof node === "object" ? JSON.stringify(node) : String(node))
  }

  /** A flat provider reading through `lookup` (which fetches or finds a prefetched answer). */
  const makeFlat = (
    lookup: (source: Source) => Effect.Effect<Fetched>,
    seen?: Seen
  ): ConfigProvider.ConfigProvider.Flat =>
    ConfigProvider.makeFlat({
      load: <A>(path: ReadonlyArray<string>, primitive: Config.Config.Primitive<A>, split: boolean) => {
        const source = sourceOf(path)
        return Effect.flatMap(lookup(source), (fetched) => {
          const text = textAt(path, source, fetched)
          if (Either.isLeft(text)) return Effect.fail(text.left)
          const parts = split ? text.right.split(",") : [text.right]
          if (seen !== undefined && Exit.isSuccess(fetched)) {
            const key = pathKey(path)
            seen.paths.add(key)
            if (fetched.value.sensitive) {
              seen.sensitive = true
              seen.sensitivePaths.add(key)
            }
            seen.values.add(text.right)
            if (split) for (const part of parts) seen.values.add(part)
          }
          return Effect.forEach(parts, (part) =>
            // The primitive's own message quotes the value: keep only what was expected. This is
            // the flat path, so it holds under ConfigProvider combinators (constantCase, nested, …) too.
            Either.mapLeft(primitive.parse(part), (e) =>
              ConfigError.prefixed(unquoted(e, primitive.description), [...path])
            )
          )
        })
      },
      enumerateChildren: (path) => {
        const source = sourceOf(path)
        if (source._tag === "Parameter") return Effect.succeed(HashSet.empty())
        return Effect.map(lookup(source), (fetched) => {
          const json = Exit.isSuccess(fetched) ? jsonOf(fetched.value) : undefined
          if (json === undefined) return HashSet.empty<string>()
          let node = json.node
          for (const key of source.keys) node = (node as Record<string, unknown> | null)?.[key]
          return typeof node === "object" && node !== null
            ? HashSet.fromIterable(Object.keys(node))
            : HashSet.empty<string>()
        })
      },
      patch: PathPatch.empty
    })

  /** Ours then the other provider for missing data, or the other first: at the level of one path. */
  const compose = (ours: ConfigProvider.ConfigProvider.Flat): ConfigProvider.ConfigProvider.Flat => {
    if (other === undefined || options.compose === undefined) return ours
    const theirs = other.flattened
    const [first, second] = options.compose.order === "first" ? [theirs, ours] : [ours, theirs]
    const missingOnly = (error: ConfigError.ConfigError) => ConfigError.isMissingDataOnly(error)
    return ConfigProvider.makeFlat({
      load: (path, primitive, split) =>
        Effect.catchIf(first.load(path, primitive, split), missingOnly, (error) =>
          Effect.catchIf(second.load(path, primitive, split), missingOnly, (e) => Effect.fail(ConfigError.Or(error, e)))
        ),
      enumerateChildren: (path) =>
        Effect.zipWith(
          Effect.orElseSucceed(first.enumerateChildren(path), () => HashSet.empty<string>()),
          Effect.orElseSucceed(second.enumerateChildren(path), () => HashSet.empty<string>()),
          (a, b) => HashSet.union(a, b)
        ),
      patch: PathPatch.empty
    })
  }

  const flattened = compose(makeFlat(fetch))

  /**
   * The dry run: the config against a recorder that fails every read as missing finds every path
   * it may read (both sides of every `Config.all`, defaults included), with no I/O. A config is a
   * value: its paths are found once and kept (weakly) for its next loads.
   */
  const discovered = new WeakMap<Config.Config<unknown>, ReadonlyArray<Recorded>>()
  const discover = (config: Config.Config<unknown>): Effect.Effect<ReadonlyArray<Recorded>> => {
    const known = discovered.get(config)
    if (known !== undefined) return Effect.succeed(known)
    return Effect.map(record(config), (recorded) => {
      discovered.set(config, recorded)
      return recorded
    })
  }

  /** The sources of recorded paths, each once; kept for the recorded list it came from. */
  const neededBy = new WeakMap<ReadonlyArray<Recorded>, ReadonlyArray<readonly [string, Source]>>()
  const neededOf = (recorded: ReadonlyArray<Recorded>): ReadonlyArray<readonly [string, Source]> => {
    const known = neededBy.get(recorded)
    if (known !== undefined) return known
    const needed = new Map<string, Source>()
    for (const { enumerate, path } of recorded) {
      const source = sourceOf(path)
      if (enumerate === true && source._tag === "Parameter") continue
      const key = sourceKey(source)
      if (!needed.has(key)) needed.set(key, source)
    }
    const list = [...needed]
    neededBy.set(recorded, list)
    return list
  }

  return ConfigProvider.make({
    flattened,
    load: <A>(config: Config.Config<A>) =>
      Effect.gen(function* () {
        // 1. What the config reads, found once per config by a dry run (`discover`).
        const recorded = yield* discover(config)

        // 2. One concurrent burst: each parameter or secret once — all the recorded paths', or, when
        // the other provider wins, only those it lacks. A value the service already holds fresh
        // (the cache's) is taken at once; only the others are fetched.
        let needed: ReadonlyArray<readonly [string, Source]>
        if (options.compose?.order !== "first") {
          needed = neededOf(recorded)
        } else {
          const theirs = other!.flattened
          const lacking: Array<Recorded> = []
          yield* Effect.forEach(
            recorded,
            (entry) =>
              entry.primitive === undefined
                ? Effect.sync(() => {
                    lacking.push(entry)
                  })
                : Effect.flatMap(Effect.either(theirs.load(entry.path, entry.primitive, false)), (result) =>
                    Effect.sync(() => {
                      if (Either.isLeft(result)) lacking.push(entry)
                    })
                  ),
            { discard: true }
          )
          needed = neededOf(lacking)
        }
        const prefetched = new Map<string, Fetched>()
        const missing: Array<readonly [string, Source]> = []
        // Under `SecretsConfigCache.withMaxAge`, every read goes through the cache, which applies it.
        const fresh = Option.isNone(yield* FiberRef.get(SecretsConfigCache.currentMaxAge))
        for (const entry of needed) {
          const held = fresh ? peek(entry[1]) : undefined
          if (held === undefined) missing.push(entry)
          else prefetched.set(entry[0], held)
        }
        if (missing.length > 0) {
          yield* Effect.forEach(
            missing,
            ([key, source]) => Effect.map(fetch(source), (fetched) => prefetched.set(key, fetched)),
            { concurrency, discard: true }
          )
        }

        // 3. The real run, from what was fetched (fetching anything the dry run could not foresee).
        const seen: Seen = { values: new Set(), sensitivePaths: new Set(), paths: new Set(), sensitive: false }
        const lookup = (source: Source) => {
          const hit = prefetched.get(sourceKey(source))
          return hit !== undefined
            ? Effect.succeed(hit)
            : Effect.tap(fetch(source), (fetched) => Effect.sync(() => prefetched.set(sourceKey(source), fetched)))
        }
        return yield* ConfigProvider.fromFlat(compose(makeFlat(lookup, seen)))
          .load(config)
          .pipe(Effect.mapError((error) => scrub(error, seen)))
      })
  })
}

/**
 * The `SecretsConfigError` behind a `ConfigError` raised by this provider (the first one, for a
 * config that failed in several places), to answer with its tag and message.
 *
 * @since 0.1.0
 * @category errors
 */
export const sourceError = (error: ConfigError.ConfigError): Option.Option<SecretsConfigError> => {
  switch (error._op) {
    case "And":
    case "Or":
      return Option.orElse(sourceError(error.left), () => sourceError(error.right))
    case "SourceUnavailable":
      return Option.filter(Cause.failureOption(error.cause), isSecretsConfigError)
    default:
      return Option.none()
  }
}

/**
 * Installs the provider as the `ConfigProvider` of everything the layer is provided to.
 *
 * @example
 * ```ts
 * import { SecretsConfigProvider } from "@secrets-config/core"
 * import { LambdaExtension } from "@secrets-config/lambda-extension"
 * import { Config, Effect, Layer } from "effect"
 *
 * const AppConfig = Config.all({
 *   host: Config.string("DB_HOST"), // the parameter /app/prod/DB_HOST
 *   port: Config.integer("DB_PORT").pipe(Config.withDefault(5432)), // /app/prod/DB_PORT, if it exists
 *   password: Config.nested(Config.redacted("password"), "db") // the key "password" of the JSON secret app/db
 * })
 *
 * const ConfigLive = SecretsConfigProvider.layer({ prefix: "/app/prod", secrets: { db: "app/db" } }).pipe(
 *   Layer.provide(LambdaExtension.layerNode())
 * )
 *
 * // The three reads run at once, in one burst
 * const main = Effect.gen(function* () {
 *   const { host, port } = yield* AppConfig
 *   yield* Effect.log(`connecting to ${host}:${port}`)
 * }).pipe(Effect.provide(ConfigLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<never, never, SecretsConfig.SecretsConfig> =>
  Layer.unwrapEffect(Effect.map(make(options), Layer.setConfigProvider))

/**
 * A `ConfigError` of this provider as a person reads it: one line per failing key, with what failed
 * where, then each cause explained once (Effect's own rendering repeats the explanation for every
 * key, on one line). Never holds a value: the messages it reuses are the provider's, scrubbed.
 *
 * @example
 * ```ts
 * import { SecretsConfigProvider } from "@secrets-config/core"
 * import { Config, ConfigError, Effect } from "effect"
 *
 * const load = Effect.mapError(Config.string("greeting"), (error: ConfigError.ConfigError) =>
 *   new Error(SecretsConfigProvider.explain(error))
 * )
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const explain = (error: ConfigError.ConfigError): string => {
  const lines: Array<string> = []
  const explanations = new Map<string, string>()
  const visit = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        visit(e.left)
        visit(e.right)
        return
      case "SourceUnavailable": {
        const source = Option.getOrUndefined(Option.filter(Cause.failureOption(e.cause), isSecretsConfigError))
        const key = e.path.join(".")
        if (source === undefined) {
          lines.push(`- ${key}: ${e.message}`)
          return
        }
        lines.push(`- ${key}: ${source._tag} reading ${source.kind} ${source.resource}`)
        // One explanation per cause: the same message for another name is the same cause.
        const cause = `${source._tag}: ${source.message.split(JSON.stringify(source.resource)).join("…")}`
        if (!explanations.has(cause)) explanations.set(cause, cause)
        return
      }
      case "MissingData":
      case "InvalidData":
      case "Unsupported":
        lines.push(`- ${e.path.join(".")}: ${e.message}`)
        return
    }
  }
  visit(error)
  const unique = [...new Set(lines)]
  return [
    `The configuration could not be read (${unique.length} key${unique.length === 1 ? "" : "s"}):`,
    ...unique,
    ...explanations.values()
  ].join("\n")
}
