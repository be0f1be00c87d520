/**
 * Plain clients for the tests: `node:http` on a fresh connection per request, and raw TCP for what
 * an HTTP client library would hide (exact bytes, partial bodies, resets, refused connections).
 */
import { Effect } from "effect"
import * as http from "node:http"
import * as net from "node:net"

export interface Response {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** One request on a fresh connection (no keep-alive, no pooling). Fails with the socket error code. */
export const get = (
  url: string,
  options: { readonly headers?: Record<string, string>; readonly method?: string } = {}
): Effect.Effect<Response, string> =>
  Effect.async<Response, string>((resume) => {
    const req = http.request(
      url,
      { method: options.method ?? "GET", headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () =>
          resume(
            Effect.succeed({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8")
            })
          )
        )
        res.on("error", (error: NodeJS.ErrnoException) => resume(Effect.fail(error.code ?? error.message)))
      }
    )
    req.on("error", (error: NodeJS.ErrnoException) => resume(Effect.fail(error.code ?? error.message)))
    req.end()
    return Effect.sync(() => req.destroy())
  })

/** GET with the extension's token header. */
export const getWithToken = (base: { readonly url: string; readonly token: string }, path: string) =>
  get(`${base.url}${path}`, { headers: { "X-Aws-Parameters-Secrets-Token": base.token } })

export interface RawResult {
  /** Everything received before the server closed (or reset) the connection. */
  readonly raw: Buffer
  /** The socket error, if the connection ended with one (`ECONNRESET`, `ECONNREFUSED`, ...). */
  readonly error: string | undefined
  /** How many separate `data` events carried the bytes. */
  readonly chunks: number
}

/**
 * Writes `request` over a raw socket (in pieces of `pieceBytes` every `pieceDelayMs` if given) and
 * reads until the server closes. Send `Connection: close` to make a well-behaved server close.
 */
export const raw = (
  port: number,
  request: string | Buffer,
  options: { readonly pieceBytes?: number; readonly pieceDelayMs?: number; readonly timeoutMs?: number } = {}
): Effect.Effect<RawResult> =>
  Effect.async<RawResult>((resume) => {
    const data = typeof request === "string" ? Buffer.from(request, "utf8") : request
    const received: Array<Buffer> = []
    let error: string | undefined
    let done = false
    const timers: Array<NodeJS.Timeout> = []
    const socket = net.connect({ host: "127.0.0.1", port })
    const finish = () => {
      if (done) return
      done = true
      for (const t of timers) clearTimeout(t)
      resume(Effect.succeed({ raw: Buffer.concat(received), error, chunks: received.length }))
    }
    socket.on("data", (chunk: Buffer) => received.push(chunk))
    socket.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message
    })
    socket.on("close", finish)
    timers.push(
      setTimeout(() => {
        error = error ?? "TEST_TIMEOUT"
        socket.destroy()
      }, options.timeoutMs ?? 10_000)
    )
    socket.on("connect", () => {
      const size = options.pieceBytes
      if (size === undefined) {
        socket.write(data)
        return
      }
      let offset = 0
      const next = () => {
        if (offset >= data.length || socket.destroyed) return
        socket.write(data.subarray(offset, offset + size))
        offset += size
        timers.push(setTimeout(next, options.pieceDelayMs ?? 1))
      }
      next()
    })
    return Effect.sync(() => socket.destroy())
  })

/** Splits a raw HTTP/1.1 response into status, headers (lower-case names) and body bytes. */
export const parseRaw = (bytes: Buffer) => {
  const end = bytes.indexOf("\r\n\r\n")
  if (end < 0) return undefined
  const [statusLine, ...lines] = bytes.subarray(0, end).toString("latin1").split("\r\n")
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(":")
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine!.split(" ")[1]), headers, body: bytes.subarray(end + 4) }
}

/** Whether a TCP connection to the port is accepted (`undefined`) or fails (its error code). */
export const connect = (port: number): Effect.Effect<string | undefined> =>
  Effect.async<string | undefined>((resume) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed(undefined))
    })
    socket.once("error", (e: NodeJS.ErrnoException) => resume(Effect.succeed(e.code ?? e.message)))
    return Effect.sync(() => socket.destroy())
  })

/** A GET request line with headers, ready for `raw`. */
export const requestText = (path: string, headers: Record<string, string> = {}, method = "GET"): string =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}Connection: close\r\n\r\n`
