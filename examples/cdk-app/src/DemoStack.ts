/**
 * The demo deployment: `examples/lambda-handler/src/handler.ts` twice, arm64 and x86_64, each with
 * the Parameters and Secrets extension and read access to exactly what the handler's `AppConfig`
 * reads under `/demo`.
 */
import { type App, CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib"
import * as lambda from "aws-cdk-lib/aws-lambda"
import type { Construct } from "constructs"
import * as path from "node:path"
import type { ExtensionLayer } from "./ExtensionLayer.js"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import { AppConfig, providerOptions } from "@secrets-config/example-lambda-handler"
import { type Declarations, declarationsFromReads, SecretsConfigFunction } from "./SecretsConfigFunction.js"

/** The workspace root: the project root and lock file the bundler resolves the handler's imports from. */
export const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..", "..")

export const LOCK_FILE = path.join(REPO_ROOT, "pnpm-lock.yaml")

/** The handler this app deploys. */
export const HANDLER_ENTRY = path.join(REPO_ROOT, "examples", "lambda-handler", "src", "handler.ts")

/** The prefix of the handler's parameters (its `APP_PREFIX`). */
export const DEMO_PREFIX = "/demo"

/**
 * What the handler's `AppConfig` reads, found from the `Config` itself (no I/O): `greeting`,
 * `feature-flags`, `api-key` (a SecureString) and `log-level` under the prefix, and the JSON secret
 * `demo/db` for its `db` subtree. `encryptionKey` is the customer managed key of the SecureString and
 * the secret, if they use one.
 */
export const demoReads = (): ReadonlyArray<SecretsConfigProvider.Read> =>
  SecretsConfigProvider.reads(AppConfig, providerOptions(DEMO_PREFIX))

export const demoDeclarations = (encryptionKey?: string): Declarations =>
  declarationsFromReads(demoReads(), {
    prefix: DEMO_PREFIX,
    ...(encryptionKey === undefined
      ? {}
      : {
          encryptionKeys: { [`${DEMO_PREFIX}/api-key`]: encryptionKey, [`${DEMO_PREFIX.slice(1)}/db`]: encryptionKey }
        })
  })

export interface DemoStackProps extends StackProps {
  /** Default `NODEJS_22_X`. */
  readonly runtime?: lambda.Runtime
  /** The customer managed key of `/demo/api-key` and `demo/db` (default: the AWS managed keys). */
  readonly encryptionKey?: string
  /** Default: the current version per region and architecture. */
  readonly layer?: ExtensionLayer
}

/** The two variants deployed, by construct id. */
export const VARIANTS = { Arm64: lambda.Architecture.ARM_64, X8664: lambda.Architecture.X86_64 } as const

export class DemoStack extends Stack {
  readonly functions: Readonly<Record<keyof typeof VARIANTS, SecretsConfigFunction>>

  constructor(scope: Construct, id: string, props: DemoStackProps = {}) {
    super(scope, id, props)
    const declarations = demoDeclarations(props.encryptionKey)
    const make = (name: keyof typeof VARIANTS) =>
      new SecretsConfigFunction(this, name, {
        entry: HANDLER_ENTRY,
        depsLockFilePath: LOCK_FILE,
        projectRoot: REPO_ROOT,
        architecture: VARIANTS[name],
        ...(props.runtime === undefined ? {} : { runtime: props.runtime }),
        ...declarations,
        cacheTtl: Duration.seconds(30),
        extension: {
          ...(props.layer === undefined ? {} : { layer: props.layer }),
          httpPort: 2773,
          parameterStoreTtl: Duration.seconds(60),
          secretsManagerTtl: Duration.seconds(60),
          cacheSize: 100,
          // No upstream timeout is the extension's default: a hung call would last until the Lambda timeout.
          parameterStoreTimeout: Duration.seconds(3),
          secretsManagerTimeout: Duration.seconds(3),
          logLevel: lambda.ParamsAndSecretsLogLevel.INFO
        },
        functionProps: { description: `secrets-config example handler (${VARIANTS[name].name})` }
      })
    this.functions = { Arm64: make("Arm64"), X8664: make("X8664") }
    for (const [name, fn] of Object.entries(this.functions)) {
      new CfnOutput(this, `${name}FunctionName`, { value: fn.function.functionName })
    }
  }
}

/** The runtimes the `node` context value selects (`cdk deploy -c node=24`). */
export const RUNTIMES: Readonly<Record<string, lambda.Runtime>> = {
  "22": lambda.Runtime.NODEJS_22_X,
  "24": lambda.Runtime.NODEJS_24_X
}

/**
 * Adds the demo stack to an app, configured from its context: `node` (`22`, default, or `24`) and
 * `kmsKeyArn` (a customer managed key); the account and region from the CDK CLI's environment
 * (none: an environment-agnostic stack).
 */
export const addDemoStack = (app: App, env: NodeJS.ProcessEnv = process.env): DemoStack => {
  const node = String(app.node.tryGetContext("node") ?? "22")
  const runtime = RUNTIMES[node]
  if (runtime === undefined) throw new Error(`Unknown node runtime ${node}: use ${Object.keys(RUNTIMES).join(" or ")}`)
  const encryptionKey: unknown = app.node.tryGetContext("kmsKeyArn")
  const account = env.CDK_DEFAULT_ACCOUNT
  const region = env.CDK_DEFAULT_REGION
  return new DemoStack(app, "SecretsConfigDemo", {
    runtime,
    ...(typeof encryptionKey === "string" ? { encryptionKey } : {}),
    env: { ...(account === undefined ? {} : { account }), ...(region === undefined ? {} : { region }) }
  })
}
