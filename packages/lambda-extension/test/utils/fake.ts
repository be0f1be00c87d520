/** A fake endpoint behind `HttpClient.make`: records every request and answers with `Response`s. */
import { HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { LambdaExtension } from "@secrets-config/lambda-extension"
import type * as SecretsConfig from "@secrets-config/core/SecretsConfig"
import { ConfigProvider, Effect } from "effect"

export const TOKEN = "tok-canary-4d1e"

export interface Recorded {
  readonly method: string
  readonly url: string
  /** Path and query, as the endpoint sees them. */
  readonly target: string
  readonly headers: Readonly<Record<string, string>>
}

/** What a fake handler may answer: a Response, an Effect of one, or a transport failure. */
export type Answer = Response | Effect.Effect<Response, HttpClientError.HttpClientError> | TransportFailure

export class TransportFailure {
  constructor(readonly cause: unknown) {}
}

export type Handler = (request: Recorded, index: number) => Answer

export const text = (status: number, body: string, headers?: Record<string, string>) =>
  new Response(body, { status, headers: { "content-type": "text/plain", ...headers } })

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

/** A client answering with `handler`, and the log of what it was sent. */
export const fakeClient = (handler: Handler) => {
  const requests: Array<Recorded> = []
  const client = HttpClient.make((request: HttpClientRequest.HttpClientRequest, url: URL) => {
    const recorded: Recorded = {
      method: request.method,
      url: url.toString(),
      target: url.pathname + url.search,
      headers: { ...request.headers }
    }
    requests.push(recorded)
    const answer = handler(recorded, requests.length - 1)
    if (answer instanceof TransportFailure) {
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: answer.cause }))
    }
    const response = answer instanceof Response ? Effect.succeed(answer) : answer
    return Effect.map(response, (r) => HttpClientResponse.fromWeb(request, r))
  })
  return { client, requests }
}

/**
 * Builds the service over a fake endpoint; `env` is the whole environment the layer sees
 * (`AWS_SESSION_TOKEN` set to `TOKEN` unless given).
 */
export const makeService = (
  handler: Handler,
  options: LambdaExtension.Options = {},
  env: Record<string, string> = { AWS_SESSION_TOKEN: TOKEN }
) =>
  Effect.gen(function* () {
    const { client, requests } = fakeClient(handler)
    const service: SecretsConfig.SecretsConfig.Service = yield* LambdaExtension.make(options).pipe(
      Effect.provideService(HttpClient.HttpClient, client),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )
    return { service, requests }
  })

/** Lets fibers woken by `TestClock.adjust` reach their next suspension (in-memory bodies are promises). */
export const settle = Effect.promise(
  () =>
    new Promise<void>((resolve) => {
      let n = 0
      const next = () => (++n >= 4 ? resolve() : setImmediate(next))
      setImmediate(next)
    })
)

// --- bodies, shaped as PROTOCOL §2 (our own names and values) --------------------------------

export const parameterBody = (fields: {
  readonly Name: string
  readonly Value: string | null
  readonly Type?: "String" | "StringList" | "SecureString"
  readonly Version?: number
  readonly Selector?: string | null
  readonly SourceResult?: string | null
  readonly DataType?: string | null
  readonly ARN?: string
}) => ({
  Parameter: {
    ARN: fields.ARN ?? `arn:aws:ssm:eu-west-1:111122223333:parameter${fields.Name}`,
    DataType: fields.DataType === undefined ? "text" : fields.DataType,
    LastModifiedDate: "2024-03-01T10:00:00.123Z",
    Name: fields.Name,
    Selector: fields.Selector ?? null,
    SourceResult: fields.SourceResult ?? null,
    Type: fields.Type ?? "String",
    Value: fields.Value,
    Version: fields.Version ?? 1
  },
  ResultMetadata: {}
})

export const secretBody = (fields: {
  readonly Name: string
  readonly SecretString?: string | null
  readonly SecretBinary?: string | null
  readonly VersionId?: string
  readonly VersionStages?: ReadonlyArray<string>
  readonly CreatedDate?: string
}) => ({
  ARN: `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${fields.Name}-Ab12Cd`,
  CreatedDate: fields.CreatedDate ?? "2024-03-01T10:00:00.499Z",
  Name: fields.Name,
  SecretBinary: fields.SecretBinary ?? null,
  SecretString: fields.SecretString ?? null,
  VersionId: fields.VersionId ?? "11111111-2222-3333-4444-555555555555",
  VersionStages: fields.VersionStages ?? ["AWSCURRENT"],
  ResultMetadata: {}
})

/** Answers every GetParameter with a String parameter named as asked and every secret with a string secret. */
export const okHandler: Handler = (request) => {
  const url = new URL(request.url)
  if (url.pathname === "/secretsmanager/get") {
    return json(secretBody({ Name: url.searchParams.get("secretId") ?? "", SecretString: "s3cr3t" }))
  }
  return json(parameterBody({ Name: url.searchParams.get("name") ?? "", Value: "value" }))
}
