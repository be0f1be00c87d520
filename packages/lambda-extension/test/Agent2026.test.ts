/**
 * The live layer with what the Secrets Manager Agent added (docs/protocol.md#agent-features-added-in-2026),
 * over real sockets against the emulator: `roleArn`, `refreshNow` (also from `SecretsConfigCache`),
 * the `/ping` health check, and rotation handled by `SecretsConfigRotation`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import * as SecretsConfigCache from "@secrets-config/core/SecretsConfigCache"
import * as SecretsConfigRotation from "@secrets-config/core/SecretsConfigRotation"
import { Emulator } from "@secrets-config/emulator"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import { Data, Effect, Layer, Redacted } from "effect"

const ROLE = "arn:aws:iam::210987654321:role/reader"

const agent = (options: Emulator.Options = {}) =>
  Emulator.make({
    dialect: "agent",
    ttlSeconds: 300,
    store: { secrets: [{ name: "app/db", value: "pw-1" }] },
    roles: { [ROLE]: { accountId: "210987654321", secrets: [{ name: "app/db", value: "pw-of-the-other-account" }] } },
    ...options
  })

const live = (emulator: Emulator.Emulator, dialect: LambdaExtension.Dialect = "agent") =>
  LambdaExtension.layerNode({ dialect, port: emulator.port, token: Redacted.make(emulator.token) })

const text = (secretId: string, options?: SecretsConfig.GetSecretOptions) =>
  Effect.map(SecretsConfig.secretValue(secretId, options), Redacted.value)

class AuthFailed extends Data.TaggedError("AuthFailed")<{ readonly password: string }> {}

describe("agent dialect: roleArn", () => {
  it.scopedLive("reads through the role, sent as roleArn, with its own cache entries", () =>
    Effect.gen(function* () {
      const emulator = yield* agent()
      const program = Effect.gen(function* () {
        assert.strictEqual(yield* text("app/db"), "pw-1")
        assert.strictEqual(yield* text("app/db", { roleArn: ROLE }), "pw-of-the-other-account")
        // The cache keeps the two apart too.
        assert.strictEqual(yield* text("app/db", { roleArn: ROLE }), "pw-of-the-other-account")
        assert.strictEqual(yield* text("app/db"), "pw-1")
      })
      yield* program.pipe(Effect.provide(SecretsConfigCache.layer().pipe(Layer.provide(live(emulator)))))
      const log = yield* emulator.control.requests
      assert.deepStrictEqual(
        log.map((e) => e.query.roleArn),
        [undefined, ROLE]
      )
    })
  )

  it.scopedLive("a malformed roleArn is InvalidRequest before any I/O", () =>
    Effect.gen(function* () {
      const emulator = yield* agent()
      for (const bad of ["not-an-arn", "arn:aws:iam::123:role/x", "arn:aws:iam::123456789012:user/x", `${ROLE}\n`]) {
        const error = yield* Effect.flip(text("app/db", { roleArn: bad }).pipe(Effect.provide(live(emulator))))
        assert.strictEqual(error._tag, "InvalidRequest", bad)
        assert.include(error.message, "roleArn")
      }
      assert.strictEqual((yield* emulator.control.requests).length, 0)
    })
  )

  it.scopedLive("a role the Agent cannot assume: AccessDenied (403), not a token problem", () =>
    Effect.gen(function* () {
      const emulator = yield* agent()
      const error = yield* Effect.flip(
        text("app/db", { roleArn: "arn:aws:iam::000000000000:role/NonExistentRole" }).pipe(
          Effect.provide(live(emulator))
        )
      )
      assert.strictEqual(error._tag, "AccessDenied")
      assert.include(error.message, "NonExistentRole")
    })
  )

  it.scopedLive("past the Agent's role limit: UpstreamError 400, not retried", () =>
    Effect.gen(function* () {
      const other = "arn:aws:iam::210987654321:role/other"
      const emulator = yield* agent({
        maxRoles: 1,
        roles: {
          [ROLE]: { secrets: [{ name: "app/db", value: "a" }] },
          [other]: { secrets: [{ name: "app/db", value: "b" }] }
        }
      })
      yield* text("app/db", { roleArn: ROLE }).pipe(Effect.provide(live(emulator)))
      const error = yield* Effect.flip(text("app/db", { roleArn: other }).pipe(Effect.provide(live(emulator))))
      assert.strictEqual(error._tag, "UpstreamError")
      assert.strictEqual(error._tag === "UpstreamError" && error.status, 400)
      assert.include(error.message, "MaxRolesExceeded")
      assert.strictEqual((yield* emulator.control.requests).length, 2)
    })
  )

  it.scopedLive("the extension dialect has no roleArn: InvalidRequest, nothing sent", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        dialect: "extension",
        store: { secrets: [{ name: "app/db", value: "x" }] }
      })
      const error = yield* Effect.flip(
        text("app/db", { roleArn: ROLE }).pipe(Effect.provide(live(emulator, "extension")))
      )
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.include(error.message, "Secrets Manager Agent")
      assert.strictEqual((yield* emulator.control.requests).length, 0)
    })
  )
})

describe("agent dialect: refreshNow", () => {
  it.scopedLive("served fresh while the Agent holds a cached value, which it then replaces", () =>
    Effect.gen(function* () {
      const emulator = yield* agent()
      const layer = live(emulator)
      assert.strictEqual(yield* text("app/db").pipe(Effect.provide(layer)), "pw-1")
      yield* emulator.control.rotateSecret("app/db", "pw-2")
      assert.strictEqual(yield* text("app/db").pipe(Effect.provide(layer)), "pw-1", "the Agent's cache")
      assert.strictEqual(yield* text("app/db", { refreshNow: true }).pipe(Effect.provide(layer)), "pw-2")
      assert.strictEqual(yield* text("app/db").pipe(Effect.provide(layer)), "pw-2", "written back")
      const log = yield* emulator.control.requests
      assert.deepStrictEqual(
        log.map((e) => [e.query.refreshNow, e.fromCache]),
        [
          [undefined, false],
          [undefined, true],
          ["true", false],
          [undefined, true]
        ]
      )
    })
  )

  it.scopedLive("SecretsConfigCache.refreshSecret asks the Agent for a fresh value too", () =>
    Effect.gen(function* () {
      const emulator = yield* agent()
      const program = Effect.gen(function* () {
        assert.strictEqual(yield* text("app/db"), "pw-1")
        yield* emulator.control.rotateSecret("app/db", "pw-2")
        const cache = yield* SecretsConfigCache.SecretsConfigCache
        const fresh = yield* cache.refreshSecret("app/db")
        assert.strictEqual(Redacted.value(fresh.value as Redacted.Redacted<string>), "pw-2")
        assert.strictEqual(yield* text("app/db"), "pw-2")
      })
      yield* program.pipe(Effect.provide(SecretsConfigCache.layer().pipe(Layer.provide(live(emulator)))))
      assert.deepStrictEqual(
        (yield* emulator.control.requests).map((e) => e.query.refreshNow),
        [undefined, "true"]
      )
    })
  )

  it.scopedLive("never sent in the extension dialect, which does not know it", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        dialect: "extension",
        store: { secrets: [{ name: "app/db", value: "x" }] }
      })
      assert.strictEqual(
        yield* text("app/db", { refreshNow: true }).pipe(Effect.provide(live(emulator, "extension"))),
        "x"
      )
      const [entry] = yield* emulator.control.requests
      assert.strictEqual(entry?.rawQuery, "secretId=app%2Fdb")
    })
  )
})

describe("agent dialect: the health check", () => {
  it.scopedLive("pingNode: healthy; nothing listening: ExtensionUnreachable; the extension: InvalidRequest", () =>
    Effect.gen(function* () {
      const emulator = yield* agent()
      yield* LambdaExtension.pingNode({ port: emulator.port })
      const log = yield* emulator.control.requests
      assert.deepStrictEqual(
        log.map((e) => [e.path, e.tokenOk, e.status]),
        [["/ping", false, 200]]
      )
      const port = emulator.port
      const closed = yield* Effect.flip(LambdaExtension.pingNode({ port: 1 }))
      assert.strictEqual(closed._tag, "ExtensionUnreachable")
      const extension = yield* Effect.flip(LambdaExtension.pingNode({ port, dialect: "extension" }))
      assert.strictEqual(extension._tag, "InvalidRequest")
      assert.strictEqual((yield* emulator.control.requests).length, 1)
    })
  )
})

describe("rotation over the live layer", () => {
  it.scopedLive("a rejected password is re-read past both caches and the call runs once more", () =>
    Effect.gen(function* () {
      const emulator = yield* agent()
      // The downstream service: accepts only the current password.
      const connect = (secret: { readonly value: Redacted.Redacted<string> | Redacted.Redacted<Uint8Array> }) =>
        Effect.gen(function* () {
          const password = Redacted.value(secret.value as Redacted.Redacted<string>)
          const current = yield* text("app/db", { refreshNow: true }).pipe(Effect.provide(live(emulator)))
          return password === current ? password : yield* Effect.fail(new AuthFailed({ password: "<redacted>" }))
        })
      const program = Effect.gen(function* () {
        assert.strictEqual(yield* text("app/db"), "pw-1")
        yield* emulator.control.rotateSecret("app/db", "pw-2")
        return yield* SecretsConfigRotation.withSecret("app/db", connect, {
          isAuthError: (e) => e._tag === "AuthFailed"
        })
      })
      const result = yield* program.pipe(Effect.provide(SecretsConfigCache.layer().pipe(Layer.provide(live(emulator)))))
      assert.strictEqual(result, "pw-2")
    })
  )
})

describe("coldStartRetry (opt-in) over the extension", () => {
  it.scopedLive("a throttled cold start's generic 400s are retried inside the window, then served", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({
        store: { parameters: [{ name: "/app/host", value: "db.internal" }] },
        faults: { throttle: { times: 2 } }
      })
      const options = { port: emulator.port, token: Redacted.make(emulator.token) }
      // Without it: the first throttled answer is the extension's ambiguous 400, returned at once.
      const plain = yield* Effect.flip(
        SecretsConfig.parameterValue("/app/host").pipe(Effect.provide(LambdaExtension.layerNode(options)))
      )
      assert.strictEqual(plain._tag, "UpstreamError")
      const value = yield* SecretsConfig.parameterValue("/app/host").pipe(
        Effect.provide(LambdaExtension.layerNode({ ...options, coldStartRetry: true }))
      )
      assert.strictEqual(Redacted.value(value), "db.internal")
      assert.deepStrictEqual(
        (yield* emulator.control.requests).map((e) => e.status),
        [400, 400, 200]
      )
    })
  )
})
