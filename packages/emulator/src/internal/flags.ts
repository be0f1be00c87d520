/**
 * What the two CLIs (`secrets-config-emulator`, `secrets-config-plan`) share to read their flags.
 * Nothing else is imported here, so that the planner does not load the emulator.
 *
 * @internal
 */

/** A flag the user got wrong: the CLI prints its message and exits with 2. */
export class UsageError extends Error {}

/** A flag's number, `undefined` when the flag is absent; refused unless finite, ≥ 0 and `check`ed. */
export const number = (flag: string, value: string | undefined, check: (n: number) => boolean = () => true) => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new UsageError(`--${flag} needs a number, got ${JSON.stringify(value)}`)
  }
  if (n < 0) throw new UsageError(`--${flag} must not be negative, got ${value}`)
  if (!check(n)) throw new UsageError(`--${flag}: ${JSON.stringify(value)} is out of range`)
  return n
}
