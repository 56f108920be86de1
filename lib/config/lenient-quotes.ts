import { COLLECTION_STYLE, EVENT_ID, SCALAR_STYLE, YAMLException, parseEvents, type Event } from "js-yaml";

/**
 * Quoted values whose continuation lines are not indented, as people and Ruby tooling write them:
 *
 * ```yaml
 * story: 'Enjoys crafting tools.
 * He is also keen on open source.
 * '
 * ```
 *
 * The YAML spec wants those lines indented past the mapping; js-yaml refuses them ("deficient
 * indentation") while libyaml (Ruby's, Python's) reads them. Inside a quoted scalar the leading white
 * space of a continuation line is folded away, so indenting those lines changes no value. They are
 * indented before parsing (only line starts gain spaces, so lines never move and offsets map back
 * exactly), and the parser itself confirms that only the inside of quoted values changed.
 */

export interface ParseOptions {
  filename: string;
  maxDepth: number;
}

export interface TolerantParse {
  /** The text the events refer to: the original with some continuation lines indented. */
  text: string;
  events: Event[];
  /** Maps an offset of `text` to the original text. */
  toOriginal(offset: number): number;
  /**
   * Quoted values with a continuation line not indented past the block collection holding them (where
   * the spec and js-yaml want it), in file order: the opening quote and the start of the first such
   * line, as offsets of `text` (not of the original).
   */
  scalars: { open: number; firstShallowLine: number }[];
}

/** A parse that failed; `offset` is in the original text, `hint` says more when a cause is known. */
export class TolerantParseFailure extends Error {
  constructor(
    readonly error: YAMLException,
    readonly offset: number | null,
    readonly hint: string | null,
  ) {
    super(error.message, { cause: error });
  }
}

interface Insertion {
  /** Offset in the original text where spaces were inserted (a line start). */
  at: number;
  count: number;
}

interface QuotedSpan {
  open: number;
  close: number;
  quote: "'" | '"';
}

const DEFICIENT = "deficient indentation";

/**
 * Parses `source` into events like js-yaml's `parseEvents`; with `lenient`, quoted values continued on
 * lines that are not indented are read as libyaml reads them. Throws TolerantParseFailure.
 *
 * A text js-yaml reads is parsed once, unchanged. Otherwise a quick scan guesses the quoted values and
 * indents their continuation lines, and the result is kept only if js-yaml then finds a quoted scalar at
 * exactly each guessed span (so only the inside of real quoted values changed). When the guess is wrong,
 * the exact way is taken: one value at a time, each found by js-yaml at the error it reports.
 *
 * A text whose scan finds a quoted value continued at column 0 inside a collection (as Ruby tooling writes
 * them) is not parsed unchanged first: js-yaml would refuse it at the first such value, having parsed the
 * file up to there and built an error message with an excerpt, for nothing.
 */
export function parseEventsTolerantly(
  source: string,
  options: ParseOptions,
  lenient: boolean,
  /** Tests turn it off to compare with the exact way. */
  guess = true,
): TolerantParse {
  const plainQuotes = new Set<number>();
  const guessSpans = () => guessQuotedSpans(source, plainQuotes).filter((span) => isMultiLine(source, span));
  let firstGuess = lenient && guess ? guessSpans() : null;
  if (firstGuess && !firstGuess.some((span) => continuesAtColumnZero(source, span))) firstGuess = null;
  if (firstGuess === null) {
    try {
      return {
        text: source,
        events: parseEvents(source, options),
        toOriginal: (offset) => offset,
        scalars: [],
      };
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      if (!lenient || error.reason !== DEFICIENT) {
        throw new TolerantParseFailure(error, error.mark ? error.mark.position : null, null);
      }
    }
  }
  // A wrong guess (a plain value's continuation line that starts with a quote) shows as a guessed span
  // that is no quoted scalar, or as an error inside one: that quote is then taken as plain and the rest
  // guessed again. Each round is one parse; past a few, the exact way is cheaper to trust.
  for (let round = 0; guess && round < MAX_GUESS_ROUNDS; round += 1) {
    const guessed = round === 0 && firstGuess ? firstGuess : guessSpans();
    const initial = mergeInsertions(
      [],
      guessed.flatMap((span) => indentSpan(source, span, (o) => o)),
    );
    let parsed: ReturnType<typeof reindentUntilParsed>;
    try {
      parsed = reindentUntilParsed(source, initial, options);
    } catch (error) {
      if (!(error instanceof TolerantParseFailure) || error.offset === null) throw error;
      const at = error.offset;
      const culprit = guessed.find((span) => span.open < at && at <= lineEnd(source, span.close));
      if (!culprit) {
        // A real error, unless a wrong guess before it led the parser astray: the exact way would take
        // one parse per value before it to say the same.
        if (guessesHoldBefore(source, initial, guessed, at, options)) throw error;
        break;
      }
      plainQuotes.add(culprit.open);
      continue;
    }
    const { toCurrent } = createOffsetMap(parsed.insertions);
    const quoted = quotedSpans(parsed.events);
    const wrong = guessed.filter((span) => quoted.get(toCurrent(span.open)) !== toCurrent(span.close));
    if (wrong.length === 0) return finish(source, parsed.text, parsed.events, parsed.insertions);
    for (const span of wrong) plainQuotes.add(span.open);
  }
  const exact = reindentUntilParsed(source, [], options);
  return finish(source, exact.text, exact.events, exact.insertions);
}

/**
 * Whether every guessed span before the line of `at` (an original offset) is a quoted scalar of that
 * span, by parsing the guessed text up to that line (closing a quoted value or flow collection left open
 * there).
 */
function guessesHoldBefore(
  source: string,
  insertions: Insertion[],
  guessed: readonly QuotedSpan[],
  at: number,
  options: ParseOptions,
): boolean {
  const text = applyInsertions(source, insertions);
  const { toCurrent } = createOffsetMap(insertions);
  let cut = text.lastIndexOf("\n", toCurrent(at) - 1) + 1;
  while (cut > 0 && /[ \t\r\n]/.test(text[cut - 1] ?? "")) cut -= 1;
  const before = guessed.filter((span) => toCurrent(span.close) < cut);
  for (const [closing, brackets] of [["", ""] as const, ...CLOSINGS]) {
    let events: Event[];
    try {
      events = parseEvents(text.slice(0, cut) + closing + brackets, options);
    } catch {
      continue;
    }
    const quoted = quotedSpans(events);
    return before.every((span) => quoted.get(toCurrent(span.open)) === toCurrent(span.close));
  }
  return false;
}

/** Opening quote → closing quote of each quoted scalar. */
function quotedSpans(events: readonly Event[]): Map<number, number> {
  const quoted = new Map<number, number>();
  for (const event of events) {
    if (event.type === EVENT_ID.SCALAR && isQuoted(event.style))
      quoted.set(event.valueStart - 1, event.valueEnd);
  }
  return quoted;
}

/** Whether the quoted value spans lines: only those need their continuation lines indented. */
function isMultiLine(text: string, span: QuotedSpan): boolean {
  const lineBreak = text.indexOf("\n", span.open);
  return lineBreak >= 0 && lineBreak < span.close;
}

/**
 * Whether a continuation line of `span` starts at column 0 while its quote is further in: inside any block
 * collection js-yaml refuses that line, libyaml reads it.
 */
function continuesAtColumnZero(text: string, span: QuotedSpan): boolean {
  if (span.open === text.lastIndexOf("\n", span.open - 1) + 1) return false;
  return lineStartsWithin(text, span.open, span.close).some(
    (start) => countSpaces(text, start) === 0 && !isBlankFrom(text, start),
  );
}

/** Rounds of guessing quoted values before reading them one error at a time. */
const MAX_GUESS_ROUNDS = 4;

const lineEnd = (text: string, offset: number): number => {
  const end = text.indexOf("\n", offset);
  return end < 0 ? text.length : end;
};

const isQuoted = (style: number): boolean =>
  style === SCALAR_STYLE.SINGLE_QUOTED || style === SCALAR_STYLE.DOUBLE_QUOTED;

/**
 * Parses the source with `insertions` applied; on each "deficient indentation" inside a quoted scalar,
 * indents that scalar's continuation lines too and parses again.
 */
function reindentUntilParsed(
  source: string,
  initial: Insertion[],
  options: ParseOptions,
): { text: string; events: Event[]; insertions: Insertion[] } {
  let insertions = initial;
  let text = applyInsertions(source, insertions);
  let { toOriginal } = createOffsetMap(insertions);
  const seen = new Set<number>();
  for (;;) {
    try {
      return { text, events: parseEvents(text, options), insertions };
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      const failure = (hint: string | null = null) =>
        new TolerantParseFailure(error, error.mark ? toOriginal(error.mark.position) : null, hint);
      if (error.reason !== DEFICIENT || !error.mark) throw failure();
      const at = error.mark.position;
      const quoted = findOpenQuotedScalar(text, at, options);
      if (!quoted || seen.has(toOriginal(quoted.open))) throw failure();
      const close = findClosingQuote(text, quoted.open, quoted.quote);
      if (close.kind === "unclosed") {
        const line = lineNumber(source, toOriginal(quoted.open));
        throw failure(`the quote opened on line ${line} is never closed`);
      }
      if (close.kind === "document" || close.offset < at) throw failure();
      seen.add(toOriginal(quoted.open));
      const span = { open: quoted.open, close: close.offset, quote: quoted.quote };
      insertions = mergeInsertions(insertions, indentSpan(text, span, toOriginal));
      ({ toOriginal } = createOffsetMap(insertions));
      text = applyInsertions(source, insertions);
    }
  }
}

/**
 * Spaces that indent each continuation line of `span` (in `text`) to just past its opening quote; blank
 * lines are left alone. Offsets of the result are original ones, through `toOriginal`.
 */
function indentSpan(text: string, span: QuotedSpan, toOriginal: (offset: number) => number): Insertion[] {
  const indent = span.open - (text.lastIndexOf("\n", span.open - 1) + 1) + 1;
  const added: Insertion[] = [];
  for (const start of lineStartsWithin(text, span.open, span.close)) {
    const spaces = countSpaces(text, start);
    if (spaces >= indent || isBlankFrom(text, start + spaces)) continue;
    added.push({ at: toOriginal(start), count: indent - spaces });
  }
  return added;
}

/**
 * The quoted values of the parsed text whose continuation lines are, in the original, not indented past
 * the block collection holding them (where the YAML spec wants them, and js-yaml does); file order.
 */
function finish(source: string, text: string, events: Event[], insertions: Insertion[]): TolerantParse {
  const { toOriginal, toCurrent } = createOffsetMap(insertions);
  const scalars: TolerantParse["scalars"] = [];
  // Column of each open collection's first entry; -1 for the document (no indentation needed).
  const columns: number[] = [];
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) columns.push(-1);
    else if (event.type === EVENT_ID.POP) columns.pop();
    else if (event.type === EVENT_ID.SEQUENCE || event.type === EVENT_ID.MAPPING) {
      const start = toOriginal(event.start);
      columns.push(
        // A flow collection's lines, quoted values included, must be indented like its block parent's.
        event.style === COLLECTION_STYLE.BLOCK
          ? start - (source.lastIndexOf("\n", start - 1) + 1)
          : (columns.at(-1) ?? -1),
      );
    } else if (event.type === EVENT_ID.SCALAR && isQuoted(event.style)) {
      const parent = columns.at(-1) ?? -1;
      const open = toOriginal(event.valueStart - 1);
      const shallow = lineStartsWithin(source, open, toOriginal(event.valueEnd)).find((start) => {
        const spaces = countSpaces(source, start);
        return spaces <= parent && !isBlankFrom(source, start + spaces);
      });
      if (shallow !== undefined) {
        scalars.push({ open: event.valueStart - 1, firstShallowLine: toCurrent(shallow) });
      }
    }
  }
  return { text, events, toOriginal, scalars };
}

/**
 * Quoted values as a quick line scan sees them: a quote where a value may start (after indentation, `- `,
 * `? `, `: `, a flow indicator, an anchor or a tag), not inside comments or block scalars. Only a guess,
 * which the parser then confirms: a plain value's continuation line may start with a quote, for one.
 */
function guessQuotedSpans(text: string, plainQuotes: ReadonlySet<number>): QuotedSpan[] {
  const spans: QuotedSpan[] = [];
  let i = 0;
  let lineIndent = 0;
  let valueStart = true;
  let lineStart = true;
  // A line that ends inside a plain value, and its indentation: a more indented line continues that value.
  let plainLineIndent: number | null = null;
  let inPlain = false;
  while (i < text.length) {
    const c = text[i] ?? "";
    if (c === "\n") {
      if (inPlain) plainLineIndent = lineIndent;
      else if (!isBlankFrom(text, text.lastIndexOf("\n", i - 1) + 1)) plainLineIndent = null;
      i += 1;
      lineStart = true;
      valueStart = true;
      inPlain = false;
      continue;
    }
    if (lineStart) {
      const spaces = countSpaces(text, i);
      lineStart = false;
      i += spaces;
      if (isBlankFrom(text, i)) continue;
      lineIndent = spaces;
      if (plainLineIndent !== null && spaces > plainLineIndent) {
        valueStart = false;
        inPlain = true;
      }
      continue;
    }
    const before = text[i - 1] ?? "\n";
    const after = text[i + 1] ?? "\n";
    const spaceAfter = after === " " || after === "\t" || after === "\n" || after === "\r";
    if (c === " " || c === "\t" || c === "\r") {
      i += 1;
    } else if (c === "#" && (before === " " || before === "\t" || before === "\n")) {
      i = lineEnd(text, i);
    } else if (valueStart && (c === "'" || c === '"') && !plainQuotes.has(i)) {
      const close = findClosingQuote(text, i, c);
      if (close.kind !== "closed") break;
      spans.push({ open: i, close: close.offset, quote: c });
      i = close.offset + 1;
      valueStart = false;
    } else if (valueStart && (c === "|" || c === ">")) {
      // A block scalar: its lines are those indented more than the line that starts it.
      let end = lineEnd(text, i);
      while (end < text.length) {
        const next = end + 1;
        const spaces = countSpaces(text, next);
        if (!isBlankFrom(text, next + spaces) && spaces <= lineIndent) break;
        end = lineEnd(text, next);
      }
      i = end;
    } else if ((c === "-" || c === "?" || c === ":") && spaceAfter) {
      i += 1;
      valueStart = true;
      inPlain = false;
    } else if (c === "[" || c === "{" || c === ",") {
      i += 1;
      valueStart = true;
      inPlain = false;
    } else if (valueStart && (c === "&" || c === "!")) {
      while (i < text.length && !/[ \t\r\n]/.test(text[i] ?? "")) i += 1;
    } else {
      i += 1;
      valueStart = false;
      inPlain = true;
    }
  }
  return spans;
}

/**
 * The quoted scalar that the line holding `at` continues: js-yaml parses the text up to the end of the
 * previous non-blank line with a closing quote added, and the scalar that this quote closes is the one.
 * Null when the error is not inside a quoted scalar (or the prefix cannot be read, e.g. inside a flow
 * collection).
 */
function findOpenQuotedScalar(
  text: string,
  at: number,
  options: ParseOptions,
): { open: number; quote: "'" | '"' } | null {
  let cut = text.lastIndexOf("\n", at - 1) + 1;
  while (cut > 0 && /[ \t\r\n]/.test(text[cut - 1] ?? "")) cut -= 1;
  if (cut === 0) return null;
  const prefix = text.slice(0, cut);
  // ` "` also closes a double-quoted scalar whose line ends with a backslash (`\ ` is an escaped space);
  // the brackets close the flow collections a value may be in.
  for (const [closing, brackets] of CLOSINGS) {
    let events: Event[];
    try {
      events = parseEvents(prefix + closing + brackets, options);
    } catch {
      continue;
    }
    const quote = closing === "'" ? "'" : '"';
    const style = quote === "'" ? SCALAR_STYLE.SINGLE_QUOTED : SCALAR_STYLE.DOUBLE_QUOTED;
    const quoteAt = cut + closing.length - 1;
    for (const event of events) {
      if (
        event.type === EVENT_ID.SCALAR &&
        event.style === style &&
        event.valueEnd === quoteAt &&
        event.valueStart >= 1 &&
        text[event.valueStart - 1] === quote
      ) {
        return { open: event.valueStart - 1, quote };
      }
    }
  }
  return null;
}

const CLOSINGS = (["'", '"', ' "'] as const).flatMap((closing) =>
  ["", "]", "}", "]]", "}]", "]}", "}}"].map((brackets) => [closing, brackets] as const),
);

type Close = { kind: "closed"; offset: number } | { kind: "unclosed" } | { kind: "document" };

/**
 * Where the quoted scalar opened at `open` ends, read as YAML reads it (`''` is a quote in single-quoted
 * text, a backslash escapes the next character in double-quoted text). A line starting with `---` or
 * `...` inside it ends the document, which libyaml refuses too.
 */
function findClosingQuote(text: string, open: number, quote: "'" | '"'): Close {
  let i = open + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\n" && /^(---|\.\.\.)(\s|$)/.test(text.slice(i + 1, i + 5))) return { kind: "document" };
    if (quote === "'" && c === "'") {
      if (text[i + 1] === "'") i += 2;
      else return { kind: "closed", offset: i };
    } else if (quote === '"' && c === "\\") {
      // An escaped line break still ends the line: the next may hold a document marker.
      i += text[i + 1] === "\n" || text[i + 1] === "\r" ? 1 : 2;
    } else if (quote === '"' && c === '"') {
      return { kind: "closed", offset: i };
    } else {
      i += 1;
    }
  }
  return { kind: "unclosed" };
}

function lineStartsWithin(text: string, from: number, to: number): number[] {
  const starts: number[] = [];
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function countSpaces(text: string, from: number): number {
  let i = from;
  while (text[i] === " ") i += 1;
  return i - from;
}

/** Only spaces and tabs up to the end of the line: an empty line, which folding keeps as a line break. */
function isBlankFrom(text: string, from: number): boolean {
  for (let i = from; i < text.length; i += 1) {
    const c = text[i];
    if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) return true;
    if (c !== " " && c !== "\t") return false;
  }
  return true;
}

function mergeInsertions(a: readonly Insertion[], b: readonly Insertion[]): Insertion[] {
  const byOffset = new Map<number, number>();
  for (const { at, count } of [...a, ...b]) byOffset.set(at, (byOffset.get(at) ?? 0) + count);
  return [...byOffset].map(([at, count]) => ({ at, count })).sort((x, y) => x.at - y.at);
}

function applyInsertions(source: string, insertions: readonly Insertion[]): string {
  let out = "";
  let from = 0;
  for (const { at, count } of insertions) {
    out += source.slice(from, at) + " ".repeat(count);
    from = at;
  }
  return out + source.slice(from);
}

/** Offsets both ways between the original text and the text with `insertions` (sorted by `at`) applied. */
interface OffsetMap {
  /** An offset of the indented text in the original: an inserted space maps to the line start it precedes. */
  toOriginal(offset: number): number;
  toCurrent(offset: number): number;
}

/**
 * By binary search: positions, warnings and the check of each guessed value map an offset per value, and
 * a large roster has thousands of insertions.
 */
function createOffsetMap(insertions: readonly Insertion[]): OffsetMap {
  const originals = new Int32Array(insertions.length);
  // Where each insertion's spaces start in the indented text, and how many were inserted up to its end.
  const currents = new Int32Array(insertions.length);
  const shifts = new Int32Array(insertions.length);
  let shift = 0;
  insertions.forEach(({ at, count }, k) => {
    originals[k] = at;
    currents[k] = at + shift;
    shift += count;
    shifts[k] = shift;
  });
  return {
    toOriginal: (offset) => {
      const k = lastAtOrBefore(currents, offset);
      if (k < 0) return offset;
      if (offset < (currents[k] ?? 0) + (insertions[k]?.count ?? 0)) return originals[k] ?? 0;
      return offset - (shifts[k] ?? 0);
    },
    toCurrent: (offset) => {
      const k = lastAtOrBefore(originals, offset);
      return k < 0 ? offset : offset + (shifts[k] ?? 0);
    },
  };
}

/** Index of the last of `sorted` (ascending) that is at most `offset`; -1 when none is. */
function lastAtOrBefore(sorted: Int32Array, offset: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] ?? 0) <= offset) low = mid + 1;
    else high = mid - 1;
  }
  return high;
}

function lineNumber(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line += 1;
  return line;
}
