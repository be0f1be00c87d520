import { assert, describe, it } from "@effect/vitest"
import { layerFindings, policyDocuments, wildcardFindings } from "./utils/templateGuards.js"

const join = (...parts: Array<unknown>) => ({ "Fn::Join": ["", parts] })
const secretArn = join(
  "arn:",
  { Ref: "AWS::Partition" },
  ":secretsmanager:",
  { Ref: "AWS::Region" },
  ":",
  { Ref: "AWS::AccountId" },
  ":secret:demo/db-??????"
)
const parameterArn = join(
  "arn:",
  { Ref: "AWS::Partition" },
  ":ssm:",
  { Ref: "AWS::Region" },
  ":",
  { Ref: "AWS::AccountId" },
  ":parameter/demo/x"
)

const policy = (...Statement: Array<Record<string, unknown>>) => ({
  Type: "AWS::IAM::Policy",
  Properties: { PolicyDocument: { Version: "2012-10-17", Statement } }
})
const allow = (Action: unknown, Resource: unknown) => ({ Effect: "Allow", Action, Resource })
const reasons = (template: object) => wildcardFindings(template).map((f) => `${f.resource}: ${f.reason}`)

describe("wildcardFindings", () => {
  it("accepts exact ARNs, Fn::Join and Fn::Sub shapes, resources of the template, and a secret's -?????? suffix", () => {
    const template = {
      Resources: {
        Key: { Type: "AWS::KMS::Key", Properties: {} },
        P: policy(
          allow("ssm:GetParameter", [parameterArn, "arn:aws:ssm:eu-west-1:123456789012:parameter/demo/y"]),
          allow(["secretsmanager:GetSecretValue"], secretArn),
          allow("kms:Decrypt", { "Fn::GetAtt": ["Key", "Arn"] }),
          allow("ssm:GetParameter", {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's ${…}, not JavaScript's
            "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/z"
          })
        )
      }
    }
    assert.deepStrictEqual(reasons(template), [])
  })

  it("finds * in a resource, alone, inside a string, or inside a Fn::Join part", () => {
    const template = {
      Resources: {
        P: policy(
          allow("ssm:GetParameter", "*"),
          allow("ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/demo/*"),
          allow(
            "ssm:GetParameter",
            join("arn:", { Ref: "AWS::Partition" }, ":ssm:", { Ref: "AWS::Region" }, ":*:parameter/x")
          )
        )
      }
    }
    assert.deepStrictEqual(reasons(template), [
      "P: AWS::IAM::Policy statement 0: wildcard resource *",
      "P: AWS::IAM::Policy statement 1: wildcard resource arn:aws:ssm:eu-west-1:123456789012:parameter/demo/*",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's ${…}, not JavaScript's
      "P: AWS::IAM::Policy statement 2: wildcard resource arn:${AWS.Partition}:ssm:${AWS.Region}:*:parameter/x"
    ])
  })

  it("finds wildcard actions, NotAction and NotResource, and ? outside a secret's suffix", () => {
    const template = {
      Resources: {
        P: policy(
          allow("*", parameterArn),
          allow(["ssm:GetParameter", "ssm:Get*"], parameterArn),
          { Effect: "Allow", NotAction: "iam:*", Resource: parameterArn },
          { Effect: "Allow", Action: "ssm:GetParameter", NotResource: parameterArn },
          allow("ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/demo/?")
        )
      }
    }
    assert.deepStrictEqual(reasons(template), [
      "P: AWS::IAM::Policy statement 0: wildcard action *",
      "P: AWS::IAM::Policy statement 1: wildcard action ssm:Get*",
      "P: AWS::IAM::Policy statement 2: NotAction allows everything it does not list",
      "P: AWS::IAM::Policy statement 3: NotResource allows everything it does not list",
      "P: AWS::IAM::Policy statement 3: no Resource",
      "P: AWS::IAM::Policy statement 4: wildcard resource arn:aws:ssm:eu-west-1:123456789012:parameter/demo/?"
    ])
  })

  it("ignores Deny statements: a broad Deny only refuses more", () => {
    const template = { Resources: { P: policy({ Effect: "Deny", Action: "*", Resource: "*" }) } }
    assert.deepStrictEqual(reasons(template), [])
  })

  it("walks role, user and group inline policies and managed policies, not only AWS::IAM::Policy", () => {
    const inline = { PolicyName: "inline", PolicyDocument: { Statement: [allow("s3:GetObject", "*")] } }
    const template = {
      Resources: {
        Role: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: {}, Policies: [inline] } },
        User: { Type: "AWS::IAM::User", Properties: { Policies: [inline] } },
        Group: { Type: "AWS::IAM::Group", Properties: { Policies: [inline] } },
        Managed: { Type: "AWS::IAM::ManagedPolicy", Properties: { PolicyDocument: { Statement: allow("s3:*", "*") } } }
      }
    }
    assert.deepStrictEqual(
      policyDocuments(template).map((d) => `${d.resource}: ${d.where}`),
      [
        "Role: AWS::IAM::Role inline policy inline",
        "User: AWS::IAM::User inline policy inline",
        "Group: AWS::IAM::Group inline policy inline",
        "Managed: AWS::IAM::ManagedPolicy"
      ]
    )
    assert.deepStrictEqual(reasons(template), [
      "Role: AWS::IAM::Role inline policy inline statement 0: wildcard resource *",
      "User: AWS::IAM::User inline policy inline statement 0: wildcard resource *",
      "Group: AWS::IAM::Group inline policy inline statement 0: wildcard resource *",
      "Managed: AWS::IAM::ManagedPolicy statement 0: wildcard action s3:*",
      "Managed: AWS::IAM::ManagedPolicy statement 0: wildcard resource *"
    ])
  })

  it("refuses resources the template cannot show: a template parameter, an import, Fn::Sub with its own values", () => {
    const template = {
      Parameters: { Anything: { Type: "String" } },
      Resources: {
        P: policy(
          allow("ssm:GetParameter", { Ref: "Anything" }),
          allow("ssm:GetParameter", { "Fn::ImportValue": "SomeExport" }),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's ${…}, not JavaScript's
          allow("ssm:GetParameter", { "Fn::Sub": ["${X}", { X: "*" }] })
        )
      }
    }
    assert.deepStrictEqual(
      wildcardFindings(template).map((f) => f.reason.replace(/resource .* cannot/, "resource … cannot")),
      [
        "AWS::IAM::Policy statement 0: resource … cannot be checked",
        "AWS::IAM::Policy statement 1: resource … cannot be checked",
        "AWS::IAM::Policy statement 2: resource … cannot be checked"
      ]
    )
  })

  it("checks every value a Fn::FindInMap may give", () => {
    const template = {
      Mappings: { Arns: { "eu-west-1": { A: "arn:aws:ssm:eu-west-1:1:parameter/a" }, "us-east-1": { A: "*" } } },
      Resources: { P: policy(allow("ssm:GetParameter", { "Fn::FindInMap": ["Arns", { Ref: "AWS::Region" }, "A"] })) }
    }
    assert.deepStrictEqual(reasons(template), ["P: AWS::IAM::Policy statement 0: wildcard resource *"])
  })
})

const X86 = "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:101"
const ARM = "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:101"
const fn = (Properties: Record<string, unknown>) => ({ Type: "AWS::Lambda::Function", Properties })

describe("layerFindings", () => {
  it("accepts the layer of the function's architecture (x86_64 when none is given), among other layers", () => {
    const template = {
      Resources: {
        A: fn({ Architectures: ["arm64"], Layers: ["arn:aws:lambda:eu-west-1:1:layer:Other:1", ARM] }),
        B: fn({ Architectures: ["x86_64"], Layers: [X86] }),
        C: fn({ Layers: [X86] })
      }
    }
    assert.deepStrictEqual(layerFindings(template), [])
  })

  it("finds a function without the layer, and one with the other architecture's layer", () => {
    const template = {
      Resources: {
        NoLayers: fn({ Architectures: ["arm64"] }),
        OtherLayer: fn({
          Layers: ["arn:aws:lambda:eu-west-1:1:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Fake:1"]
        }),
        WrongArch: fn({ Architectures: ["arm64"], Layers: [X86] }),
        WrongArch2: fn({ Layers: [ARM] })
      }
    }
    assert.deepStrictEqual(
      layerFindings(template).map((f) => `${f.resource}: ${f.reason}`),
      [
        "NoLayers: no AWS Parameters and Secrets Lambda Extension layer",
        "OtherLayer: no AWS Parameters and Secrets Lambda Extension layer",
        "WrongArch: an arm64 function with the extension layer for x86_64",
        "WrongArch2: an x86_64 function with the extension layer for arm64"
      ]
    )
  })

  it("follows a Fn::FindInMap (every region must give the right layer) and the public latest parameter", () => {
    const template = {
      Mappings: {
        Good: { "eu-west-1": { Arm64: ARM, X8664: X86 } },
        Bad: { "eu-west-1": { Arm64: ARM }, "us-east-1": { Arm64: X86 } }
      },
      Parameters: {
        Latest: {
          Type: "AWS::SSM::Parameter::Value<String>",
          Default: "/aws/service/aws-parameters-and-secrets-lambda-extension/arm64/latest"
        },
        Free: { Type: "String", Default: ARM }
      },
      Resources: {
        Mapped: fn({
          Architectures: ["arm64"],
          Layers: [{ "Fn::FindInMap": ["Good", { Ref: "AWS::Region" }, "Arm64"] }]
        }),
        Latest: fn({ Architectures: ["arm64"], Layers: [{ Ref: "Latest" }] }),
        BadMap: fn({
          Architectures: ["arm64"],
          Layers: [{ "Fn::FindInMap": ["Bad", { Ref: "AWS::Region" }, "Arm64"] }]
        }),
        FreeParameter: fn({ Architectures: ["arm64"], Layers: [{ Ref: "Free" }] })
      }
    }
    assert.deepStrictEqual(
      layerFindings(template).map((f) => `${f.resource}: ${f.reason}`),
      [
        "BadMap: an arm64 function with the extension layer for arm64, x86_64",
        "FreeParameter: no AWS Parameters and Secrets Lambda Extension layer"
      ]
    )
  })
})
