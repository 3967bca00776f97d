/**
 * A Map that keeps at most `limit` entries: setting a key makes it the newest, and the oldest is dropped
 * to make room. For small in-process memos whose loss only costs a trip to the database.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    this.delete(key);
    if (this.size >= this.limit) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}
