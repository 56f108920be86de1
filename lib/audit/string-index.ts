/**
 * Strings to small non-negative integers (slots, positions): a hash table of its own over typed arrays. A
 * `Map` of 100,000+ string keys grows by copying itself several times, and each lookup there reads a
 * bucket, then an entry elsewhere: here a table sized for its keys is allocated once, and a lookup reads
 * one cell (then the key's hash and the key to confirm it) most of the time.
 *
 * Every byte counts twice at that size: memory a process touches for the first time costs a page fault per
 * 4 KiB, which dominated filling a table of half a million cells of a hash, a value and a key each. The
 * table holds only an entry number per cell; each key's hash, value and text sit by entry in dense arrays,
 * in the order keys were first set, and only as long as the keys are many.
 */
export class StringIndex {
  /** Open addressing, linear probing: each cell holds an entry + 1 (0: empty). */
  private cells: Int32Array;
  private mask: number;
  /**
   * By entry: the key, its hash and its value, each sized for the keys expected. Pushed, the keys would be
   * copied at each doubling, to memory touched for the first time.
   */
  private readonly keys: string[];
  private hashes: Int32Array;
  private values: Int32Array;
  private count = 0;

  /** `expected`: how many keys to make room for (it takes more, growing as a Map does). */
  constructor(expected: number) {
    this.cells = new Int32Array(capacityFor(expected));
    this.mask = this.cells.length - 1;
    this.keys = new Array<string>(Math.max(expected, 16));
    this.hashes = new Int32Array(this.keys.length);
    this.values = new Int32Array(this.keys.length);
  }

  /** How many keys it holds. */
  get size(): number {
    return this.count;
  }

  /** The value of `key`; -1 when absent. */
  get(key: string): number {
    const entry = this.entryOf(key, hashOf(key));
    return entry < 0 ? -1 : (this.values[entry] ?? -1);
  }

  /** Sets `key` to `value` (a whole number from 0 to 2^31 - 1), replacing its value if it had one. */
  set(key: string, value: number): void {
    const hash = hashOf(key);
    const found = this.entryOf(key, hash);
    if (found >= 0) {
      this.values[found] = value;
      return;
    }
    const entry = this.count++;
    if (entry === this.hashes.length) {
      this.hashes = grown(this.hashes);
      this.values = grown(this.values);
    }
    this.keys[entry] = key;
    this.hashes[entry] = hash;
    this.values[entry] = value;
    if (capacityFor(this.count) > this.cells.length) this.rebuild(capacityFor(this.count));
    else this.place(entry, hash);
  }

  /** `key`'s entry; -1 when absent. */
  private entryOf(key: string, hash: number): number {
    const { cells, mask, hashes, keys } = this;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = (cells[at] ?? 0) - 1;
      if (entry < 0) return -1;
      if (hashes[entry] === hash && keys[entry] === key) return entry;
    }
  }

  /** Puts `entry` in the first free cell from its hash's. */
  private place(entry: number, hash: number): void {
    const { cells, mask } = this;
    let at = hash & mask;
    while (cells[at] !== 0) at = (at + 1) & mask;
    cells[at] = entry + 1;
  }

  /** A table of `capacity` cells, each entry placed again from its hash. */
  private rebuild(capacity: number): void {
    this.cells = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let entry = 0; entry < this.count; entry++) this.place(entry, this.hashes[entry] ?? 0);
  }
}

/** Cells for `keys` keys: a power of two, at most two thirds full (linear probing slows past that). */
function capacityFor(keys: number): number {
  let capacity = 16;
  while (capacity * 2 < keys * 3) capacity *= 2;
  return capacity;
}

/** `array` copied into one twice as long. */
function grown(array: Int32Array): Int32Array {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
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
