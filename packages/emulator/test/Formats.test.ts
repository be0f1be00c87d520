/**
 * The wire formats, unit by unit: Go and Rust dates, the Java date, Go's and Rust's query parsing,
 * and the escaping of each serializer.
 */
import { assert, describe, it } from "@effect/vitest"
import { ciphertext, fromBase64, toBase64 } from "@secrets-config/core/StoreModel"
import {
  agentErrorBody,
  goJson,
  goTime,
  gsonJson,
  javaBytes,
  javaDate,
  rustEpochSeconds
} from "../src/internal/formats.js"
import { goBool, parseFormQuery, parseGoQuery, splitTarget } from "../src/internal/query.js"

describe("formats", () => {
  it("Go's RFC3339Nano trims trailing zeros", () => {
    assert.strictEqual(goTime(Date.parse("2022-11-16T08:22:40.362Z")), "2022-11-16T08:22:40.362Z")
    assert.strictEqual(goTime(Date.parse("2022-11-16T08:22:40.360Z")), "2022-11-16T08:22:40.36Z")
    assert.strictEqual(goTime(Date.parse("2022-11-16T08:22:40.000Z")), "2022-11-16T08:22:40Z")
  })

  it("Java's default date format, in UTC", () => {
    assert.strictEqual(javaDate(Date.parse("2022-11-16T08:22:40.499Z")), "Nov 16, 2022, 8:22:40 AM")
    assert.strictEqual(javaDate(Date.parse("2022-01-02T00:05:09Z")), "Jan 2, 2022, 12:05:09 AM")
    assert.strictEqual(javaDate(Date.parse("2022-12-31T12:00:00Z")), "Dec 31, 2022, 12:00:00 PM")
    assert.strictEqual(javaDate(Date.parse("2022-07-04T23:59:59Z")), "Jul 4, 2022, 11:59:59 PM")
  })

  it("serde_with's seconds with fraction", () => {
    assert.strictEqual(rustEpochSeconds(1569534789046), "1569534789.046")
    assert.strictEqual(rustEpochSeconds(1569534789000), "1569534789")
    assert.strictEqual(rustEpochSeconds(1569534789100), "1569534789.1")
  })

  it("escaping: Go and Gson are HTML-safe; the Agent's error body is compact, escaped JSON (since v2.1.0)", () => {
    assert.strictEqual(goJson({ a: "<&>='\u2028" }), `{"a":"\\u003c\\u0026\\u003e='\\u2028"}`)
    assert.strictEqual(gsonJson({ a: "<&>='" }), `{"a":"\\u003c\\u0026\\u003e\\u003d\\u0027"}`)
    assert.strictEqual(agentErrorBody("X", `say "hi"`), `{"__type":"X","message":"say \\"hi\\""}`)
    assert.strictEqual(agentErrorBody("X", ""), `{"__type":"InternalFailure"}`)
    assert.deepStrictEqual(javaBytes(Uint8Array.from([0, 127, 128, 255])), [0, 127, -128, -1])
  })

  it("ciphertexts (the shared store model's) are deterministic, KMS-shaped and never contain the plaintext", () => {
    const a = ciphertext("arn:x#1", "hunter2hunter2")
    assert.strictEqual(a, ciphertext("arn:x#1", "hunter2hunter2"))
    assert.notStrictEqual(a, ciphertext("arn:x#2", "hunter2hunter2"))
    assert.match(a, /^AQICAH/)
    assert.notInclude(a, "hunter2")
    for (const plaintext of ["AAA", "Zm9v", "AAAAAAAAAAAA", "hunter"]) {
      assert.notInclude(ciphertext("arn:x#1", plaintext), plaintext)
    }
  })

  it("the model's base64 matches Buffer's, both ways", () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 0xff)
      const text = Buffer.from(bytes).toString("base64")
      assert.strictEqual(toBase64(bytes), text)
      assert.deepStrictEqual(fromBase64(text), bytes)
    }
    assert.isUndefined(fromBase64("not base64!"))
  })
})

describe("query parsing", () => {
  it("request targets: origin form and absolute form", () => {
    assert.deepStrictEqual(splitTarget("/a/b?x=1&y"), { rawPath: "/a/b", rawQuery: "x=1&y" })
    assert.deepStrictEqual(splitTarget("http://h:1/a?q"), { rawPath: "/a", rawQuery: "q" })
    assert.deepStrictEqual(splitTarget("/p"), { rawPath: "/p", rawQuery: "" })
  })

  it("Go: + is a space, bad escapes and ';' drop the pair, order kept", () => {
    assert.deepStrictEqual(parseGoQuery("a=1+2&b=%2F&c=%ZZ&d=x;y&&e").pairs, [
      ["a", "1 2"],
      ["b", "/"],
      ["e", ""]
    ])
    assert.isTrue(parseGoQuery("c=%ZZ").hadErrors)
    assert.strictEqual(parseGoQuery("n=%F0%9F%98%80").pairs[0]![1], "😀")
  })

  it("Rust form_urlencoded: lenient escapes, lossy UTF-8, ';' is ordinary", () => {
    assert.deepStrictEqual(parseFormQuery("a=%ZZ&b=%2&c=x;y&d=%FF+1").pairs, [
      ["a", "%ZZ"],
      ["b", "%2"],
      ["c", "x;y"],
      ["d", "\ufffd 1"]
    ])
  })

  it("Go's ParseBool", () => {
    for (const t of ["1", "t", "T", "true", "TRUE", "True"]) assert.isTrue(goBool(t), t)
    for (const f of ["0", "false", "yes", "", undefined, "tRuE"]) assert.isFalse(goBool(f), String(f))
  })
})
