/**
 * Describes a `ParseError` by path and expected type only. Effect's own formatters quote the
 * rejected input (`actual "…"`), and `JSON.parse` messages quote fragments of it: neither may reach
 * an error message, since the input is a secret value.
 */
import type * as ParseResult from "effect/ParseResult"

const MAX_ISSUES = 10

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0
    ? ""
    : `at ${path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("")}: `

const walk = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>, out: Array<string>): void => {
  if (out.length >= MAX_ISSUES) return
  switch (issue._tag) {
    case "Type":
      out.push(`${formatPath(path)}expected ${String(issue.ast)}`)
      return
    case "Missing":
      out.push(`${formatPath(path)}is missing`)
      return
    case "Unexpected":
      out.push(`${formatPath(path)}is not expected`)
      return
    case "Forbidden":
      out.push(`${formatPath(path)}cannot be decoded synchronously`)
      return
    case "Pointer":
      walk(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey])], out)
      return
    case "Refinement":
      if (issue.kind === "From") walk(issue.issue, path, out)
      else out.push(`${formatPath(path)}expected ${String(issue.ast)}`)
      return
    case "Transformation":
      if (issue.kind === "Transformation") out.push(`${formatPath(path)}could not be decoded as ${String(issue.ast)}`)
      else walk(issue.issue, path, out)
      return
    case "Composite": {
      const issues = Array.isArray(issue.issues) ? issue.issues : [issue.issues as ParseResult.ParseIssue]
      for (const inner of issues) walk(inner, path, out)
      return
    }
  }
}

/** Safe descriptions of what went wrong: a path in the value and what the schema expected there. */
export const describe = (issue: ParseResult.ParseIssue): ReadonlyArray<string> => {
  const out: Array<string> = []
  walk(issue, [], out)
  return out.length === 0 ? ["the value does not match the schema"] : out
}
