/**
 * Guards over a synthesized CloudFormation template, for tests:
 * - `wildcardFindings`: every `Allow` statement of every identity policy in the template (an
 *   `AWS::IAM::Policy` or `AWS::IAM::ManagedPolicy`, and the inline `Policies` of a role, user or
 *   group) names each action and resource exactly: no `*` anywhere in an action or a resource, no
 *   `NotAction` / `NotResource`, a `?` only as the `-??????` suffix of a Secrets Manager secret, and
 *   no resource whose value the template cannot show (a `Ref` to a template parameter, an import).
 * - `layerFindings`: every `AWS::Lambda::Function` has the Parameters and Secrets extension layer
 *   for its own architecture (the `-Arm64` layer on arm64), given literally, through a mapping, or
 *   through the public "latest" parameter.
 */
import type { Template } from "aws-cdk-lib/assertions"

export interface Finding {
  /** The logical id of the resource. */
  readonly resource: string
  readonly reason: string
}

type Json = unknown
type Resources = Record<string, { readonly Type: string; readonly Properties?: Record<string, Json> }>
interface TemplateJson {
  readonly Resources?: Resources
  readonly Mappings?: Record<string, Record<string, Record<string, Json>>>
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: Json }>
}

const isRecord = (value: Json): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const asList = (value: Json): ReadonlyArray<Json> => (value === undefined ? [] : Array.isArray(value) ? value : [value])

const isTemplate = (template: Template | TemplateJson): template is Template =>
  typeof (template as Partial<Template>).toJSON === "function"

const json = (template: Template | TemplateJson): TemplateJson =>
  isTemplate(template) ? (template.toJSON() as TemplateJson) : template

/** Every value a mapping lookup may give (any key that is not a literal matches all). */
const mappingValues = (t: TemplateJson, args: ReadonlyArray<Json>): ReadonlyArray<Json> => {
  const [name, top, second] = args
  const mapping = typeof name === "string" ? t.Mappings?.[name] : undefined
  if (mapping === undefined) return []
  const rows = typeof top === "string" ? asList(mapping[top]) : Object.values(mapping)
  return rows.flatMap((row) =>
    isRecord(row) ? (typeof second === "string" ? asList(row[second]) : Object.values(row)) : []
  )
}

/** What CloudFormation fills in, as `${AWS.Region}`: without the `:` that would split an ARN. */
const placeholder = (name: string): string => `\${${name.replace(/::/g, ".")}}`

/**
 * The possible texts of a resource value, with `${…}` for what CloudFormation fills in (pseudo
 * parameters, attributes of resources in the template), or `undefined` for a value the template
 * cannot show (a template parameter, an import, an unknown intrinsic).
 */
const texts = (t: TemplateJson, value: Json): ReadonlyArray<string> | undefined => {
  if (typeof value === "string") return [value]
  if (!isRecord(value)) return undefined
  const [fn] = Object.keys(value)
  const arg = value[fn ?? ""]
  switch (fn) {
    case "Fn::Join": {
      const [separator, parts] = asList(arg)
      if (typeof separator !== "string" || !Array.isArray(parts)) return undefined
      let results: ReadonlyArray<string> | undefined
      for (const part of parts) {
        const options = texts(t, part)
        if (options === undefined) return undefined
        const before = results
        results = before === undefined ? options : before.flatMap((p) => options.map((o) => `${p}${separator}${o}`))
      }
      return results ?? [""]
    }
    case "Fn::Sub": {
      // The list form substitutes values of its own, which could be anything.
      return typeof arg === "string" ? [arg] : undefined
    }
    case "Ref":
      if (typeof arg !== "string") return undefined
      // A pseudo parameter or a resource of this template: CloudFormation fills in a name, not "*".
      return arg.startsWith("AWS::") || t.Resources?.[arg] !== undefined ? [placeholder(arg)] : undefined
    case "Fn::GetAtt": {
      const [logicalId] = typeof arg === "string" ? arg.split(".") : asList(arg)
      return typeof logicalId === "string" && t.Resources?.[logicalId] !== undefined
        ? [placeholder(asList(arg).join("."))]
        : undefined
    }
    case "Fn::FindInMap": {
      const values = mappingValues(t, asList(arg))
      const all = values.map((v) => texts(t, v))
      return values.length === 0 || all.some((v) => v === undefined) ? undefined : all.flatMap((v) => v ?? [])
    }
    default:
      return undefined
  }
}

/** A secret's policy ARN may end with `-??????` (its random suffix); nothing else may hold a `?`. */
const SECRET_SUFFIX = /:secretsmanager:[^:]*:[^:]*:secret:[^?*]+-\?{6}$/

const statementFindings = (t: TemplateJson, resource: string, where: string, document: Json): Array<Finding> => {
  const findings: Array<Finding> = []
  const statements = isRecord(document) ? asList(document.Statement) : []
  if (!isRecord(document)) findings.push({ resource, reason: `${where}: no policy document the guard can read` })
  for (const [i, statement] of statements.entries()) {
    const at = `${where} statement ${i}${isRecord(statement) && typeof statement.Sid === "string" ? ` (${statement.Sid})` : ""}`
    if (!isRecord(statement)) {
      findings.push({ resource, reason: `${at}: not an object` })
      continue
    }
    // A Deny may be as broad as it likes: wildcards only widen what is refused.
    if (statement.Effect === "Deny") continue
    for (const key of ["NotAction", "NotResource"]) {
      if (key in statement) findings.push({ resource, reason: `${at}: ${key} allows everything it does not list` })
    }
    for (const action of asList(statement.Action)) {
      if (typeof action !== "string") findings.push({ resource, reason: `${at}: action ${JSON.stringify(action)}` })
      else if (/[*?]/.test(action)) findings.push({ resource, reason: `${at}: wildcard action ${action}` })
    }
    if (statement.Resource === undefined) findings.push({ resource, reason: `${at}: no Resource` })
    for (const value of asList(statement.Resource)) {
      const options = texts(t, value)
      if (options === undefined) {
        findings.push({ resource, reason: `${at}: resource ${JSON.stringify(value)} cannot be checked` })
        continue
      }
      for (const text of options) {
        if (text.includes("*")) findings.push({ resource, reason: `${at}: wildcard resource ${text}` })
        else if (text.includes("?") && !SECRET_SUFFIX.test(text)) {
          findings.push({ resource, reason: `${at}: wildcard resource ${text}` })
        }
      }
    }
  }
  return findings
}

/** What `wildcardFindings` checks: each identity policy document in the template. */
export const policyDocuments = (
  template: Template | TemplateJson
): Array<{ readonly resource: string; readonly where: string; readonly document: Json }> => {
  const t = json(template)
  const documents: Array<{ resource: string; where: string; document: Json }> = []
  for (const [resource, { Type, Properties = {} }] of Object.entries(t.Resources ?? {})) {
    if (Type === "AWS::IAM::Policy" || Type === "AWS::IAM::ManagedPolicy") {
      documents.push({ resource, where: Type, document: Properties.PolicyDocument })
    }
    if (Type === "AWS::IAM::Role" || Type === "AWS::IAM::User" || Type === "AWS::IAM::Group") {
      for (const [i, policy] of asList(Properties.Policies).entries()) {
        const name = isRecord(policy) && typeof policy.PolicyName === "string" ? policy.PolicyName : String(i)
        documents.push({
          resource,
          where: `${Type} inline policy ${name}`,
          document: isRecord(policy) ? policy.PolicyDocument : undefined
        })
      }
    }
  }
  return documents
}

/** Each wildcard (or unverifiable) action or resource in an `Allow` of an identity policy. */
export const wildcardFindings = (template: Template | TemplateJson): Array<Finding> => {
  const t = json(template)
  return policyDocuments(t).flatMap(({ document, resource, where }) => statementFindings(t, resource, where, document))
}

const LAYER_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:(AWS-Parameters-and-Secrets-Lambda-Extension(?:-Arm64)?):\d+$/
const LATEST_PARAMETER = /^\/aws\/service\/aws-parameters-and-secrets-lambda-extension\/(x86|arm64)\/latest$/

/** The architectures a layer value is for; `[]` when it is not the extension. */
const layerArchitectures = (t: TemplateJson, value: Json): ReadonlyArray<string> => {
  if (isRecord(value) && typeof value.Ref === "string") {
    const parameter = t.Parameters?.[value.Ref]
    const match =
      parameter?.Type === "AWS::SSM::Parameter::Value<String>" && typeof parameter.Default === "string"
        ? LATEST_PARAMETER.exec(parameter.Default)
        : null
    return match === null ? [] : [match[1] === "arm64" ? "arm64" : "x86_64"]
  }
  const options =
    isRecord(value) && "Fn::FindInMap" in value ? mappingValues(t, asList(value["Fn::FindInMap"])) : [value]
  const architectures = options.map((option) => {
    const match = typeof option === "string" ? LAYER_ARN.exec(option) : null
    return match === null ? undefined : match[1]?.endsWith("-Arm64") ? "arm64" : "x86_64"
  })
  // Through a mapping, every region's value must be the extension for one same architecture.
  if (architectures.length === 0 || architectures.some((a) => a === undefined)) return []
  return [...new Set(architectures as Array<string>)]
}

/** Each function without the extension layer for its architecture. */
export const layerFindings = (template: Template | TemplateJson): Array<Finding> => {
  const t = json(template)
  const findings: Array<Finding> = []
  for (const [resource, { Type, Properties = {} }] of Object.entries(t.Resources ?? {})) {
    if (Type !== "AWS::Lambda::Function") continue
    const [architecture = "x86_64"] = asList(Properties.Architectures)
    const layers = asList(Properties.Layers).map((layer) => layerArchitectures(t, layer))
    const extension = layers.filter((a) => a.length > 0)
    if (extension.length === 0) {
      findings.push({ resource, reason: "no AWS Parameters and Secrets Lambda Extension layer" })
    } else if (!extension.some((a) => a.length === 1 && a[0] === architecture)) {
      findings.push({
        resource,
        reason: `an ${architecture} function with the extension layer for ${extension.flat().join(", ")}`
      })
    }
  }
  return findings
}

const report = (what: string, findings: ReadonlyArray<Finding>) => {
  if (findings.length > 0) {
    throw new Error(`${what}:\n${findings.map((f) => `  ${f.resource}: ${f.reason}`).join("\n")}`)
  }
}

/** Throws, listing them, when there are wildcard findings. */
export const assertNoWildcards = (template: Template | TemplateJson): void =>
  report("Policies with wildcards", wildcardFindings(template))

/** Throws, listing them, when a function lacks the extension layer for its architecture. */
export const assertExtensionLayers = (template: Template | TemplateJson): void =>
  report("Functions without the extension layer", layerFindings(template))
