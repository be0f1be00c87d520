/**
 * Every flag of `secrets-config-emulator`, parsed as the CLI parses it (the end-to-end runs are in
 * Cli.test.ts): what each one sets, and the message a bad value gets.
 */
import { assert, describe, it } from "@effect/vitest"
import { parse, USAGE, UsageError } from "../src/internal/cli.js"

const run = (args: ReadonlyArray<string>) => {
  const command = parse(args)
  assert.strictEqual(command._tag, "Run")
  return command._tag === "Run" ? command.options : (undefined as never)
}

const refused = (args: ReadonlyArray<string>): string => {
  try {
    parse(args)
  } catch (error) {
    assert.instanceOf(error, UsageError)
    return (error as Error).message
  }
  return assert.fail(`accepted ${args.join(" ")}`)
}

describe("CLI flags", () => {
  it("defaults: the extension on 2773, TTL 300 s, no faults, nothing written", () => {
    const options = run([])
    assert.deepStrictEqual(
      [options.port, options.dialect, options.ttl, options.faults, options.writeEnv, options.prefetch],
      [2773, "extension", { parameters: 300, secrets: 300 }, {}, undefined, []]
    )
  })

  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, (options: ReturnType<typeof run>) => unknown, unknown]> =
    [
      [["--store", "s.json"], (o) => o.storePath, "s.json"],
      [["--sample"], (o) => o.sample, true],
      [["--port", "0"], (o) => o.port, 0],
      [["--dialect", "agent"], (o) => o.dialect, "agent"],
      [["--token", "t"], (o) => o.token, "t"],
      [["--ttl", "60"], (o) => o.ttl, { parameters: 60, secrets: 60 }],
      [["--ttl-parameters", "5", "--ttl-secrets", "7"], (o) => o.ttl, { parameters: 5, secrets: 7 }],
      [["--max-connections", "3"], (o) => o.maxConnections, 3],
      [["--roles", "r.json"], (o) => o.rolesPath, "r.json"],
      [["--max-roles", "2"], (o) => o.maxRoles, 2],
      [["--prefetch", "a", "--prefetch", "b"], (o) => o.prefetch, ["a", "b"]],
      [["--write-env", "out.env"], (o) => o.writeEnv, "out.env"],
      [["--quiet"], (o) => o.quiet, true],
      [["--not-ready-requests", "2"], (o) => o.faults.notReady, { requests: 2 }],
      [["--not-ready-ms", "100"], (o) => o.faults.notReady, { forMs: 100 }],
      [["--refuse-ms", "50"], (o) => o.faults.refuseConnections, { forMs: 50 }],
      [["--latency-ms", "20", "--latency-jitter-ms", "5"], (o) => o.faults.latency, { ms: 20, jitterMs: 5 }],
      [["--throttle-rate", "0.5"], (o) => o.faults.throttle, { probability: 0.5 }],
      [
        ["--server-error-rate", "1", "--server-error-status", "502"],
        (o) => o.faults.serverError,
        { probability: 1, status: 502 }
      ],
      [["--drop-rate", "0.1"], (o) => o.faults.dropMidBody, { probability: 0.1 }],
      [["--malformed-rate", "0.2"], (o) => o.faults.malformedBody, { probability: 0.2 }],
      [["--oversized-bytes", "2048"], (o) => o.faults.oversizedBody, { bytes: 2048 }],
      [
        ["--slow-body-interval-ms", "10", "--slow-body-chunk-bytes", "4"],
        (o) => o.faults.slowBody,
        { intervalMs: 10, chunkBytes: 4 }
      ],
      [["--faults", '{"latency":{"ms":1}}'], (o) => o.faultsJson, '{"latency":{"ms":1}}']
    ]
  for (const [args, pick, expected] of cases) {
    it(`${args.filter((a) => a.startsWith("--")).join(" ")}`, () => {
      assert.deepStrictEqual(pick(run(args)), expected)
    })
  }

  it("every flag of the usage text is covered above", () => {
    const documented = new Set(Array.from(USAGE.matchAll(/^\s+(--[a-z-]+)/gm), (m) => m[1]!))
    const covered = new Set(["--help", ...cases.flatMap(([args]) => args.filter((a) => a.startsWith("--")))])
    for (const flag of documented) assert.isTrue(covered.has(flag), `${flag} has no case`)
  })

  it("-h and --help: the usage", () => {
    assert.strictEqual(parse(["-h"])._tag, "Help")
    assert.strictEqual(parse(["--help"])._tag, "Help")
  })

  it("bad values say what is wrong", () => {
    assert.include(refused(["--throttle-rate", "2"]), "between 0 and 1")
    assert.include(refused(["--throttle-rate", "x"]), "needs a number")
    assert.include(refused(["--port", "70000"]), "0 to 65535")
    assert.include(refused(["--port=-1"]), "must not be negative")
    assert.include(refused(["--max-connections", "1.5"]), "whole number")
    assert.include(refused(["--max-connections", "0"]), "at least 1")
    assert.include(refused(["--slow-body-chunk-bytes", "0"]), "at least 1")
    assert.include(refused(["--dialect", "lambda"]), "extension or agent")
    assert.include(refused(["--store", "a", "--sample"]), "not both")
    // Node takes --env-file for itself: the flag is gone, its successor is --write-env.
    assert.include(refused(["--env-file", "x"]), "env-file")
  })
})
