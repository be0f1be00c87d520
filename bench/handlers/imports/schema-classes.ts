// P1 import breakdown, a control: the stack plus 12 `Schema.TaggedError` and 2 `Schema.Class`
// declarations shaped like secrets-config's (a few fields, a message getter), and no library code.
// What declaring Schema classes costs at import, whoever declares them.
import * as Schema from "effect/Schema"

export * from "./stack.js"

const fields = { kind: Schema.Literal("parameter", "secret"), resource: Schema.String }
const tag = <const T extends string>(name: T) =>
  class extends Schema.TaggedError<{ readonly _tag: T }>(`bench/${name}`)(name, {
    ...fields,
    reason: Schema.optional(Schema.String)
  }) {
    override get message() {
      return `${this.kind} ${this.resource}: ${name}`
    }
  }
export const errors = [
  tag("E1"),
  tag("E2"),
  tag("E3"),
  tag("E4"),
  tag("E5"),
  tag("E6"),
  tag("E7"),
  tag("E8"),
  tag("E9"),
  tag("E10"),
  tag("E11"),
  tag("E12")
]
export class A extends Schema.Class<A>("bench/A")({
  name: Schema.String,
  value: Schema.String,
  version: Schema.Number,
  lastModified: Schema.optional(Schema.DateFromSelf)
}) {}
export class B extends Schema.Class<B>("bench/B")({
  name: Schema.String,
  value: Schema.String,
  versionId: Schema.String,
  createdDate: Schema.optional(Schema.DateFromSelf)
}) {}
