/**
 * The P1 endpoints, each in a process of its own so that the measuring process stays idle while a
 * handler runs: the emulator (extension dialect, sample store, the extension's 300 s cache) for the
 * handlers that read the extension, and the SSM stub for Powertools + SDK; with the environment a
 * handler process gets (no shared AWS config files: what a Lambda function has).
 */
import * as path from "node:path"
import * as child from "./child.js"
import * as emulator from "./emulator.js"

export const start = async (out: string) => {
  const extension = await emulator.child(["--ttl", "300"])
  const ssm = await child.start(path.join(import.meta.dirname, "ssm-stub.ts"))
  const env = {
    PATH: process.env.PATH ?? "",
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port),
    AWS_SESSION_TOKEN: extension.token,
    APP_PREFIX: "/demo",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "x",
    AWS_ENDPOINT_URL_SSM: ssm.url,
    AWS_CONFIG_FILE: path.join(out, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(out, "no-aws-credentials")
  }
  const close = async () => {
    await ssm.close()
    await extension.close()
  }
  return { env, close }
}
