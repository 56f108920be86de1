import {
  CORE_SCHEMA,
  EVENT_ID,
  SCALAR_STYLE,
  YAMLException,
  constructFromEvents,
  getScalarValue,
  type Event,
} from "js-yaml";
import { AppError, type ErrorCode, type ErrorDetail } from "@/lib/errors";
import { TolerantParseFailure, parseEventsTolerantly, type TolerantParse } from "./lenient-quotes";

/**
 * Shared by the roster and config parsers: UTF-8 decoding, YAML parsing with the core schema, and a map
 * from value paths to source positions so that every validation problem can point at a line.
 *
 * Positions are 1-based lines and 1-based columns counted in Unicode code points (what editors show),
 * after a leading byte order mark has been removed.
 */

/** Aliases (`*name`) allowed per document. Real rosters and configs need few; alias bombs need many. */
export const MAX_YAML_ALIASES = 20;
/** Nesting depth allowed; rosters and configs are a few levels deep. */
export const MAX_YAML_DEPTH = 64;
/** Values visited when checking a document, beyond the nodes written in it: what aliases may add. */
const MAX_ALIAS_EXPANSION = 100_000;

export type PathSegment = string | number;

export interface SourcePosition {
  line: number;
  column: number;
}

export interface YamlDocument {
  /** The text parsed, without a byte order mark. */
  text: string;
  value: unknown;
  /**
   * Where the value at `path` is written, or its nearest ancestor that is (a missing key points at the
   * mapping that lacks it). A value written on the line after its key points at the key.
   */
  locate(path: readonly PathSegment[]): SourcePosition;
  /** Where the key that ends `path` is written; falls back like `locate`. */
  locateKey(path: readonly PathSegment[]): SourcePosition;
  /** What was accepted but should be tidied (see ParseYamlOptions), in file order. */
  warnings: YamlWarning[];
}

export interface YamlSubject {
  /** Error code of every problem found, e.g. `invalid:roster`. */
  code: ErrorCode;
  /** Shown to the user: "roster file", "audit config". */
  label: string;
  /** What the top level should be, for messages: "a list of people". */
  expected?: string;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes UTF-8 bytes (a leading byte order mark is dropped). Anything else is an AppError that says
 * where the first bad byte is, so the user can find the character their editor saved in another encoding.
 */
export function decodeUtf8(bytes: Uint8Array, file: string, subject: YamlSubject): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const isUtf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    const offset = isUtf16 ? 0 : findInvalidUtf8(bytes);
    const { line, column } = bytePosition(bytes, offset);
    const byte = bytes[offset] ?? 0;
    const message = isUtf16
      ? "the file is UTF-16 text; save it as UTF-8"
      : `byte 0x${byte.toString(16).toUpperCase().padStart(2, "0")} is not valid UTF-8; save the file as UTF-8`;
    throw new AppError(subject.code, `The ${subject.label} ${file} is not UTF-8 text (line ${line}).`, {
      details: [{ file, line, column, message }],
    });
  }
}

/** Index of the first byte that does not belong to a well-formed UTF-8 sequence; -1 when all do. */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let length: number;
    let min: number;
    if (b < 0x80) {
      i += 1;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else {
      return i;
    }
    let codePoint = b & (0xff >> (length + 1));
    for (let k = 1; k < length; k += 1) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += length;
  }
  return -1;
}

function bytePosition(bytes: Uint8Array, offset: number): SourcePosition {
  if (offset < 0) return { line: 1, column: 1 };
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i += 1) {
    if (bytes[i] === 0x0a) {
      line += 1;
      lineStart = i + 1;
    }
  }
  // The bytes before the bad one on its line are valid, so they decode to the characters an editor counts.
  const before = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  return { line, column: Array.from(before).length + 1 };
}

/** Maps string offsets to 1-based line and code-point column. */
export function createPositionFinder(text: string): (offset: number) => SourcePosition {
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    const at = Math.max(0, Math.min(offset, text.length));
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= at) low = mid;
      else high = mid - 1;
    }
    const lineStart = lineStarts[low] ?? 0;
    return { line: low + 1, column: countCodePoints(text, lineStart, at) + 1 };
  };
}

/** Code points in `text` from `start` to `end`, as `Array.from` counts them (a lone surrogate is one). */
function countCodePoints(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < end) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    count += 1;
  }
  return count;
}

/**
 * Where the values of the first document start, by event: flat arrays filled in one pass over the events,
 * so that indexing a large file allocates nothing per value. Lookups by path walk down from the root,
 * each collection's children gathered the first time a path goes through it: positions are asked of a few
 * values per entry, and of none in most of them.
 */
interface EventIndex {
  text: string;
  events: readonly Event[];
  /** The root value's event; -1 when the document has none. */
  root: number;
  /** Where each event's node starts (-1 when unknown); for a key, where the key starts. */
  starts: Int32Array;
  /** A collection's closing event (a POP); any other event's own index. */
  ends: Int32Array;
  /**
   * The collection holding each value of the first document (-1 for the root); -2 for an event that is no
   * such value: a key, a POP, anything inside a complex key, anything past the first document.
   */
  parents: Int32Array;
  /** A sequence item's index; a mapping value's key event (-1 when the key is not a scalar). */
  segments: Int32Array;
  /** Each collection's children looked up so far: sequence items by index, mapping values by key. */
  children: Map<number, Map<PathSegment, number>>;
}

const NOT_A_VALUE = -2;

function nodeStart(text: string, event: Event): number {
  let start = Number.POSITIVE_INFINITY;
  if ("tagStart" in event && event.tagStart >= 0) start = event.tagStart;
  // Anchor offsets start at the name; point at the `&` or `*` before it.
  if ("anchorStart" in event && event.anchorStart >= 0)
    start = Math.min(start, withSigil(text, event.anchorStart));
  if (event.type === EVENT_ID.SEQUENCE || event.type === EVENT_ID.MAPPING)
    start = Math.min(start, event.start);
  if (event.type === EVENT_ID.SCALAR && event.valueStart >= 0) {
    const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
    // Offsets of quoted scalars start inside the quotes; point at the opening quote.
    start = Math.min(start, quoted && event.valueStart > 0 ? event.valueStart - 1 : event.valueStart);
  }
  return start === Number.POSITIVE_INFINITY ? -1 : start;
}

const withSigil = (text: string, offset: number): number =>
  offset > 0 && (text[offset - 1] === "&" || text[offset - 1] === "*") ? offset - 1 : offset;

interface Frame {
  /** The collection's event; -1 for the document. */
  event: number;
  kind: "document" | "sequence" | "mapping";
  /** Whether its values are indexed (not inside a complex key). */
  indexed: boolean;
  /** Items so far (sequence); the pending key's event, -1 for a key that is not a scalar (mapping). */
  next: number;
  expectingKey: boolean;
}

/** Records where each value (and each mapping key) of the first document starts. */
function indexEvents(text: string, events: readonly Event[]): EventIndex {
  const count = events.length;
  const starts = new Int32Array(count).fill(-1);
  const ends = new Int32Array(count);
  const parents = new Int32Array(count).fill(NOT_A_VALUE);
  const segments = new Int32Array(count).fill(-1);
  let root = -1;
  const frames: Frame[] = [];
  let documents = 0;
  // End of the last thing written, to find the `-` of an empty sequence item (it has no offset).
  let cursor = 0;
  for (let i = 0; i < count; i += 1) {
    const event = events[i] as Event;
    ends[i] = i;
    if (event.type === EVENT_ID.SCALAR && event.valueEnd >= 0) cursor = event.valueEnd;
    if (event.type === EVENT_ID.SEQUENCE || event.type === EVENT_ID.MAPPING) cursor = event.start;
    if (event.type === EVENT_ID.ALIAS) cursor = event.anchorEnd;
    if (event.type === EVENT_ID.DOCUMENT) {
      documents += 1;
      if (documents > 1) break;
      frames.push({ event: -1, kind: "document", indexed: true, next: 0, expectingKey: false });
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      const closed = frames.pop();
      if (closed && closed.event >= 0) ends[closed.event] = i;
      continue;
    }
    const top = frames.at(-1);
    if (top === undefined) continue;
    const collection = event.type === EVENT_ID.SEQUENCE || event.type === EVENT_ID.MAPPING;
    let indexed: boolean;
    if (top.kind === "document") {
      indexed = top.indexed;
      if (indexed) {
        root = i;
        parents[i] = -1;
      }
    } else if (top.kind === "sequence") {
      indexed = top.indexed;
      if (indexed) {
        parents[i] = top.event;
        segments[i] = top.next;
      }
      top.next += 1;
    } else if (top.expectingKey) {
      top.expectingKey = false;
      top.next = event.type === EVENT_ID.SCALAR ? i : -1;
      if (top.indexed && top.next >= 0) starts[i] = nodeStart(text, event);
      // A complex key's own children are not values anyone asks about.
      if (collection) {
        frames.push({
          event: i,
          kind: event.type === EVENT_ID.SEQUENCE ? "sequence" : "mapping",
          indexed: false,
          next: 0,
          expectingKey: true,
        });
      }
      continue;
    } else {
      top.expectingKey = true;
      indexed = top.indexed && top.next >= 0;
      if (indexed) {
        parents[i] = top.event;
        segments[i] = top.next;
      }
    }
    let start = nodeStart(text, event);
    if (start < 0 && top.kind === "sequence") {
      start = findItemIndicator(text, cursor);
      if (start >= 0) cursor = start + 1;
    }
    if (indexed) starts[i] = start;
    if (collection) {
      frames.push({
        event: i,
        kind: event.type === EVENT_ID.SEQUENCE ? "sequence" : "mapping",
        indexed,
        next: 0,
        expectingKey: true,
      });
    }
  }
  return { text, events, root, starts, ends, parents, segments, children: new Map() };
}

/** A value's segment in its parent's path: its index, or its key as written. */
function segmentOf(index: EventIndex, event: number): PathSegment | null {
  const parent = index.parents[event] ?? NOT_A_VALUE;
  if (parent < 0) return null;
  const segment = index.segments[event] ?? -1;
  if (index.events[parent]?.type === EVENT_ID.SEQUENCE) return segment;
  const key = index.events[segment];
  return key?.type === EVENT_ID.SCALAR ? getScalarValue(index.text, key) : null;
}

/** The value events directly in `collection`, by segment (a repeated key: the last). */
function childrenOf(index: EventIndex, collection: number): Map<PathSegment, number> {
  let children = index.children.get(collection);
  if (children) return children;
  children = new Map();
  for (let i = collection + 1; i < (index.ends[collection] ?? 0); i = (index.ends[i] ?? i) + 1) {
    if (index.parents[i] !== collection) continue;
    const segment = segmentOf(index, i);
    if (segment !== null) children.set(segment, i);
  }
  index.children.set(collection, children);
  return children;
}

/** Where each value along `path` from the root starts, and its key (-1 when none), as far as they go. */
function nodesAlong(index: EventIndex, path: readonly PathSegment[]): { key: number; value: number }[] {
  if (index.root < 0) return [{ key: -1, value: -1 }];
  const nodes = [{ key: -1, value: index.starts[index.root] ?? -1 }];
  let event = index.root;
  for (const segment of path) {
    const child = childrenOf(index, event).get(segment);
    if (child === undefined) break;
    const keyEvent = index.events[event]?.type === EVENT_ID.MAPPING ? (index.segments[child] ?? -1) : -1;
    nodes.push({ key: keyEvent < 0 ? -1 : (index.starts[keyEvent] ?? -1), value: index.starts[child] ?? -1 });
    event = child;
  }
  return nodes;
}

/** The path of every value whose start is one of `offsets`. */
function pathsOfValues(index: EventIndex, offsets: ReadonlySet<number>): Map<number, PathSegment[]> {
  const found = new Map<number, PathSegment[]>();
  if (offsets.size === 0) return found;
  index.starts.forEach((start, event) => {
    if (!offsets.has(start) || (index.parents[event] ?? NOT_A_VALUE) === NOT_A_VALUE) return;
    const path: PathSegment[] = [];
    for (let at = event; (index.parents[at] ?? -1) >= 0; at = index.parents[at] ?? -1) {
      const segment = segmentOf(index, at);
      if (segment === null) return;
      path.unshift(segment);
    }
    found.set(start, path);
  });
  return found;
}

/** Offset of the next `-` after `from`, skipping blanks, comments and `:`; -1 if something else comes. */
function findItemIndicator(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === "-") return i;
    if (c === "#") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === ":") i += 1;
    else return -1;
  }
  return -1;
}

function firstOffset(text: string, events: Event[], fromDocument: number): number {
  let documents = 0;
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) documents += 1;
    else if (documents >= fromDocument) {
      const start = nodeStart(text, event);
      if (start >= 0) return start;
    }
  }
  return -1;
}

/** Friendlier wording for js-yaml's reasons, plus a hint where a common cause is likely. */
function describeYamlReason(reason: string, source: string, offset: number | null): string {
  const lineText = offset === null ? "" : lineAt(source, offset);
  if (/^aliases exceeded maxAliases/.test(reason)) {
    return `too many aliases (*name): at most ${MAX_YAML_ALIASES} are allowed in one file, which guards against alias bombs ("billion laughs")`;
  }
  if (/^nesting exceeded maxDepth/.test(reason)) {
    return `nesting is too deep: at most ${MAX_YAML_DEPTH} levels are allowed`;
  }
  if (/^unknown (scalar|sequence|mapping) tag/.test(reason)) {
    return `${reason}: only plain YAML (text, numbers, true/false, null, lists and mappings) is accepted`;
  }
  if (reason === "duplicated mapping key" && offset !== null) {
    const key = /^\s*("[^"]*"|'[^']*'|[^:\n]+?)\s*:/.exec(source.slice(offset, offset + 200))?.[1];
    if (key)
      return `the key ${key.startsWith('"') ? key : JSON.stringify(key.replace(/^'|'$/g, ""))} appears twice in this mapping`;
  }
  if (!/tab/i.test(reason) && /^[ -]*\t/.test(lineText)) {
    return `${reason} (this line is indented with a tab; YAML needs spaces)`;
  }
  if (offset !== null) {
    const open = findUnclosedBracket(source, offset);
    if (open !== null) return `${reason} (the "${open.bracket}" on line ${open.line} may not be closed)`;
  }
  return reason;
}

/**
 * The nearest line at or before `offset` (within 50 lines) that opens more `[` or `{` than it closes,
 * ignoring quoted text and comments: the usual cause of errors reported further down.
 */
function findUnclosedBracket(source: string, offset: number): { bracket: string; line: number } | null {
  const lines = source.slice(0, offset).split("\n");
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 50; i -= 1) {
    const code = (lines[i] ?? "").replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, "").replace(/(^|\s)#.*$/, "");
    for (const [opening, closing] of [
      ["[", "]"],
      ["{", "}"],
    ] as const) {
      if (code.split(opening).length > code.split(closing).length) return { bracket: opening, line: i + 1 };
    }
  }
  return null;
}

/** Something the parser accepted but the file's owners should tidy; positions as in errors. */
export interface YamlWarning {
  line: number;
  column: number;
  /** The value the warning is about, when it is one the document holds. */
  path: PathSegment[] | null;
  message: string;
}

export interface ParseYamlOptions {
  /**
   * Read quoted values whose continuation lines are not indented as libyaml (Ruby's YAML) does, with a
   * warning for each, instead of refusing them. For files that Ruby tooling also maintains.
   */
  lenientQuotes?: boolean;
}

/**
 * Parses one YAML document with the core schema (so `2021-03-01` and `yes` stay text), at most
 * MAX_YAML_ALIASES aliases and MAX_YAML_DEPTH levels, and no duplicate keys. Throws an AppError with the
 * subject's code and one detail pointing at the problem; never anything else.
 */
export function parseYaml(
  text: string,
  file: string,
  subject: YamlSubject,
  options: ParseYamlOptions = {},
): YamlDocument {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const findOriginalPosition = createPositionFinder(source);
  const fail = (message: string, position: SourcePosition | null, cause?: unknown): never => {
    throw invalidYaml(subject, file, { file, ...(position ?? {}), message }, cause);
  };

  let parsed: TolerantParse;
  try {
    parsed = parseEventsTolerantly(
      source,
      { filename: file, maxDepth: MAX_YAML_DEPTH },
      options.lenientQuotes ?? false,
    );
  } catch (error) {
    if (error instanceof TolerantParseFailure) {
      const offset = error.offset === null ? null : withSigil(source, error.offset);
      const reason = describeYamlReason(error.error.reason, source, offset);
      const message = error.hint === null ? reason : `${reason} (${error.hint})`;
      return fail(message, offset === null ? null : findOriginalPosition(offset), error.error);
    }
    return fail(
      `could not be parsed: ${error instanceof Error ? error.message : String(error)}`,
      null,
      error,
    );
  }
  // Offsets of the parsed text; positions are always of the original.
  const { text: parsedText, events } = parsed;
  const findPosition = (offset: number): SourcePosition =>
    findOriginalPosition(parsed.toOriginal(Math.max(0, offset)));

  let documents: unknown[];
  try {
    documents = constructFromEvents(events, {
      source: parsedText,
      filename: file,
      schema: CORE_SCHEMA,
      json: false,
      maxAliases: MAX_YAML_ALIASES,
    });
  } catch (error) {
    if (error instanceof YAMLException) {
      const offset = error.mark ? withSigil(parsedText, error.mark.position) : null;
      const reason = describeYamlReason(error.reason, parsedText, offset);
      return fail(reason, offset === null ? null : findPosition(offset), error);
    }
    return fail(
      `could not be parsed: ${error instanceof Error ? error.message : String(error)}`,
      null,
      error,
    );
  }

  if (documents.length === 0 || (documents.length === 1 && documents[0] == null)) {
    throw new AppError(subject.code, `The ${subject.label} ${file} is empty.`, {
      details: [
        { file, line: 1, column: 1, message: `the file is empty; expected ${subject.expected ?? "a value"}` },
      ],
    });
  }
  if (documents.length > 1) {
    const offset = firstOffset(parsedText, events, 2);
    return fail(
      "found more than one YAML document (separated by `---`); keep everything in one document",
      offset < 0 ? null : findPosition(offset),
    );
  }

  const index = indexEvents(parsedText, events);
  const rootOffset = firstOffset(parsedText, events, 1);
  const resolve = (path: readonly PathSegment[], preferKey: boolean): SourcePosition => {
    // The deepest recorded node of the path first.
    for (const { key, value } of nodesAlong(index, path).reverse()) {
      if (key >= 0 && (preferKey || value < 0)) return findPosition(key);
      if (key >= 0 && findPosition(key).line !== findPosition(value).line) return findPosition(key);
      if (value >= 0) return findPosition(value);
    }
    return findPosition(Math.max(rootOffset, 0));
  };

  checkExpansion(documents[0], events.length + MAX_ALIAS_EXPANSION, (message, path) => {
    throw invalidYaml(subject, file, { file, ...resolve(path, true), message });
  });

  const pathByValueOffset = pathsOfValues(index, new Set(parsed.scalars.map((scalar) => scalar.open)));
  const warnings = parsed.scalars.map((scalar): YamlWarning => {
    const from = findPosition(scalar.firstShallowLine).line;
    return {
      ...findPosition(scalar.open),
      path: pathByValueOffset.get(scalar.open) ?? null,
      message: `a quoted value continues on lines that are not indented (from line ${from}); it is read as Ruby's YAML (libyaml) reads it, but stricter YAML tools refuse it: indent those lines`,
    };
  });

  return {
    text: source,
    value: documents[0],
    warnings,
    locate: (path) => resolve(path, false),
    locateKey: (path) => resolve(path, true),
  };
}

function invalidYaml(subject: YamlSubject, file: string, detail: ErrorDetail, cause?: unknown): AppError {
  const at = describeFirstProblem([detail], false);
  return new AppError(subject.code, `The ${subject.label} ${file} is not valid YAML${at}.`, {
    details: [detail],
    cause,
  });
}

function lineAt(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", Math.max(0, offset - 1)) + 1;
  const end = text.indexOf("\n", offset);
  return text.slice(start, end < 0 ? text.length : end);
}

/**
 * Aliases share values, so a few can make a document that is cyclic or huge once walked (zod would walk
 * it). Walks with an ancestor set and a budget of visits; also refuses `__proto__` keys, which would
 * replace an object's prototype when copied.
 */
function checkExpansion(
  root: unknown,
  budget: number,
  fail: (message: string, path: PathSegment[]) => never,
): void {
  let visits = 0;
  const ancestors = new Set<object>();
  const path: PathSegment[] = [];
  const walk = (value: unknown): void => {
    visits += 1;
    if (visits > budget) fail("aliases expand this document too much; write the values out instead", path);
    if (value === null || typeof value !== "object") return;
    if (ancestors.has(value)) fail("an alias refers to a value that contains it (a cycle)", path);
    ancestors.add(value);
    const children: [PathSegment, unknown][] = Array.isArray(value)
      ? value.map((item: unknown, i) => [i, item])
      : Object.entries(value);
    for (const [segment, item] of children) {
      path.push(segment);
      if (segment === "__proto__") fail("the key `__proto__` is not allowed", path);
      walk(item);
      path.pop();
    }
    ancestors.delete(value);
  };
  walk(root);
}

/** `rotations[2].schedules[0]`; keys that are not plain words are quoted: `where["a b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment))
      out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** Short, human description of a value for messages: `the text "PABC"`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return "nothing";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return value.trim() === "" ? "empty text" : `the text ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return `${value}`;
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return Object.keys(value).length === 0 ? "an empty mapping" : "a mapping";
  return typeof value;
}

/**
 * Where the first of `sorted` (details in file order) is, for an error's summary line, which is often the
 * only line shown: ` (line 6)` for one problem, ` (first at line 6)` or, with `nameFile`,
 * ` (first in b.yaml at line 1)` for several; empty when the first has no line or file to name.
 */
export function describeFirstProblem(sorted: readonly ErrorDetail[], nameFile: boolean): string {
  const first = sorted[0];
  if (!first) return "";
  const line = first.line === undefined ? "" : `line ${first.line}`;
  if (sorted.length === 1) return line === "" ? "" : ` (${line})`;
  const place = [nameFile && first.file ? `in ${first.file}` : "", line === "" ? "" : `at ${line}`]
    .filter((part) => part !== "")
    .join(" ");
  return place === "" ? "" : ` (first ${place})`;
}

/** Sorts details by file, line and column, keeping the original order among equals. */
export function sortDetails(details: ErrorDetail[]): ErrorDetail[] {
  return details
    .map((detail, order) => ({ detail, order }))
    .sort(
      (a, b) =>
        compareText(a.detail.file ?? "", b.detail.file ?? "") ||
        (a.detail.line ?? 0) - (b.detail.line ?? 0) ||
        (a.detail.column ?? 0) - (b.detail.column ?? 0) ||
        a.order - b.order,
    )
    .map(({ detail }) => detail);
}

/** Code-point order, the same on every machine (unlike `localeCompare`). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const isPlainMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
