/**
 * `LoopbackHttpClient` on its own, as an `HttpClient`, over real sockets on 127.0.0.1: what it
 * sends, that it keeps connections alive, and that every way a request ends (answer, byte limit,
 * deadline, interruption) leaves no socket open at the server.
 */
import { assert, describe, it } from "@effect/vitest"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as LoopbackHttpClient from "@secrets-config/lambda-extension/LoopbackHttpClient"
import { Effect, Fiber, Inspectable } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as net from "node:net"
import { inspect } from "node:util"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** A node:http server on 127.0.0.1:0 that counts connections and their closes. */
const server = (handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void) =>
  Effect.acquireRelease(
    Effect.async<{
      readonly url: string
      readonly seen: Array<Seen>
      readonly connections: { opened: number; closed: number }
    }>((resume) => {
      const seen: Array<Seen> = []
      const connections = { opened: 0, closed: 0 }
      const s = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const entry = {
            method: req.method ?? "",
            url: req.url ?? "",
            headers: req.headers,
            body: Buffer.concat(chunks).toString()
          }
          seen.push(entry)
          handler(req, res, entry)
        })
      })
      s.on("connection", (socket) => {
        connections.opened++
        socket.on("close", () => connections.closed++)
      })
      s.listen(0, "127.0.0.1", () => {
        const { port } = s.address() as AddressInfo
        resume(Effect.succeed(Object.assign({ url: `http://127.0.0.1:${port}`, seen, connections }, { s })))
      })
    }),
    (value) =>
      Effect.async<void>((resume) => {
        const s = (value as unknown as { s: http.Server }).s
        s.closeAllConnections()
        s.close(() => resume(Effect.void))
      })
  )

/** Waits (a bounded number of short real sleeps) until `done()` holds. */
const eventually = (done: () => boolean, what: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 100 && !done(); i++) yield* Effect.sleep("10 millis")
    assert.isTrue(done(), what)
  })

const client = LoopbackHttpClient.make

describe("LoopbackHttpClient", () => {
  it.scopedLive("sends the request as given, asks for an unencoded body, and reads the answer", () =>
    Effect.gen(function* () {
      const endpoint = yield* server((_, res) => {
        res.writeHead(201, { "content-type": "application/json", "x-answer": "yes" })
        res.end(JSON.stringify({ ok: true, text: "héllo" }))
      })
      const c = yield* client()
      const response = yield* c.execute(
        HttpClientRequest.get(`${endpoint.url}/path?q=a%2Fb`).pipe(HttpClientRequest.setHeader("x-token", "t"))
      )
      assert.strictEqual(response.status, 201)
      assert.strictEqual(response.headers["x-answer"], "yes")
      assert.deepStrictEqual(yield* response.json, { ok: true, text: "héllo" })
      assert.strictEqual(JSON.parse(yield* response.text).text, "héllo")
      const seen = endpoint.seen[0]!
      assert.strictEqual(seen.method, "GET")
      assert.strictEqual(seen.url, "/path?q=a%2Fb")
      assert.strictEqual(seen.headers["x-token"], "t")
      assert.strictEqual(seen.headers["accept-encoding"], "identity")
    })
  )

  it.scopedLive("sends an in-memory body with its length and type", () =>
    Effect.gen(function* () {
      const endpoint = yield* server((_, res, seen) => res.end(seen.body.toUpperCase()))
      const c = yield* client()
      const response = yield* c.execute(
        HttpClientRequest.post(`${endpoint.url}/echo`).pipe(HttpClientRequest.bodyText("ünïcode", "text/plain"))
      )
      assert.strictEqual(yield* response.text, "ÜNÏCODE")
      assert.strictEqual(endpoint.seen[0]!.headers["content-length"], String(Buffer.byteLength("ünïcode")))
      assert.strictEqual(endpoint.seen[0]!.headers["content-type"], "text/plain")
    })
  )

  it.scopedLive("keeps one connection alive for requests one after another", () =>
    Effect.gen(function* () {
      const endpoint = yield* server((_, res) => res.end("ok"))
      const c = yield* client()
      for (let i = 0; i < 10; i++) {
        const response = yield* c.get(`${endpoint.url}/${i}`)
        assert.strictEqual(yield* response.text, "ok")
      }
      assert.strictEqual(endpoint.seen.length, 10)
      assert.strictEqual(endpoint.connections.opened, 1)
    })
  )

  it.scopedLive("a body over maxResponseBytes fails the request and closes its socket", () =>
    Effect.gen(function* () {
      const endpoint = yield* server((_, res) => {
        res.writeHead(200) // no Content-Length: chunked, counted as read
        res.write(Buffer.alloc(800))
        setTimeout(() => res.end(Buffer.alloc(800)), 20)
      })
      const c = yield* client({ maxResponseBytes: 1000 })
      const error = yield* Effect.flip(c.get(endpoint.url))
      assert.strictEqual(error._tag, "RequestError")
      yield* eventually(() => endpoint.connections.closed === 1, "the server saw the socket closed")
    })
  )

  it.scopedLive("a Content-Length over maxResponseBytes fails before the body is read", () =>
    Effect.gen(function* () {
      const endpoint = yield* server((_, res) => {
        res.writeHead(200, { "content-length": String(5000) })
        res.write(Buffer.alloc(10)) // the rest never comes
      })
      const c = yield* client({ maxResponseBytes: 1000 })
      const error = yield* Effect.flip(c.get(endpoint.url))
      assert.strictEqual(error._tag, "RequestError")
      yield* eventually(() => endpoint.connections.closed === 1, "the server saw the socket closed")
    })
  )

  it.scopedLive("a request past its timeout fails and closes its socket", () =>
    Effect.gen(function* () {
      const endpoint = yield* server(() => {}) // never answers
      const c = yield* client({ timeout: "100 millis" })
      const start = Date.now()
      const error = yield* Effect.flip(c.get(endpoint.url))
      const elapsed = Date.now() - start
      assert.strictEqual(error._tag, "RequestError")
      assert.isAtLeast(elapsed, 90)
      assert.isBelow(elapsed, 1500)
      yield* eventually(() => endpoint.connections.closed === 1, "the server saw the socket closed")
    })
  )

  it.scopedLive("an interrupted request closes its socket at once", () =>
    Effect.gen(function* () {
      const endpoint = yield* server(() => {})
      const c = yield* client()
      const fiber = yield* Effect.fork(c.get(endpoint.url))
      yield* eventually(() => endpoint.seen.length === 1, "the request arrived")
      yield* Fiber.interrupt(fiber)
      yield* eventually(() => endpoint.connections.closed === 1, "the server saw the socket closed")
    })
  )

  it.scopedLive("a kept-alive socket the server reset is replaced once, and the request answered", () =>
    Effect.gen(function* () {
      // A raw server: the second request on a connection is answered with a reset.
      let connections = 0
      let requests = 0
      const raw = net.createServer((socket) => {
        connections++
        let onThis = 0
        socket.on("data", (data) => {
          if (!data.toString().includes("\r\n\r\n")) return
          requests++
          onThis++
          if (onThis === 2) socket.resetAndDestroy()
          else socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")
        })
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          raw.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () =>
          Effect.sync(() => {
            raw.close()
          })
      )
      const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/`
      const c = yield* client()
      assert.strictEqual(yield* Effect.flatMap(c.get(url), (r) => r.text), "ok")
      assert.strictEqual(yield* Effect.flatMap(c.get(url), (r) => r.text), "ok")
      assert.strictEqual(connections, 2)
      assert.strictEqual(requests, 3)
    })
  )

  it.scopedLive("refuses what it is not made for, before any I/O", () =>
    Effect.gen(function* () {
      const c = yield* client()
      const https = yield* Effect.flip(c.get("https://127.0.0.1:1/"))
      assert.strictEqual(https._tag, "RequestError")
      if (https._tag === "RequestError") assert.strictEqual(https.reason, "InvalidUrl")
      const header = yield* Effect.flip(
        c.execute(HttpClientRequest.get("http://127.0.0.1:1/").pipe(HttpClientRequest.setHeader("x", "a\r\nb: c")))
      )
      assert.strictEqual(header._tag, "RequestError")
      if (header._tag === "RequestError") assert.strictEqual(header.reason, "Encode")
    })
  )

  it.scopedLive("a response never prints its request's headers nor its body", () =>
    Effect.gen(function* () {
      const endpoint = yield* server((_, res) => res.end("body-canary-51f0"))
      const c = yield* client()
      const response = yield* c.execute(
        HttpClientRequest.get(endpoint.url).pipe(HttpClientRequest.setHeader("x-token", "token-canary-9a2c"))
      )
      for (const printed of [
        String(response),
        JSON.stringify(response),
        inspect(response, { depth: 10 }),
        Inspectable.format(response)
      ]) {
        assert.notInclude(printed, "token-canary-9a2c")
        assert.notInclude(printed, "body-canary-51f0")
      }
    })
  )

  it.scopedLive("serves as the application's HttpClient through its layer", () =>
    Effect.gen(function* () {
      const endpoint = yield* server((_, res) => res.end("from the layer"))
      const text = yield* Effect.flatMap(HttpClient.get(endpoint.url), (r) => r.text).pipe(
        Effect.provide(LoopbackHttpClient.layer())
      )
      assert.strictEqual(text, "from the layer")
    })
  )
})
