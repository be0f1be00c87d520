/**
 * The endpoint's response cache: keyed by what was asked (name + selector + decryption flag, or
 * secret id + version id + stage), holding successful bodies until their TTL passes. Nothing
 * invalidates it early: a rotated value is served stale until then, as in production.
 *
 * @internal
 */

const MAX_ENTRIES = 1000

export class Cache {
  private readonly entries = new Map<string, { readonly body: string; readonly expiresAtMs: number }>()

  get(key: string, nowMs: number): string | undefined {
    const hit = this.entries.get(key)
    if (hit === undefined) return undefined
    if (nowMs >= hit.expiresAtMs) {
      this.entries.delete(key)
      return undefined
    }
    return hit.body
  }

  set(key: string, body: string, ttlMs: number, nowMs: number): void {
    if (ttlMs <= 0) return
    this.entries.delete(key)
    this.entries.set(key, { body, expiresAtMs: nowMs + ttlMs })
    // the extension's default (and maximum) cache size; the oldest entry goes first
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
  }

  clear(): void {
    this.entries.clear()
  }
}
