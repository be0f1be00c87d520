import { assert, describe, it } from "@effect/vitest"
import { App, Duration, Lazy, Stack } from "aws-cdk-lib"
import { Template } from "aws-cdk-lib/assertions"
import * as iam from "aws-cdk-lib/aws-iam"
import * as kms from "aws-cdk-lib/aws-kms"
import * as lambda from "aws-cdk-lib/aws-lambda"
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs"
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { HANDLER_ENTRY, LOCK_FILE, REPO_ROOT } from "../src/DemoStack.js"
import { ExtensionLayer } from "../src/ExtensionLayer.js"
import {
  type Declarations,
  declarationsFromReads,
  esmBundling,
  SecretsConfigFunction,
  type SecretsConfigFunctionProps
} from "../src/SecretsConfigFunction.js"
import { arnShape, type Env, parameterShape, roleStatements, secretShape, testApp, viaService } from "./utils/cdk.js"
import { assertExtensionLayers, assertNoWildcards } from "./utils/templateGuards.js"

const EU: Env = { region: "eu-west-1", account: "123456789012" }
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

const synth = (props: Partial<SecretsConfigFunctionProps>, env?: Env) => {
  const stack = new Stack(testApp(), "Test", env === undefined ? {} : { env })
  const fn = new SecretsConfigFunction(stack, "Fn", {
    entry: HANDLER_ENTRY,
    depsLockFilePath: LOCK_FILE,
    projectRoot: REPO_ROOT,
    architecture: lambda.Architecture.ARM_64,
    ...props
  })
  return { stack, fn, template: Template.fromStack(stack), statements: roleStatements(stack, fn.function) }
}

const statementsFor = (declarations: Declarations, env?: Env) => synth(declarations, env).statements

describe("SecretsConfigFunction: the IAM it generates", () => {
  it("grants ssm:GetParameter on exactly each declared parameter, prefix joined without a double slash", () => {
    const statements = statementsFor({ parameters: { prefix: "/app/prod/", keys: ["db-host", "nested/key"] } })
    assert.deepStrictEqual(statements, [
      {
        Sid: "ReadParameters",
        Effect: "Allow",
        Action: "ssm:GetParameter",
        Resource: [parameterShape("app/prod/db-host"), parameterShape("app/prod/nested/key")]
      }
    ])
  })

  it("maps a leading / to parameter/<name>, never parameter//<name>; names without / stay as they are", () => {
    const statements = statementsFor({ parameters: { keys: ["/app/x", "plain-name"] } }, EU)
    assert.deepStrictEqual(statements[0]?.Resource, [parameterShape("app/x", EU), parameterShape("plain-name", EU)])
    assert.notInclude(JSON.stringify(statements), "parameter//")
  })

  it("takes absolute names and parameter ARNs as they are, and dedupes", () => {
    const shared = "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/flag"
    const statements = statementsFor({ parameters: { prefix: "/demo", keys: ["a", "/other/b", shared, "a", shared] } })
    assert.deepStrictEqual(statements[0]?.Resource, [parameterShape("demo/a"), parameterShape("other/b"), shared])
  })

  it("grants a public parameter (/aws/service/…) in no account", () => {
    const statements = statementsFor({ parameters: { keys: ["/aws/service/global-infrastructure/version"] } }, EU)
    assert.deepStrictEqual(statements[0]?.Resource, {
      "Fn::Join": [
        "",
        ["arn:", { Ref: "AWS::Partition" }, ":ssm:eu-west-1::parameter/aws/service/global-infrastructure/version"]
      ]
    })
  })

  it("grants secretsmanager:GetSecretValue on a name's -?????? ARN (as Secret.fromSecretNameV2) or a full ARN", () => {
    const full = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:other/api-AbCdEf"
    const { statements } = synth({ secrets: ["demo/db", { secret: full }] })
    assert.deepStrictEqual(statements, [
      {
        Sid: "ReadSecrets",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [secretShape("demo/db"), full]
      }
    ])
    // The resource CDK's own grant uses for a secret imported by name.
    const stack = new Stack(testApp(), "Other")
    const role = new iam.Role(stack, "Role", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") })
    secretsmanager.Secret.fromSecretNameV2(stack, "Imported", "demo/db").grantRead(role)
    const cdkGrant = roleStatements(stack, role)
    assert.deepStrictEqual(
      cdkGrant.find((s) => JSON.stringify(s.Action).includes("secretsmanager:GetSecretValue"))?.Resource,
      secretShape("demo/db")
    )
  })

  it("grants both ssm:GetParameter and secretsmanager:GetSecretValue for /aws/reference/secretsmanager/…", () => {
    const statements = statementsFor(
      { parameters: { prefix: "/demo", keys: ["/aws/reference/secretsmanager/demo/db:AWSPREVIOUS", "greeting"] } },
      EU
    )
    assert.deepStrictEqual(statements, [
      {
        Sid: "ReadParameters",
        Effect: "Allow",
        Action: "ssm:GetParameter",
        Resource: [parameterShape("aws/reference/secretsmanager/demo/db", EU), parameterShape("demo/greeting", EU)]
      },
      {
        Sid: "ReadSecrets",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: secretShape("demo/db", EU)
      }
    ])
  })

  it("adds no kms:Decrypt for SecureStrings and secrets under the AWS managed keys", () => {
    const { template, statements } = synth({
      parameters: { prefix: "/demo", keys: [{ name: "api-key", secure: true }] },
      secrets: ["demo/db"]
    })
    assert.deepStrictEqual(
      statements.map((s) => s.Action),
      ["ssm:GetParameter", "secretsmanager:GetSecretValue"]
    )
    assert.notInclude(JSON.stringify(template.toJSON()), "kms:")
  })

  it("adds kms:Decrypt on exactly the customer managed key, only through the service that uses it", () => {
    const statements = statementsFor({
      parameters: {
        prefix: "/demo",
        keys: [
          "greeting",
          { name: "api-key", encryptionKey: KEY_ARN },
          { name: "/aws/reference/secretsmanager/ref/secret", encryptionKey: "mrk-1234abcd12ab34cd56ef1234567890ab" }
        ]
      },
      secrets: [{ secret: "demo/db", encryptionKey: KEY_ARN }]
    })
    assert.deepStrictEqual(statements.slice(2), [
      {
        Sid: "DecryptParameters",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: KEY_ARN,
        Condition: { StringEquals: { "kms:ViaService": viaService("ssm") } }
      },
      {
        Sid: "DecryptSecrets",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: [arnShape("kms", "key/mrk-1234abcd12ab34cd56ef1234567890ab"), KEY_ARN],
        Condition: { StringEquals: { "kms:ViaService": viaService("secretsmanager") } }
      }
    ])
  })

  it("grants a key of the same stack by its ARN, without touching the key's policy", () => {
    const stack = new Stack(testApp(), "Test", { env: EU })
    const key = new kms.Key(stack, "Key")
    const fn = new SecretsConfigFunction(stack, "Fn", {
      entry: HANDLER_ENTRY,
      depsLockFilePath: LOCK_FILE,
      projectRoot: REPO_ROOT,
      architecture: lambda.Architecture.X86_64,
      secrets: [{ secret: "demo/db", encryptionKey: key }]
    })
    const decrypt = roleStatements(stack, fn.function).find((s) => s.Sid === "DecryptSecrets")
    assert.deepStrictEqual(decrypt?.Resource, {
      "Fn::GetAtt": [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), "Arn"]
    })
    assert.deepStrictEqual(decrypt?.Condition, { StringEquals: { "kms:ViaService": viaService("secretsmanager", EU) } })
    const keyPolicy = JSON.stringify(Template.fromStack(stack).findResources("AWS::KMS::Key"))
    assert.notInclude(keyPolicy, "kms:Decrypt")
  })

  it("refuses wildcards, aliases, partial secret ARNs and relative prefixes at synth time", () => {
    const cases: Array<[Declarations, RegExp]> = [
      [{ parameters: { prefix: "/demo", keys: ["*"] } }, /not a parameter name/],
      [{ parameters: { keys: ["/demo/?"] } }, /not a parameter name/],
      [{ parameters: { prefix: "/demo/*", keys: ["a"] } }, /prefix/],
      [{ parameters: { prefix: "demo", keys: ["a"] } }, /must be a path starting with \//],
      [{ secrets: ["demo/*"] }, /not a secret name/],
      [{ secrets: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:demo/db"] }, /not a full secret ARN/],
      [{ secrets: [{ secret: "demo/db", encryptionKey: "alias/my-key" }] }, /alias cannot be granted/],
      [{ secrets: [{ secret: "demo/db", encryptionKey: "alias/aws/secretsmanager" }] }, /AWS managed key: omit/],
      [{ parameters: { keys: [{ name: "/a", secure: false, encryptionKey: KEY_ARN }] } }, /secure: false/],
      [{ parameters: { keys: ["/aws/reference/secretsmanager/"] } }, /names no secret/],
      [{ parameters: { prefix: Lazy.string({ produce: () => "/demo" }), keys: ["a"] } }, /known at synth time/]
    ]
    for (const [declarations, message] of cases) {
      assert.throws(() => synth(declarations), message, JSON.stringify(declarations))
    }
  })

  it("passes the wildcard guard for every kind of declaration at once", () => {
    const { template } = synth({
      parameters: {
        prefix: "/demo",
        keys: ["a", { name: "b", encryptionKey: KEY_ARN }, "/aws/reference/secretsmanager/c", "/aws/service/d"]
      },
      secrets: [
        "e",
        { secret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:f-AbCdEf", encryptionKey: KEY_ARN }
      ]
    })
    assertNoWildcards(template)
    assertExtensionLayers(template)
  })
})

describe("SecretsConfigFunction: the function", () => {
  it("sets the handler's environment and the extension's settings", () => {
    const { template } = synth(
      {
        parameters: { prefix: "/demo", keys: ["greeting"] },
        cacheTtl: Duration.seconds(45),
        extension: {
          httpPort: 2999,
          parameterStoreTtl: Duration.seconds(120),
          secretsManagerTtl: Duration.seconds(90),
          cacheSize: 10
        },
        functionProps: { environment: { EXTRA: "1", APP_PREFIX: "overridden by the declarations" } }
      },
      EU
    )
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: {
          EXTRA: "1",
          APP_PREFIX: "/demo",
          CACHE_TTL_SECONDS: "45",
          PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: "2999",
          SSM_PARAMETER_STORE_TTL: "120",
          SECRETS_MANAGER_TTL: "90",
          PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: "true",
          PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE: "10",
          PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: "info",
          PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS: "3",
          SSM_PARAMETER_STORE_TIMEOUT_MILLIS: "0",
          SECRETS_MANAGER_TIMEOUT_MILLIS: "0"
        }
      }
    })
  })

  it("runs NODEJS_22_X by default and NODEJS_24_X when asked, on the architecture given", () => {
    synth({}, EU).template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Handler: "index.handler"
    })
    synth(
      { runtime: lambda.Runtime.NODEJS_24_X, architecture: lambda.Architecture.X86_64 },
      EU
    ).template.hasResourceProperties("AWS::Lambda::Function", { Runtime: "nodejs24.x", Architectures: ["x86_64"] })
  })

  it("refuses extension settings outside the extension's ranges (CDK validates them)", () => {
    assert.throws(() => synth({ extension: { parameterStoreTtl: Duration.seconds(301) } }), /300 seconds/)
    assert.throws(() => synth({ extension: { httpPort: 70000 } }), /HTTP port/)
  })

  it("attaches a pinned layer version (fromVersionArn) and refuses one of the other architecture", () => {
    const arn = "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:90"
    synth({ extension: { layer: ExtensionLayer.fromArn(arn) } }, EU).template.hasResourceProperties(
      "AWS::Lambda::Function",
      { Layers: [arn] }
    )
    assert.throws(
      () => synth({ architecture: lambda.Architecture.X86_64, extension: { layer: ExtensionLayer.fromArn(arn) } }, EU),
      /not the x86_64 extension layer/
    )
  })

  it("uses ESM bundling like scripts/build.mjs", () => {
    assert.deepStrictEqual(esmBundling, {
      format: nodejs.OutputFormat.ESM,
      minify: true,
      target: "node20",
      mainFields: ["module", "main"],
      externalModules: ["@aws-sdk/*"],
      banner: "import { createRequire as __cr } from 'module';const require = __cr(import.meta.url);"
    })
  })

  it("bundles the handler offline into one ESM file that loads and exports handler", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdk-app-bundle-"))
    try {
      const stack = new Stack(new App({ outdir, builtinCloudFormationValidation: false }), "Bundled", { env: EU })
      new SecretsConfigFunction(stack, "Fn", {
        entry: HANDLER_ENTRY,
        depsLockFilePath: LOCK_FILE,
        projectRoot: REPO_ROOT,
        architecture: lambda.Architecture.ARM_64,
        parameters: { prefix: "/demo", keys: ["greeting"] }
      })
      const template = Template.fromStack(stack).toJSON()
      const fn = Object.values(template.Resources).find((r: any) => r.Type === "AWS::Lambda::Function") as any
      const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, "")
      const file = path.join(outdir, `asset.${hash}`, "index.mjs")
      const code = fs.readFileSync(file, "utf8")
      assert.isTrue(code.startsWith(esmBundling.banner ?? ""), "the require banner comes first")
      assert.isAbove(code.length / code.split("\n").length, 1000, "minified: long lines")
      assert.isBelow(code.length, 1024 * 1024)
      const loaded = execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(typeof m.handler)`
        ],
        { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } }
      )
      assert.strictEqual(loaded.trim(), "function")
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true })
    }
  })
})

describe("declarationsFromReads: the policy from what the Config reads", () => {
  it("each parameter (a reference name grants its secret) and each secret; keys only on names read", () => {
    const reads = [
      { kind: "parameter" as const, name: "/app/host" },
      { kind: "parameter" as const, name: "/aws/reference/secretsmanager/app/other" },
      { kind: "secret" as const, name: "app/db" }
    ]
    const declarations = declarationsFromReads(reads, { prefix: "/app", encryptionKeys: { "app/db": KEY_ARN } })
    assert.deepStrictEqual(declarations, {
      parameters: {
        prefix: "/app",
        keys: [{ name: "/app/host" }, { name: "/aws/reference/secretsmanager/app/other" }]
      },
      secrets: [{ secret: "app/db", encryptionKey: KEY_ARN }]
    })
    const statements = statementsFor(declarations, EU)
    assert.deepStrictEqual(
      statements.map((statement) => statement.Sid),
      ["ReadParameters", "ReadSecrets", "DecryptSecrets"]
    )
    assert.throws(
      () => declarationsFromReads(reads, { encryptionKeys: { "/app/renamed": KEY_ARN } }),
      /which the Config does not read/
    )
  })
})
