/**
 * P1 baseline: the example handler's job with Powertools Parameters over the AWS SDK's SSM client —
 * the 4 parameters with `getParameter`, the JSON secret through Parameter Store's
 * `/aws/reference/secretsmanager/` path (so only `@aws-sdk/client-ssm` is needed), the same response
 * body. The SDK calls SSM's JSON API; the benchmark points it at a local stub with
 * `AWS_ENDPOINT_URL_SSM` and dummy credentials.
 */
import { getParameter } from "@aws-lambda-powertools/parameters/ssm"

const prefix = process.env.APP_PREFIX ?? "/demo"

/** As the example shows a secret: never the value, nor anything derived from it (read it, though). */
const shown = (secret: string) => (secret.length > 0 ? "<redacted>" : "<empty>")

export const handler = async () => {
  try {
    const [greeting, featureFlags, apiKey, logLevel, db] = await Promise.all([
      getParameter(`${prefix}/greeting`),
      getParameter(`${prefix}/feature-flags`),
      getParameter(`${prefix}/api-key`, { decrypt: true }),
      getParameter(`${prefix}/log-level`),
      getParameter(`/aws/reference/secretsmanager${prefix}/db`, { decrypt: true, transform: "json" })
    ])
    const d = db as { host: string; port: number; username: string; password: string }
    return {
      statusCode: 200,
      body: JSON.stringify({
        greeting,
        featureFlags: (featureFlags ?? "").split(","),
        logLevel,
        apiKey: shown(apiKey ?? ""),
        db: { host: d.host, port: d.port, username: d.username, password: shown(d.password) }
      })
    }
  } catch (error) {
    return { statusCode: 500, body: JSON.stringify({ error: String(error) }) }
  }
}
