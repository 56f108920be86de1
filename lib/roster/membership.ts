import { closestMatch } from "@/lib/config/issues";
import type { AuditConfig, MembershipRule } from "@/lib/config/schema";
import { isPlainMapping, type PathSegment } from "@/lib/config/yaml";
import type { RosterPerson } from "./schema";

const normalize = (value: string): string => value.trim().toLowerCase();

/**
 * The values at a dotted path of a person (`pagerduty.rotations`, `region`). A list on the way is looked
 * through (`focuses.name` gives every focus's name) and a list at the end gives its items. Only the
 * entry's own keys are followed. Returns no values when the path is missing.
 */
export function getValuesAtPath(person: unknown, dottedPath: string): unknown[] {
  return valuesAtSegments(person, splitPath(dottedPath));
}

function splitPath(dottedPath: string): string[] {
  return dottedPath.split(".").map((s) => s.trim());
}

/** `getValuesAtPath` with the path split once. */
function valuesAtSegments(person: unknown, segments: readonly string[]): unknown[] {
  const values: unknown[] = [];
  collectValuesAt(person, segments, 0, values, 0);
  return values;
}

/**
 * Writes into `out` from position `at` the values at `segments[depth..]` below `value`, in the order
 * `getValuesAtPath` gives them, and returns the position after the last one. Walks depth first without
 * building a list per level, and a caller can reuse one `out` for every entry of a roster without emptying
 * it (only positions before the returned one are read).
 */
function collectValuesAt(
  value: unknown,
  segments: readonly string[],
  depth: number,
  out: unknown[],
  at: number,
): number {
  if (depth === segments.length) {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item !== null && item !== undefined) out[at++] = item;
      }
    } else if (value !== null && value !== undefined) {
      out[at++] = value;
    }
    return at;
  }
  const segment = segments[depth] ?? "";
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (isPlainMapping(item) && Object.hasOwn(item, segment))
        at = collectValuesAt(item[segment], segments, depth + 1, out, at);
    }
  } else if (isPlainMapping(value) && Object.hasOwn(value, segment)) {
    at = collectValuesAt(value[segment], segments, depth + 1, out, at);
  }
  return at;
}

/** Text form of a scalar for matching; null for lists and mappings, which never match. */
function scalarText(value: unknown): string | null {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return normalize(String(value));
  }
  return null;
}

/**
 * The roster entries a rotation expects, in roster order (the same objects, not copies).
 * - `{ field }`: entries whose value at that dotted path is the rotation id or a list holding it.
 * - `{ where }`: entries matching every key. `title` matches as a substring, any other key as equality
 *   with the value at that dotted path; a list in the rule matches any of its values.
 * All comparisons ignore case and surrounding spaces; an entry without the value does not match.
 */
export function selectRotationMembers<T extends { person: RosterPerson }>(
  entries: readonly T[],
  rule: MembershipRule,
  rotationId: string,
): T[] {
  if ("field" in rule) {
    const id = normalize(rotationId);
    const segments = splitPath(rule.field);
    return entries.filter((entry) =>
      valuesAtSegments(entry.person, segments).some((value) => scalarText(value) === id),
    );
  }
  const conditions = Object.entries(rule.where).map(([key, expected]) => ({
    key,
    segments: splitPath(key),
    expected: (Array.isArray(expected) ? expected : [expected]).map(normalize),
  }));
  return entries.filter((entry) =>
    conditions.every(({ key, segments, expected }) => {
      const actual = valuesAtSegments(entry.person, segments)
        .map(scalarText)
        .filter((v): v is string => v !== null);
      if (key === "title") return actual.some((title) => expected.some((part) => title.includes(part)));
      return actual.some((value) => expected.includes(value));
    }),
  );
}

/**
 * Every test membership rules make at one dotted path, so an entry's values there are read once for all
 * rules. A test is a condition id: `field` rules make one (equality with the rotation id), `where` rules
 * one per key.
 */
interface PathTests {
  segments: readonly string[];
  /** Normalized value → conditions satisfied by a value equal to it. */
  equals: Map<string, number[]>;
  /** `where.title` parts, each once, and the conditions satisfied by a value containing each. */
  parts: string[];
  partConditions: number[][];
  /**
   * The conditions each value met so far meets (`conditionsMetBy`), by the value as written: a roster
   * repeats a few values (titles, regions, rotation ids) in every entry, and each distinct one is then
   * normalized and tested once. Holds at most MAX_REMEMBERED values.
   */
  remembered: Map<unknown, readonly number[]>;
}

/** Distinct values remembered per path: past them (a path holding a different value per person), each is tested anew. */
export const MAX_REMEMBERED = 1024;

const NO_CONDITIONS: readonly number[] = [];

/** The conditions `value` meets at `tests`' path: those of an equal value, then of each part it contains. */
function conditionsMetBy(tests: PathTests, value: unknown): readonly number[] {
  const text = scalarText(value);
  if (text === null) return NO_CONDITIONS;
  const equal = tests.equals.get(text);
  let met: number[] | null = equal ? equal.slice() : null;
  for (let p = 0; p < tests.parts.length; p++) {
    if (text.includes(tests.parts[p] ?? "")) (met ??= []).push(...(tests.partConditions[p] ?? []));
  }
  return met ?? NO_CONDITIONS;
}

/** `conditionsMetBy`, remembered per distinct value (see `PathTests.remembered`). */
function rememberedConditionsMetBy(tests: PathTests, value: unknown): readonly number[] {
  const known = tests.remembered.get(value);
  if (known !== undefined) return known;
  const met = conditionsMetBy(tests, value);
  if (tests.remembered.size < MAX_REMEMBERED) tests.remembered.set(value, met);
  return met;
}

function addCondition(list: number[] | undefined, condition: number): number[] {
  if (!list) return [condition];
  // A rule listing the same value twice adds its condition twice in a row; once is enough.
  if (list[list.length - 1] !== condition) list.push(condition);
  return list;
}

/**
 * A set of roster positions per rotation (by position in the config's rotations), one bit per position:
 * asking whether a rotation holds someone costs no hash lookup and no allocation, and takes a few kilobytes
 * per rotation where a Set per rotation took an entry per person.
 */
export class RotationBits {
  private readonly words: number;
  private readonly bits: Uint32Array;

  constructor(rotations: number, positions: number) {
    this.words = Math.ceil(positions / 32);
    this.bits = new Uint32Array(rotations * this.words);
  }

  add(rotation: number, position: number): void {
    const word = rotation * this.words + (position >>> 5);
    this.bits[word] = (this.bits[word] ?? 0) | (1 << (position & 31));
  }

  has(rotation: number, position: number): boolean {
    return ((this.bits[rotation * this.words + (position >>> 5)] ?? 0) & (1 << (position & 31))) !== 0;
  }

  /** Whether any of `rotations` holds `position`. */
  hasAny(rotations: readonly number[], position: number): boolean {
    for (const rotation of rotations) if (this.has(rotation, position)) return true;
    return false;
  }
}

/**
 * Who each rotation expects, by the rotation's position in the config: a list of roster positions in
 * roster order, and the same as bits to ask of one person. Lists are typed arrays grown by doubling, not a
 * JS array per rotation: 113,000 positions at 100k people were 8 bytes each, pushed (copied at each
 * growth) and traced by every collection; here 4 bytes, outside the collected heap. A rotation whose id an
 * earlier one repeats shares the last one's members, as a map keyed by id would give them.
 */
export class RotationMembership {
  private readonly lists: Int32Array[];
  private readonly sizes: Int32Array;
  /** Each rotation's position among those with its id: the last's, whose members it reads. */
  private readonly canonical: Int32Array;
  private readonly bits: RotationBits;

  constructor(rotationIds: readonly string[], positions: number) {
    const lastById = new Map<string, number>();
    rotationIds.forEach((id, r) => lastById.set(id, r));
    this.canonical = Int32Array.from(rotationIds, (id) => lastById.get(id) ?? 0);
    this.lists = rotationIds.map(() => new Int32Array(16));
    this.sizes = new Int32Array(rotationIds.length);
    this.bits = new RotationBits(rotationIds.length, positions);
  }

  /** How many rotations there are. */
  get rotationCount(): number {
    return this.lists.length;
  }

  /** Adds `position` to rotation `rotation` (positions come in roster order, each once per rotation). */
  add(rotation: number, position: number): void {
    let list = this.lists[rotation] as Int32Array;
    const size = this.sizes[rotation] ?? 0;
    if (size === list.length) {
      const larger = new Int32Array(list.length * 2);
      larger.set(list);
      this.lists[rotation] = list = larger;
    }
    list[size] = position;
    this.sizes[rotation] = size + 1;
    this.bits.add(rotation, position);
  }

  /** Rotation `rotation`'s members: roster positions, each once, in roster order. A view: read, never written. */
  membersOf(rotation: number): Int32Array {
    const r = this.canonical[rotation] ?? rotation;
    return (this.lists[r] as Int32Array).subarray(0, this.sizes[r] ?? 0);
  }

  /** Whether rotation `rotation` expects the person at `position`. */
  has(rotation: number, position: number): boolean {
    return this.bits.has(this.canonical[rotation] ?? rotation, position);
  }

  /** Whether any of `rotations` expects the person at `position`. */
  hasAny(rotations: readonly number[], position: number): boolean {
    for (const rotation of rotations) if (this.has(rotation, position)) return true;
    return false;
  }
}

/**
 * The expected members of every rotation at once, by the rotation's position in `rotations` (a repeated id
 * gives the last such rotation's members), as positions in `entries`: each entry once, in roster order
 * (`where: {}` gives every position). Same rules and member order as `selectRotationMembers`, in one pass
 * over the roster: rules are grouped by the dotted path they read, each entry's values at each path are read once,
 * and each value is looked up in a map of the values rules test for there. A rule matches an entry once
 * every one of its conditions has been met by some value; the work per entry grows with the values it
 * holds and the conditions they meet, not with the number of rotations.
 */
export function selectMemberPositionsByRotation(
  entries: readonly { person: RosterPerson }[],
  rotations: readonly { id: string; members: MembershipRule }[],
): RotationMembership {
  const byPath = new Map<string, PathTests>();
  const testsAt = (dottedPath: string): PathTests => {
    const segments = splitPath(dottedPath);
    const key = segments.join(".");
    let tests = byPath.get(key);
    if (!tests) {
      tests = { segments, equals: new Map(), parts: [], partConditions: [], remembered: new Map() };
      byPath.set(key, tests);
    }
    return tests;
  };
  /** The rotation each condition belongs to, by condition id. */
  const conditionRotation: number[] = [];
  /** How many conditions each rotation has: all must be met. */
  const conditionCount: number[] = [];
  const membership = new RotationMembership(
    rotations.map((r) => r.id),
    entries.length,
  );

  rotations.forEach((rotation, r) => {
    const rule = rotation.members;
    if ("field" in rule) {
      conditionCount.push(1);
      const condition = conditionRotation.push(r) - 1;
      const { equals } = testsAt(rule.field);
      const id = normalize(rotation.id);
      equals.set(id, addCondition(equals.get(id), condition));
      return;
    }
    const keys = Object.entries(rule.where);
    conditionCount.push(keys.length);
    for (const [key, expected] of keys) {
      const condition = conditionRotation.push(r) - 1;
      const tests = testsAt(key);
      for (const raw of Array.isArray(expected) ? expected : [expected]) {
        const value = normalize(raw);
        if (key === "title") {
          const at = tests.parts.indexOf(value);
          if (at === -1) {
            tests.parts.push(value);
            tests.partConditions.push([condition]);
          } else {
            tests.partConditions[at] = addCondition(tests.partConditions[at], condition);
          }
        } else {
          tests.equals.set(value, addCondition(tests.equals.get(value), condition));
        }
      }
    }
  });

  const paths = [...byPath.values()];
  // Stamped with the entry's number (index + 1) instead of cleared per entry.
  const conditionMetBy = new Uint32Array(conditionRotation.length);
  const rotationSeenBy = new Uint32Array(rotations.length);
  const metCount = new Uint32Array(rotations.length);
  const values: unknown[] = [];
  const meet = (conditions: readonly number[], position: number, stamp: number): void => {
    for (let c = 0; c < conditions.length; c++) {
      const condition = conditions[c] ?? 0;
      if (conditionMetBy[condition] === stamp) continue;
      conditionMetBy[condition] = stamp;
      const r = conditionRotation[condition] ?? 0;
      if (rotationSeenBy[r] !== stamp) {
        rotationSeenBy[r] = stamp;
        metCount[r] = 0;
      }
      metCount[r] = (metCount[r] ?? 0) + 1;
      // Reached once per entry: each condition counts once per entry (stamped above).
      if (metCount[r] === conditionCount[r]) membership.add(r, position);
    }
  };
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as { person: RosterPerson };
    const stamp = i + 1;
    for (let t = 0; t < paths.length; t++) {
      const tests = paths[t] as PathTests;
      const count = collectValuesAt(entry.person, tests.segments, 0, values, 0);
      for (let v = 0; v < count; v++) {
        const met = rememberedConditionsMetBy(tests, values[v]);
        if (met.length > 0) meet(met, i, stamp);
      }
    }
  }

  // `where: {}` (which the config schema refuses) has no condition to meet: everyone matches.
  rotations.forEach((_, r) => {
    if (conditionCount[r] === 0) for (let i = 0; i < entries.length; i++) membership.add(r, i);
  });
  return membership;
}

/** Whether the audit skips this person: their title equals one of `exemptTitles`, ignoring case. */
export function isExempt(person: RosterPerson, exemptTitles: readonly string[]): boolean {
  return isExemptTitle(person.title, exemptTitles);
}

/** Whether `title` equals one of `exemptTitles`, ignoring case and surrounding spaces; false without a title. */
export function isExemptTitle(title: string | null | undefined, exemptTitles: readonly string[]): boolean {
  if (!title) return false;
  const normalized = normalize(title);
  return exemptTitles.some((exempt) => normalize(exempt) === normalized);
}

/**
 * What a roster must agree with in the config, prepared once per load: the rotation ids, the
 * `members.field` paths that list them, and the exempt titles (the top of the tree, which may report to
 * someone outside the roster).
 */
export interface RosterRules {
  /** Every `members.field` path the config uses, each once. */
  fields: readonly string[];
  exemptTitles: readonly string[];
  /** Whether a value at one of `fields` names a rotation of the config (ignoring case and spaces). */
  isKnownRotation(value: unknown): boolean;
  /** The configured rotation id a wrong value most likely meant, if one is close. */
  suggestRotation(value: string): string | null;
}

/** Suggestions computed per load at most; past that, none. Keeps a roster full of typos linear. */
const MAX_SUGGESTIONS = 50;

/**
 * `closestMatch` over fixed candidates, remembered per word and given up after MAX_SUGGESTIONS distinct
 * words: each look-up costs a few edit distances per candidate.
 */
export function createSuggester(candidates: readonly string[]): (word: string) => string | null {
  const seen = new Map<string, string | null>();
  return (word) => {
    const key = normalize(word);
    const known = seen.get(key);
    if (known !== undefined) return known;
    if (seen.size >= MAX_SUGGESTIONS) return null;
    const match = closestMatch(word.trim(), candidates);
    seen.set(key, match);
    return match;
  };
}

/** The rules `config` sets for its roster. */
export function rosterRulesOf(config: Pick<AuditConfig, "rotations" | "exempt">): RosterRules {
  const ids = config.rotations.map((r) => r.id);
  const known = new Set(ids.map(normalize));
  return {
    fields: [...new Set(config.rotations.flatMap((r) => ("field" in r.members ? [r.members.field] : [])))],
    exemptTitles: config.exempt.titles,
    isKnownRotation: (value) => {
      const text = scalarText(value);
      return text !== null && known.has(text);
    },
    suggestRotation: createSuggester(ids),
  };
}

/** A value at a dotted path, and the full path it sits at (`["pagerduty", "rotations", 1]`). */
export interface LocatedValue {
  value: unknown;
  path: PathSegment[];
}

/**
 * `getValuesAtPath` that also says where each value is, so an error can point at its line. It builds a
 * path per value, so membership selection (run per entry per rotation) keeps to `getValuesAtPath`.
 */
export function findValuesWithPaths(person: unknown, dottedPath: string): LocatedValue[] {
  let current: LocatedValue[] = [{ value: person, path: [] }];
  for (const segment of splitPath(dottedPath)) {
    const next: LocatedValue[] = [];
    for (const { value, path } of current) {
      if (Array.isArray(value)) {
        value.forEach((item: unknown, i) => {
          if (isPlainMapping(item) && Object.hasOwn(item, segment))
            next.push({ value: item[segment], path: [...path, i, segment] });
        });
      } else if (isPlainMapping(value) && Object.hasOwn(value, segment)) {
        next.push({ value: value[segment], path: [...path, segment] });
      }
    }
    if (next.length === 0) return next;
    current = next;
  }
  const values: LocatedValue[] = [];
  for (const { value, path } of current) {
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => {
        if (item !== null && item !== undefined) values.push({ value: item, path: [...path, i] });
      });
    } else if (value !== null && value !== undefined) {
      values.push({ value, path });
    }
  }
  return values;
}

/** A value in one person's membership lists that names no rotation of the config. */
export interface UnknownRotationValue {
  /** The config's `members.field` path the value was found at. */
  field: string;
  /** Where the value is inside the person (`["pagerduty", "rotations", 1]`). */
  path: PathSegment[];
  /** The value as written (non-text values as JSON). */
  rotationId: string;
  /** The configured rotation id it most likely meant, if one is close. */
  suggestion: string | null;
}

/**
 * Values at the config's `members.field` paths of one person (any value, validated or not) that name no
 * rotation of the config: usually a typo that would silently drop the person from a rotation.
 */
export function findUnknownRotationValues(person: unknown, rules: RosterRules): UnknownRotationValue[] {
  const found: UnknownRotationValue[] = [];
  for (const field of rules.fields) {
    for (const { value, path } of findValuesWithPaths(person, field)) {
      if (rules.isKnownRotation(value)) continue;
      const rotationId = typeof value === "string" ? value : JSON.stringify(value);
      const suggestion = typeof value === "string" ? rules.suggestRotation(value) : null;
      found.push({ field, path, rotationId, suggestion });
    }
  }
  return found;
}

/** `rotation "amer-wset" is not defined in the audit config (did you mean "amer-west"?)`. */
export function unknownRotationMessage(rotationId: string, suggestion: string | null): string {
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
  return `rotation "${rotationId}" is not defined in the audit config${hint}`;
}
