/**
 * P1 baseline: the example handler's job done with raw `fetch` — the 4 parameters and the JSON
 * secret read from the extension's endpoint at once, the same response body.
 */
const base = `http://127.0.0.1:${process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? "2773"}`
const headers = { "X-Aws-Parameters-Secrets-Token": process.env.AWS_SESSION_TOKEN ?? "" }
const prefix = process.env.APP_PREFIX ?? "/demo"

const get = async (path: string): Promise<any> => {
  const response = await fetch(base + path, { headers })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`the endpoint answered ${response.status}`)
  return JSON.parse(text)
}
const parameter = async (name: string): Promise<string> =>
  (await get(`/systemsmanager/parameters/get?name=${encodeURIComponent(name)}&withDecryption=true`)).Parameter.Value
const secret = async (id: string): Promise<string> =>
  (await get(`/secretsmanager/get?secretId=${encodeURIComponent(id)}`)).SecretString

/** As the example shows a secret: never the value, nor anything derived from it (read it, though). */
const shown = (secret: string) => (secret.length > 0 ? "<redacted>" : "<empty>")

export const handler = async () => {
  try {
    const [greeting, featureFlags, apiKey, logLevel, dbText] = await Promise.all([
      parameter(`${prefix}/greeting`),
      parameter(`${prefix}/feature-flags`),
      parameter(`${prefix}/api-key`),
      parameter(`${prefix}/log-level`),
      secret(`${prefix.replace(/^\//, "")}/db`)
    ])
    const db = JSON.parse(dbText)
    return {
      statusCode: 200,
      body: JSON.stringify({
        greeting,
        featureFlags: featureFlags.split(","),
        logLevel,
        apiKey: shown(apiKey),
        db: { host: db.host, port: db.port, username: db.username, password: shown(db.password) }
      })
    }
  } catch (error) {
    return { statusCode: 500, body: JSON.stringify({ error: String(error) }) }
  }
}
