/**
 * A Node.js Lambda function that reads its configuration through the AWS Parameters and Secrets
 * Lambda Extension: the extension's layer (a current version, see `ExtensionLayer`) with its
 * settings, the handler's environment, ESM bundling like `examples/lambda-handler/scripts/build.mjs`,
 * and an IAM policy generated from the parameters and secrets the app declares — each exact ARN,
 * never `*`.
 */
import { ArnFormat, Duration, Stack, Token } from "aws-cdk-lib"
import * as iam from "aws-cdk-lib/aws-iam"
import type * as kms from "aws-cdk-lib/aws-kms"
import * as lambda from "aws-cdk-lib/aws-lambda"
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs"
import { Construct } from "constructs"
import { ExtensionLayer } from "./ExtensionLayer.js"

/** A Parameter Store parameter the app reads. */
export interface ParameterDeclaration {
  /**
   * The key under the set's `prefix` (`"api-key"` → `/demo/api-key`). A name starting with `/` is
   * absolute (`/aws/reference/secretsmanager/app/db`, `/shared/region`); an ARN is taken as is
   * (a parameter shared from another account).
   */
  readonly name: string
  /** A SecureString (default `false`, or `true` when `encryptionKey` is given). */
  readonly secure?: boolean
  /**
   * The customer managed KMS key of this SecureString (or, for an `/aws/reference/secretsmanager/…`
   * parameter, of the secret): a key, a key ARN or a key id, never an alias. Omit it for the AWS
   * managed key (`aws/ssm`, `aws/secretsmanager`), whose key policy already lets the account's
   * principals decrypt through the service: no `kms:Decrypt` statement is generated then.
   */
  readonly encryptionKey?: kms.IKey | string
}

/** The parameters the app reads: keys under a prefix (the handler's `APP_PREFIX`). */
export interface ParameterSet {
  /** The path the keys live under, starting with `/` (`"/demo"`); set as `APP_PREFIX`. */
  readonly prefix?: string
  /** Keys (or declarations) under the prefix; without a prefix, full names. */
  readonly keys: ReadonlyArray<string | ParameterDeclaration>
}

/** A Secrets Manager secret the app reads. */
export interface SecretDeclaration {
  /**
   * The secret's name (`"demo/db"`: the policy gets `…:secret:demo/db-??????`, since the ARN ends
   * with a random 6-character suffix), or its full ARN, suffix included.
   */
  readonly secret: string
  /** Its customer managed KMS key (omit for the AWS managed key `aws/secretsmanager`). */
  readonly encryptionKey?: kms.IKey | string
}

/** One name an app reads, as `SecretsConfigProvider.reads` lists them. */
export interface Read {
  readonly kind: "parameter" | "secret"
  readonly name: string
}

/**
 * The declarations of exactly what an app's `Config` reads (`SecretsConfigProvider.reads(config,
 * providerOptions)`), so the policy cannot drift from the code: each parameter (a name under
 * `/aws/reference/secretsmanager/` grants its secret) and each secret, once. `prefix` becomes the
 * function's `APP_PREFIX`; `encryptionKeys` gives the customer managed key of the names that use
 * one, and every name it gives must be one the `Config` reads.
 */
export const declarationsFromReads = (
  reads: ReadonlyArray<Read>,
  options: {
    readonly prefix?: string | undefined
    readonly encryptionKeys?: Readonly<Record<string, kms.IKey | string>> | undefined
  } = {}
): Declarations => {
  const keys = options.encryptionKeys ?? {}
  for (const name of Object.keys(keys)) {
    if (!reads.some((read) => read.name === name)) {
      throw new Error(`encryptionKeys names ${JSON.stringify(name)}, which the Config does not read`)
    }
  }
  const keyOf = (name: string) => (keys[name] === undefined ? {} : { encryptionKey: keys[name] })
  const parameters = reads.filter((read) => read.kind === "parameter")
  const secrets = reads.filter((read) => read.kind === "secret")
  return {
    ...(parameters.length === 0 && options.prefix === undefined
      ? {}
      : {
          parameters: {
            ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
            keys: parameters.map(
              (read): ParameterDeclaration => ({
                name: read.name,
                ...(keys[read.name] === undefined ? {} : { secure: true }),
                ...keyOf(read.name)
              })
            )
          }
        }),
    ...(secrets.length === 0 ? {} : { secrets: secrets.map((read) => ({ secret: read.name, ...keyOf(read.name) })) })
  }
}

/** The extension's settings (CDK's `ParamsAndSecretsOptions`) and which layer version to attach. */
export interface ExtensionOptions extends lambda.ParamsAndSecretsOptions {
  /** Default `ExtensionLayer.fromTable()`: the current version per region and architecture. */
  readonly layer?: ExtensionLayer
}

/** What the IAM policy is generated from. */
export interface Declarations {
  readonly parameters?: ParameterSet
  readonly secrets?: ReadonlyArray<string | SecretDeclaration>
}

/** The `NodejsFunction` props this construct sets itself. */
type ManagedProps =
  | "entry"
  | "handler"
  | "architecture"
  | "runtime"
  | "bundling"
  | "paramsAndSecrets"
  | "code"
  | "depsLockFilePath"
  | "projectRoot"

export interface SecretsConfigFunctionProps extends Declarations {
  /** The handler's source file (its export `handler` is the entry point). */
  readonly entry: string
  readonly architecture: lambda.Architecture
  /** Default `NODEJS_22_X` (`NODEJS_24_X` works the same). */
  readonly runtime?: lambda.Runtime
  /** How long the handler keeps values in memory: `CACHE_TTL_SECONDS` (default 5 minutes). */
  readonly cacheTtl?: Duration
  readonly extension?: ExtensionOptions
  /** Merged over the ESM defaults (format ESM, minify, target node20, the `require` banner). */
  readonly bundling?: nodejs.BundlingOptions
  /** The lock file of the workspace the entry belongs to (default: found from the working directory). */
  readonly depsLockFilePath?: string
  readonly projectRoot?: string
  /** Anything else of the function (memory, timeout, description, environment, …). */
  readonly functionProps?: Omit<nodejs.NodejsFunctionProps, ManagedProps>
}

/**
 * The bundling `examples/lambda-handler/scripts/build.mjs` does: one ESM file for Node 20+, minified,
 * with the AWS SDK left to the runtime and a `require` for bundled CommonJS that loads built-ins.
 */
export const esmBundling: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  minify: true,
  target: "node20",
  mainFields: ["module", "main"],
  externalModules: ["@aws-sdk/*"],
  banner: "import { createRequire as __cr } from 'module';const require = __cr(import.meta.url);"
}

const REFERENCE_PREFIX = "/aws/reference/secretsmanager/"
const PUBLIC_PREFIX = "/aws/service/"
const PARAMETER_NAME = /^[A-Za-z0-9_.\-/]+$/
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/
const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/
const PARAMETER_ARN = /^arn:[a-z-]+:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+$/
const KEY_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/
const KEY_ID = /^(mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$/

/** A parameter's full name: a key under the prefix, or itself when absolute or an ARN. */
export const parameterName = (prefix: string | undefined, key: string): string => {
  if (key.startsWith("arn:") || key.startsWith("/") || prefix === undefined) return key
  return `${prefix.replace(/\/+$/, "")}/${key}`
}

/** Wildcards and empty names are refused: every resource in the policy must name one thing. */
const refuse = (scope: Construct, what: string, value: string, why: string): never => {
  throw new Error(`${scope.node.path}: ${what} ${JSON.stringify(value)} ${why}`)
}

/**
 * The ARN of a parameter: `arn:${Partition}:ssm:${Region}:${Account}:parameter/<name without its
 * leading />` (`/app/x` → `parameter/app/x`, not `parameter//app/x`). Public parameters
 * (`/aws/service/…`) belong to no account.
 */
export const parameterArn = (scope: Construct, name: string): string => {
  if (Token.isUnresolved(name)) refuse(scope, "parameter", name, "must be known at synth time")
  if (name.startsWith("arn:")) {
    return PARAMETER_ARN.test(name) ? name : refuse(scope, "parameter ARN", name, "is not a parameter's ARN")
  }
  if (!PARAMETER_NAME.test(name) || name.includes("//") || name.length > 1011) {
    refuse(scope, "parameter name", name, "is not a parameter name (letters, digits, _ . - /; no wildcard)")
  }
  const resourceName = name.replace(/^\//, "")
  return Stack.of(scope).formatArn({
    service: "ssm",
    resource: "parameter",
    resourceName,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    ...(name.startsWith(PUBLIC_PREFIX) ? { account: "" } : {})
  })
}

/**
 * The ARN of a secret for a policy: a full ARN as given, else the name with `-??????` for the
 * random suffix Secrets Manager appends (what CDK grants for `Secret.fromSecretNameV2`). `??????`
 * matches exactly six characters, so it names the secret `demo/db` only, never `demo/db-old`.
 * A token (`secret.secretArn` of a `Secret` in the app) is taken as a full ARN.
 */
export const secretArn = (scope: Construct, secret: string): string => {
  if (Token.isUnresolved(secret)) return secret
  if (secret.startsWith("arn:")) {
    return SECRET_ARN.test(secret)
      ? secret
      : refuse(scope, "secret ARN", secret, "is not a full secret ARN (with its 6-character suffix): give the name")
  }
  if (!SECRET_NAME.test(secret) || secret.length > 512) {
    refuse(scope, "secret name", secret, "is not a secret name (letters, digits, / _ + = . @ -; no wildcard)")
  }
  return Stack.of(scope).formatArn({
    service: "secretsmanager",
    resource: "secret",
    resourceName: `${secret}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME
  })
}

/** A customer managed key's ARN: `kms:Decrypt` is authorized on the key, never on an alias. */
export const keyArn = (scope: Construct, key: kms.IKey | string): string => {
  if (typeof key !== "string") return key.keyArn
  if (Token.isUnresolved(key) || KEY_ARN.test(key)) return key
  if (KEY_ID.test(key)) {
    return Stack.of(scope).formatArn({
      service: "kms",
      resource: "key",
      resourceName: key,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME
    })
  }
  return key.includes("alias/aws/")
    ? refuse(scope, "KMS key", key, "is an AWS managed key: omit encryptionKey, it needs no statement")
    : refuse(scope, "KMS key", key, "is not a key ARN or key id (an alias cannot be granted kms:Decrypt)")
}

/** What a declaration grants, before it becomes statements. */
export interface Grants {
  /** `ssm:GetParameter` on these. */
  readonly parameters: ReadonlyArray<string>
  /** `secretsmanager:GetSecretValue` on these. */
  readonly secrets: ReadonlyArray<string>
  /** `kms:Decrypt` on these keys through Parameter Store (SecureStrings). */
  readonly parameterKeys: ReadonlyArray<string>
  /** `kms:Decrypt` on these keys through Secrets Manager (secrets, also read by reference). */
  readonly secretKeys: ReadonlyArray<string>
}

/** Appends unless an equal value (tokens compared resolved) is already there. */
const adder = (scope: Construct) => {
  const stack = Stack.of(scope)
  return (list: Array<string>, value: string) => {
    const key = JSON.stringify(stack.resolve(value))
    if (!list.some((v) => JSON.stringify(stack.resolve(v)) === key)) list.push(value)
  }
}

/** The exact resources the declarations need. */
export const grantsOf = (scope: Construct, declarations: Declarations): Grants => {
  const add = adder(scope)
  const parameters: Array<string> = []
  const secrets: Array<string> = []
  const parameterKeys: Array<string> = []
  const secretKeys: Array<string> = []
  const prefix = declarations.parameters?.prefix
  if (prefix !== undefined && (Token.isUnresolved(prefix) || !prefix.startsWith("/") || prefix.includes("*"))) {
    refuse(scope, "prefix", prefix, "must be a path starting with / (no wildcard), known at synth time")
  }
  for (const entry of declarations.parameters?.keys ?? []) {
    const declaration: ParameterDeclaration = typeof entry === "string" ? { name: entry } : entry
    if (declaration.secure === false && declaration.encryptionKey !== undefined) {
      refuse(scope, "parameter", declaration.name, "has an encryptionKey but secure: false")
    }
    const name = parameterName(prefix, declaration.name)
    if (name.startsWith(REFERENCE_PREFIX)) {
      // A secret read through Parameter Store: both services authorize the call.
      const [secret = "", selector] = name.slice(REFERENCE_PREFIX.length).split(":")
      if (secret.length === 0 || selector === "") refuse(scope, "reference", name, "names no secret")
      add(parameters, parameterArn(scope, `${REFERENCE_PREFIX}${secret}`))
      add(secrets, secretArn(scope, secret))
      if (declaration.encryptionKey !== undefined) add(secretKeys, keyArn(scope, declaration.encryptionKey))
      continue
    }
    add(parameters, parameterArn(scope, name))
    if (declaration.encryptionKey !== undefined) add(parameterKeys, keyArn(scope, declaration.encryptionKey))
  }
  for (const entry of declarations.secrets ?? []) {
    const declaration: SecretDeclaration = typeof entry === "string" ? { secret: entry } : entry
    add(secrets, secretArn(scope, declaration.secret))
    if (declaration.encryptionKey !== undefined) add(secretKeys, keyArn(scope, declaration.encryptionKey))
  }
  return { parameters, secrets, parameterKeys, secretKeys }
}

/**
 * The least-privilege statements for the declarations:
 * - `ReadParameters`: `ssm:GetParameter` on exactly each parameter (the extension calls only
 *   GetParameter, never GetParameters or GetParametersByPath);
 * - `ReadSecrets`: `secretsmanager:GetSecretValue` on exactly each secret;
 * - `DecryptParameters` / `DecryptSecrets`: `kms:Decrypt` on exactly the customer managed keys,
 *   and only through that service (`kms:ViaService`). None for the AWS managed keys.
 */
export const readPolicyStatements = (scope: Construct, declarations: Declarations): Array<iam.PolicyStatement> => {
  const grants = grantsOf(scope, declarations)
  const region = Stack.of(scope).region
  const statements: Array<iam.PolicyStatement> = []
  if (grants.parameters.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: "ReadParameters",
        actions: ["ssm:GetParameter"],
        resources: [...grants.parameters]
      })
    )
  }
  if (grants.secrets.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: "ReadSecrets",
        actions: ["secretsmanager:GetSecretValue"],
        resources: [...grants.secrets]
      })
    )
  }
  const decrypt = (sid: string, keys: ReadonlyArray<string>, service: string) => {
    if (keys.length === 0) return
    statements.push(
      new iam.PolicyStatement({
        sid,
        actions: ["kms:Decrypt"],
        resources: [...keys],
        conditions: { StringEquals: { "kms:ViaService": `${service}.${region}.amazonaws.com` } }
      })
    )
  }
  decrypt("DecryptParameters", grants.parameterKeys, "ssm")
  decrypt("DecryptSecrets", grants.secretKeys, "secretsmanager")
  return statements
}

/**
 * A `NodejsFunction` with the Parameters and Secrets extension attached and exactly the IAM its
 * declared parameters and secrets need.
 */
export class SecretsConfigFunction extends Construct {
  readonly function: nodejs.NodejsFunction
  /** The extension layer version attached (a literal ARN, or a token resolved at deploy). */
  readonly layerVersionArn: string
  /** The statements added to the function's role. */
  readonly statements: ReadonlyArray<iam.PolicyStatement>

  constructor(scope: Construct, id: string, props: SecretsConfigFunctionProps) {
    super(scope, id)
    const extension: ExtensionOptions = props.extension ?? {}
    const { layer = ExtensionLayer.fromTable(), ...extensionOptions } = extension
    this.layerVersionArn = layer.arnFor(this, props.architecture)
    const cacheTtl = props.cacheTtl ?? Duration.minutes(5)
    const functionProps = props.functionProps ?? {}
    const prefix = props.parameters?.prefix
    this.function = new nodejs.NodejsFunction(this, "Function", {
      timeout: Duration.seconds(10),
      memorySize: 256,
      ...functionProps,
      entry: props.entry,
      handler: "handler",
      architecture: props.architecture,
      runtime: props.runtime ?? lambda.Runtime.NODEJS_22_X,
      bundling: { ...esmBundling, ...props.bundling },
      ...(props.depsLockFilePath === undefined ? {} : { depsLockFilePath: props.depsLockFilePath }),
      ...(props.projectRoot === undefined ? {} : { projectRoot: props.projectRoot }),
      environment: {
        ...functionProps.environment,
        ...(prefix === undefined ? {} : { APP_PREFIX: prefix }),
        CACHE_TTL_SECONDS: String(cacheTtl.toSeconds())
      },
      paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersionArn(this.layerVersionArn, extensionOptions)
    })
    this.statements = readPolicyStatements(this, props)
    for (const statement of this.statements) this.function.addToRolePolicy(statement)
  }
}
