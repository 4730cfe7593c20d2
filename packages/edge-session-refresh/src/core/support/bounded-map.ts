/**
 * A Map that never holds more than `maxEntries`: past the bound the oldest insertion is dropped. The one
 * eviction idiom of the core (decode cache, key cache, memory lock store, refused-token memory), so a
 * long-lived isolate under heavy or hostile traffic does not grow without limit.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0)
      throw new RangeError(`maxEntries must be a whole number >= 0, got ${maxEntries}`);
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Inserts as the newest entry (a re-set moves the key to the end), then drops the oldest past the bound. */
  set(key: K, value: V): this {
    if (this.maxEntries === 0) return this;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Drops every entry for which `stale` is true. */
  sweep(stale: (value: V, key: K) => boolean): void {
    for (const [key, value] of this.#entries) if (stale(value, key)) this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
