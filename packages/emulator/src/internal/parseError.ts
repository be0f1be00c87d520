/**
 * Safe descriptions of schema failures.
 *
 * @internal
 */
import * as ParseResult from "effect/ParseResult"

/**
 * Describes a parse failure by path and kind only: Effect's messages quote the rejected input,
 * which may be a secret value. Only the most specific paths are kept, each once.
 */
export const describeParseError = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: issue.path.map(String),
    what:
      issue._tag === "Missing"
        ? "is missing"
        : issue._tag === "Unexpected"
          ? "is not a known field"
          : "has the wrong type or an out-of-range value"
  }))
  const specific = issues.filter(
    (issue) =>
      !issues.some(
        (other) => other.path.length > issue.path.length && issue.path.every((segment, i) => other.path[i] === segment)
      )
  )
  const lines = new Set(
    specific.map((issue) => `${issue.path.length === 0 ? "the root" : issue.path.join(".")} ${issue.what}`)
  )
  return Array.from(lines).slice(0, 5).join("; ")
}
