/**
 * Offline synthesis for tests: apps that skip bundling (`aws:cdk:bundling-stacks: []`, so no esbuild
 * run and no Docker), the statements of a function's role, and the shapes CDK gives ARNs.
 */
import { App, type CfnElement, type Stack } from "aws-cdk-lib"
import { Template } from "aws-cdk-lib/assertions"
import type * as iam from "aws-cdk-lib/aws-iam"
import type * as lambda from "aws-cdk-lib/aws-lambda"

/**
 * An app whose stacks are synthesized without bundling any asset. CDK's built-in validation of the
 * template against the CloudFormation schemas costs seconds on its first run in each worker: it is
 * off here, and one test of the demo app turns it on (`validate`), its findings as errors.
 */
export const testApp = (context: Record<string, unknown> = {}, options: { readonly validate?: boolean } = {}): App =>
  new App({
    builtinCloudFormationValidation: options.validate ?? false,
    context: {
      "aws:cdk:bundling-stacks": [],
      ...(options.validate === true ? { "@aws-cdk/core:validateAgainstDefaultRules": true } : {}),
      ...context
    }
  })

export type Statement = Record<string, unknown>

/** The statements of every `AWS::IAM::Policy` attached to a role, or to a function's role. */
export const roleStatements = (stack: Stack, of: iam.IRole | lambda.IFunction): Array<Statement> => {
  const role = "roleArn" in of ? of : of.role
  if (role === undefined) throw new Error(`${of.node.path} has no role`)
  const roleId = stack.getLogicalId(role.node.defaultChild as CfnElement)
  const policies = Template.fromStack(stack).findResources("AWS::IAM::Policy")
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as Array<unknown>).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }))
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Statement>)
}

/** Where an ARN's region and account come from: the deploy (`Ref`s) or the stack's `env`. */
export interface Env {
  readonly region: string
  readonly account: string
}

/**
 * The shape `Stack.formatArn` gives an ARN: a `Fn::Join` of `arn:`, the partition (a `Ref`: CDK
 * never hard-codes it), the service, then the region and account (`Ref`s in an environment-agnostic
 * stack), then the resource.
 */
export const arnShape = (service: string, resource: string, env?: Env) => ({
  "Fn::Join": [
    "",
    env === undefined
      ? [
          "arn:",
          { Ref: "AWS::Partition" },
          `:${service}:`,
          { Ref: "AWS::Region" },
          ":",
          { Ref: "AWS::AccountId" },
          `:${resource}`
        ]
      : ["arn:", { Ref: "AWS::Partition" }, `:${service}:${env.region}:${env.account}:${resource}`]
  ]
})

/** `ssm:GetParameter`'s resource for a parameter name without its leading `/`. */
export const parameterShape = (name: string, env?: Env) => arnShape("ssm", `parameter/${name}`, env)

/** `secretsmanager:GetSecretValue`'s resource for a secret name (with the `-??????` suffix). */
export const secretShape = (name: string, env?: Env) => arnShape("secretsmanager", `secret:${name}-??????`, env)

/** `kms:ViaService` for a service in the stack's region. */
export const viaService = (service: string, env?: Env) =>
  env === undefined
    ? { "Fn::Join": ["", [`${service}.`, { Ref: "AWS::Region" }, ".amazonaws.com"]] }
    : `${service}.${env.region}.amazonaws.com`
