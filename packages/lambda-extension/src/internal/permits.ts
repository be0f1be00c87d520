/**
 * A counting semaphore that hands a released permit straight to the longest waiter (FIFO).
 * Effect's `Semaphore` wakes every waiter on each release and lets them race for the permit again,
 * which costs O(waiters) per release: 1,000 calls queued behind 16 permits took ~10 s instead of
 * ~1 s (bench/p5-coalescing.ts). A waiter interrupted before its turn leaves the queue; a permit
 * handed over is released by the holder's finalizer like any other.
 */
import * as Effect from "effect/Effect"

export interface Permits {
  /**
   * `self` holding a permit if one is free now (no waiting, no timer); else `otherwise()`, built
   * only then (the busy path's timer and queue cost nothing when a permit is free).
   */
  readonly ifFree: <A, E, R>(
    self: Effect.Effect<A, E, R>,
    otherwise: () => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R>
  /** `self` holding a permit, waiting in FIFO order for one. */
  readonly withPermit: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const make = (permits: number): Permits => {
  let free = permits
  // A queue with a moving head (`shift` on a long array is O(n)); a cancelled waiter leaves a hole.
  let queue: Array<(() => void) | undefined> = []
  let head = 0

  const releaseNow = () => {
    while (head < queue.length) {
      const next = queue[head]
      queue[head++] = undefined
      if (next !== undefined) {
        next() // the permit passes to this waiter: `free` does not change
        return
      }
    }
    queue = []
    head = 0
    free++
  }
  const release = Effect.sync(releaseNow)

  const take = Effect.async<void>((resume) => {
    if (free > 0) {
      free--
      resume(Effect.void)
      return
    }
    let handed = false
    const waiter = () => {
      handed = true
      resume(Effect.void)
    }
    const index = queue.push(waiter) - 1
    const waiting = queue
    return Effect.sync(() => {
      // Interrupted while waiting: leave the queue; or, if the permit was handed over in the same
      // moment (the interruption wins, the resumption is dropped), pass it on so it is not lost.
      if (handed) releaseNow()
      else if (waiting[index] === waiter) waiting[index] = undefined
    })
  })

  return {
    ifFree: (self, otherwise) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.suspend(() => {
          if (free === 0) return restore(otherwise())
          free--
          return Effect.ensuring(restore(self), release)
        })
      ),
    withPermit: (self) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(restore(take), () => Effect.ensuring(restore(self), release))
      )
  }
}
