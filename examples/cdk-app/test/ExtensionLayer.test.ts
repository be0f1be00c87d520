import { assert, describe, it } from "@effect/vitest"
import { Stack } from "aws-cdk-lib"
import * as lambda from "aws-cdk-lib/aws-lambda"
import { RegionInfo } from "aws-cdk-lib/region-info"
import {
  ExtensionLayer,
  LAYER_VERSIONS,
  LAYER_VERSIONS_UPDATED,
  latestParameterName,
  layerVersionArn
} from "../src/ExtensionLayer.js"
import { testApp } from "./utils/cdk.js"

const { ARM_64, X86_64 } = lambda.Architecture

describe("ExtensionLayer: the table of current layer versions", () => {
  it("gives the ARNs of AWS's tables verbatim (a sample of rows, both architectures and all partitions)", () => {
    const rows: Array<[string, lambda.Architecture, string]> = [
      [
        "us-east-1",
        X86_64,
        "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:99"
      ],
      [
        "us-east-1",
        ARM_64,
        "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:99"
      ],
      [
        "eu-west-1",
        X86_64,
        "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:101"
      ],
      [
        "ca-central-1",
        ARM_64,
        "arn:aws:lambda:ca-central-1:200266452380:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:104"
      ],
      [
        "cn-north-1",
        ARM_64,
        "arn:aws-cn:lambda:cn-north-1:287114880934:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:89"
      ],
      [
        "us-gov-west-1",
        X86_64,
        "arn:aws-us-gov:lambda:us-gov-west-1:127562683043:layer:AWS-Parameters-and-Secrets-Lambda-Extension:98"
      ],
      [
        "eusc-de-east-1",
        X86_64,
        "arn:aws-eusc:lambda:eusc-de-east-1:041683371183:layer:AWS-Parameters-and-Secrets-Lambda-Extension:5"
      ]
    ]
    for (const [region, architecture, arn] of rows) assert.strictEqual(layerVersionArn(region, architecture), arn)
    assert.strictEqual(LAYER_VERSIONS_UPDATED, "2026-07-28")
  })

  it("has nothing for an unknown region, or for arm64 where AWS publishes no arm64 layer", () => {
    assert.isUndefined(layerVersionArn("xx-nowhere-1", X86_64))
    assert.isUndefined(layerVersionArn("eusc-de-east-1", ARM_64))
  })

  it("agrees with aws-cdk-lib on each region's publishing account, and is newer than its V1_0_103 (aws-cdk#31772)", () => {
    let compared = 0
    for (const region of RegionInfo.regions) {
      for (const architecture of [X86_64, ARM_64]) {
        const cdk = region.paramsAndSecretsLambdaLayerArn(lambda.ParamsAndSecretsVersions.V1_0_103, architecture.name)
        const ours = layerVersionArn(region.name, architecture)
        if (cdk === undefined || ours === undefined) continue
        const [cdkName, cdkVersion] = cdk.split(":layer:")[1]?.split(":") ?? []
        const [ourName, ourVersion] = ours.split(":layer:")[1]?.split(":") ?? []
        assert.strictEqual(ours.split(":layer:")[0], cdk.split(":layer:")[0], `${region.name} ${architecture.name}`)
        assert.strictEqual(ourName, cdkName)
        assert.isAbove(Number(ourVersion), Number(cdkVersion), `${region.name} ${architecture.name}`)
        compared++
      }
    }
    assert.isAbove(compared, 40)
  })

  it("covers every region of the table for x86_64, and all but eusc-de-east-1 for arm64", () => {
    const regions = Object.keys(LAYER_VERSIONS)
    assert.strictEqual(regions.filter((r) => layerVersionArn(r, X86_64) === undefined).length, 0)
    assert.deepStrictEqual(
      regions.filter((r) => layerVersionArn(r, ARM_64) === undefined),
      ["eusc-de-east-1"]
    )
  })
})

describe("ExtensionLayer: choosing the layer", () => {
  it("fromTable gives the literal ARN when the stack's region is known, and says what to do when it is not in the table", () => {
    const stack = new Stack(testApp(), "S", { env: { region: "eu-west-1" } })
    assert.strictEqual(
      ExtensionLayer.fromTable().arnFor(stack, ARM_64),
      "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:101"
    )
    const elsewhere = new Stack(testApp(), "S", { env: { region: "eusc-de-east-1" } })
    assert.throws(() => ExtensionLayer.fromTable().arnFor(elsewhere, ARM_64), /ExtensionLayer\.fromArn/)
  })

  it("fromTable gives a Fn::FindInMap on AWS::Region when the stack is environment-agnostic", () => {
    const stack = new Stack(testApp(), "S")
    assert.deepStrictEqual(stack.resolve(ExtensionLayer.fromTable().arnFor(stack, ARM_64)), {
      "Fn::FindInMap": ["ParamsAndSecretsExtensionLayers", { Ref: "AWS::Region" }, "Arm64"]
    })
    assert.deepStrictEqual(stack.resolve(ExtensionLayer.fromTable().arnFor(stack, X86_64)), {
      "Fn::FindInMap": ["ParamsAndSecretsExtensionLayers", { Ref: "AWS::Region" }, "X8664"]
    })
  })

  it("fromTable takes another table (a newer version for one region)", () => {
    const stack = new Stack(testApp(), "S", { env: { region: "eu-west-1" } })
    const table = { ...LAYER_VERSIONS, "eu-west-1": { account: "015030872274", x86_64: 120, arm64: 121 } }
    assert.match(ExtensionLayer.fromTable(table).arnFor(stack, ARM_64), /-Arm64:121$/)
  })

  it("latestAtDeploy reads AWS's public parameter for the architecture", () => {
    assert.strictEqual(
      latestParameterName(ARM_64),
      "/aws/service/aws-parameters-and-secrets-lambda-extension/arm64/latest"
    )
    assert.strictEqual(
      latestParameterName(X86_64),
      "/aws/service/aws-parameters-and-secrets-lambda-extension/x86/latest"
    )
    const stack = new Stack(testApp(), "S")
    assert.deepStrictEqual(Object.keys(stack.resolve(ExtensionLayer.latestAtDeploy().arnFor(stack, ARM_64))), ["Ref"])
  })
})
