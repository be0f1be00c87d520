/**
 * Deterministic stand-ins for what AWS makes up at random: version ids, the suffix of a secret's ARN
 * and KMS ciphertext. Deterministic so that tests can compare them from one run to the next.
 */
import * as Encoding from "effect/Encoding"

/** FNV-1a, 32 bits, over UTF-16 code units: stable across runs and platforms. */
export const hash = (input: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** A xorshift32 byte stream seeded from a string (never all-zero). */
const byteStream = (seed: string): (() => number) => {
  let state = hash(seed) || 0x9e3779b9
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state & 0xff
  }
}

/** A UUID-shaped (version 4 layout) id built from a counter: `00000000-0000-4000-8000-00000000002a`. */
export const versionId = (counter: number): string =>
  `00000000-0000-4000-8000-${counter.toString(16).padStart(12, "0").slice(-12)}`

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** The six letters Secrets Manager appends to a secret's name in its ARN (`…:secret:app/db-AbCdEf`). */
export const arnSuffix = (seed: string): string => {
  const next = byteStream(seed)
  let out = ""
  for (let i = 0; i < 6; i++) out += LETTERS[next() % LETTERS.length]
  return out
}

// The first bytes of a real KMS ciphertext blob (base64 "AQICAHi…").
const HEADER = [0x01, 0x02, 0x02, 0x00, 0x78]
const encoder = new TextEncoder()

/**
 * Base64 text shaped like KMS ciphertext, as Parameter Store returns for a `SecureString` read
 * without decryption. The plaintext is masked with a stream derived from the seed, so it never
 * appears in the output; the same seed and plaintext always give the same text.
 */
export const ciphertext = (seed: string, plaintext: string): string => {
  const next = byteStream(`kms:${seed}`)
  const data = encoder.encode(plaintext)
  const out = new Uint8Array(HEADER.length + 32 + data.length + 16)
  out.set(HEADER, 0)
  let at = HEADER.length
  for (let i = 0; i < 32; i++) out[at++] = next()
  for (let i = 0; i < data.length; i++) out[at++] = data[i]! ^ next() ^ 0x5a
  for (let i = 0; i < 16; i++) out[at++] = next()
  return Encoding.encodeBase64(out)
}
