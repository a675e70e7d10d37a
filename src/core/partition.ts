/**
 * Which partition an event belongs to. The same function on every engine,
 * so a key lands on the same partition whichever broker carries it.
 */

/** FNV-1a, 32 bit, over the UTF-16 code units of the key. */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function partitionOf(key: string, partitions: number): number {
  return hashKey(key) % partitions;
}
