/**
 * The CLI's argument parsing and texts (the program itself is `bin.ts`).
 *
 * @internal
 */
import { parseArgs } from "node:util"
import { defaultPort } from "../Emulator.js"
import type { Faults } from "../Faults.js"
import { number, UsageError } from "./flags.js"

export const USAGE = `Usage: secrets-config-emulator [options]

Serves the AWS Parameters and Secrets Lambda Extension endpoint (or the AWS Secrets Manager
Agent's) on 127.0.0.1, from a JSON store, and prints the environment a client needs.

Options:
  --store <file>              JSON store to serve (see the package README, "Store format")
  --sample                    serve the bundled sample store (/demo/... parameters, demo/db secret)
  --port <n>                  port to listen on; 0 picks a free one (default ${defaultPort})
  --dialect <extension|agent> endpoint to emulate (default extension)
  --token <token>             token clients must send (default: random)
  --ttl <seconds>             cache TTL for both kinds, clamped to 300 (agent: 3600); 0 disables
                              (default 300, as the real extension)
  --ttl-parameters <seconds>  cache TTL for parameters only
  --ttl-secrets <seconds>     cache TTL for secrets only
  --max-connections <n>       agent: connections before 429 (default 800)
  --roles <file>              agent: JSON {"<role ARN>": <store>}: the roles roleArn may name, each
                              with the store it sees (another role: 403, as a failed AssumeRole)
  --max-roles <n>             agent: role clients kept, 1-20 (default 20)
  --prefetch <secret-id>      agent: cache this secret at start, as the Agent's prefetch (repeatable)
  --write-env <file>          also write the client environment to this file (KEY=VALUE lines, mode
                              0600; load it with \`set -a; . <file>; set +a\` or dotenv)
  --quiet                     do not log each request to stderr
  -h, --help                  show this help

Faults (all off by default; see the README, "Faults"):
  --not-ready-requests <n>    the first n requests are "not ready" (agent: connection reset)
  --not-ready-ms <ms>         "not ready" for the first ms (agent: connections refused)
  --refuse-ms <ms>            refuse connections (listener closed) for the first ms
  --latency-ms <ms>           delay every response by ms
  --latency-jitter-ms <ms>    plus a random delay below this
  --throttle-rate <p>         fraction of upstream calls throttled (0-1)
  --server-error-rate <p>     fraction of upstream calls failing with a 5xx-class error (0-1)
  --server-error-status <n>   its status (agent: 500, 502 or 504; extension: default generic 400)
  --drop-rate <p>             fraction of responses cut mid-body (0-1)
  --malformed-rate <p>        fraction of 200s with an invalid JSON body (0-1)
  --oversized-bytes <n>       pad every 200 body to n bytes
  --slow-body-interval-ms <ms> send bodies a chunk every ms
  --slow-body-chunk-bytes <n> chunk size for slow bodies (default 1)
  --faults <json>             faults as JSON (merged over the flags above)

Stops cleanly on SIGINT / SIGTERM.
`

export { UsageError }

export interface CliOptions {
  readonly storePath: string | undefined
  readonly sample: boolean
  readonly port: number
  readonly dialect: "extension" | "agent"
  readonly token: string | undefined
  readonly ttl: { readonly parameters: number; readonly secrets: number }
  readonly maxConnections: number | undefined
  readonly rolesPath: string | undefined
  readonly maxRoles: number | undefined
  readonly prefetch: ReadonlyArray<string>
  readonly writeEnv: string | undefined
  readonly quiet: boolean
  readonly faults: Faults
  readonly faultsJson: string | undefined
}

const integer = (flag: string, value: string | undefined) => {
  const n = number(flag, value)
  if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`--${flag} must be a whole number, got ${value}`)
  return n
}
const rate = (flag: string, value: string | undefined) => {
  const n = number(flag, value)
  if (n !== undefined && n > 1)
    throw new UsageError(`--${flag} is a fraction: it must be between 0 and 1, got ${value}`)
  return n
}

export const parse = (
  argv: ReadonlyArray<string>
): { readonly _tag: "Help" } | { readonly _tag: "Run"; readonly options: CliOptions } => {
  let values: Record<string, string | boolean | Array<string> | undefined>
  try {
    const parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        store: { type: "string" },
        sample: { type: "boolean" },
        port: { type: "string" },
        dialect: { type: "string" },
        token: { type: "string" },
        ttl: { type: "string" },
        "ttl-parameters": { type: "string" },
        "ttl-secrets": { type: "string" },
        "max-connections": { type: "string" },
        roles: { type: "string" },
        "max-roles": { type: "string" },
        prefetch: { type: "string", multiple: true },
        "write-env": { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        "not-ready-requests": { type: "string" },
        "not-ready-ms": { type: "string" },
        "refuse-ms": { type: "string" },
        "latency-ms": { type: "string" },
        "latency-jitter-ms": { type: "string" },
        "throttle-rate": { type: "string" },
        "server-error-rate": { type: "string" },
        "server-error-status": { type: "string" },
        "drop-rate": { type: "string" },
        "malformed-rate": { type: "string" },
        "oversized-bytes": { type: "string" },
        "slow-body-interval-ms": { type: "string" },
        "slow-body-chunk-bytes": { type: "string" },
        faults: { type: "string" }
      }
    })
    values = parsed.values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const str = (key: string) => values[key] as string | undefined
  if (values.help === true) return { _tag: "Help" }
  const dialect = str("dialect") ?? "extension"
  if (dialect !== "extension" && dialect !== "agent") throw new UsageError(`--dialect must be extension or agent`)
  if (str("store") !== undefined && values.sample === true) throw new UsageError("use --store or --sample, not both")
  const port = integer("port", str("port")) ?? defaultPort
  if (port > 65535) throw new UsageError("--port must be from 0 to 65535")
  const ttlBoth = number("ttl", str("ttl")) ?? 300
  const maxConnections = integer("max-connections", str("max-connections"))
  if (maxConnections === 0) throw new UsageError("--max-connections must be at least 1")

  const faults: Record<string, unknown> = {}
  const notReadyRequests = integer("not-ready-requests", str("not-ready-requests"))
  const notReadyMs = number("not-ready-ms", str("not-ready-ms"))
  if (notReadyRequests !== undefined || notReadyMs !== undefined) {
    faults.notReady = {
      ...(notReadyRequests !== undefined ? { requests: notReadyRequests } : {}),
      ...(notReadyMs !== undefined ? { forMs: notReadyMs } : {})
    }
  }
  const refuseMs = number("refuse-ms", str("refuse-ms"))
  if (refuseMs !== undefined) faults.refuseConnections = { forMs: refuseMs }
  const latencyMs = number("latency-ms", str("latency-ms"))
  const jitterMs = number("latency-jitter-ms", str("latency-jitter-ms"))
  if (latencyMs !== undefined || jitterMs !== undefined) {
    faults.latency = { ms: latencyMs ?? 0, ...(jitterMs !== undefined ? { jitterMs } : {}) }
  }
  const throttle = rate("throttle-rate", str("throttle-rate"))
  if (throttle !== undefined) faults.throttle = { probability: throttle }
  const serverError = rate("server-error-rate", str("server-error-rate"))
  const serverErrorStatus = integer("server-error-status", str("server-error-status"))
  if (serverError !== undefined || serverErrorStatus !== undefined) {
    faults.serverError = {
      probability: serverError ?? 1,
      ...(serverErrorStatus !== undefined ? { status: serverErrorStatus } : {})
    }
  }
  const drop = rate("drop-rate", str("drop-rate"))
  if (drop !== undefined) faults.dropMidBody = { probability: drop }
  const malformed = rate("malformed-rate", str("malformed-rate"))
  if (malformed !== undefined) faults.malformedBody = { probability: malformed }
  const oversized = integer("oversized-bytes", str("oversized-bytes"))
  if (oversized !== undefined) faults.oversizedBody = { bytes: oversized }
  const slowInterval = number("slow-body-interval-ms", str("slow-body-interval-ms"))
  const slowChunk = integer("slow-body-chunk-bytes", str("slow-body-chunk-bytes"))
  if (slowChunk === 0) throw new UsageError("--slow-body-chunk-bytes must be at least 1")
  if (slowInterval !== undefined || slowChunk !== undefined) {
    faults.slowBody = {
      ...(slowInterval !== undefined ? { intervalMs: slowInterval } : {}),
      ...(slowChunk !== undefined ? { chunkBytes: slowChunk } : {})
    }
  }

  return {
    _tag: "Run",
    options: {
      storePath: str("store"),
      sample: values.sample === true,
      port,
      dialect,
      token: str("token"),
      ttl: {
        parameters: number("ttl-parameters", str("ttl-parameters")) ?? ttlBoth,
        secrets: number("ttl-secrets", str("ttl-secrets")) ?? ttlBoth
      },
      maxConnections,
      rolesPath: str("roles"),
      maxRoles: integer("max-roles", str("max-roles")),
      prefetch: (values.prefetch as Array<string> | undefined) ?? [],
      writeEnv: str("write-env"),
      quiet: values.quiet === true,
      faults: faults as Faults,
      faultsJson: str("faults")
    }
  }
}

/** `KEY=value` as a POSIX shell reads it. */
export const shellQuote = (value: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
