import { assert, describe, it } from "@effect/vitest"
import type { App } from "aws-cdk-lib"
import { Template } from "aws-cdk-lib/assertions"
import * as iam from "aws-cdk-lib/aws-iam"
import * as lambda from "aws-cdk-lib/aws-lambda"
import * as SecretsConfigProvider from "@secrets-config/core/SecretsConfigProvider"
import { AppConfig, providerOptions } from "@secrets-config/example-lambda-handler"
import { addDemoStack, type DemoStack, demoReads } from "../src/DemoStack.js"
import { layerVersionArn } from "../src/ExtensionLayer.js"
import {
  type Env,
  parameterShape,
  roleStatements,
  type Statement,
  secretShape,
  testApp,
  viaService
} from "./utils/cdk.js"
import { assertExtensionLayers, assertNoWildcards, layerFindings, wildcardFindings } from "./utils/templateGuards.js"

const EU: Env = { region: "eu-west-1", account: "123456789012" }
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

/** The app as `cdk synth` builds it, with the CLI's environment variables for `env`. */
const demo = (context: Record<string, unknown> = {}, env?: Env, validate = false): DemoStack =>
  addDemoStack(
    testApp(context, { validate }),
    env === undefined ? {} : { CDK_DEFAULT_ACCOUNT: env.account, CDK_DEFAULT_REGION: env.region }
  )

const functionOf = (template: Template, architecture: string) => {
  const functions = Object.values(
    template.findResources("AWS::Lambda::Function", { Properties: { Architectures: [architecture] } })
  )
  assert.strictEqual(functions.length, 1, architecture)
  return functions[0]?.Properties
}

/** The statements the demo declarations must produce: nothing more, nothing less. */
/**
 * The statements the demo must produce, from what the handler's `AppConfig` reads
 * (`SecretsConfigProvider.reads`): a parameter or a secret added to the Config changes this too.
 */
const expectedStatements = (env?: Env, key?: string): Array<Statement> => {
  const reads = SecretsConfigProvider.reads(AppConfig, providerOptions("/demo"))
  const parameters = reads.filter((read) => read.kind === "parameter").map((read) => read.name.slice(1))
  const secrets = reads.filter((read) => read.kind === "secret").map((read) => read.name)
  return [
    {
      Sid: "ReadParameters",
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: parameters.map((name) => parameterShape(name, env))
    },
    {
      Sid: "ReadSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: secrets.length === 1 ? secretShape(secrets[0]!, env) : secrets.map((name) => secretShape(name, env))
    },
    ...(key === undefined
      ? []
      : [
          {
            Sid: "DecryptParameters",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: key,
            Condition: { StringEquals: { "kms:ViaService": viaService("ssm", env) } }
          },
          {
            Sid: "DecryptSecrets",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: key,
            Condition: { StringEquals: { "kms:ViaService": viaService("secretsmanager", env) } }
          }
        ])
  ]
}

describe("the demo app", () => {
  it("deploys the handler twice, arm64 and x86_64, on nodejs22.x, with the handler's environment", () => {
    const template = Template.fromStack(demo({}, EU))
    template.resourceCountIs("AWS::Lambda::Function", 2)
    for (const architecture of ["arm64", "x86_64"]) {
      const fn = functionOf(template, architecture)
      assert.strictEqual(fn.Runtime, "nodejs22.x")
      assert.strictEqual(fn.Handler, "index.handler")
      assert.deepStrictEqual(fn.Environment.Variables, {
        APP_PREFIX: "/demo",
        CACHE_TTL_SECONDS: "30",
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: "2773",
        PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: "true",
        PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE: "100",
        PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: "info",
        PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS: "3",
        SSM_PARAMETER_STORE_TTL: "60",
        SECRETS_MANAGER_TTL: "60",
        SSM_PARAMETER_STORE_TIMEOUT_MILLIS: "3000",
        SECRETS_MANAGER_TIMEOUT_MILLIS: "3000"
      })
    }
  })

  it("attaches the current layer of each architecture: the -Arm64 layer on arm64", () => {
    const template = Template.fromStack(demo({}, EU))
    assert.deepStrictEqual(functionOf(template, "arm64").Layers, [
      "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:101"
    ])
    assert.deepStrictEqual(functionOf(template, "x86_64").Layers, [
      "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:101"
    ])
  })

  it("looks the layer up by region at deploy time when synthesized without an environment", () => {
    const template = Template.fromStack(demo())
    for (const [architecture, key] of [
      ["arm64", "Arm64"],
      ["x86_64", "X8664"]
    ] as const) {
      assert.deepStrictEqual(functionOf(template, architecture).Layers, [
        { "Fn::FindInMap": ["ParamsAndSecretsExtensionLayers", { Ref: "AWS::Region" }, key] }
      ])
    }
    const mapping = template.toJSON().Mappings.ParamsAndSecretsExtensionLayers
    assert.strictEqual(mapping["us-east-1"].Arm64, layerVersionArn("us-east-1", lambda.Architecture.ARM_64))
    assert.strictEqual(mapping["us-east-1"].X8664, layerVersionArn("us-east-1", lambda.Architecture.X86_64))
    assertExtensionLayers(template)
  })

  it("grants exactly what the handler reads, to each function (environment-agnostic: Fn::Join with Refs)", () => {
    const stack = demo()
    for (const variant of Object.values(stack.functions)) {
      assert.deepStrictEqual(roleStatements(stack, variant.function), expectedStatements())
    }
  })

  it("grants exactly what the handler reads in a concrete environment, and nothing from KMS", () => {
    const stack = demo({}, EU)
    for (const variant of Object.values(stack.functions)) {
      assert.deepStrictEqual(roleStatements(stack, variant.function), expectedStatements(EU))
    }
    assert.notInclude(JSON.stringify(Template.fromStack(stack).toJSON()), "kms:")
  })

  it("adds kms:Decrypt on the customer managed key given as context (kmsKeyArn), through each service", () => {
    const stack = demo({ kmsKeyArn: KEY_ARN }, EU)
    for (const variant of Object.values(stack.functions)) {
      assert.deepStrictEqual(roleStatements(stack, variant.function), expectedStatements(EU, KEY_ARN))
    }
  })

  it("the policy names exactly the handler's reads: the hand-checked list, and nothing else", () => {
    assert.deepStrictEqual(
      demoReads().map((read) => `${read.kind} ${read.name}`),
      [
        "parameter /demo/greeting",
        "parameter /demo/feature-flags",
        "parameter /demo/api-key",
        "parameter /demo/log-level",
        "secret demo/db"
      ]
    )
    const json = JSON.stringify(Template.fromStack(demo({}, EU)).toJSON())
    for (const read of demoReads())
      assert.include(json, read.kind === "parameter" ? `parameter${read.name}` : `secret:${read.name}-??????`)
    assert.strictEqual(
      (json.match(/parameter\/demo\//g) ?? []).length,
      2 * 4,
      "four parameters, in each of two policies"
    )
  })

  it("has no wildcard in any policy and the extension on every function", () => {
    for (const stack of [demo(), demo({}, EU), demo({ kmsKeyArn: KEY_ARN }, EU)]) {
      const template = Template.fromStack(stack)
      assertNoWildcards(template)
      assertExtensionLayers(template)
    }
  })

  it("synthesizes a template valid against the CloudFormation schemas (CDK's built-in validation, as errors)", () => {
    // Environment-agnostic, with a customer key: the mapping, the Refs and every statement kind.
    const stack = demo({ kmsKeyArn: KEY_ARN }, undefined, true)
    const artifact = (stack.node.root as App).synth().getStackByName(stack.stackName)
    assert.strictEqual(Object.keys(artifact.template.Mappings).length, 1)
    assert.isEmpty(artifact.messages.filter((m) => m.level === "error"))
  })

  it("runs on nodejs24.x with the context node=24, and refuses an unknown runtime", () => {
    const template = Template.fromStack(demo({ node: "24" }, EU))
    for (const architecture of ["arm64", "x86_64"])
      assert.strictEqual(functionOf(template, architecture).Runtime, "nodejs24.x")
    assert.throws(() => demo({ node: "18" }), /Unknown node runtime 18/)
  })
})

describe("the guards catch what must not sneak into the demo app", () => {
  it("a wildcard resource or action added to a function's role", () => {
    const stack = demo({}, EU)
    stack.functions.Arm64.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ["ssm:GetParameter"], resources: ["*"] })
    )
    stack.functions.X8664.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["secretsmanager:Get*"],
        resources: [`arn:aws:secretsmanager:eu-west-1:123456789012:secret:demo/*`]
      })
    )
    const findings = wildcardFindings(Template.fromStack(stack))
    assert.deepStrictEqual(
      findings.map((f) => f.reason.replace(/ statement \d+/, "")),
      [
        "AWS::IAM::Policy: wildcard resource *",
        "AWS::IAM::Policy: wildcard action secretsmanager:Get*",
        "AWS::IAM::Policy: wildcard resource arn:aws:secretsmanager:eu-west-1:123456789012:secret:demo/*"
      ]
    )
    assert.throws(() => assertNoWildcards(Template.fromStack(stack)), /Policies with wildcards/)
  })

  it("a function without the extension layer", () => {
    const stack = demo({}, EU)
    new lambda.Function(stack, "Plain", {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: "index.handler",
      code: lambda.Code.fromInline("export const handler = async () => 1")
    })
    const findings = layerFindings(Template.fromStack(stack))
    assert.strictEqual(findings.length, 1)
    assert.match(findings[0]?.resource ?? "", /^Plain/)
    assert.strictEqual(findings[0]?.reason, "no AWS Parameters and Secrets Lambda Extension layer")
    assert.throws(() => assertExtensionLayers(Template.fromStack(stack)), /Functions without the extension layer/)
  })
})
