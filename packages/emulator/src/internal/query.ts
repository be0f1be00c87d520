/**
 * Request-target and query parsing, faithful to each dialect's implementation language: Go's
 * `net/url` for the AWS extension and Rust's `form_urlencoded` for the Agent.
 *
 * @internal
 */

/** The request target split into its raw path and raw query (without the `?`). */
export interface Target {
  readonly rawPath: string
  readonly rawQuery: string
}

/** Splits a request target; an absolute-form target (`http://host/path`) keeps only its path. */
export const splitTarget = (url: string): Target => {
  let target = url
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(target)
  if (absolute !== null) target = target.slice(absolute[0].length) || "/"
  const hash = target.indexOf("#")
  if (hash >= 0) target = target.slice(0, hash)
  const q = target.indexOf("?")
  return q < 0 ? { rawPath: target, rawQuery: "" } : { rawPath: target.slice(0, q), rawQuery: target.slice(q + 1) }
}

const decoder = new TextDecoder("utf-8", { fatal: false })
const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)

/** Percent-decodes strictly (Go): `undefined` when an escape is invalid. */
const strictUnescape = (s: string, plusIsSpace: boolean): string | undefined => {
  const bytes = Buffer.from(s, "utf8")
  const out: Array<number> = []
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!
    if (c === 0x25) {
      if (i + 2 >= bytes.length || !isHex(bytes[i + 1]!) || !isHex(bytes[i + 2]!)) return undefined
      out.push(Number.parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16))
      i += 2
    } else if (c === 0x2b && plusIsSpace) {
      out.push(0x20)
    } else {
      out.push(c)
    }
  }
  return decoder.decode(Uint8Array.from(out))
}

/** Percent-decodes leniently (Rust `percent_decode`): invalid escapes stay as they are. */
const lenientUnescape = (s: string): string => {
  const bytes = Buffer.from(s.replace(/\+/g, " "), "utf8")
  const out: Array<number> = []
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!
    if (c === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]!) && isHex(bytes[i + 2]!)) {
      out.push(Number.parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16))
      i += 2
    } else {
      out.push(c)
    }
  }
  // `decode_utf8_lossy`: invalid UTF-8 becomes U+FFFD
  return decoder.decode(Uint8Array.from(out))
}

/** A decoded query: its pairs in order, and whether some pair was dropped as unparseable. */
export interface Query {
  readonly pairs: ReadonlyArray<readonly [string, string]>
  readonly hadErrors: boolean
}

/**
 * Go's `url.ParseQuery` as `r.URL.Query()` uses it: pairs split on `&`, a pair containing `;` or an
 * invalid escape is skipped (the error is ignored by `Query()`), `+` is a space.
 */
export const parseGoQuery = (raw: string): Query => {
  const pairs: Array<readonly [string, string]> = []
  let hadErrors = false
  for (const piece of raw.split("&")) {
    if (piece.includes(";")) {
      hadErrors = true
      continue
    }
    if (piece === "") continue
    const eq = piece.indexOf("=")
    const key = strictUnescape(eq < 0 ? piece : piece.slice(0, eq), true)
    const value = strictUnescape(eq < 0 ? "" : piece.slice(eq + 1), true)
    if (key === undefined || value === undefined) {
      hadErrors = true
      continue
    }
    pairs.push([key, value])
  }
  return { pairs, hadErrors }
}

/** Go's `url.PathUnescape` (what `r.URL.Path` holds): `undefined` on an invalid escape. */
export const goPathUnescape = (raw: string): string | undefined => strictUnescape(raw, false)

/** Rust's `form_urlencoded::parse`: split on `&`, empty pieces skipped, lenient decoding. */
export const parseFormQuery = (raw: string): Query => {
  const pairs: Array<readonly [string, string]> = []
  for (const piece of raw.split("&")) {
    if (piece === "") continue
    const eq = piece.indexOf("=")
    pairs.push([
      lenientUnescape(eq < 0 ? piece : piece.slice(0, eq)),
      lenientUnescape(eq < 0 ? "" : piece.slice(eq + 1))
    ])
  }
  return { pairs, hadErrors: false }
}

/** The first value of a key (Go's `Values.Get`). */
export const first = (query: Query, key: string): string | undefined => {
  for (const [k, v] of query.pairs) if (k === key) return v
  return undefined
}

/** A record of the query as the dialect reads it: the first value (Go) or the last one (Rust). */
export const toRecord = (query: Query, keep: "first" | "last"): Readonly<Record<string, string>> => {
  const map = new Map<string, string>()
  for (const [k, v] of query.pairs) if (keep === "last" || !map.has(k)) map.set(k, v)
  return Object.freeze(Object.fromEntries(map))
}

/** Go's `strconv.ParseBool`; anything else reads as `false`. */
export const goBool = (value: string | undefined): boolean =>
  value !== undefined && ["1", "t", "T", "TRUE", "true", "True"].includes(value)
