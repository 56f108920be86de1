/**
 * Strings to small non-negative integers (slots, positions): a hash table of its own, open addressing over
 * typed arrays, each key's hash beside its value. A `Map` of 100,000+ string keys grows by copying itself
 * several times, and each lookup there reads a bucket, then an entry elsewhere: here a table sized for its
 * keys is allocated once, and a lookup reads one cell (then the key to confirm it) most of the time.
 */
export class StringIndex {
  /** Pairs of cells: the key's hash, and its value + 1 (0: empty). */
  private cells: Int32Array;
  /** The key of each occupied cell, by cell. */
  private keys: string[];
  private mask: number;
  private count = 0;

  /** `expected`: how many keys to make room for (it takes more, growing as a Map does). */
  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.cells = new Int32Array(capacity * 2);
    this.keys = new Array<string>(capacity);
    this.mask = capacity - 1;
  }

  /** How many keys it holds. */
  get size(): number {
    return this.count;
  }

  /** The value of `key`; -1 when absent. */
  get(key: string): number {
    const hash = hashOf(key);
    const { cells, mask, keys } = this;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const value = (cells[2 * at + 1] ?? 0) - 1;
      if (value < 0) return -1;
      if (cells[2 * at] === hash && keys[at] === key) return value;
    }
  }

  /** Sets `key` to `value` (a whole number from 0 to 2^31 - 2), replacing its value if it had one. */
  set(key: string, value: number): void {
    const hash = hashOf(key);
    const { cells, mask, keys } = this;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      if (cells[2 * at + 1] === 0) {
        cells[2 * at] = hash;
        cells[2 * at + 1] = value + 1;
        keys[at] = key;
        if (++this.count * 2 > mask + 1) this.grow();
        return;
      }
      if (cells[2 * at] === hash && keys[at] === key) {
        cells[2 * at + 1] = value + 1;
        return;
      }
    }
  }

  /** Twice the room, each key moved to its place in the larger table. */
  private grow(): void {
    const { cells: oldCells, keys: oldKeys } = this;
    const capacity = (this.mask + 1) * 2;
    const cells = new Int32Array(capacity * 2);
    const keys = new Array<string>(capacity);
    const mask = capacity - 1;
    for (let from = 0; from <= this.mask; from++) {
      if (oldCells[2 * from + 1] === 0) continue;
      const hash = oldCells[2 * from] ?? 0;
      let at = hash & mask;
      while (cells[2 * at + 1] !== 0) at = (at + 1) & mask;
      cells[2 * at] = hash;
      cells[2 * at + 1] = oldCells[2 * from + 1] ?? 0;
      keys[at] = oldKeys[from] as string;
    }
    this.cells = cells;
    this.keys = keys;
    this.mask = mask;
  }
}

/** A 32-bit hash of `text` (FNV-1a, then mixed so that nearby texts spread over the table). */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash;
}
