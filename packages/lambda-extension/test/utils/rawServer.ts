/**
 * Raw `node:http` and `node:net` servers for hostile-endpoint tests: bound on `127.0.0.1` port 0,
 * closed when the test's scope closes (every socket destroyed, every pending timer cleared), and
 * keeping a log of what they saw: each connection (who closed it, and when) and each request (its
 * target and headers, and how many were open at once).
 */
import { Effect, type Scope } from "effect"
import * as Http from "node:http"
import * as Net from "node:net"
import { Worker } from "node:worker_threads"

/** One TCP connection as the server saw it. */
export interface SeenConnection {
  readonly index: number
  /** `performance.now()` when it was accepted. */
  readonly openedAt: number
  /** `performance.now()` when the client's FIN or RST arrived, if it has. */
  hungUpAt: number | undefined
  /** `performance.now()` when it closed, if it has. */
  closedAt: number | undefined
  /** The client ended or reset it (a FIN or an RST arrived before the server closed it). */
  closedByClient: boolean
  /** The server's own code closes it (set by `closeByServer` before it does). */
  closedByServer: boolean
}

/** One request as the server saw it. */
export interface SeenRequest {
  readonly index: number
  readonly method: string
  /** Path and query, exactly as sent. */
  readonly target: string
  /** Header names in lower case; the last value of each. */
  readonly headers: Readonly<Record<string, string>>
  /** Name/value pairs as sent (names in the client's case). */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>
  readonly connection: SeenConnection
  /** `performance.now()` when it arrived. */
  readonly arrivedAt: number
  /** `performance.now()` when it stopped being open (its answer sent, or the client hung up). */
  endedAt: number | undefined
}

/** What a server saw so far (live: read it after the call). */
export interface ServerLog {
  readonly port: number
  readonly origin: string
  readonly connections: ReadonlyArray<SeenConnection>
  readonly requests: ReadonlyArray<SeenRequest>
  /** Requests open now: from arrival until the answer ends or the client hangs up. */
  readonly inFlight: () => number
  /**
   * The most requests ever open at once, as this server's event loop saw them. It shares the loop
   * with the client, so under load it can see a new request before an older one's FIN: to bound
   * concurrency, count with `slowServer` (its own thread) instead.
   */
  readonly maxInFlight: () => number
}

/** Runs `f` after `ms`, unless the server has been closed by then. */
export type Later = (ms: number, f: () => void) => void

export interface HttpContext {
  readonly request: SeenRequest
  readonly later: Later
}

export type HttpHandler = (req: Http.IncomingMessage, res: Http.ServerResponse, context: HttpContext) => void

export interface NetContext {
  readonly connection: SeenConnection
  readonly later: Later
  /**
   * Reads requests off the socket at the byte level (heads only: GET, no bodies) and calls `f`
   * with each one, and `answer` to send raw bytes as its answer. A request counts as open from the
   * moment its head is read until its answer has been written or the client hangs up (FIN or RST).
   * Unlike `node:http`, which hands over a request and its connection's EOF in separate turns,
   * this sees both in the order the kernel queued them, so the count holds even when the event
   * loop falls behind.
   */
  readonly onRequest: (f: (request: SeenRequest, answer: (bytes: string | Buffer) => void) => void) => void
}

export type NetHandler = (socket: Net.Socket, context: NetContext) => void

const pairs = (raw: ReadonlyArray<string>): Array<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!])
  return out
}

/** Shared bookkeeping: connections, requests, timers, and the release that closes everything. */
const tracker = () => {
  const connections: Array<SeenConnection> = []
  const requests: Array<SeenRequest> = []
  let inFlight = 0
  let maxInFlight = 0
  /** A request arrived: logged and counted open until `done` (called once, or more: only the first counts). */
  const arrive = (fields: Omit<SeenRequest, "index" | "arrivedAt" | "endedAt">) => {
    const request: SeenRequest = { index: requests.length, ...fields, arrivedAt: performance.now(), endedAt: undefined }
    requests.push(request)
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    let open = true
    const done = () => {
      if (!open) return
      open = false
      inFlight--
      request.endedAt = performance.now()
    }
    return { request, done, isOpen: () => open }
  }
  const log = (port: number): ServerLog => ({
    port,
    origin: `http://127.0.0.1:${port}`,
    connections,
    requests,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight
  })
  const sockets = new Set<Net.Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let closed = false
  const later: Later = (ms, f) => {
    if (closed) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!closed) f()
    }, ms)
    timers.add(timer)
  }
  const track = (socket: Net.Socket): SeenConnection => {
    const connection: SeenConnection = {
      index: connections.length,
      openedAt: performance.now(),
      hungUpAt: undefined,
      closedAt: undefined,
      closedByClient: false,
      closedByServer: false
    }
    connections.push(connection)
    sockets.add(socket)
    const byClient = () => {
      if (!connection.closedByServer && connection.closedAt === undefined) connection.closedByClient = true
      connection.hungUpAt ??= performance.now()
    }
    // A FIN ("end") or an RST ("error", ECONNRESET) from the client.
    socket.on("end", byClient)
    socket.on("error", byClient)
    socket.on("close", () => {
      connection.closedAt = performance.now()
      sockets.delete(socket)
    })
    return connection
  }
  const release = (server: Net.Server) =>
    Effect.async<void>((resume) => {
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      for (const socket of sockets) socket.destroy()
      server.close(() => resume(Effect.void))
    })
  return { arrive, later, log, release, track }
}

const listen = (server: Net.Server) =>
  Effect.async<number, Error>((resume) => {
    server.once("error", (error) => resume(Effect.fail(error)))
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
  })

/**
 * A raw `node:http` server answering with `handler`. Each request counts as open from its arrival
 * until its answer has been handed to the socket in full (`finish`) or the client hung up (its FIN
 * or RST arrived, or the connection closed).
 */
export const httpServer = (handler: HttpHandler): Effect.Effect<ServerLog, Error, Scope.Scope> => {
  const { arrive, later, log, release, track } = tracker()
  const seen = new WeakMap<Net.Socket, SeenConnection>()
  const server = Http.createServer((req, res) => {
    const headers: Record<string, string> = {}
    for (const [name, value] of pairs(req.rawHeaders)) headers[name.toLowerCase()] = value
    const { done, request } = arrive({
      method: req.method ?? "",
      target: req.url ?? "",
      headers,
      rawHeaders: pairs(req.rawHeaders),
      connection: seen.get(req.socket)!
    })
    // The answer handed over in full, or the client's FIN or RST arriving (the socket's own
    // "close" comes later: the server still has to shut its side, which took up to ~35 ms here).
    res.once("finish", done)
    res.once("close", done)
    req.socket.once("end", done)
    req.socket.once("error", done)
    req.socket.once("close", done)
    handler(req, res, { request, later })
  })
  server.on("connection", (socket: Net.Socket) => seen.set(socket, track(socket)))
  return Effect.map(
    Effect.acquireRelease(listen(server), () => release(server)),
    log
  )
}

const parseHead = (head: string) => {
  const [line = "", ...fields] = head.split("\r\n")
  const [method = "", target = ""] = line.split(" ")
  const rawHeaders = fields.map((field): readonly [string, string] => {
    const colon = field.indexOf(":")
    return [field.slice(0, colon), field.slice(colon + 1).trim()]
  })
  const headers: Record<string, string> = {}
  for (const [name, value] of rawHeaders) headers[name.toLowerCase()] = value
  return { method, target, headers, rawHeaders }
}

/**
 * A raw `node:net` server, for byte-level answers: `handler` gets each accepted socket, and may
 * read its requests with `onRequest`.
 */
export const netServer = (handler: NetHandler): Effect.Effect<ServerLog, Error, Scope.Scope> => {
  const { arrive, later, log, release, track } = tracker()
  const server = Net.createServer((socket) => {
    socket.on("error", () => {})
    // Read (and drop) whatever comes, so that the client's FIN is seen.
    socket.resume()
    const connection = track(socket)
    let endCurrent: (() => void) | undefined
    const hangUp = () => endCurrent?.()
    socket.on("end", hangUp)
    socket.on("error", hangUp)
    socket.on("close", hangUp)
    const onRequest: NetContext["onRequest"] = (f) => {
      let buffered = ""
      socket.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("latin1")
        // Bounded: a chunk holds at most a few heads.
        for (let i = 0; i < 64; i++) {
          const at = buffered.indexOf("\r\n\r\n")
          if (at < 0) return
          const head = parseHead(buffered.slice(0, at))
          buffered = buffered.slice(at + 4)
          const { done, isOpen, request } = arrive({ ...head, connection })
          endCurrent = done
          f(request, (bytes) => {
            if (!isOpen() || socket.destroyed) return
            socket.write(bytes, () => done())
          })
        }
      })
    }
    handler(socket, { connection, later, onRequest })
  })
  return Effect.map(
    Effect.acquireRelease(listen(server), () => release(server)),
    log
  )
}

/** Marks a connection as closed by the server's own code, then destroys it (an RST if `reset`). */
export const closeByServer = (socket: Net.Socket, connection: SeenConnection, reset = false): void => {
  if (connection.closedAt === undefined && !connection.closedByClient) connection.closedByServer = true
  if (reset) socket.resetAndDestroy()
  else socket.destroy()
}

/** Answers with a JSON body (an honest `Content-Length`). */
export const sendJson = (res: Http.ServerResponse, body: unknown, status = 200): void => {
  const bytes = Buffer.from(JSON.stringify(body), "utf8")
  res.writeHead(status, { "content-type": "application/json", "content-length": bytes.length })
  res.end(bytes)
}

/** Answers with a plain-text body, as the extension does for its errors. */
export const sendText = (
  res: Http.ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string | number> = {}
): void => {
  const bytes = Buffer.from(text, "utf8")
  res.writeHead(status, { "content-type": "text/plain", "content-length": bytes.length, ...headers })
  res.end(bytes)
}

/**
 * Polls `predicate` every 5 ms until it holds or `ms` have passed (real time); succeeds with whether
 * it held.
 */
export const eventually = (predicate: () => boolean, ms = 1000): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    const until = performance.now() + ms
    for (let i = 0; i < 10_000; i++) {
      if (predicate()) return true
      if (performance.now() >= until) return false
      yield* Effect.sleep("5 millis")
    }
    return predicate()
  })

// --- a slow endpoint on its own thread -------------------------------------------------------

/** What `slowServer` saw. */
export interface SlowServerLog {
  readonly requests: number
  readonly inFlight: number
  readonly maxInFlight: number
}

export interface SlowServer {
  readonly port: number
  /** What it saw so far. */
  readonly log: Effect.Effect<SlowServerLog>
}

// Plain JavaScript, run by `new Worker(..., { eval: true })`: a `node:net` server that reads request
// heads at the byte level and answers each one after `delayMs`, with a 503 for every even request
// and a GetSecretValue answer for every odd one, unless the client has hung up by then.
const SLOW_SERVER = `
const net = require("node:net")
const { parentPort, workerData } = require("node:worker_threads")
const { delayMs } = workerData
let requests = 0, inFlight = 0, maxInFlight = 0
const answer = (index, target) => {
  if (index % 2 === 0) {
    const body = "Service Unavailable"
    return "HTTP/1.1 503 Service Unavailable\\r\\ncontent-type: text/plain\\r\\ncontent-length: " + body.length + "\\r\\n\\r\\n" + body
  }
  const name = new URL(target, "http://x").searchParams.get("secretId") || ""
  const body = JSON.stringify({ ARN: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:" + name + "-Ab12Cd",
    CreatedDate: "2024-03-01T10:00:00.499Z", Name: name, SecretBinary: null, SecretString: "s3cr3t",
    VersionId: "11111111-2222-3333-4444-555555555555", VersionStages: ["AWSCURRENT"], ResultMetadata: {} })
  return "HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ncontent-length: " + Buffer.byteLength(body) + "\\r\\n\\r\\n" + body
}
const server = net.createServer((socket) => {
  let buffered = "", endCurrent
  const hangUp = () => endCurrent && endCurrent()
  socket.on("end", hangUp)
  socket.on("error", hangUp)
  socket.on("close", hangUp)
  socket.on("data", (chunk) => {
    buffered += chunk.toString("latin1")
    for (let i = 0; i < 64; i++) {
      const at = buffered.indexOf("\\r\\n\\r\\n")
      if (at < 0) return
      const target = buffered.slice(0, at).split(" ")[1] || ""
      buffered = buffered.slice(at + 4)
      const index = requests++
      inFlight++
      if (inFlight > maxInFlight) maxInFlight = inFlight
      let open = true
      const done = () => { if (open) { open = false; inFlight-- } }
      endCurrent = done
      setTimeout(() => {
        if (open && !socket.destroyed) socket.write(answer(index, target), done)
      }, delayMs).unref()
    }
  })
})
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }))
parentPort.on("message", () => parentPort.postMessage({ requests, inFlight, maxInFlight }))
`

/**
 * A slow endpoint on its own thread: every request is answered after `delayMs` (a 503 for every
 * even one, a GetSecretValue answer for every odd one) unless the client hangs up first, and the
 * requests open at once are counted from the moment a request's head is read until its answer is
 * written or the client's FIN or RST arrives.
 *
 * Its own event loop is never blocked by the client's work, so it reads each socket as its bytes
 * come, in the order the kernel queued them. A server sharing the client's loop falls behind
 * under load, and then libuv reads a new request on one socket in the same pass as it reads only
 * the request (not yet the FIN) on another: the count overshoots though the client was right.
 */
export const slowServer = (delayMs: number): Effect.Effect<SlowServer, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly worker: Worker; readonly port: number }, Error>((resume) => {
      const worker = new Worker(SLOW_SERVER, { eval: true, workerData: { delayMs } })
      worker.once("error", (error) => resume(Effect.fail(error)))
      worker.once("message", (message: { readonly port: number }) =>
        resume(Effect.succeed({ worker, port: message.port }))
      )
    }),
    ({ worker }) => Effect.promise(() => worker.terminate())
  ).pipe(
    Effect.map(({ port, worker }) => ({
      port,
      log: Effect.async<SlowServerLog>((resume) => {
        worker.once("message", (message: SlowServerLog) => resume(Effect.succeed(message)))
        worker.postMessage("log")
      })
    }))
  )
