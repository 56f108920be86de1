import { describeIssues } from "@/lib/config/issues";
import {
  describeFirstProblem,
  describeValue,
  formatPath,
  isPlainMapping,
  parseYaml,
  sortDetails,
  type PathSegment,
  type SourcePosition,
  type YamlDocument,
  type YamlSubject,
} from "@/lib/config/yaml";
import { AppError, type ErrorDetail } from "@/lib/errors";
import {
  createSuggester,
  findUnknownRotationValues,
  isExemptTitle,
  unknownRotationMessage,
  type RosterRules,
} from "./membership";
import { personKeyOfEmail } from "./person-key";
import {
  RosterPersonSchema,
  normalizeName,
  normalizeUsername,
  type Roster,
  type RosterEntry,
  type RosterWarning,
} from "./schema";

/** Largest roster file read (bytes). The loader checks it before reading; the parsers check the text. */
export const MAX_ROSTER_FILE_BYTES = 5 * 1024 * 1024;

/** Rosters are also kept by Ruby tooling, whose YAML (libyaml) reads what stricter parsers refuse. */
const PARSE_OPTIONS = { lenientQuotes: true } as const;

const LIST_SUBJECT: YamlSubject = {
  code: "invalid:roster",
  label: "roster file",
  expected: "a list of people",
};
const PERSON_SUBJECT: YamlSubject = {
  code: "invalid:roster",
  label: "roster file",
  expected: "one person (a mapping with name and email)",
};

/**
 * The error every roster problem ends in: one summary line, then every detail found, in file order. The
 * summary says where the first problem is, as it is often the only line shown (a failed run keeps it).
 */
export function rosterError(details: ErrorDetail[], cause?: unknown): AppError {
  const sorted = sortDetails(details);
  const files = new Set(details.map((d) => d.file).filter(Boolean));
  const where = files.size === 1 ? ` in ${[...files][0]}` : files.size > 1 ? ` in ${files.size} files` : "";
  const count = details.length === 1 ? "1 problem" : `${details.length} problems`;
  const first = describeFirstProblem(sorted, files.size > 1);
  return new AppError("invalid:roster", `The roster has ${count}${where}${first}.`, {
    details: sorted,
    cause,
  });
}

/** Throws when the text alone is already over the cap (a UTF-8 file is never shorter than its text). */
function checkTextSize(text: string, file: string): void {
  if (text.length > MAX_ROSTER_FILE_BYTES) {
    throw rosterError([
      {
        file,
        message: `the file is larger than the ${MAX_ROSTER_FILE_BYTES / 1024 / 1024} MiB a roster file may be`,
      },
    ]);
  }
}

/** Label used in errors: the person's name when the entry has a usable one, else `#<zero-based index>`. */
function entryLabel(item: unknown, index: number | null): string | undefined {
  if (isPlainMapping(item) && typeof item.name === "string" && item.name.trim() !== "")
    return item.name.trim();
  return index === null ? undefined : `#${index}`;
}

/** A value that must be one person's alone (an email, a name, a GitLab username), as one entry wrote it. */
export interface IdentityClaim {
  value: string;
  file: string;
  /** Entry label: the name, `#<index>`, or absent for a one-person file without a usable name. */
  entry?: string;
  line?: number;
  column?: number;
}

/** A `reports_to` as written by one entry, for the check that the manager is in the roster. */
export interface ManagerClaim {
  /** The manager's name as written. */
  reportsTo: string;
  /** The title of the entry that wrote it: an exempt title may report to someone outside the roster. */
  title: string | null;
  file: string;
  entry?: string;
  line?: number;
  column?: number;
}

/** What identifies one entry's person, each as written; null where the entry has none. */
export interface IdentityClaims {
  email: IdentityClaim | null;
  name: IdentityClaim | null;
  gitlabUsername: IdentityClaim | null;
}

/**
 * One entry checked: the entry when valid, its problems otherwise, and what it claims either way (its
 * email, name and GitLab username, its manager) for the checks across entries.
 */
export interface RosterPersonCheck {
  entry: RosterEntry | null;
  details: ErrorDetail[];
  claims: IdentityClaims | null;
  /** The entry's name when it has a usable one; null when the entry could not be read as a person. */
  name: string | null;
  manager: ManagerClaim | null;
  /** What was read but should be tidied, in file order. */
  warnings: readonly RosterWarning[];
}

const UNREADABLE = { entry: null, claims: null, name: null, manager: null, warnings: [] } as const;

/**
 * The document's warnings as roster warnings: the entry they are in (by its label) and the path inside it.
 * `entryOf` gives the entry's label and how many leading path segments locate it.
 */
function rosterWarnings(
  doc: YamlDocument,
  file: string,
  entryOf: (path: readonly PathSegment[]) => { entry?: string; depth: number },
): RosterWarning[] {
  return doc.warnings.map(({ line, column, path, message }) => {
    const { entry, depth } = path === null ? { depth: 0 } : entryOf(path);
    const inner = path === null ? "" : formatPath(path.slice(depth));
    return {
      file,
      ...(entry === undefined ? {} : { entry }),
      ...(inner === "" ? {} : { path: inner }),
      line,
      column,
      message,
    };
  });
}

/**
 * `claim` with the line and column of the value at `path`, looked up when first read: a claim is shown only
 * when it clashes with another, and a large roster makes thousands.
 */
function locatedWhenRead<T extends object>(
  claim: T,
  doc: YamlDocument,
  path: readonly PathSegment[],
): T & SourcePosition {
  let position: SourcePosition | undefined;
  const at = () => (position ??= doc.locate(path));
  return Object.defineProperties(claim, {
    line: { get: () => at().line, enumerable: true },
    column: { get: () => at().column, enumerable: true },
  }) as T & SourcePosition;
}

function checkPerson(
  item: unknown,
  doc: YamlDocument,
  file: string,
  base: PathSegment[],
  index: number | null,
  rules: RosterRules | null,
): RosterPersonCheck {
  const entry = entryLabel(item, index);
  const labelled = entry === undefined ? {} : { entry };
  const position = doc.locate(base);
  if (!isPlainMapping(item)) {
    const message = `expected a person (a mapping with at least name and email), got ${describeValue(item)}`;
    return { ...UNREADABLE, details: [{ file, ...labelled, ...position, message }] };
  }
  const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);
  const claimAt = (value: string | null, path: PathSegment[]): IdentityClaim | null =>
    value === null ? null : locatedWhenRead({ value, file, ...labelled }, doc, [...base, ...path]);
  const gitlab = isPlainMapping(item.gitlab) ? item.gitlab : {};
  const claims: IdentityClaims = {
    email: claimAt(text(item.email), ["email"]),
    name: claimAt(text(item.name), ["name"]),
    gitlabUsername: claimAt(text(gitlab.username), ["gitlab", "username"]),
  };
  const reportsTo = text(item.reports_to);
  const manager =
    reportsTo === null
      ? null
      : locatedWhenRead({ reportsTo, title: text(item.title), file, ...labelled }, doc, [
          ...base,
          "reports_to",
        ]);
  const name = text(item.name);
  const details: ErrorDetail[] = [];
  const result = RosterPersonSchema.safeParse(item, { reportInput: true });
  if (!result.success) {
    const context = { file, doc, base, schema: RosterPersonSchema, ...labelled };
    details.push(...describeIssues(result.error.issues, context));
  }
  if (rules) {
    for (const unknown of findUnknownRotationValues(item, rules)) {
      details.push({
        file,
        ...labelled,
        path: formatPath(unknown.path),
        ...doc.locate([...base, ...unknown.path]),
        message: unknownRotationMessage(unknown.rotationId, unknown.suggestion),
      });
    }
  }
  const rosterEntry =
    result.success && details.length === 0
      ? { person: result.data, location: { file, index, line: position.line } }
      : null;
  return { entry: rosterEntry, details, claims, name, manager, warnings: [] };
}

/**
 * Parses a roster file whose top level is a list of people (`support-team.yaml`). Returns the entries in
 * file order; throws AppError `invalid:roster` listing every problem in the file: YAML syntax, a top level
 * that is not a list, entries that are not people, schema violations and emails used twice. With `rules`
 * (from the config) also rotation ids the config does not define and managers (`reports_to`) who are not
 * in the roster.
 */
export function parseRosterList(text: string, file: string, rules: RosterRules | null = null): RosterEntry[] {
  return readRosterList(text, file, rules).entries;
}

/**
 * `parseRosterList` that also returns the file's warnings (file order), for the loader to pass on.
 * `onParsed` is given the list's entries as parsed, before any is checked (see `RosterReadHooks`).
 */
export function readRosterList(
  text: string,
  file: string,
  rules: RosterRules | null = null,
  onParsed?: (people: readonly unknown[]) => void,
): { entries: RosterEntry[]; warnings: RosterWarning[] } {
  checkTextSize(text, file);
  const doc = parseYaml(text, file, LIST_SUBJECT, PARSE_OPTIONS);
  if (!Array.isArray(doc.value)) {
    const hint = isPlainMapping(doc.value)
      ? "; each person starts with `- name: …` (a directory holds one person per file instead)"
      : "";
    throw rosterError([
      {
        file,
        ...doc.locate([]),
        message: `expected a list of people, got ${describeValue(doc.value)}${hint}`,
      },
    ]);
  }
  if (doc.value.length === 0) {
    throw rosterError([{ file, ...doc.locate([]), message: "the list of people is empty" }]);
  }
  const items: unknown[] = doc.value;
  onParsed?.(items);
  const checks = items.map((item, index) => checkPerson(item, doc, file, [index], index, rules));
  const details = crossCheckPeople(checks, rules);
  if (details.length > 0) throw rosterError(details);
  const warnings = rosterWarnings(doc, file, (path) => {
    const [index] = path;
    const entry = typeof index === "number" ? entryLabel(items[index], index) : undefined;
    return entry === undefined ? { depth: 0 } : { entry, depth: 1 };
  });
  return { entries: checks.flatMap((checked) => (checked.entry ? [checked.entry] : [])), warnings };
}

/**
 * Every problem of a roster's checked entries: each entry's own, then the checks across entries
 * (an email, name or GitLab username used twice; with `rules`, managers missing from the roster).
 */
export function crossCheckPeople(
  checks: readonly RosterPersonCheck[],
  rules: RosterRules | null,
): ErrorDetail[] {
  const details = checks.flatMap((checked) => checked.details);
  details.push(
    ...findDuplicateIdentities(checks.flatMap((checked) => (checked.claims ? [checked.claims] : []))),
  );
  // An entry that could not be read may be the manager others name; checking would blame its reports.
  if (rules && checks.every((checked) => checked.name !== null)) {
    const names = checks.flatMap((checked) => (checked.name === null ? [] : [checked.name]));
    const managers = checks.flatMap((checked) => (checked.manager ? [checked.manager] : []));
    details.push(...findUnknownManagers(managers, names, rules.exemptTitles));
  }
  return details;
}

/**
 * Checks one person's file (GitLab's `data/agents/<name>.yaml` layout) without throwing, so a directory
 * loader can report every file's problems and check emails across files, broken entries included.
 */
export function checkRosterPerson(
  text: string,
  file: string,
  rules: RosterRules | null = null,
): RosterPersonCheck {
  try {
    checkTextSize(text, file);
    const doc = parseYaml(text, file, PERSON_SUBJECT, PARSE_OPTIONS);
    const wrongShape = Array.isArray(doc.value)
      ? "expected one person (a mapping), got a list; a roster directory holds one person per file — to use a list of people, set roster.path to this file"
      : !isPlainMapping(doc.value)
        ? `expected one person (a mapping), got ${describeValue(doc.value)}`
        : null;
    if (wrongShape) return { ...UNREADABLE, details: [{ file, ...doc.locate([]), message: wrongShape }] };
    const entry = entryLabel(doc.value, null);
    const warnings = rosterWarnings(doc, file, () =>
      entry === undefined ? { depth: 0 } : { entry, depth: 0 },
    );
    return { ...checkPerson(doc.value, doc, file, [], null, rules), warnings };
  } catch (error) {
    if (error instanceof AppError && error.code === "invalid:roster") {
      return { ...UNREADABLE, details: error.details };
    }
    throw error;
  }
}

/** Parses one person's file; throws AppError `invalid:roster` listing every problem in it. */
export function parseRosterPerson(text: string, file: string, rules: RosterRules | null = null): RosterEntry {
  const checked = checkRosterPerson(text, file, rules);
  if (!checked.entry) throw rosterError(checked.details);
  return checked.entry;
}

/** What makes a claim the same as another, and what is said of the later one. */
const IDENTITY_FIELDS = [
  {
    field: "email",
    path: "email",
    normalize: personKeyOfEmail,
    describe: (value: string) => `email ${value}`,
    why: "each person needs their own address",
  },
  {
    field: "name",
    path: "name",
    normalize: normalizeName,
    describe: (value: string) => `name "${value}"`,
    why: "names must differ by more than case and spacing, as reports_to names people by name",
  },
  {
    field: "gitlabUsername",
    path: "gitlab.username",
    normalize: normalizeUsername,
    describe: (value: string) => `gitlab.username ${value}`,
    why: "each person signs in with their own GitLab account",
  },
] as const satisfies readonly {
  field: keyof IdentityClaims;
  path: string;
  normalize: (value: string) => string;
  describe: (value: string) => string;
  why: string;
}[];

/**
 * Emails, names and GitLab usernames claimed by more than one entry: emails compared trimmed and ignoring
 * case, names ignoring case and runs of spaces (as `reports_to` is read), usernames ignoring case and a
 * leading `@` (as GitLab does). One detail per later claim, naming the first entry that uses the value and
 * where it is. Sign-in, roles and managers all pick a person by these; two people sharing one would let
 * one of them act as the other.
 */
export function findDuplicateIdentities(claims: readonly IdentityClaims[]): ErrorDetail[] {
  return IDENTITY_FIELDS.flatMap(({ field, path, normalize, describe, why }) => {
    const first = new Map<string, IdentityClaim>();
    const details: ErrorDetail[] = [];
    for (const claim of claims.flatMap((c) => (c[field] ? [c[field]] : []))) {
      const key = normalize(claim.value);
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, claim);
        continue;
      }
      const earlierWhere = [earlier.file, earlier.line].filter((p) => p !== undefined).join(":");
      const earlierName = earlier.entry === undefined ? "" : `${earlier.entry} `;
      details.push({
        file: claim.file,
        ...(claim.entry === undefined ? {} : { entry: claim.entry }),
        path,
        ...(claim.line === undefined ? {} : { line: claim.line, column: claim.column }),
        message: `${describe(claim.value)} is also used by ${earlierName}(${earlierWhere}); ${why}`,
      });
    }
    return details;
  });
}

/**
 * Managers (`reports_to`) that are nobody in the roster: a typo, or a manager who left, either of which
 * takes the reports' items away from anyone who can act on them. Names compare ignoring case and runs of
 * spaces, as sign-in does. An entry whose title is exempt (the VP of Support, the top of the tree) may
 * report to someone outside the roster; an entry without `reports_to` names nobody and is fine.
 */
export function findUnknownManagers(
  claims: readonly ManagerClaim[],
  names: readonly string[],
  exemptTitles: readonly string[],
): ErrorDetail[] {
  const known = new Set(names.map(normalizeName));
  const suggest = createSuggester(names);
  const exempt =
    exemptTitles.length > 0
      ? `; only an exempt title (${exemptTitles.join(", ")}) may report to someone outside the roster`
      : "";
  return claims.flatMap((claim) => {
    if (known.has(normalizeName(claim.reportsTo)) || isExemptTitle(claim.title, exemptTitles)) return [];
    const suggestion = suggest(claim.reportsTo);
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
    return [
      {
        file: claim.file,
        ...(claim.entry === undefined ? {} : { entry: claim.entry }),
        path: "reports_to",
        ...(claim.line === undefined ? {} : { line: claim.line, column: claim.column }),
        message: `manager "${claim.reportsTo}" is not in the roster${hint}${exempt}`,
      },
    ];
  });
}

/** The claims of parsed entries, for checks across files. */
export function identityClaims(entries: readonly RosterEntry[]): IdentityClaims[] {
  return entries.map(({ person, location }) => {
    const at = (value: string | null | undefined): IdentityClaim | null =>
      value == null
        ? null
        : {
            value,
            file: location.file,
            entry: person.name,
            ...(location.line === null ? {} : { line: location.line }),
          };
    return { email: at(person.email), name: at(person.name), gitlabUsername: at(person.gitlab?.username) };
  });
}

/**
 * Assembles a roster after the checks that span entries (an email, name or GitLab username used twice,
 * which may sit in two files of a directory roster). Throws AppError `invalid:roster` naming both entries
 * of each clash.
 */
export function buildRoster(
  source: string,
  entries: RosterEntry[],
  sha256: string,
  warnings: RosterWarning[] = [],
): Roster {
  const details = findDuplicateIdentities(identityClaims(entries));
  if (details.length > 0) throw rosterError(details);
  return { source, entries, sha256, warnings };
}
