/**
 * Wire formats the real endpoints use: Go's and Rust's dates and JSON escaping, the Java date and
 * Gson escaping inside `SourceResult`, and deterministic ids and ciphertexts.
 *
 * @internal
 */

/** Go's `time.RFC3339Nano` for a millisecond instant: the fraction loses its trailing zeros. */
export const goTime = (ms: number): string =>
  new Date(ms).toISOString().replace(/\.(\d*?)0+Z$/, (_, digits: string) => (digits.length > 0 ? `.${digits}Z` : "Z"))

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** Java's `DateFormat.DEFAULT` in the US locale on JDK 9+ (`Nov 16, 2022, 8:22:40 AM`), in UTC. */
export const javaDate = (ms: number): string => {
  const d = new Date(ms)
  const hours = d.getUTCHours()
  const h12 = hours % 12 === 0 ? 12 : hours % 12
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${pad2(d.getUTCMinutes())}:${pad2(
    d.getUTCSeconds()
  )} ${hours < 12 ? "AM" : "PM"}`
}

/**
 * serde_with's `TimestampSecondsWithFrac<String>`: `Duration::as_secs_f64().to_string()`, computed
 * the way Rust does (whole seconds plus nanoseconds / 1e9) so the last digit matches.
 */
export const rustEpochSeconds = (ms: number): string => {
  const secs = Math.floor(ms / 1000)
  const nanos = Math.round((ms - secs * 1000) * 1_000_000)
  return String(secs + nanos / 1e9)
}

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029"
}

/** Go's `encoding/json`: like `JSON.stringify`, plus the HTML-safe escapes it applies by default. */
export const goJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!)

const GSON_ESCAPES: Record<string, string> = {
  ...GO_ESCAPES,
  "=": "\\u003d",
  "'": "\\u0027"
}

/** Gson with its default HTML-safe escaping (`=` and `'` too), as in `SourceResult`. */
export const gsonJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&='\u2028\u2029]/g, (c) => GSON_ESCAPES[c]!)

/**
 * The Agent's JSON error body: `{"__type":"<code>","message":"<message>"}`, compact and escaped
 * (`serde_json`, since Agent v2.1.0; v2.0.0 and older wrote `{"__type":"X", "message":"Y"}` unescaped,
 * which clients must still read). An empty message, or `InternalFailure`, gives only the type.
 * See docs/protocol.md#agent-error-body-format.
 */
export const agentErrorBody = (code: string, message: string): string =>
  message.length === 0 || code === "InternalFailure"
    ? `{"__type":"InternalFailure"}`
    : JSON.stringify({ __type: code, message })

/** Standard base64 with padding, as `SecretBinary` is sent. */
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64")

/** Java bytes are signed: what `SourceResult.secretBinary.hb` holds. */
export const javaBytes = (bytes: Uint8Array): Array<number> => Array.from(bytes, (b) => (b > 127 ? b - 256 : b))
