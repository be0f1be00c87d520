/**
 * A tiny stand-in for the SSM API on 127.0.0.1, so that Powertools Parameters + the AWS SDK can be
 * timed without the network: `POST /` with `X-Amz-Target: AmazonSSM.GetParameter` answers the
 * sample store's parameters (and `/aws/reference/secretsmanager/<id>` its secrets) in SSM's JSON
 * protocol. Nothing else is implemented.
 */
import { Store } from "@secrets-config/emulator"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

const REFERENCE = "/aws/reference/secretsmanager/"

const values = (): Map<string, { readonly type: string; readonly value: string }> => {
  const map = new Map<string, { readonly type: string; readonly value: string }>()
  for (const p of Store.sample.parameters ?? []) {
    const last = "versions" in p && p.versions !== undefined ? p.versions[p.versions.length - 1]! : p
    const value = (last as { value: string | ReadonlyArray<string> }).value
    const type = (last as { type?: string }).type ?? (p as { type?: string }).type ?? "String"
    map.set(p.name, {
      type: Array.isArray(value) ? "StringList" : type,
      value: Array.isArray(value) ? value.join(",") : (value as string)
    })
  }
  for (const s of Store.sample.secrets ?? []) {
    const json = (s as { json?: unknown }).json
    const value = (s as { value?: unknown }).value
    if (json !== undefined) map.set(REFERENCE + s.name, { type: "SecureString", value: JSON.stringify(json) })
    else if (typeof value === "string") map.set(REFERENCE + s.name, { type: "SecureString", value })
  }
  return map
}

export const start = (): Promise<{
  readonly url: string
  readonly close: () => Promise<void>
}> => {
  const store = values()
  const server = http.createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => {
      body += chunk
    })
    req.on("end", () => {
      const target = req.headers["x-amz-target"]
      const name = target === "AmazonSSM.GetParameter" ? (JSON.parse(body) as { Name?: string }).Name : undefined
      const found = name === undefined ? undefined : store.get(name)
      const answer =
        found === undefined
          ? { status: 400, json: { __type: "ParameterNotFound", message: "" } }
          : {
              status: 200,
              json: {
                Parameter: {
                  ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
                  DataType: "text",
                  LastModifiedDate: 1668586960.362,
                  Name: name,
                  Type: found.type,
                  Value: found.value,
                  Version: 1
                }
              }
            }
      const text = JSON.stringify(answer.json)
      res.writeHead(answer.status, {
        "content-type": "application/x-amz-json-1.1",
        "content-length": Buffer.byteLength(text),
        "x-amzn-requestid": "00000000-0000-4000-8000-000000000000"
      })
      res.end(text)
    })
  })
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
}

// Run as a process of its own (`tsx lib/ssm-stub.ts`): prints its URL, serves until SIGTERM.
if (import.meta.url === `file://${process.argv[1]}`) {
  const stub = await start()
  process.stdout.write(`ssm-stub listening on ${stub.url}\n`)
  process.once("SIGTERM", () => {
    void stub.close().then(() => process.exit(0))
  })
}
