import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigError from "@secrets-config/core/SecretsConfigError"
import { MemorySecretsConfig } from "@secrets-config/memory"
import { Cause, Effect, Exit, Fiber, Option, Redacted, Schedule, TestClock } from "effect"

const CANARY = "canary-7f3a9c-secret"
const GENERIC = "an unexpected error occurred while executing request"

const store: MemorySecretsConfig.StoreSeed = {
  parameters: [
    { name: "/app/host", value: "db.internal" },
    { name: "/app/hosts", value: ["a", "b", "c"] },
    { name: "/app/key", type: "SecureString", value: CANARY },
    { name: "/app/flag", versions: [{ value: "v1" }, { value: "v2", labels: ["Prod"] }, { value: "v3" }] }
  ],
  secrets: [
    { name: "app/db", value: CANARY },
    { name: "app/cert", value: Uint8Array.from([1, 2, 3]) }
  ]
}

/** The store's own mechanics, without the retry policy (it has its own tests below). */
const provide = (options?: MemorySecretsConfig.Options, seed: MemorySecretsConfig.StoreSeed = store) =>
  Effect.provide(MemorySecretsConfig.layer(seed, { policy: false, ...options }))

const valueOf = (name: string, options?: SecretsConfig.GetParameterOptions) =>
  Effect.map(SecretsConfig.parameterValue(name, options), Redacted.value)

const secretText = (secretId: string, options?: SecretsConfig.GetSecretOptions) =>
  Effect.map(SecretsConfig.secretValue(secretId, options), Redacted.value)

const throttled = new SecretsConfigError.Throttled({ kind: "parameter", resource: "/app/host", status: 429 })

describe("MemorySecretsConfig", () => {
  describe("store", () => {
    it.effect("shorthands: text is a String, a list a StringList, a secret value one AWSCURRENT version", () =>
      Effect.gen(function* () {
        const host = yield* SecretsConfig.getParameter("/app/host")
        assert.strictEqual(host.type, "String")
        assert.strictEqual(host.version, 1)
        const hosts = yield* SecretsConfig.getParameter("/app/hosts")
        assert.strictEqual(hosts.type, "StringList")
        assert.strictEqual(Redacted.value(hosts.value), "a,b,c")
        const secret = yield* SecretsConfig.getSecret("app/db")
        assert.deepStrictEqual(secret.versionStages, ["AWSCURRENT"])
        assert.strictEqual(secret.versionId, "00000000-0000-4000-8000-000000000001")
        assert.deepStrictEqual(Redacted.value(yield* SecretsConfig.secretBytes("app/cert")), Uint8Array.from([1, 2, 3]))
      }).pipe(provide())
    )

    it.effect("an empty store answers every read as missing", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(SecretsConfig.getParameter("/app/host"))
        assert.strictEqual(error._tag, "UpstreamError")
      }).pipe(Effect.provide(MemorySecretsConfig.layer()))
    )

    it.effect("secret versions without stages: the last is AWSCURRENT, the one before AWSPREVIOUS", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* secretText("s"), "three")
        assert.strictEqual(yield* secretText("s", { versionStage: "AWSPREVIOUS" }), "two")
        const first = yield* SecretsConfig.getSecret("s", { versionId: "00000000-0000-4000-8000-000000000001" })
        assert.strictEqual(Redacted.value(first.value as Redacted.Redacted<string>), "one")
        assert.deepStrictEqual(first.versionStages, [])
      }).pipe(
        provide({}, { secrets: [{ name: "s", versions: [{ value: "one" }, { value: "two" }, { value: "three" }] }] })
      )
    )

    it.effect("dates come from the Clock (TestClock starts at epoch 0) unless seeded", () =>
      Effect.gen(function* () {
        const host = yield* SecretsConfig.getParameter("/app/host")
        assert.strictEqual(host.lastModifiedDate.getTime(), 0)
        const dated = yield* SecretsConfig.getParameter("/dated")
        assert.strictEqual(dated.lastModifiedDate.toISOString(), "2022-11-16T08:22:40.362Z")
        yield* TestClock.adjust("1 minute")
        yield* MemorySecretsConfig.putParameter("/app/host", "db2.internal")
        assert.strictEqual((yield* SecretsConfig.getParameter("/app/host")).lastModifiedDate.getTime(), 60_000)
        yield* MemorySecretsConfig.rotateSecret("app/db", "next")
        assert.strictEqual((yield* SecretsConfig.getSecret("app/db")).createdDate.getTime(), 60_000)
      }).pipe(
        provide(
          {},
          {
            ...store,
            parameters: [
              ...store.parameters!,
              { name: "/dated", value: "x", lastModifiedDate: new Date("2022-11-16T08:22:40.362Z") }
            ]
          }
        )
      )
    )

    it.effect("region, account and partition options shape the ARNs", () =>
      Effect.gen(function* () {
        const parameter = yield* SecretsConfig.getParameter("/app/host")
        assert.strictEqual(parameter.arn, "arn:aws-cn:ssm:cn-north-1:111122223333:parameter/app/host")
        const secret = yield* SecretsConfig.getSecret("app/db")
        assert.match(secret.arn, /^arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:app\/db-[A-Za-z]{6}$/)
        // A partial ARN (without the six-letter suffix) reaches the secret too.
        assert.strictEqual(yield* secretText(secret.arn.slice(0, -7)), CANARY)
        // Another account's ARN is not in this store.
        const other = yield* Effect.flip(
          SecretsConfig.getParameter("arn:aws-cn:ssm:cn-north-1:999999999999:parameter/app/host")
        )
        assert.strictEqual(other._tag, "UpstreamError")
      }).pipe(provide({ region: "cn-north-1", accountId: "111122223333", partition: "aws-cn" }))
    )

    it.effect("ciphertext is deterministic, KMS-shaped and differs between versions", () =>
      Effect.gen(function* () {
        const first = yield* valueOf("/app/key", { withDecryption: false })
        assert.strictEqual(yield* valueOf("/app/key", { withDecryption: false }), first)
        assert.isTrue(first.startsWith("AQICAH"))
        assert.notInclude(first, CANARY)
        yield* MemorySecretsConfig.putParameter("/app/key", CANARY)
        const second = yield* valueOf("/app/key", { withDecryption: false })
        assert.notStrictEqual(second, first)
        assert.strictEqual(yield* valueOf("/app/key", { version: 1, withDecryption: false }), first)
      }).pipe(provide())
    )

    it.effect("bytes are copied in and out: nobody can change the store behind its back", () =>
      Effect.gen(function* () {
        const input = Uint8Array.from([7, 7, 7])
        yield* MemorySecretsConfig.putSecret("bin", input)
        input[0] = 0
        const read = Redacted.value(yield* SecretsConfig.secretBytes("bin"))
        assert.deepStrictEqual(read, Uint8Array.from([7, 7, 7]))
        read[1] = 0
        assert.deepStrictEqual(Redacted.value(yield* SecretsConfig.secretBytes("bin")), Uint8Array.from([7, 7, 7]))
      }).pipe(provide())
    )

    const invalidStores: ReadonlyArray<readonly [string, MemorySecretsConfig.StoreSeed]> = [
      [
        "a label on a version that does not exist",
        { parameters: [{ name: "/a", versions: [{ value: "x" }, { value: "y", labels: ["9x"] }] }] }
      ],
      ["a label starting with a digit", { parameters: [{ name: "/a", value: "x", labels: ["1x"] }] }],
      ["a parameter name under /aws", { parameters: [{ name: "/aws/x", value: "x" }] }],
      ["a path without a leading slash", { parameters: [{ name: "a/b", value: "x" }] }],
      ["a StringList item with a comma", { parameters: [{ name: "/a", value: ["x,y"] }] }],
      ["an empty value", { parameters: [{ name: "/a", value: "" }] }],
      [
        "a parameter with both value and versions",
        { parameters: [{ name: "/a", value: "x", versions: [{ value: "y" }] }] }
      ],
      ["a secret without AWSCURRENT", { secrets: [{ name: "s", versions: [{ value: "x", stages: ["AWSPENDING"] }] }] }],
      [
        "a stage on two versions",
        {
          secrets: [
            {
              name: "s",
              versions: [
                { value: "x", stages: ["AWSCURRENT"] },
                { value: "y", stages: ["AWSCURRENT"] }
              ]
            }
          ]
        }
      ],
      ["a secret without versions", { secrets: [{ name: "s", versions: [] }] }],
      ["a secret with two values", { secrets: [{ name: "s", value: "x", json: { a: 1 } }] }],
      ["a short version id", { secrets: [{ name: "s", value: "x", versionId: "v1" }] }]
    ]
    for (const [label, invalid] of invalidStores) {
      it.effect(`an invalid store is a defect: ${label}`, () =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(
            Effect.provide(SecretsConfig.getParameter("/a"), MemorySecretsConfig.layer(invalid))
          )
          assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause), "expected a defect")
        })
      )
    }
  })

  describe("control: parameters", () => {
    it.effect("putParameter adds a version; older versions stay readable", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* MemorySecretsConfig.putParameter("/app/host", "db2.internal"), 2)
        assert.strictEqual(yield* MemorySecretsConfig.putParameter("/app/host", "db3.internal"), 3)
        const latest = yield* SecretsConfig.getParameter("/app/host")
        assert.strictEqual(latest.version, 3)
        assert.strictEqual(Redacted.value(latest.value), "db3.internal")
        assert.strictEqual(yield* valueOf("/app/host", { version: 1 }), "db.internal")
        assert.strictEqual(yield* valueOf("/app/host:2"), "db2.internal")
      }).pipe(provide())
    )

    it.effect("putParameter creates a parameter; a list makes a StringList", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* MemorySecretsConfig.putParameter("/new/list", ["x", "y"]), 1)
        assert.deepStrictEqual(yield* SecretsConfig.parameterList("/new/list"), ["x", "y"])
        assert.strictEqual((yield* SecretsConfig.getParameter("/new/list")).type, "StringList")
      }).pipe(provide())
    )

    it.effect("an overwrite keeps the type (a SecureString stays encrypted)", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.putParameter("/app/key", "rotated")
        const parameter = yield* SecretsConfig.getParameter("/app/key", { withDecryption: false })
        assert.strictEqual(parameter.type, "SecureString")
        assert.notStrictEqual(Redacted.value(parameter.value), "rotated")
        assert.strictEqual(yield* valueOf("/app/key"), "rotated")
      }).pipe(provide())
    )

    it.effect("labels stay on their version when a new one is put; labelling moves them", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.putParameter("/app/flag", "v4")
        assert.strictEqual(yield* valueOf("/app/flag", { label: "Prod" }), "v2")
        yield* MemorySecretsConfig.labelParameterVersion("/app/flag", ["Prod"])
        const prod = yield* SecretsConfig.getParameter("/app/flag", { label: "Prod" })
        assert.strictEqual(prod.version, 4)
        yield* MemorySecretsConfig.labelParameterVersion("/app/flag", ["Prod", "Canary"], 1)
        assert.strictEqual(yield* valueOf("/app/flag", { label: "Prod" }), "v1")
        assert.strictEqual(yield* valueOf("/app/flag:Canary"), "v1")
        yield* MemorySecretsConfig.putParameter("/app/flag", "v5", { labels: ["Canary"] })
        assert.strictEqual(yield* valueOf("/app/flag", { label: "Canary" }), "v5")
      }).pipe(provide())
    )

    it.effect("deleteParameter removes every version", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.deleteParameter("/app/flag")
        const error = yield* Effect.flip(SecretsConfig.getParameter("/app/flag", { version: 1 }))
        assert.strictEqual(error._tag, "UpstreamError")
        // Recreated, it starts again at version 1.
        assert.strictEqual(yield* MemorySecretsConfig.putParameter("/app/flag", "again"), 1)
      }).pipe(provide())
    )

    it.effect("control operations refuse what AWS refuses, with ControlError", () =>
      Effect.gen(function* () {
        const errors = [
          yield* Effect.flip(MemorySecretsConfig.deleteParameter("/nope")),
          yield* Effect.flip(MemorySecretsConfig.labelParameterVersion("/app/flag", ["9lives"])),
          yield* Effect.flip(MemorySecretsConfig.labelParameterVersion("/app/flag", ["awsLabel"])),
          yield* Effect.flip(MemorySecretsConfig.labelParameterVersion("/app/flag", ["Prod"], 9)),
          yield* Effect.flip(MemorySecretsConfig.labelParameterVersion("/nope", ["Prod"])),
          yield* Effect.flip(MemorySecretsConfig.putParameter("ssm-thing", "x")),
          yield* Effect.flip(MemorySecretsConfig.putParameter("/big", "x".repeat(8193)))
        ]
        for (const error of errors) {
          assert.strictEqual(error._tag, "ControlError")
          assert.include(error.message, "MemorySecretsConfig")
        }
        // A failed put leaves no version behind.
        assert.strictEqual((yield* SecretsConfig.getParameter("/app/flag")).version, 3)
      }).pipe(provide())
    )
  })

  describe("control: secrets", () => {
    it.effect(
      "rotateSecret: the new version is AWSCURRENT, the old one AWSPREVIOUS, the one before loses its stage",
      () =>
        Effect.gen(function* () {
          const first = yield* SecretsConfig.getSecret("app/db")
          const second = yield* MemorySecretsConfig.rotateSecret("app/db", "second")
          assert.strictEqual(second, "00000000-0000-4000-8000-000000000003")
          assert.strictEqual(yield* secretText("app/db"), "second")
          assert.strictEqual(yield* secretText("app/db", { versionStage: "AWSPREVIOUS" }), CANARY)
          const third = yield* MemorySecretsConfig.rotateSecret("app/db", "third")
          assert.strictEqual(yield* secretText("app/db"), "third")
          const previous = yield* SecretsConfig.getSecret("app/db", { versionStage: "AWSPREVIOUS" })
          assert.strictEqual(previous.versionId, second)
          const deprecated = yield* SecretsConfig.getSecret("app/db", { versionId: first.versionId })
          assert.deepStrictEqual(deprecated.versionStages, [])
          assert.strictEqual((yield* SecretsConfig.getSecret("app/db")).versionId, third)
          // Through Parameter Store as well.
          assert.strictEqual(yield* valueOf("/aws/reference/secretsmanager/app/db"), "third")
          assert.strictEqual(yield* valueOf("/aws/reference/secretsmanager/app/db:AWSPREVIOUS"), "second")
        }).pipe(provide())
    )

    it.effect("rotateSecret of a missing secret is a ControlError", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(MemorySecretsConfig.rotateSecret("nope", "x"))
        assert.strictEqual(error._tag, "ControlError")
      }).pipe(provide())
    )

    it.effect("putSecret creates a secret, and with other stages leaves AWSCURRENT alone", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.putSecret("new/secret", "v1")
        assert.strictEqual(yield* secretText("new/secret"), "v1")
        const pending = yield* MemorySecretsConfig.putSecret("new/secret", "v2", { stages: ["AWSPENDING"] })
        assert.strictEqual(yield* secretText("new/secret"), "v1")
        assert.strictEqual(yield* secretText("new/secret", { versionStage: "AWSPENDING" }), "v2")
        // Finishing the rotation: AWSCURRENT moves, the old current becomes AWSPREVIOUS.
        yield* MemorySecretsConfig.moveSecretStage("new/secret", "AWSCURRENT", pending)
        assert.strictEqual(yield* secretText("new/secret"), "v2")
        assert.strictEqual(yield* secretText("new/secret", { versionStage: "AWSPREVIOUS" }), "v1")
        const current = yield* SecretsConfig.getSecret("new/secret")
        assert.deepStrictEqual([...current.versionStages].sort(), ["AWSCURRENT", "AWSPENDING"])
      }).pipe(provide())
    )

    it.effect("putSecret is idempotent on a version id with the same value, refuses another value", () =>
      Effect.gen(function* () {
        const id = "11111111-2222-4333-8444-555555555555"
        assert.strictEqual(yield* MemorySecretsConfig.putSecret("app/db", "next", { versionId: id }), id)
        assert.strictEqual(yield* MemorySecretsConfig.putSecret("app/db", "next", { versionId: id }), id)
        assert.strictEqual(yield* secretText("app/db", { versionStage: "AWSPREVIOUS" }), CANARY)
        const error = yield* Effect.flip(MemorySecretsConfig.putSecret("app/db", "other", { versionId: id }))
        assert.strictEqual(error._tag, "ControlError")
      }).pipe(provide())
    )

    it.effect("deleteSecret: the secret is gone; recreated, it has a new ARN", () =>
      Effect.gen(function* () {
        const before = yield* SecretsConfig.getSecret("app/db")
        yield* MemorySecretsConfig.deleteSecret("app/db")
        const error = yield* Effect.flip(SecretsConfig.getSecret("app/db"))
        assert.strictEqual(error._tag, "UpstreamError")
        const reference = yield* Effect.flip(SecretsConfig.getParameter("/aws/reference/secretsmanager/app/db"))
        assert.strictEqual(reference._tag, "UpstreamError")
        yield* MemorySecretsConfig.putSecret("app/db", "reborn")
        const after = yield* SecretsConfig.getSecret("app/db")
        assert.notStrictEqual(after.arn, before.arn)
        assert.strictEqual(
          yield* Effect.flip(MemorySecretsConfig.deleteSecret("nope")).pipe(Effect.map((e) => e._tag)),
          "ControlError"
        )
      }).pipe(provide())
    )
  })

  describe("faults", () => {
    it.effect("failNext(n) fails the next n requests, then the store answers again", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.failNext(2, throttled)
        assert.strictEqual((yield* Effect.flip(SecretsConfig.getParameter("/app/host")))._tag, "Throttled")
        assert.strictEqual((yield* Effect.flip(SecretsConfig.getSecret("app/db")))._tag, "Throttled")
        assert.strictEqual(yield* valueOf("/app/host"), "db.internal")
      }).pipe(provide())
    )

    it.effect("faults queue up in order; a function builds the error from the request", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.failNext(1, throttled)
        yield* MemorySecretsConfig.failNext(1, (request) =>
          request._tag === "ParameterRequest"
            ? new SecretsConfigError.ExtensionNotReady({ kind: "parameter", resource: request.name })
            : new SecretsConfigError.ExtensionNotReady({ kind: "secret", resource: request.secretId })
        )
        assert.strictEqual((yield* Effect.flip(SecretsConfig.getParameter("/app/host")))._tag, "Throttled")
        const notReady = yield* Effect.flip(SecretsConfig.getSecret("app/db"))
        assert.strictEqual(notReady._tag, "ExtensionNotReady")
        assert.strictEqual(notReady.resource, "app/db")
        assert.isTrue(SecretsConfigError.isTransient(notReady))
        assert.strictEqual(yield* secretText("app/db"), CANARY)
      }).pipe(provide())
    )

    it.effect("failNext(Infinity) fails until clearFaults", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.failNext(Infinity, throttled)
        for (let i = 0; i < 5; i++) {
          assert.strictEqual((yield* Effect.flip(SecretsConfig.getParameter("/app/host")))._tag, "Throttled")
        }
        yield* MemorySecretsConfig.clearFaults
        assert.strictEqual(yield* valueOf("/app/host"), "db.internal")
      }).pipe(provide())
    )

    it.effect("a retry policy recovers from transient faults", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.failNext(2, throttled)
        const value = yield* valueOf("/app/host").pipe(
          Effect.retry({ times: 3, while: (e) => SecretsConfigError.isTransient(e) })
        )
        assert.strictEqual(value, "db.internal")
        assert.deepStrictEqual(
          (yield* MemorySecretsConfig.requests).map((r) => r.outcome),
          ["Throttled", "Throttled", "Success"]
        )
      }).pipe(provide())
    )
  })

  describe("the retry and deadline policy (the live layer's, on by default)", () => {
    const live = (options?: MemorySecretsConfig.Options) => Effect.provide(MemorySecretsConfig.layer(store, options))
    const notReady = new SecretsConfigError.ExtensionNotReady({ kind: "parameter", resource: "/app/host" })

    it.effect("a cold start's not-ready answers are retried, as production retries them (TestClock)", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.failNext(2, notReady)
        const fiber = yield* Effect.fork(valueOf("/app/host"))
        yield* TestClock.adjust("1 second")
        assert.strictEqual(yield* Fiber.join(fiber), "db.internal")
        assert.deepStrictEqual(
          (yield* MemorySecretsConfig.requests).map((r) => r.outcome),
          ["ExtensionNotReady", "ExtensionNotReady", "Success"]
        )
      }).pipe(live())
    )

    it.effect("the backoff waits: nothing is retried before the first delay (about 25 ms) has passed", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.failNext(1, notReady)
        const fiber = yield* Effect.fork(valueOf("/app/host"))
        yield* TestClock.adjust("10 millis")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        assert.strictEqual((yield* MemorySecretsConfig.requests).length, 1)
        yield* TestClock.adjust("40 millis")
        assert.strictEqual(yield* Fiber.join(fiber), "db.internal")
      }).pipe(live())
    )

    it.effect("a failure that is not transient is returned at once, never retried", () =>
      Effect.gen(function* () {
        const denied = new SecretsConfigError.UpstreamError({
          kind: "parameter",
          resource: "/app/host",
          status: 400,
          body: GENERIC,
          transient: false
        })
        yield* MemorySecretsConfig.failNext(1, denied)
        assert.strictEqual((yield* Effect.flip(valueOf("/app/host")))._tag, "UpstreamError")
        assert.strictEqual((yield* MemorySecretsConfig.requests).length, 1)
      }).pipe(live())
    )

    it.effect("a hung source: each attempt times out after 1 s, and the call ends at its 5 s deadline", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.setLatency("1 hour")
        const fiber = yield* Effect.fork(Effect.flip(valueOf("/app/host")))
        yield* TestClock.adjust("10 seconds")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "RequestTimeout")
        const log = yield* MemorySecretsConfig.requests
        assert.isAbove(log.length, 1)
        assert.isTrue(log.every((r) => r.outcome === "Interrupted"))
      }).pipe(live())
    )

    it.effect("withDeadline shortens the call: the deadline's RequestTimeout after 300 ms", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.setLatency("2 seconds")
        const fiber = yield* Effect.fork(
          Effect.flip(valueOf("/app/host").pipe(SecretsConfig.withDeadline("300 millis")))
        )
        yield* TestClock.adjust("300 millis")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag === "RequestTimeout" && error.scope, "deadline")
      }).pipe(live())
    )

    it.effect("policy options: no retry at all with Schedule.stop", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.failNext(1, notReady)
        assert.strictEqual((yield* Effect.flip(valueOf("/app/host")))._tag, "ExtensionNotReady")
      }).pipe(live({ policy: { retry: Schedule.stop } }))
    )

    it.effect("invalid policy options are a defect naming the option", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(valueOf("/app/host").pipe(live({ policy: { timeout: 0 } })))
        assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
        if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), "timeout")
      })
    )
  })

  describe("roles (the Agent's roleArn)", () => {
    const role = "arn:aws:iam::210987654321:role/reader"
    it.effect("a listed role reads its own store; another is AccessDenied; the log shows the role", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* secretText("app/db", { roleArn: role }), "other account")
        assert.strictEqual(yield* secretText("app/db"), CANARY)
        const denied = yield* Effect.flip(
          SecretsConfig.getSecret("app/db", { roleArn: "arn:aws:iam::000000000000:role/none" })
        )
        assert.strictEqual(denied._tag, "AccessDenied")
        assert.include(denied.message, "role/none")
        const log = (yield* MemorySecretsConfig.requests).filter((r) => r.operation === "getSecret")
        assert.deepStrictEqual(
          log.map((r) => (r.operation === "getSecret" ? Option.getOrNull(r.roleArn) : null)),
          [role, null, "arn:aws:iam::000000000000:role/none"]
        )
      }).pipe(provide({ roles: { [role]: { secrets: [{ name: "app/db", value: "other account" }] } } }))
    )
  })

  describe("latency", () => {
    it.effect("a call with 5 s latency is not done after 4 s, and is after 5 s (TestClock)", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.setLatency("5 seconds")
        const fiber = yield* Effect.fork(valueOf("/app/host"))
        yield* TestClock.adjust("4 seconds")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        assert.deepStrictEqual(yield* MemorySecretsConfig.requests, [])
        yield* TestClock.adjust("1 second")
        assert.strictEqual(yield* Fiber.join(fiber), "db.internal")
        assert.strictEqual((yield* MemorySecretsConfig.requests).length, 1)
      }).pipe(provide())
    )

    it.effect("a fault answers after the latency too; setLatency(0) removes it", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.setLatency("2 seconds")
        yield* MemorySecretsConfig.failNext(1, throttled)
        const fiber = yield* Effect.fork(Effect.flip(SecretsConfig.getParameter("/app/host")))
        yield* TestClock.adjust("1 second")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* Fiber.join(fiber))._tag, "Throttled")
        yield* MemorySecretsConfig.setLatency(0)
        assert.strictEqual(yield* valueOf("/app/host"), "db.internal")
      }).pipe(provide())
    )

    it.effect("a timeout interrupts a slow request, logged as Interrupted", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.setLatency("10 seconds")
        const fiber = yield* Effect.fork(valueOf("/app/host").pipe(Effect.timeout("1 second"), Effect.option))
        yield* TestClock.adjust("1 second")
        assert.isTrue(Option.isNone(yield* Fiber.join(fiber)))
        assert.deepStrictEqual(
          (yield* MemorySecretsConfig.requests).map((r) => r.outcome),
          ["Interrupted"]
        )
      }).pipe(provide())
    )
  })

  describe("request log", () => {
    it.effect("records operation, name, selector, decryption flag and outcome, never a value", () =>
      Effect.gen(function* () {
        yield* SecretsConfig.getParameter("/app/key", { withDecryption: false })
        yield* SecretsConfig.getParameter("/app/flag", { label: "Prod" })
        yield* SecretsConfig.getParameter("/app/flag:1")
        yield* Effect.flip(SecretsConfig.getParameter("/missing"))
        yield* SecretsConfig.getSecret("app/db", { versionStage: "AWSCURRENT" })
        const log = yield* MemorySecretsConfig.requests
        assert.deepStrictEqual(log, [
          {
            operation: "getParameter",
            name: "/app/key",
            selector: Option.none(),
            withDecryption: false,
            outcome: "Success"
          },
          {
            operation: "getParameter",
            name: "/app/flag",
            selector: Option.some({ _tag: "Label" as const, label: "Prod" }),
            withDecryption: true,
            outcome: "Success"
          },
          {
            operation: "getParameter",
            name: "/app/flag:1",
            selector: Option.some({ _tag: "Version" as const, version: 1 }),
            withDecryption: true,
            outcome: "Success"
          },
          {
            operation: "getParameter",
            name: "/missing",
            selector: Option.none(),
            withDecryption: true,
            outcome: "UpstreamError"
          },
          {
            operation: "getSecret",
            name: "app/db",
            versionId: Option.none(),
            versionStage: Option.some("AWSCURRENT"),
            roleArn: Option.none(),
            refreshNow: false,
            outcome: "Success"
          }
        ])
        assert.notInclude(JSON.stringify(log), CANARY)
        yield* MemorySecretsConfig.clearRequests
        assert.deepStrictEqual(yield* MemorySecretsConfig.requests, [])
      }).pipe(provide())
    )

    it.effect("an InvalidRequest does no I/O: nothing logged, no fault consumed", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.failNext(1, throttled)
        const invalid = [
          yield* Effect.flip(SecretsConfig.getParameter("")),
          yield* Effect.flip(SecretsConfig.getParameter("/app/flag", { version: 1, label: "Prod" })),
          yield* Effect.flip(SecretsConfig.getParameter("/app/flag:2", { version: 2 })),
          yield* Effect.flip(SecretsConfig.getSecret("app/db", { versionStage: "" }))
        ]
        for (const error of invalid) assert.strictEqual(error._tag, "InvalidRequest")
        assert.deepStrictEqual(yield* MemorySecretsConfig.requests, [])
        // The fault is still there for the first valid request.
        assert.strictEqual((yield* Effect.flip(SecretsConfig.getParameter("/app/host")))._tag, "Throttled")
        assert.strictEqual(yield* valueOf("/app/host"), "db.internal")
      }).pipe(provide())
    )

    it.effect("a Control from another layer sees nothing: every layer is a fresh store", () =>
      Effect.gen(function* () {
        yield* MemorySecretsConfig.putParameter("/app/host", "changed")
        const other = yield* valueOf("/app/host").pipe(provide())
        assert.strictEqual(other, "db.internal")
        assert.strictEqual(yield* valueOf("/app/host"), "changed")
      }).pipe(provide())
    )
  })

  describe("missing mode", () => {
    it.effect("extension (default): UpstreamError 400 with the generic body, not transient", () =>
      Effect.gen(function* () {
        for (const error of [
          yield* Effect.flip(SecretsConfig.getParameter("/missing")),
          yield* Effect.flip(SecretsConfig.getParameter("/app/flag", { version: 9 })),
          yield* Effect.flip(SecretsConfig.getSecret("app/db", { versionStage: "NOPE" }))
        ]) {
          assert.strictEqual(error._tag, "UpstreamError")
          if (error._tag !== "UpstreamError") return
          assert.strictEqual(error.status, 400)
          assert.strictEqual(error.body, GENERIC)
          assert.isFalse(error.transient)
          assert.isFalse(SecretsConfigError.isTransient(error))
        }
      }).pipe(provide())
    )

    it.effect("exact: NotFound naming the kind and the resource as asked", () =>
      Effect.gen(function* () {
        const parameter = yield* Effect.flip(SecretsConfig.getParameter("/app/flag:9"))
        assert.strictEqual(parameter._tag, "NotFound")
        assert.strictEqual(parameter.kind, "parameter")
        assert.strictEqual(parameter.resource, "/app/flag:9")
        const secret = yield* Effect.flip(SecretsConfig.getSecret("nope"))
        assert.strictEqual(secret._tag, "NotFound")
        assert.strictEqual(secret.kind, "secret")
        assert.deepStrictEqual(
          (yield* MemorySecretsConfig.requests).map((r) => r.outcome),
          ["NotFound", "NotFound"]
        )
      }).pipe(provide({ missing: "exact" }))
    )
  })
})
