/** The layer's FIFO permits (maxConcurrency): a released permit goes to the longest waiter. */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as Permits from "../src/internal/permits.js"

describe("permits", () => {
  it.effect("at most n hold a permit; waiters get theirs in arrival order; interrupted waiters leave the queue", () =>
    Effect.gen(function* () {
      const permits = Permits.make(2)
      const order: Array<number> = []
      let holding = 0
      let most = 0
      const gates = yield* Effect.forEach([0, 1, 2, 3, 4, 5], () => Deferred.make<void>())
      const job = (i: number) =>
        permits.withPermit(
          Effect.gen(function* () {
            holding++
            most = Math.max(most, holding)
            order.push(i)
            yield* Deferred.await(gates[i]!)
            holding--
          })
        )
      const fibers: Array<Fiber.RuntimeFiber<void>> = []
      for (const i of [0, 1, 2, 3, 4, 5]) {
        fibers.push(yield* Effect.fork(job(i)))
        yield* Effect.yieldNow()
      }
      assert.deepStrictEqual(order, [0, 1])
      yield* Fiber.interrupt(fibers[2]!) // waiting: leaves the queue, takes no permit
      yield* Deferred.succeed(gates[1]!, undefined)
      yield* Fiber.join(fibers[1]!)
      yield* Effect.yieldNow()
      assert.deepStrictEqual(order, [0, 1, 3])
      for (const i of [0, 3, 4, 5]) yield* Deferred.succeed(gates[i]!, undefined)
      for (const i of [0, 3, 4, 5]) yield* Fiber.join(fibers[i]!)
      assert.deepStrictEqual(order, [0, 1, 3, 4, 5])
      assert.strictEqual(most, 2)
      // all released: two free permits again
      const free = yield* permits.ifFree(Effect.succeed("free"), () => Effect.succeed("busy"))
      assert.strictEqual(free, "free")
    })
  )

  it.effect("ifFree takes a free permit without waiting, and runs the alternative when none is free", () =>
    Effect.gen(function* () {
      const permits = Permits.make(1)
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(permits.withPermit(Deferred.await(gate)))
      yield* Effect.yieldNow()
      assert.strictEqual(yield* permits.ifFree(Effect.succeed("free"), () => Effect.succeed("busy")), "busy")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      assert.strictEqual(yield* permits.ifFree(Effect.succeed("free"), () => Effect.succeed("busy")), "free")
      // a failure inside still releases the permit
      const failed = yield* Effect.either(permits.ifFree(Effect.fail("boom"), () => Effect.succeed("busy")))
      assert.isTrue(failed._tag === "Left")
      assert.strictEqual(yield* permits.ifFree(Effect.succeed("free"), () => Effect.succeed("busy")), "free")
    })
  )
})
