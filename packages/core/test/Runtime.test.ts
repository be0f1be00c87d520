import { assert, describe, it } from "@effect/vitest"

// .ci/run runs the suite on Node 20, 22 and 24 and sets EXPECTED_NODE_MAJOR, so a run that silently
// fell back to another Node (e.g. the machine's own) fails here instead of passing for the wrong one.
describe("the Node running the tests", () => {
  it("is Node 20 or later, and the one CI asked for", () => {
    const major = Number(process.versions.node.split(".")[0])
    assert.isAtLeast(major, 20)
    const expected = process.env.EXPECTED_NODE_MAJOR
    if (expected !== undefined && expected !== "") assert.strictEqual(major, Number(expected))
  })
})
