/** The pure helpers behind the layer: loopback hosts, the Agent's lenient `__type`, error codes. */
import { assert, describe, it } from "@effect/vitest"
import { baseUrl, isLoopbackHost } from "../src/internal/request.js"
import { awsErrorType } from "@secrets-config/core/Wire"
import { errorCode } from "../src/internal/answer.js"

describe("internal", () => {
  it("isLoopbackHost", () => {
    for (const host of ["127.0.0.1", "127.255.255.254", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"]) {
      assert.isTrue(isLoopbackHost(host), host)
    }
    for (const host of [
      "128.0.0.1",
      "127.0.0.256",
      "10.0.0.1",
      "0.0.0.0",
      "::",
      "example.com",
      "localhost.example.com",
      "127.0.0.1.nip.io"
    ]) {
      assert.isFalse(isLoopbackHost(host), host)
    }
  })

  it("baseUrl brackets IPv6 literals", () => {
    assert.strictEqual(baseUrl("127.0.0.1", 2773), "http://127.0.0.1:2773")
    assert.strictEqual(baseUrl("::1", 2773), "http://[::1]:2773")
    assert.strictEqual(baseUrl("[::1]", 1), "http://[::1]:1")
  })

  it("awsErrorType reads __type and message leniently", () => {
    assert.deepStrictEqual(
      awsErrorType(`{"__type":"ResourceNotFoundException", "message":"Secrets Manager can't find it"}`),
      {
        type: "ResourceNotFoundException",
        message: "Secrets Manager can't find it"
      }
    )
    assert.deepStrictEqual(awsErrorType(`{"__type":"InternalFailure"}`), { type: "InternalFailure", message: "" })
    // An unescaped quote inside the message makes the body invalid JSON; the type is still read.
    assert.deepStrictEqual(awsErrorType(`{"__type":"AccessDeniedException", "message":"no "access" here"}`), {
      type: "AccessDeniedException",
      message: `no "access" here`
    })
    assert.strictEqual(
      awsErrorType(`{"__type":"com.amazonaws.kms#ThrottlingException","message":"x"}`)?.type,
      "ThrottlingException"
    )
    assert.strictEqual(
      awsErrorType(`{"__type":"ValidationException:http://internal.amazon.com/"}`)?.type,
      "ValidationException"
    )
    assert.isUndefined(awsErrorType("Not found"))
    assert.isUndefined(awsErrorType(`{"message":"no type"}`))
    assert.isUndefined(awsErrorType(`{"__type":"${"A".repeat(300)}"}`))
  })

  it("errorCode finds a code in a cause chain, and only a code", () => {
    assert.strictEqual(errorCode({ cause: { cause: { code: "ECONNREFUSED" } } }), "ECONNREFUSED")
    assert.strictEqual(
      errorCode(new AggregateError([Object.assign(new Error(), { code: "ECONNRESET" })])),
      "ECONNRESET"
    )
    assert.isUndefined(errorCode(new Error("ECONNREFUSED in a message is not a code")))
    assert.isUndefined(errorCode({ code: "not a code with spaces" }))
    assert.isUndefined(errorCode(undefined))
    // Bounded: a cyclic chain ends.
    const cyclic: { cause?: unknown } = {}
    cyclic.cause = cyclic
    assert.isUndefined(errorCode(cyclic))
  })
})
