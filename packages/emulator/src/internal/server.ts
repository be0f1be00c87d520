/**
 * The HTTP server: `node:http` on 127.0.0.1 with raw control of sockets (for the faults), the
 * request pipeline (refusal → not ready → latency → dialect → body faults → transport faults), the
 * request log and the statistics.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as FiberSet from "effect/FiberSet"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { performance } from "node:perf_hooks"
import { EmulatorError } from "../EmulatorError.js"
import type { Faults } from "../Faults.js"
import * as agent from "./agent.js"
import { Cache } from "./cache.js"
import type { Context, Reply, Request, UpstreamFailure } from "./dialect.js"
import * as extension from "./extension.js"
import { FaultState } from "./faultState.js"
import { parseFormQuery, parseGoQuery, splitTarget, toRecord } from "./query.js"
import type { StoreModel as Store } from "@secrets-config/core/StoreModel"

export const HOST = "127.0.0.1"

/** Go's default `MaxHeaderBytes` (1 MiB) and the Agent's `MAX_BUF_BYTES` (321 KiB). */
const MAX_HEADER_BYTES = { extension: 1 << 20, agent: (65 + 256) * 1024 } as const

/** The Agent drops any connection open for 61 s (`MAX_REQ_TIME_SEC`). */
const AGENT_CONNECTION_LIMIT = Duration.seconds(61)

export interface ServerConfig {
  readonly dialect: "extension" | "agent"
  readonly port: number
  readonly token: string
  readonly ttlMs: { readonly parameters: number; readonly secrets: number }
  readonly maxConnections: number
  readonly faults: Faults
  readonly store: Store
  readonly roles: ReadonlyMap<string, Store>
  readonly maxRoles: number
  readonly prefetch: ReadonlyArray<{ readonly secretId: string; readonly roleArn?: string | undefined }>
  readonly requestLogLimit: number
  readonly onRequest: ((entry: Readonly<LogEntry>) => void) | undefined
}

export interface LogEntry {
  seq: number
  method: string
  path: string
  rawQuery: string
  query: Readonly<Record<string, string>>
  tokenOk: boolean
  startedAtMs: number
  endedAtMs: number
  status: number | "dropped" | "refused"
  fromCache: boolean
  completed: boolean
}

/** What the running server offers to the public `Emulator` module. */
export interface Running {
  readonly port: number
  readonly setFaults: (faults: Faults) => Effect.Effect<void>
  readonly updateFaults: (faults: Faults) => Effect.Effect<void>
  readonly faults: Effect.Effect<Faults>
  readonly requests: Effect.Effect<ReadonlyArray<Readonly<LogEntry>>>
  readonly clearRequests: Effect.Effect<void>
  readonly stats: Effect.Effect<{ readonly total: number; readonly maxInFlight: number; readonly inFlight: number }>
  readonly resetStats: Effect.Effect<void>
  readonly clearCache: Effect.Effect<void>
}

/** Truncates a JSON body to an invalid prefix. */
const malform = (body: string): string => body.slice(0, Math.max(1, Math.floor(body.length / 2)))

/** Pads a JSON object body with an extra field up to `bytes` (still valid JSON). */
const oversize = (body: string, bytes: number): string => {
  const size = Buffer.byteLength(body, "utf8")
  const overhead = `,"_padding":""`.length
  if (!body.endsWith("}") || size + overhead >= bytes) return body
  return `${body.slice(0, -1)},"_padding":"${"x".repeat(bytes - size - overhead)}"}`
}

export const start = (config: ServerConfig): Effect.Effect<Running, EmulatorError, Scope.Scope> =>
  Effect.gen(function* () {
    const run = yield* FiberSet.makeRuntime<never>()
    const faults = new FaultState()
    faults.set(config.faults, yield* Clock.currentTimeMillis)
    const cache = new Cache()
    const sockets = new Set<Socket>()
    const connectionCounts = new WeakMap<Socket, number>()
    let log: Array<LogEntry> = []
    let seq = 0
    const stats = { total: 0, maxInFlight: 0, inFlight: 0 }

    const ctx: Context = {
      store: config.store,
      roles: config.roles,
      maxRoles: config.maxRoles,
      assumedRoles: new Set(),
      cache,
      token: config.token,
      ttlMs: config.ttlMs,
      maxConnections: config.maxConnections,
      nowMs: Clock.currentTimeMillis,
      upstream: Effect.gen(function* () {
        const throttle = faults.take("throttle", yield* Random.next)
        if (throttle !== undefined) return { _tag: "Throttle", status: throttle.status } satisfies UpstreamFailure
        const failure = faults.take("serverError", yield* Random.next)
        if (failure !== undefined) return { _tag: "ServerError", status: failure.status } satisfies UpstreamFailure
        return undefined
      })
    }

    // The Agent's prefetch: each secret cached under its name (and role) before the first request,
    // a role taking its client slot as it does. Failures are only skipped, as the Agent logs them.
    if (config.prefetch.length > 0) {
      const now = yield* Clock.currentTimeMillis
      for (const { roleArn, secretId } of config.prefetch) {
        const store = roleArn === undefined ? config.store : config.roles.get(roleArn)
        if (store === undefined) continue
        if (roleArn !== undefined) ctx.assumedRoles.add(roleArn)
        // Stored under the secret's Name, whatever id named it: a read by ARN is still a miss.
        const found = agent.prefetched(store, secretId)
        if (found !== undefined) {
          cache.set(agent.cacheKey(found.name, undefined, undefined, roleArn), found.body, config.ttlMs.secrets, now)
        }
      }
    }

    const write = (res: http.ServerResponse, chunk: Uint8Array): Effect.Effect<void> =>
      Effect.async<void>((resume) => {
        let done = false
        const finish = () => {
          if (done) return
          done = true
          res.off("close", finish)
          resume(Effect.void)
        }
        res.once("close", finish)
        res.write(chunk, finish)
      })

    const send = (
      req: http.IncomingMessage,
      res: http.ServerResponse | undefined,
      answer: Reply,
      body: Buffer,
      complete: (status: LogEntry["status"], fromCache?: boolean) => void
    ): Effect.Effect<void> =>
      Effect.gen(function* () {
        const socket = req.socket
        if (socket.destroyed) return complete("dropped")
        if (res === undefined) {
          // A CONNECT: Node hands over the raw socket; the answer is written on it, then closed.
          const headers = Object.entries({ ...answer.headers, "content-length": String(body.length) })
            .map(([name, value]) => `${name}: ${value}\r\n`)
            .join("")
          complete(answer.status)
          // Written, then closed at once: a CONNECT's socket has no HTTP timeouts left to close it.
          socket.end(
            Buffer.concat([
              Buffer.from(`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? ""}\r\n${headers}\r\n`),
              body
            ]),
            () => socket.destroy()
          )
          return
        }
        const drop = faults.take("dropMidBody", yield* Random.next)
        const slow = drop === undefined ? faults.take("slowBody", yield* Random.next) : undefined
        res.writeHead(answer.status, { ...answer.headers, "Content-Length": String(body.length) })
        if (drop !== undefined) {
          const cut = Math.min(drop.afterBytes ?? Math.floor(body.length / 2), Math.max(0, body.length - 1))
          complete("dropped")
          yield* write(res, body.subarray(0, cut))
          socket.destroy()
          return
        }
        if (slow !== undefined) {
          const size = slow.chunkBytes ?? 1
          const interval = Duration.millis(slow.intervalMs ?? 50)
          res.flushHeaders()
          for (let offset = 0; offset < body.length; offset += size) {
            yield* Effect.sleep(interval)
            if (socket.destroyed) return complete("dropped")
            // the log is final before the client can see the last byte
            if (offset + size >= body.length) complete(answer.status, answer.fromCache)
            yield* write(res, body.subarray(offset, offset + size))
          }
          complete(answer.status, answer.fromCache)
          res.end()
          return
        }
        complete(answer.status, answer.fromCache)
        res.end(body)
      })

    const handle = (req: http.IncomingMessage, res: http.ServerResponse | undefined): Effect.Effect<void> => {
      const startedAtMs = performance.now()
      const target = splitTarget(req.url ?? "/")
      const query = config.dialect === "extension" ? parseGoQuery(target.rawQuery) : parseFormQuery(target.rawQuery)
      const request: Request = {
        method: req.method ?? "",
        target,
        query,
        headers: req.headers,
        headersDistinct: req.headersDistinct,
        connections: connectionCounts.get(req.socket) ?? 1
      }
      const entry: LogEntry = {
        seq: ++seq,
        method: request.method,
        path: target.rawPath,
        rawQuery: target.rawQuery,
        query: toRecord(query, config.dialect === "extension" ? "first" : "last"),
        tokenOk:
          config.dialect === "extension"
            ? extension.tokenOk(request, config.token)
            : agent.tokenOk(request, config.token),
        startedAtMs,
        endedAtMs: Number.NaN,
        status: 0,
        fromCache: false,
        completed: false
      }
      log.push(entry)
      // trimmed in batches so a long run stays O(1) per request
      if (log.length >= config.requestLogLimit + Math.max(1000, config.requestLogLimit))
        log = log.slice(-config.requestLogLimit)
      stats.total++
      stats.inFlight++
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
      const complete = (status: LogEntry["status"], fromCache = false) => {
        if (entry.completed) return
        entry.status = status
        entry.fromCache = fromCache
        entry.endedAtMs = performance.now()
        entry.completed = true
        stats.inFlight--
        if (config.onRequest !== undefined) {
          try {
            config.onRequest(Object.freeze({ ...entry }))
          } catch {
            // a logging hook must not break the server
          }
        }
      }
      const refuse = () => {
        complete("refused")
        req.socket.resetAndDestroy()
      }
      return Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (faults.refusal(now) !== undefined) return refuse()
        let answer: Reply | undefined
        if (faults.notReady(now) !== "none") {
          faults.countNotReady()
          // the Agent is simply not up yet: the closest thing to a refused connection
          if (config.dialect === "agent") return refuse()
          answer = extension.notReady()
        } else {
          const latency = faults.take("latency", yield* Random.next)
          if (latency !== undefined) {
            const jitter = latency.jitterMs !== undefined ? (yield* Random.next) * latency.jitterMs : 0
            yield* Effect.sleep(Duration.millis(latency.ms + jitter))
          }
          answer = yield* config.dialect === "extension" ? extension.handle(ctx, request) : agent.handle(ctx, request)
        }
        let body = answer.body
        if (answer.success) {
          if (faults.take("malformedBody", yield* Random.next) !== undefined) {
            body = malform(body)
          } else {
            const oversized = faults.take("oversizedBody", yield* Random.next)
            if (oversized !== undefined) body = oversize(body, oversized.bytes ?? 8 * 1024 * 1024)
          }
        }
        yield* send(req, res, answer, Buffer.from(body, "utf8"), complete)
      }).pipe(
        Effect.catchAllCause((cause) =>
          Effect.gen(function* () {
            // a bug in the emulator: answer plainly rather than hang the client
            yield* Effect.logError("secrets-config emulator: internal error while answering a request", cause)
            if (res === undefined) {
              complete("dropped")
              req.socket.destroy()
            } else if (!res.headersSent) {
              complete(500)
              res.writeHead(500, { "Content-Length": "25" }).end("internal emulator failure")
            }
          })
        ),
        Effect.onExit(() => Effect.sync(() => complete("dropped")))
      )
    }

    const server = http.createServer({
      maxHeaderSize: MAX_HEADER_BYTES[config.dialect],
      requireHostHeader: config.dialect === "extension",
      noDelay: true
    })
    // neither Go's server nor hyper closes idle keep-alive connections after 5 s as Node does by default
    server.keepAliveTimeout = 0
    server.on("connection", (socket: Socket) => {
      sockets.add(socket)
      connectionCounts.set(socket, sockets.size)
      const limit =
        config.dialect === "agent"
          ? run(Effect.sleep(AGENT_CONNECTION_LIMIT).pipe(Effect.zipRight(Effect.sync(() => socket.destroy()))))
          : undefined
      socket.once("close", () => {
        sockets.delete(socket)
        limit?.unsafeInterruptAsFork(FiberId.none)
      })
    })
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      run(handle(req, res))
    })
    // Without this listener Node closes a CONNECT's connection unanswered; both servers answer it
    // like any other method (the Agent: 405 `Not allowed` once the token passes).
    server.on("connect", (req: http.IncomingMessage) => {
      // The socket is ours now: Node no longer listens for its errors nor times it out. A client
      // that resets it is a dropped request, not a crash.
      req.socket.on("error", () => req.socket.destroy())
      run(handle(req, undefined))
    })

    let listening = false
    let port = config.port

    const listen = Effect.async<number, EmulatorError>((resume) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off("listening", onListening)
        resume(
          Effect.fail(
            new EmulatorError({
              reason: "ListenFailed",
              detail: `${HOST}:${port}: ${error.code ?? error.message}`,
              cause: error
            })
          )
        )
      }
      const onListening = () => {
        server.off("error", onError)
        listening = true
        resume(Effect.succeed((server.address() as AddressInfo).port))
      }
      server.once("error", onError)
      server.once("listening", onListening)
      server.listen({ port, host: HOST, backlog: 4096 })
    })

    const destroySockets = () => {
      for (const socket of sockets) socket.destroy()
    }

    const stopListening = () => {
      listening = false
      server.close()
      destroySockets()
    }

    yield* Effect.acquireRelease(
      listen.pipe(
        Effect.tap((bound) =>
          Effect.sync(() => {
            port = bound
          })
        )
      ),
      () =>
        Effect.async<void>((resume) => {
          listening = false
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
          destroySockets()
        })
    )

    const lock = yield* Effect.makeSemaphore(1)
    let generation = 0
    // opens or closes the listener as the refusal / not-ready windows require, and wakes up when one ends
    const reconcile: Effect.Effect<void> = Effect.suspend(() =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const closed = faults.listenerClosed(now, config.dialect)
          if (closed && listening) stopListening()
          if (!closed && !listening) {
            yield* listen.pipe(
              Effect.catchAll((error) =>
                Effect.logWarning(`secrets-config emulator: cannot listen again: ${error.detail}`)
              )
            )
          }
          const deadline = faults.nextDeadline(now)
          const current = ++generation
          if (deadline !== undefined) {
            run(
              Effect.sleep(Duration.millis(deadline - now)).pipe(
                Effect.zipRight(Effect.suspend(() => (current === generation ? reconcile : Effect.void)))
              )
            )
          }
        })
      )
    )
    yield* reconcile

    const nowAnd = (f: (now: number) => void): Effect.Effect<void> =>
      Clock.currentTimeMillis.pipe(Effect.map(f), Effect.zipRight(reconcile))

    return {
      port,
      setFaults: (next) => nowAnd((now) => faults.set(next, now)),
      updateFaults: (next) => nowAnd((now) => faults.update(next, now)),
      faults: Effect.sync(() => faults.current()),
      requests: Effect.sync(() => log.slice(-config.requestLogLimit).map((entry) => Object.freeze({ ...entry }))),
      clearRequests: Effect.sync(() => {
        log = []
      }),
      stats: Effect.sync(() => ({ ...stats })),
      resetStats: Effect.sync(() => {
        stats.total = 0
        stats.maxInFlight = stats.inFlight
      }),
      clearCache: Effect.sync(() => cache.clear())
    } satisfies Running
  })
