/**
 * The cheapest `HttpClient` this benchmark could write: `HttpClient.make` over `node:http` with a
 * keep-alive agent, the whole body read into a string, then handed over as a web `Response`. Not a
 * client to ship (no streaming, no request bodies); it is here to show the floor of
 * `@effect/platform`'s `HttpClient` machinery itself over the cheapest transport (P4).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as http from "node:http"

export const agent = new http.Agent({ keepAlive: true })

const get = (url: URL, headers: Record<string, string>, signal: AbortSignal) =>
  new Promise<Response>((resolve, reject) => {
    const request = http.get(url, { agent, headers, signal }, (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => {
        text += chunk
      })
      response.on("end", () =>
        resolve(
          new Response(text, { status: response.statusCode!, headers: response.headers as Record<string, string> })
        )
      )
      response.on("error", reject)
    })
    request.on("error", reject)
  })

export const client: HttpClient.HttpClient = HttpClient.make((request, url, signal) =>
  Effect.tryPromise({
    try: () => get(url, request.headers, signal).then((response) => HttpClientResponse.fromWeb(request, response)),
    catch: (cause) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
  })
)

export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.succeed(HttpClient.HttpClient, client)
