/**
 * Wire formats the real endpoints use: Go's and Rust's dates and JSON escaping, the Java date and
 * Gson escaping inside `SourceResult`, and deterministic ids and ciphertexts.
 *
 * @internal
 */
import { createHash } from "node:crypto"

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
 * The Agent's error body, `{"__type":"<code>", "message":"<msg>"}` with the space after the comma
 * and the message not escaped (so it can be invalid JSON, as the real one can).
 */
export const agentErrorBody = (code: string, message: string): string =>
  message.length === 0 || code === "InternalFailure"
    ? `{"__type":"InternalFailure"}`
    : `{"__type":"${code}", "message":"${message}"}`

const sha256 = (...parts: ReadonlyArray<string | Uint8Array>): Buffer => {
  const hash = createHash("sha256")
  for (const part of parts) {
    hash.update(part)
    hash.update("\u0000")
  }
  return hash.digest()
}

/** A UUID (version 4 layout) derived from the inputs, so a seeded store answers the same each run. */
export const deterministicUuid = (...parts: ReadonlyArray<string>): string => {
  const b = sha256("uuid", ...parts)
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = b.subarray(0, 16).toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** The six random characters Secrets Manager appends to a secret's ARN, derived from the name. */
export const arnSuffix = (name: string): string => {
  const b = sha256("arn-suffix", name)
  let out = ""
  for (let i = 0; i < 6; i++) out += LETTERS[b[i]! % LETTERS.length]
  return out
}

/**
 * A base64 string shaped like a KMS ciphertext blob (`AQICAH…`), derived from the inputs and never
 * containing the plaintext (for plaintexts of three characters or more).
 */
export const fakeCiphertext = (arn: string, version: number, plaintext: string): string => {
  const length = Buffer.byteLength(plaintext, "utf8") + 120
  let candidate = ""
  for (let salt = 0; salt < 32; salt++) {
    const chunks: Array<Buffer> = [Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78])]
    let size = 5
    let block = sha256("ciphertext", arn, String(version), String(salt), plaintext)
    while (size < length) {
      chunks.push(block)
      size += block.length
      block = sha256(block)
    }
    candidate = Buffer.concat(chunks).subarray(0, length).toString("base64")
    if (plaintext.length < 3 || !candidate.includes(plaintext)) return candidate
  }
  return candidate
}

/** Standard base64 with padding, as `SecretBinary` is sent. */
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64")

/** Java bytes are signed: what `SourceResult.secretBinary.hb` holds. */
export const javaBytes = (bytes: Uint8Array): Array<number> => Array.from(bytes, (b) => (b > 127 ? b - 256 : b))
