/** Code units packed per character of a sort key: seven bits, ASCII. */
const BITS_PER_CHAR = 7;
const MAX_PACKED_CODE = (1 << BITS_PER_CHAR) - 1;
/** Bits a double holds exactly (2^53). */
const EXACT_BITS = 53;

/**
 * The positions of `texts` in ascending order of their UTF-16 code units (as `<` compares strings), equal
 * texts in the order given. Each text's first characters are packed into a number with its position, and
 * the numbers sorted natively; only texts whose packed characters tie are then compared as strings. A
 * comparator sort of 100,000 schedule members' IDs called a function and read two strings (two cache
 * misses) per comparison, several times a member.
 *
 * Packing keeps the order: a character is seven bits, the end of a text is 0, and a character past ASCII
 * is packed as 127 with every later character 127 too, so a text packs to no more than any text it
 * precedes; texts that pack alike are compared in full.
 */
export function orderByText(texts: readonly string[]): Int32Array {
  const count = texts.length;
  const order = new Int32Array(count);
  if (count === 0) return order;
  const positionBits = Math.max(1, 32 - Math.clz32(count - 1));
  const chars = Math.floor((EXACT_BITS - positionBits) / BITS_PER_CHAR);
  const positions = 2 ** positionBits;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) keys[i] = packedPrefix(texts[i] as string, chars) * positions + i;
  keys.sort();
  for (let i = 0; i < count; i++) {
    const key = keys[i] as number;
    order[i] = key - Math.floor(key / positions) * positions;
  }
  // Texts whose packed characters tie sit next to each other: order each such run in full.
  let start = 0;
  for (let i = 1; i <= count; i++) {
    if (
      i < count &&
      Math.floor((keys[i] as number) / positions) === Math.floor((keys[start] as number) / positions)
    )
      continue;
    if (i - start > 1) sortRun(order, start, i, texts);
    start = i;
  }
  return order;
}

/** The first `chars` characters of `text` as one number (see `orderByText`). */
function packedPrefix(text: string, chars: number): number {
  let key = 0;
  let past = false;
  for (let c = 0; c < chars; c++) {
    let code = 0;
    if (past) code = MAX_PACKED_CODE;
    else if (c < text.length) {
      code = text.charCodeAt(c);
      if (code > MAX_PACKED_CODE) {
        code = MAX_PACKED_CODE;
        past = true;
      }
    }
    key = key * (MAX_PACKED_CODE + 1) + code;
  }
  return key;
}

/**
 * `order[start..end)` sorted by text, by position among equal texts. Runs are rare and short (IDs sharing
 * their first six characters), but a list of texts alike in their start could make one long: a comparator
 * sort keeps that case no worse than sorting every text so.
 */
function sortRun(order: Int32Array, start: number, end: number, texts: readonly string[]): void {
  const run = Array.from(order.subarray(start, end)).sort((a, b) => {
    const textA = texts[a] as string;
    const textB = texts[b] as string;
    return textA < textB ? -1 : textA > textB ? 1 : a - b;
  });
  order.set(run, start);
}
