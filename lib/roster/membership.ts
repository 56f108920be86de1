import { closestMatch } from "@/lib/config/issues";
import type { AuditConfig, MembershipRule } from "@/lib/config/schema";
import { isPlainMapping } from "@/lib/config/yaml";
import type { ErrorDetail } from "@/lib/errors";
import type { RosterEntry, RosterPerson } from "./schema";

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
  if (!person.title) return false;
  const title = normalize(person.title);
  return exemptTitles.some((exempt) => normalize(exempt) === title);
}

export interface UnknownRotationReference {
  entry: RosterEntry;
  /** The config's `members.field` path the value was found at. */
  field: string;
  /** The value as written in the roster. */
  rotationId: string;
  /** The configured rotation id it most likely meant, if one is close. */
  suggestion: string | null;
  /** One line for a person: `support-team.yaml:12: Alice Smith › pagerduty.rotations: rotation "…" …`. */
  message: string;
}

/**
 * Values in the roster's membership lists (every `members.field` the config uses) that name no rotation
 * of the config: usually a typo that would silently drop someone from a rotation. Returns data; the
 * caller decides whether it is an error or a warning (see `describeUnknownRotationIds`).
 */
export function findUnknownRotationIds(
  entries: readonly RosterEntry[],
  config: Pick<AuditConfig, "rotations">,
): UnknownRotationReference[] {
  const ids = config.rotations.map((r) => r.id);
  const known = new Set(ids.map(normalize));
  const fields = [
    ...new Set(config.rotations.flatMap((r) => ("field" in r.members ? [r.members.field] : []))),
  ];
  const found: UnknownRotationReference[] = [];
  for (const entry of entries) {
    for (const field of fields) {
      for (const value of getValuesAtPath(entry.person, field)) {
        const text = scalarText(value);
        if (text !== null && known.has(text)) continue;
        const rotationId = typeof value === "string" ? value : JSON.stringify(value);
        const suggestion = closestMatch(rotationId.trim(), ids);
        const where = [entry.location.file, entry.location.line].filter((p) => p !== null).join(":");
        const problem = unknownRotationMessage(rotationId, suggestion);
        const message = `${where}: ${entry.person.name} › ${field}: ${problem}`;
        found.push({ entry, field, rotationId, suggestion, message });
      }
    }
  }
  return found;
}

/** Details for `findUnknownRotationIds` results, pointing at each entry. */
export function describeUnknownRotationIds(references: readonly UnknownRotationReference[]): ErrorDetail[] {
  return references.map(({ entry, field, rotationId, suggestion }) => ({
    file: entry.location.file,
    entry: entry.person.name,
    path: field,
    ...(entry.location.line === null ? {} : { line: entry.location.line }),
    message: unknownRotationMessage(rotationId, suggestion),
  }));
}

function unknownRotationMessage(rotationId: string, suggestion: string | null): string {
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
  return `rotation "${rotationId}" is not defined in the audit config${hint}`;
}
