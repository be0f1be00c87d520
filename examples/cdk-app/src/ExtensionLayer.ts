/**
 * Which AWS Parameters and Secrets Lambda Extension layer a function gets.
 *
 * CDK's `lambda.ParamsAndSecretsLayerVersion.fromVersion` knows only `V1_0_103`, which maps to layer
 * version 4 (arm64: 1 or 4) in each region: years old (aws-cdk#31772). So this module keeps its own
 * table of the current layer version per region and architecture, and the function attaches it
 * with `ParamsAndSecretsLayerVersion.fromVersionArn`.
 *
 * Where the numbers come from: the tables "Extension ARNs for the x86_64 and x86 architectures" and
 * "Extension ARNs for ARM64 and Mac with Apple silicon architectures" in the AWS Systems Manager User
 * Guide, https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html#ps-integration-lambda-extensions-add
 * (the same tables are in the Secrets Manager User Guide, retrieving-secrets_lambda.html), as last
 * updated by AWS on 2026-07-28. AWS also publishes the newest ARN as the public parameters
 * `/aws/service/aws-parameters-and-secrets-lambda-extension/{x86,arm64}/latest`:
 * `aws ssm get-parameter --name /aws/service/aws-parameters-and-secrets-lambda-extension/arm64/latest`
 * prints the value to put here. `ExtensionLayer.latestAtDeploy()` reads it at deploy time instead.
 */
import { Aws, CfnMapping, Stack, Token } from "aws-cdk-lib"
import * as lambda from "aws-cdk-lib/aws-lambda"
import * as ssm from "aws-cdk-lib/aws-ssm"
import type { Construct } from "constructs"

/** The date of the AWS tables `LAYER_VERSIONS` copies. */
export const LAYER_VERSIONS_UPDATED = "2026-07-28"

/** The source of `LAYER_VERSIONS`. */
export const LAYER_VERSIONS_SOURCE =
  "https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html#ps-integration-lambda-extensions-add"

/** One region's row: the publishing account, and the layer version for each architecture. */
export interface LayerRow {
  readonly account: string
  readonly x86_64: number
  /** Absent where AWS publishes no arm64 layer. */
  readonly arm64?: number
}

/**
 * The current layer version of the extension, per region and architecture (see the module comment
 * for the source). Bump a number when AWS publishes a new one; nothing else needs to change.
 */
export const LAYER_VERSIONS: Readonly<Record<string, LayerRow>> = {
  "us-east-1": { account: "177933569100", x86_64: 99, arm64: 99 },
  "us-east-2": { account: "590474943231", x86_64: 109, arm64: 109 },
  "us-west-1": { account: "997803712105", x86_64: 96, arm64: 93 },
  "us-west-2": { account: "345057560386", x86_64: 99, arm64: 99 },
  "af-south-1": { account: "317013901791", x86_64: 100, arm64: 97 },
  "ap-east-1": { account: "768336418462", x86_64: 97, arm64: 94 },
  "ap-east-2": { account: "890742577149", x86_64: 69, arm64: 65 },
  "ap-south-1": { account: "176022468876", x86_64: 95, arm64: 95 },
  "ap-south-2": { account: "070087711984", x86_64: 91, arm64: 83 },
  "ap-northeast-1": { account: "133490724326", x86_64: 100, arm64: 100 },
  "ap-northeast-2": { account: "738900069198", x86_64: 99, arm64: 96 },
  "ap-northeast-3": { account: "576959938190", x86_64: 94, arm64: 91 },
  "ap-southeast-1": { account: "044395824272", x86_64: 101, arm64: 101 },
  "ap-southeast-2": { account: "665172237481", x86_64: 105, arm64: 105 },
  "ap-southeast-3": { account: "490737872127", x86_64: 94, arm64: 91 },
  "ap-southeast-4": { account: "090732460067", x86_64: 84, arm64: 83 },
  "ap-southeast-5": { account: "381492012281", x86_64: 83, arm64: 83 },
  "ap-southeast-6": { account: "995508174458", x86_64: 78, arm64: 76 },
  "ap-southeast-7": { account: "941377119484", x86_64: 84, arm64: 83 },
  "ca-central-1": { account: "200266452380", x86_64: 107, arm64: 104 },
  "ca-west-1": { account: "243964427225", x86_64: 71, arm64: 70 },
  "eu-central-1": { account: "187925254637", x86_64: 101, arm64: 101 },
  "eu-central-2": { account: "772501565639", x86_64: 78, arm64: 70 },
  "eu-west-1": { account: "015030872274", x86_64: 101, arm64: 101 },
  "eu-west-2": { account: "133256977650", x86_64: 99, arm64: 99 },
  "eu-west-3": { account: "780235371811", x86_64: 98, arm64: 95 },
  "eu-south-1": { account: "325218067255", x86_64: 95, arm64: 92 },
  "eu-south-2": { account: "524103009944", x86_64: 90, arm64: 82 },
  "eu-north-1": { account: "427196147048", x86_64: 95, arm64: 92 },
  "il-central-1": { account: "148806536434", x86_64: 71, arm64: 70 },
  "me-south-1": { account: "832021897121", x86_64: 58, arm64: 55 },
  "me-central-1": { account: "858974508948", x86_64: 60, arm64: 49 },
  "mx-central-1": { account: "241533131596", x86_64: 68, arm64: 67 },
  "sa-east-1": { account: "933737806257", x86_64: 103, arm64: 100 },
  "cn-north-1": { account: "287114880934", x86_64: 100, arm64: 89 },
  "cn-northwest-1": { account: "287310001119", x86_64: 94, arm64: 83 },
  "us-gov-east-1": { account: "129776340158", x86_64: 95, arm64: 84 },
  "us-gov-west-1": { account: "127562683043", x86_64: 98, arm64: 87 },
  // AWS lists no arm64 layer for the European Sovereign Cloud yet.
  "eusc-de-east-1": { account: "041683371183", x86_64: 5 }
}

/** The partition a region belongs to, as it appears in an ARN. */
export const partitionOf = (region: string): string =>
  region.startsWith("cn-")
    ? "aws-cn"
    : region.startsWith("us-gov-")
      ? "aws-us-gov"
      : region.startsWith("eusc-")
        ? "aws-eusc"
        : "aws"

const LAYER_NAME = "AWS-Parameters-and-Secrets-Lambda-Extension"

/** The layer's name for an architecture: the arm64 one ends in `-Arm64`. */
export const layerName = (architecture: lambda.Architecture): string =>
  architecture.name === lambda.Architecture.ARM_64.name ? `${LAYER_NAME}-Arm64` : LAYER_NAME

/**
 * The ARN of the layer version in `table` for a region and architecture, or `undefined` when the
 * table has none (an unknown region, or no arm64 layer there).
 */
export const layerVersionArn = (
  region: string,
  architecture: lambda.Architecture,
  table: Readonly<Record<string, LayerRow>> = LAYER_VERSIONS
): string | undefined => {
  const row = table[region]
  if (row === undefined) return undefined
  const version = architecture.name === lambda.Architecture.ARM_64.name ? row.arm64 : row.x86_64
  if (version === undefined) return undefined
  return `arn:${partitionOf(region)}:lambda:${region}:${row.account}:layer:${layerName(architecture)}:${version}`
}

/** The public parameter holding the newest layer ARN for an architecture. */
export const latestParameterName = (architecture: lambda.Architecture): string =>
  `/aws/service/aws-parameters-and-secrets-lambda-extension/${
    architecture.name === lambda.Architecture.ARM_64.name ? "arm64" : "x86"
  }/latest`

/** The key of an architecture in the stack's mapping (mapping keys must be alphanumeric). */
const mappingKey = (architecture: lambda.Architecture): string =>
  architecture.name === lambda.Architecture.ARM_64.name ? "Arm64" : "X8664"

/** The id of the region → layer ARN mapping a stack gets when its region is unknown at synth. */
export const MAPPING_ID = "ParamsAndSecretsExtensionLayers"

const mappingOf = (stack: Stack, table: Readonly<Record<string, LayerRow>>): CfnMapping => {
  const existing = stack.node.tryFindChild(MAPPING_ID)
  if (existing instanceof CfnMapping) return existing
  const mapping: Record<string, Record<string, string>> = {}
  for (const region of Object.keys(table)) {
    const entry: Record<string, string> = {}
    for (const architecture of [lambda.Architecture.X86_64, lambda.Architecture.ARM_64]) {
      const arn = layerVersionArn(region, architecture, table)
      if (arn !== undefined) entry[mappingKey(architecture)] = arn
    }
    mapping[region] = entry
  }
  return new CfnMapping(stack, MAPPING_ID, { mapping })
}

/**
 * How a function finds the extension's layer version ARN: from a table (the default), a given ARN,
 * or the public parameter AWS keeps pointing at the newest version.
 */
export abstract class ExtensionLayer {
  /**
   * The layer version from a table of region → version (default: `LAYER_VERSIONS`). A stack with a
   * concrete region gets the literal ARN, and synthesis fails for a region or architecture the
   * table lacks. An environment-agnostic stack gets a `Fn::FindInMap` over the whole table, keyed by
   * `AWS::Region`, resolved when the stack is deployed.
   */
  static fromTable(table: Readonly<Record<string, LayerRow>> = LAYER_VERSIONS): ExtensionLayer {
    return new (class extends ExtensionLayer {
      arnFor(scope: Construct, architecture: lambda.Architecture): string {
        const stack = Stack.of(scope)
        if (!Token.isUnresolved(stack.region)) {
          const arn = layerVersionArn(stack.region, architecture, table)
          if (arn === undefined) {
            throw new Error(
              `No ${layerName(architecture)} layer is known for ${stack.region}: pass ExtensionLayer.fromArn(...) ` +
                `with the ARN from ${LAYER_VERSIONS_SOURCE}`
            )
          }
          return arn
        }
        return mappingOf(stack, table).findInMap(Aws.REGION, mappingKey(architecture))
      }
    })()
  }

  /**
   * A given layer version ARN (it must match the function's region and architecture: the
   * `-Arm64` layer for arm64). Use it to pin a version other than the table's.
   */
  static fromArn(arn: string): ExtensionLayer {
    return new (class extends ExtensionLayer {
      arnFor(scope: Construct, architecture: lambda.Architecture): string {
        if (!Token.isUnresolved(arn)) {
          const name = arn.split(":")[6]
          if (name !== layerName(architecture)) {
            throw new Error(
              `The layer ${arn} is not the ${architecture.name} extension layer (${layerName(architecture)}) for ${scope.node.path}`
            )
          }
        }
        return arn
      }
    })()
  }

  /**
   * The newest version, read at deploy time from the public parameter
   * `/aws/service/aws-parameters-and-secrets-lambda-extension/{x86,arm64}/latest` (a CloudFormation
   * parameter of type `AWS::SSM::Parameter::Value<String>`). Every deployment may pick up a new
   * layer: convenient, but not reproducible: prefer a pinned table for production.
   */
  static latestAtDeploy(): ExtensionLayer {
    return new (class extends ExtensionLayer {
      arnFor(scope: Construct, architecture: lambda.Architecture): string {
        return ssm.StringParameter.valueForStringParameter(Stack.of(scope), latestParameterName(architecture))
      }
    })()
  }

  /** The layer version ARN for a function of this architecture in `scope`'s stack. */
  abstract arnFor(scope: Construct, architecture: lambda.Architecture): string
}
