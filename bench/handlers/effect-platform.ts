/**
 * P1 baseline: the example handler's job with bare effect + @effect/platform + Schema — an
 * `HttpClient` over fetch, the answers decoded with Schema, the 5 reads concurrent, the same
 * response body. What a user would write without secrets-config; deep imports (`effect/Schema`),
 * as the library itself uses, so that the baseline is as small as this stack gets.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

const base = `http://127.0.0.1:${process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? "2773"}`
const token = Redacted.make(process.env.AWS_SESSION_TOKEN ?? "")
const prefix = process.env.APP_PREFIX ?? "/demo"

const ParameterAnswer = Schema.Struct({
  Parameter: Schema.Struct({
    Name: Schema.String,
    Type: Schema.Literal("String", "StringList", "SecureString"),
    Value: Schema.String,
    Version: Schema.Number
  })
})
const SecretAnswer = Schema.Struct({ Name: Schema.String, SecretString: Schema.String })
const Db = Schema.parseJson(
  Schema.Struct({
    host: Schema.String,
    port: Schema.Number,
    username: Schema.String,
    password: Schema.String
  })
)

const client = Effect.map(HttpClient.HttpClient, (client) =>
  client.pipe(
    HttpClient.mapRequest(HttpClientRequest.prependUrl(base)),
    HttpClient.mapRequest(HttpClientRequest.setHeader("X-Aws-Parameters-Secrets-Token", Redacted.value(token))),
    HttpClient.filterStatusOk
  )
)

const parameter = (name: string) =>
  Effect.flatMap(client, (c) =>
    c.get("/systemsmanager/parameters/get", { urlParams: { name, withDecryption: "true" } })
  ).pipe(
    Effect.flatMap(HttpClientResponse.schemaBodyJson(ParameterAnswer)),
    Effect.map((answer) => answer.Parameter.Value)
  )

const secret = (secretId: string) =>
  Effect.flatMap(client, (c) => c.get("/secretsmanager/get", { urlParams: { secretId } })).pipe(
    Effect.flatMap(HttpClientResponse.schemaBodyJson(SecretAnswer)),
    Effect.flatMap((answer) => Schema.decode(Db)(answer.SecretString))
  )

/** As the example shows a secret: never the value, nor anything derived from it (read it, though). */
const shown = (secret: string) => (secret.length > 0 ? "<redacted>" : "<empty>")

const program = Effect.all(
  {
    greeting: parameter(`${prefix}/greeting`),
    featureFlags: parameter(`${prefix}/feature-flags`),
    apiKey: parameter(`${prefix}/api-key`),
    logLevel: parameter(`${prefix}/log-level`),
    db: secret(`${prefix.replace(/^\//, "")}/db`)
  },
  { concurrency: "unbounded" }
).pipe(
  Effect.map((c) => ({
    statusCode: 200,
    body: JSON.stringify({
      greeting: c.greeting,
      featureFlags: c.featureFlags.split(","),
      logLevel: c.logLevel,
      apiKey: shown(c.apiKey),
      db: { host: c.db.host, port: c.db.port, username: c.db.username, password: shown(c.db.password) }
    })
  })),
  Effect.catchAll((error) => Effect.succeed({ statusCode: 500, body: JSON.stringify({ error: error._tag }) })),
  Effect.provide(FetchHttpClient.layer)
)

export const handler = () => Effect.runPromise(program)
