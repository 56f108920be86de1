import { describeIssues } from "@/lib/config/issues";
import {
  describeValue,
  isPlainMapping,
  parseYaml,
  sortDetails,
  type PathSegment,
  type YamlDocument,
  type YamlSubject,
} from "@/lib/config/yaml";
import { AppError, type ErrorDetail } from "@/lib/errors";
import { RosterPersonSchema, type Roster, type RosterEntry } from "./schema";

/** Largest roster file read (bytes). The loader checks it before reading; the parsers check the text. */
export const MAX_ROSTER_FILE_BYTES = 5 * 1024 * 1024;

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

/** The error every roster problem ends in: one summary line, then every detail found, in file order. */
export function rosterError(details: ErrorDetail[], cause?: unknown): AppError {
  const files = new Set(details.map((d) => d.file).filter(Boolean));
  const where = files.size === 1 ? ` in ${[...files][0]}` : files.size > 1 ? ` in ${files.size} files` : "";
  const count = details.length === 1 ? "1 problem" : `${details.length} problems`;
  return new AppError("invalid:roster", `The roster has ${count}${where}.`, {
    details: sortDetails(details),
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

/** An email as written by one entry, valid or not, for the duplicate check. */
export interface EmailClaim {
  email: string;
  file: string;
  /** Entry label: the name, `#<index>`, or absent for a one-person file without a usable name. */
  entry?: string;
  line?: number;
  column?: number;
}

/** One entry checked: the entry when valid, its problems otherwise, and the email it claims either way. */
export interface RosterPersonCheck {
  entry: RosterEntry | null;
  details: ErrorDetail[];
  claim: EmailClaim | null;
}

function checkPerson(
  item: unknown,
  doc: YamlDocument,
  file: string,
  base: PathSegment[],
  index: number | null,
): RosterPersonCheck {
  const entry = entryLabel(item, index);
  const labelled = entry === undefined ? {} : { entry };
  const position = doc.locate(base);
  if (!isPlainMapping(item)) {
    const message = `expected a person (a mapping with at least name and email), got ${describeValue(item)}`;
    return { entry: null, details: [{ file, ...labelled, ...position, message }], claim: null };
  }
  const claim =
    typeof item.email === "string" && item.email.trim() !== ""
      ? { email: item.email.trim(), file, ...labelled, ...doc.locate([...base, "email"]) }
      : null;
  const result = RosterPersonSchema.safeParse(item, { reportInput: true });
  if (!result.success) {
    const context = { file, doc, base, schema: RosterPersonSchema, ...labelled };
    return { entry: null, details: describeIssues(result.error.issues, context), claim };
  }
  const rosterEntry = { person: result.data, location: { file, index, line: position.line } };
  return { entry: rosterEntry, details: [], claim };
}

/**
 * Parses a roster file whose top level is a list of people (`support-team.yaml`). Returns the entries in
 * file order; throws AppError `invalid:roster` listing every problem in the file: YAML syntax, a top level
 * that is not a list, entries that are not people, schema violations and emails used twice.
 */
export function parseRosterList(text: string, file: string): RosterEntry[] {
  checkTextSize(text, file);
  const doc = parseYaml(text, file, LIST_SUBJECT);
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
  const entries: RosterEntry[] = [];
  const details: ErrorDetail[] = [];
  const claims: EmailClaim[] = [];
  doc.value.forEach((item: unknown, index) => {
    const checked = checkPerson(item, doc, file, [index], index);
    if (checked.entry) entries.push(checked.entry);
    if (checked.claim) claims.push(checked.claim);
    details.push(...checked.details);
  });
  details.push(...findDuplicateEmails(claims));
  if (details.length > 0) throw rosterError(details);
  return entries;
}

/**
 * Checks one person's file (GitLab's `data/agents/<name>.yaml` layout) without throwing, so a directory
 * loader can report every file's problems and check emails across files, broken entries included.
 */
export function checkRosterPerson(text: string, file: string): RosterPersonCheck {
  try {
    checkTextSize(text, file);
    const doc = parseYaml(text, file, PERSON_SUBJECT);
    const wrongShape = Array.isArray(doc.value)
      ? "expected one person (a mapping), got a list; a roster directory holds one person per file — to use a list of people, set roster.path to this file"
      : !isPlainMapping(doc.value)
        ? `expected one person (a mapping), got ${describeValue(doc.value)}`
        : null;
    if (wrongShape)
      return { entry: null, details: [{ file, ...doc.locate([]), message: wrongShape }], claim: null };
    return checkPerson(doc.value, doc, file, [], null);
  } catch (error) {
    if (error instanceof AppError && error.code === "invalid:roster") {
      return { entry: null, details: error.details, claim: null };
    }
    throw error;
  }
}

/** Parses one person's file; throws AppError `invalid:roster` listing every problem in it. */
export function parseRosterPerson(text: string, file: string): RosterEntry {
  const checked = checkRosterPerson(text, file);
  if (!checked.entry) throw rosterError(checked.details);
  return checked.entry;
}

/**
 * Emails claimed by more than one entry (compared trimmed and case-insensitively). One detail per later
 * claim, naming the first entry that uses the address and where it is.
 */
export function findDuplicateEmails(claims: readonly EmailClaim[]): ErrorDetail[] {
  const firstByEmail = new Map<string, EmailClaim>();
  const details: ErrorDetail[] = [];
  for (const claim of claims) {
    const key = claim.email.trim().toLowerCase();
    const first = firstByEmail.get(key);
    if (!first) {
      firstByEmail.set(key, claim);
      continue;
    }
    const firstWhere = [first.file, first.line].filter((p) => p !== undefined).join(":");
    const firstName = first.entry === undefined ? "" : `${first.entry} `;
    details.push({
      file: claim.file,
      ...(claim.entry === undefined ? {} : { entry: claim.entry }),
      path: "email",
      ...(claim.line === undefined ? {} : { line: claim.line, column: claim.column }),
      message: `email ${claim.email} is also used by ${firstName}(${firstWhere}); each person needs their own address`,
    });
  }
  return details;
}

/** The claims of parsed entries, for checks across files. */
export function emailClaims(entries: readonly RosterEntry[]): EmailClaim[] {
  return entries.map(({ person, location }) => ({
    email: person.email,
    file: location.file,
    entry: person.name,
    ...(location.line === null ? {} : { line: location.line }),
  }));
}

/**
 * Assembles a roster after the checks that span entries (today: duplicate emails, which may sit in two
 * files of a directory roster). Throws AppError `invalid:roster` naming both entries of each clash.
 */
export function buildRoster(source: string, entries: RosterEntry[], sha256: string): Roster {
  const details = findDuplicateEmails(emailClaims(entries));
  if (details.length > 0) throw rosterError(details);
  return { source, entries, sha256 };
}
