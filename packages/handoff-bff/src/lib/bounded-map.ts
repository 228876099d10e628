/**
 * Sets `key` in `map` as its newest entry, first dropping from the oldest end every entry that
 * has expired (`expiresAt(entry) <= now`), and then the oldest live ones until there is room
 * for `max`. Callers insert entries in roughly expiry order (one lifetime per map), so expired
 * entries gather at the front: each is visited once, amortized O(1) per insertion, and memory
 * stays bounded whatever a flood of keys does.
 */
export function setBounded<K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  options: { max: number; now: number; expiresAt: (entry: V) => number },
): void {
  map.delete(key);
  for (const [oldKey, old] of map) {
    if (options.expiresAt(old) > options.now && map.size < options.max) break;
    map.delete(oldKey);
  }
  map.set(key, value);
}
