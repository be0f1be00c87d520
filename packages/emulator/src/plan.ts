#!/usr/bin/env node
/**
 * `secrets-config-plan`: the cold-start budget planner (`ColdStartPlanner` of
 * `@secrets-config/core`) from the command line. It reads the names an app reads — the JSON that
 * `SecretsConfigProvider.reads(AppConfig, options)` returns, or just counts — and the scale-out, and
 * prints the report.
 *
 * @since 0.2.0
 */
import * as ColdStartPlanner from "@secrets-config/core/ColdStartPlanner"
import * as fs from "node:fs"
import { parseArgs } from "node:util"
import { number, UsageError } from "./internal/flags.js"

const USAGE = `Usage: secrets-config-plan [options]

Plans the upstream calls of a Lambda scale-out that reads its config through the AWS Parameters and
Secrets Lambda Extension: calls per cold start, peak TPS against Parameter Store's and Secrets
Manager's quotas, time to warm the fleet, and what to change.

What the app reads (one of):
  --reads <file>                 JSON from SecretsConfigProvider.reads(config, options):
                                 [{ "kind": "parameter" | "secret", "name": "..." }, ...]
  --parameters <n> --secrets <n> counts instead of names

The scale-out (one of):
  --environments <n> [--ramp <seconds>]   n new environments, all at once (default) or over a ramp
  --cold-starts-per-second <n>            a peak rate of new environments

Optional:
  --ttl <seconds>                the extension's TTL (default 300, at most 300)
  --parameter-store-tps <n>      GetParameter quota (default 40)
  --secrets-manager-tps <n>      GetSecretValue quota (default 10000)
  --invocations-per-second <n>   per warm environment, for the steady-state refresh load
  --deadline <seconds>           each call's deadline (default 5)
  --window <seconds>             the opt-in coldStartRetry window (default 10)
  -h, --help                     show this help
`

const readsFrom = (file: string): ReadonlyArray<ColdStartPlanner.Read> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"))
  } catch (error) {
    throw new UsageError(`--reads ${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code ?? "not JSON"}`)
  }
  if (!Array.isArray(parsed)) throw new UsageError(`--reads ${JSON.stringify(file)}: expected a JSON array`)
  return parsed.map((entry: unknown, i) => {
    const read = entry as { readonly kind?: unknown; readonly name?: unknown; readonly withDecryption?: unknown }
    if ((read?.kind !== "parameter" && read?.kind !== "secret") || typeof read.name !== "string") {
      throw new UsageError(`--reads ${JSON.stringify(file)}: entry ${i} needs kind "parameter" or "secret" and a name`)
    }
    return { kind: read.kind, name: read.name, withDecryption: read.withDecryption !== false }
  })
}

const main = (argv: ReadonlyArray<string>): string => {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        reads: { type: "string" },
        parameters: { type: "string" },
        secrets: { type: "string" },
        environments: { type: "string" },
        ramp: { type: "string" },
        "cold-starts-per-second": { type: "string" },
        ttl: { type: "string" },
        "parameter-store-tps": { type: "string" },
        "secrets-manager-tps": { type: "string" },
        "invocations-per-second": { type: "string" },
        deadline: { type: "string" },
        window: { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.help === true) return USAGE
  const str = (key: string) => values[key] as string | undefined
  const counts = [number("parameters", str("parameters")), number("secrets", str("secrets"))] as const
  if (str("reads") !== undefined && (counts[0] !== undefined || counts[1] !== undefined)) {
    throw new UsageError("use --reads or --parameters/--secrets, not both")
  }
  const reads: ReadonlyArray<ColdStartPlanner.Read> =
    str("reads") !== undefined
      ? readsFrom(str("reads")!)
      : [
          ...Array.from({ length: counts[0] ?? 0 }, (_, i) => ({
            kind: "parameter" as const,
            name: `/parameter-${i + 1}`,
            withDecryption: true
          })),
          ...Array.from({ length: counts[1] ?? 0 }, (_, i) => ({
            kind: "secret" as const,
            name: `secret-${i + 1}`,
            withDecryption: true
          }))
        ]
  if (reads.length === 0) throw new UsageError("say what the app reads: --reads <file>, or --parameters / --secrets")
  const environments = number("environments", str("environments"))
  const rate = number("cold-starts-per-second", str("cold-starts-per-second"))
  if ((environments === undefined) === (rate === undefined)) {
    throw new UsageError("give the scale-out: --environments <n> [--ramp <s>], or --cold-starts-per-second <n>")
  }
  const plan = ColdStartPlanner.plan({
    reads,
    scaleOut:
      rate !== undefined
        ? { coldStartsPerSecond: rate }
        : { environments: environments!, rampSeconds: number("ramp", str("ramp")) ?? 0 },
    ...(str("ttl") !== undefined ? { ttlSeconds: number("ttl", str("ttl"))! } : {}),
    quotas: {
      ...(str("parameter-store-tps") !== undefined
        ? { parameterStoreTps: number("parameter-store-tps", str("parameter-store-tps"))! }
        : {}),
      ...(str("secrets-manager-tps") !== undefined
        ? { secretsManagerTps: number("secrets-manager-tps", str("secrets-manager-tps"))! }
        : {})
    },
    ...(str("invocations-per-second") !== undefined
      ? { invocationsPerEnvironmentPerSecond: number("invocations-per-second", str("invocations-per-second"))! }
      : {}),
    ...(str("deadline") !== undefined ? { deadlineSeconds: number("deadline", str("deadline"))! } : {}),
    ...(str("window") !== undefined ? { retryWindowSeconds: number("window", str("window"))! } : {})
  })
  return ColdStartPlanner.format(plan)
}

try {
  process.stdout.write(`${main(process.argv.slice(2))}\n`)
} catch (error) {
  if (error instanceof UsageError || error instanceof RangeError) {
    process.stderr.write(`secrets-config-plan: ${error.message}\n(see --help)\n`)
    process.exitCode = 2
  } else {
    throw error
  }
}
