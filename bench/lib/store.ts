/** A store of `n` plain parameters `/bench/key-0` … for P2 and P5. */
import type { Store } from "@secrets-config/emulator"

export const parameters = (n: number): Store.StoreSeed => ({
  parameters: Array.from({ length: n }, (_, i) => ({ name: `/bench/key-${i}`, value: `value-${i}` }))
})
