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

/** `getValuesAtPath` with the path split once; written with plain loops, as it runs per entry per rotation. */
function valuesAtSegments(person: unknown, segments: readonly string[]): unknown[] {
  let current: unknown[] = [person];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value)) {
        for (const item of value)
          if (isPlainMapping(item) && Object.hasOwn(item, segment)) next.push(item[segment]);
      } else if (isPlainMapping(value) && Object.hasOwn(value, segment)) {
        next.push(value[segment]);
      }
    }
    if (next.length === 0) return next;
    current = next;
  }
  const values: unknown[] = [];
  for (const value of current) {
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && item !== undefined) values.push(item);
    } else if (value !== null && value !== undefined) {
      values.push(value);
    }
  }
  return values;
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
 * The expected members of every rotation at once, keyed by rotation id. Same rules as
 * `selectRotationMembers`, but rotations sharing a `field` path are answered in one pass over the roster
 * (entries bucketed by the ids they list), which keeps large rosters with many rotations linear.
 */
export function selectMembersByRotation<T extends { person: RosterPerson }>(
  entries: readonly T[],
  rotations: readonly { id: string; members: MembershipRule }[],
): Map<string, Set<T>> {
  const result = new Map<string, Set<T>>();
  const byField = new Map<string, Map<string, T[]>>();
  for (const rotation of rotations) {
    const rule = rotation.members;
    if (!("field" in rule)) {
      result.set(rotation.id, new Set(selectRotationMembers(entries, rule, rotation.id)));
      continue;
    }
    let buckets = byField.get(rule.field);
    if (!buckets) {
      buckets = new Map();
      const segments = splitPath(rule.field);
      for (const entry of entries) {
        const seen = new Set<string>();
        for (const value of valuesAtSegments(entry.person, segments)) {
          const text = scalarText(value);
          if (text === null || seen.has(text)) continue;
          seen.add(text);
          const bucket = buckets.get(text);
          if (bucket) bucket.push(entry);
          else buckets.set(text, [entry]);
        }
      }
      byField.set(rule.field, buckets);
    }
    result.set(rotation.id, new Set(buckets.get(normalize(rotation.id)) ?? []));
  }
  return result;
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
