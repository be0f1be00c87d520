/**
 * Canaries: the session token and secret values must never reach logs, span attributes, span exits,
 * error messages, `String(error)`, `JSON.stringify(error)` or `util.inspect(error)` — on success
 * and on every failure path.
 */
import { assert, describe, it } from "@effect/vitest"
import { HttpClient } from "@effect/platform"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import {
  Cause,
  ConfigProvider,
  Effect,
  Exit,
  Fiber,
  HashMap,
  Inspectable,
  List,
  Logger,
  LogLevel,
  Redacted,
  TestClock
} from "effect"
import * as util from "node:util"
import { makeCapturingTracer } from "../../core/test/utils/tracer.js"
import {
  fakeClient,
  type Handler,
  json,
  parameterBody,
  secretBody,
  settle,
  text,
  TransportFailure
} from "./utils/fake.js"

const TOKEN = "CANARY-TOKEN-b81f0c"
const SECRET = "CANARY-SECRET-5e2d77"
const CANARIES = [TOKEN, SECRET]

const show = (u: unknown): ReadonlyArray<string> => {
  const out = [String(u), util.inspect(u, { depth: 10 }), Inspectable.toStringUnknown(u)]
  try {
    out.push(JSON.stringify(u) ?? "")
  } catch {
    // circular: the other forms cover it
  }
  if (u instanceof Error) out.push(u.message, u.stack ?? "")
  return out
}

const assertClean = (where: string, texts: ReadonlyArray<string>) => {
  for (const text of texts) {
    for (const canary of CANARIES) {
      assert.notInclude(text, canary, `${where} leaks ${canary === TOKEN ? "the token" : "the secret value"}`)
    }
  }
}

/** Runs `program` against a fake endpoint, capturing every log line, span and the result. */
const observe = <A, E>(
  handler: Handler,
  program: (service: LambdaExtension.Options extends never ? never : any) => Effect.Effect<A, E>,
  options: LambdaExtension.Options = {}
) =>
  Effect.gen(function* () {
    const logs: Array<string> = []
    const logger = Logger.make((entry) => {
      logs.push(Logger.logfmtLogger.log(entry))
      logs.push(Logger.structuredLogger.log(entry) ? JSON.stringify(Logger.structuredLogger.log(entry)) : "")
      logs.push(...show(entry.message))
      logs.push(...show(Cause.pretty(entry.cause)))
      for (const [key, value] of HashMap.toEntries(entry.annotations)) logs.push(key, ...show(value))
      for (const span of List.toArray(entry.spans)) logs.push(span.label)
    })
    const tracer = makeCapturingTracer()
    const { client } = fakeClient(handler)
    // A client that logs every request and response, as an application might.
    const chatty = HttpClient.tapRequest(client, (request) => Effect.logInfo("sending", request))
    const service = yield* LambdaExtension.make({ ...options, transformClient: () => chatty }).pipe(
      Effect.provideService(HttpClient.HttpClient, client),
      Effect.withConfigProvider(
        ConfigProvider.fromMap(
          new Map([
            ["AWS_SESSION_TOKEN", TOKEN],
            ["AWS_TOKEN", TOKEN]
          ])
        )
      )
    )
    const fiber = yield* program(service).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All),
      Effect.provide(tracer.layer),
      Effect.exit,
      Effect.fork
    )
    for (let i = 0; i < 40 && fiber.unsafePoll() === null; i++) {
      yield* settle
      yield* TestClock.adjust(200)
    }
    const exit = yield* Fiber.join(fiber)
    const spanTexts = tracer.spans.flatMap((span) => [
      span.name,
      ...[...span.attributes.entries()].flatMap(([k, v]) => [k, ...show(v)]),
      ...(span.status._tag === "Ended" ? show(span.status.exit) : [])
    ])
    return { exit, logs, spans: tracer.spans, spanTexts }
  })

const assertExitClean = (exit: Exit.Exit<unknown, unknown>) => {
  assertClean("the exit", show(exit))
  if (Exit.isFailure(exit)) {
    assertClean("the cause", [Cause.pretty(exit.cause)])
    for (const error of Cause.failures(exit.cause)) assertClean("the error", show(error))
  }
}

const getSecret = (service: any) => service.getSecret("app/db")
const getParameter = (service: any) => service.getParameter("/app/password")
const getReference = (service: any) => service.getParameter("/aws/reference/secretsmanager/app/db")

const scenarios: ReadonlyArray<
  readonly [string, Handler, (service: any) => Effect.Effect<unknown, unknown>, LambdaExtension.Options?]
> = [
  ["a string secret", () => json(secretBody({ Name: "app/db", SecretString: SECRET })), getSecret],
  [
    "a SecureString parameter",
    () => json(parameterBody({ Name: "/app/password", Type: "SecureString", Value: SECRET })),
    getParameter
  ],
  [
    "a reference to a secret",
    () =>
      json(
        parameterBody({
          Name: "/aws/reference/secretsmanager/app/db",
          Type: "SecureString",
          Value: SECRET,
          Version: 0,
          DataType: null,
          SourceResult: JSON.stringify({
            name: "app/db",
            versionId: "v",
            secretString: SECRET,
            versionStages: ["AWSCURRENT"],
            createdDate: "Nov 16, 2022, 8:22:40 AM"
          })
        })
      ),
    getReference
  ],
  ["a 200 that is not JSON but holds the secret", () => text(200, `password=${SECRET}`), getSecret],
  [
    "a 200 JSON body of the wrong shape holding the secret",
    () => json({ ARN: 1, Name: SECRET, SecretString: SECRET, VersionId: SECRET, CreatedDate: SECRET }),
    getSecret
  ],
  [
    "a 200 parameter with a SourceResult that is not JSON",
    () =>
      json(parameterBody({ Name: "/aws/reference/secretsmanager/app/db", Value: SECRET, SourceResult: `{${SECRET}` })),
    getReference
  ],
  ["a 401", () => text(401, "bad session token or header key"), getSecret],
  ["the generic 400", () => text(400, "an unexpected error occurred while executing request"), getParameter],
  ["not ready, retried", () => text(400, "not ready to serve traffic, please wait"), getSecret],
  [
    "a refused connection whose cause quotes the token",
    () => new TransportFailure(Object.assign(new Error(`refused ${TOKEN}`), { code: "ECONNREFUSED" })),
    getSecret
  ],
  ["a hung endpoint", () => Effect.never, getSecret, { timeout: "300 millis", deadline: "1 second" }],
  [
    "an oversized body",
    () => new Response(JSON.stringify(secretBody({ Name: "x", SecretString: SECRET.repeat(100) })), { status: 200 }),
    getSecret,
    { maxResponseBytes: 256 }
  ],
  [
    "a body cut mid-way",
    () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(`{"SecretString":"${SECRET}`))
            controller.error(new Error(`socket closed ${SECRET}`))
          }
        }),
        { status: 200 }
      ),
    getSecret
  ]
]

describe("canaries", () => {
  for (const [description, handler, program, options] of scenarios) {
    it.effect(`${description}: no token or value in logs, spans or errors`, () =>
      Effect.gen(function* () {
        const { exit, logs, spanTexts, spans } = yield* observe(handler, program, options)
        assert.isAbove(logs.length, 0, "the chatty client logged")
        assertClean("the logs", logs)
        assertClean("the spans", spanTexts)
        assertExitClean(exit)
        // The operation's span exists and says how it ended, never with the value.
        const operation = spans.find((span) => span.name.startsWith("SecretsConfig."))
        assert.isDefined(operation)
        assert.isDefined(operation!.attributes.get("secrets_config.outcome"))
        assert.isDefined(operation!.attributes.get("secrets_config.dialect"))
        assert.isAbove(operation!.attributes.get("secrets_config.attempts") as number, 0)
        // No platform http.client span: its exit would hold the raw request.
        assert.isUndefined(spans.find((span) => span.name.startsWith("http.client")))
        if (Exit.isSuccess(exit)) {
          // The value is there, only redacted.
          const value = (exit.value as { value: Redacted.Redacted<string> }).value
          assert.strictEqual(Redacted.value(value), SECRET)
        }
      })
    )
  }

  it.effect("the span records attempts across retries", () =>
    Effect.gen(function* () {
      const { exit, spans } = yield* observe(
        (_, n) =>
          n < 2
            ? text(400, "not ready to serve traffic, please wait")
            : json(secretBody({ Name: "app/db", SecretString: SECRET })),
        getSecret
      )
      assert.isTrue(Exit.isSuccess(exit))
      const operation = spans.find((span) => span.name === "SecretsConfig.getSecret")!
      assert.strictEqual(operation.attributes.get("secrets_config.attempts"), 3)
      assert.strictEqual(operation.attributes.get("secrets_config.dialect"), "extension")
      assert.strictEqual(operation.attributes.get("secrets_config.outcome"), "Success")
    })
  )

  it.effect("http.client spans turned back on by transformClient show the token header redacted", () =>
    Effect.gen(function* () {
      const tracer = makeCapturingTracer()
      const { client } = fakeClient(() => json(secretBody({ Name: "app/db", SecretString: SECRET })))
      const service = yield* LambdaExtension.make({
        token: Redacted.make(TOKEN),
        transformClient: () => HttpClient.withTracerDisabledWhen(client, () => false)
      }).pipe(Effect.provideService(HttpClient.HttpClient, client))
      yield* service.getSecret("app/db").pipe(Effect.provide(tracer.layer))
      const http = tracer.spans.filter((span) => span.name.startsWith("http.client"))
      assert.strictEqual(http.length, 1)
      assert.strictEqual(
        String(http[0]!.attributes.get("http.request.header.x-aws-parameters-secrets-token")),
        "<redacted>"
      )
      assertClean("the http span's attributes", [...http[0]!.attributes.values()].flatMap(show))
    })
  )
})
