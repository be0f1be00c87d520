/**
 * The one error the emulator's library API can fail with: bad options, a bad store seed, or a port
 * it could not bind.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Why the emulator could not start or load its store.
 *
 * @since 0.1.0
 * @category models
 */
export type Reason = "InvalidOptions" | "InvalidStore" | "ListenFailed"

const PREFIX: Record<Reason, string> = {
  InvalidOptions: "Invalid emulator options",
  InvalidStore: "Invalid store seed",
  ListenFailed: "The emulator could not listen"
}

const ADVICE: Record<Reason, string> = {
  InvalidOptions: "Fix the options passed to Emulator.make/layer or the CLI flags (see --help).",
  InvalidStore: `Fix the store (see the "Store format" section of the @secrets-config/emulator README).`,
  ListenFailed: "Pick another port, or port 0 for a free one."
}

/**
 * The emulator's error. `detail` never quotes a secret value or the token: store errors name the
 * path of the offending field, not its content.
 *
 * @since 0.1.0
 * @category errors
 */
export class EmulatorError extends Schema.TaggedError<EmulatorError>("@secrets-config/emulator/EmulatorError")(
  "EmulatorError",
  {
    reason: Schema.Literal("InvalidOptions", "InvalidStore", "ListenFailed"),
    detail: Schema.String,
    cause: Schema.optional(Schema.Defect)
  }
) {
  override get message(): string {
    return `${PREFIX[this.reason]}: ${this.detail}. ${ADVICE[this.reason]}`
  }
}
