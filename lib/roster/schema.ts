import * as z from "zod";

/** Regions used by the support roster. Others are accepted (kept as written) so a new region never blocks an audit. */
export const KNOWN_REGIONS = ["AMER-W", "AMER-C", "AMER-E", "APAC", "EMEA"] as const;

/**
 * `''`, text of spaces and `null` in an optional field mean the field is absent: people (and Ruby tools)
 * blank a value rather than delete the key, and an empty ID or name must read as "none", not as one.
 */
const blankAsAbsent = (value: unknown): unknown =>
  value === null || (typeof value === "string" && value.trim() === "") ? undefined : value;

/**
 * Text as the roster reads it: trimmed. Anything else but text is given back as it is, for the schema to
 * refuse; `pagerDutyRefsOf` reads fields of unvalidated entries with it (and `readOptionalText`), so both
 * read them alike.
 */
export function readText(value: unknown): unknown {
  return typeof value === "string" ? value.trim() : value;
}

/** An optional text field as the roster reads it: `readText`, and blank (see `blankAsAbsent`) is absent. */
export function readOptionalText(value: unknown): unknown {
  return readText(blankAsAbsent(value));
}

// `nullish` keeps the type people and tests write; the value is never null after parsing.
const optionalText = z.preprocess(readOptionalText, z.string().nullish());

/**
 * One person of the support roster, as written in `support-team.yaml` or in one `data/agents/*.yaml` file.
 * Unknown fields are kept (`looseObject`): rosters carry many fields the audit does not read, and
 * `members.field` in the config may point at any of them.
 */
export const RosterPersonSchema = z.looseObject({
  name: z.string().trim().min(1, "name must not be empty"),
  email: z.preprocess(
    readText,
    z
      .string()
      .min(3, "email must not be empty")
      .regex(/^[^\s@]+@[^\s@]+$/, "email is not an address"),
  ),
  title: optionalText,
  reports_to: optionalText,
  region: optionalText,
  pagerduty: z.looseObject({ id: optionalText }).nullish(),
  gitlab: z
    .looseObject({
      id: z.union([z.number().int(), z.string()], { error: "expected a number or text" }).nullish(),
      username: optionalText,
    })
    .nullish(),
  slack: z.looseObject({ id: optionalText, username: optionalText }).nullish(),
  focuses: z.array(z.looseObject({ name: z.string(), percentage: z.number().nullish() })).nullish(),
  tzdata_timezone: optionalText,
  start_date: z.preprocess(
    blankAsAbsent,
    z.union([z.string(), z.number()], { error: "expected a date such as 2021-03-01" }).nullish(),
  ),
});

export type RosterPerson = z.infer<typeof RosterPersonSchema>;

/** Names compare ignoring case and runs of spaces: `reports_to` is typed by hand. */
export function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, " ").toLowerCase();
}

/** GitLab usernames compare as GitLab does: ignoring case, and a leading `@` as people write them. */
export function normalizeUsername(username: string | null | undefined): string {
  return username?.trim().replace(/^@/, "").toLowerCase() ?? "";
}

/** Where a roster entry came from, so every error and finding can point back at it. */
export interface RosterLocation {
  /** File path (or `gitlab:project@ref:path`) the entry was read from. */
  file: string;
  /** Zero-based index in a list file; null for one-file-per-person layouts. */
  index: number | null;
  /** 1-based line of the entry's start, when known. */
  line: number | null;
}

export interface RosterEntry {
  person: RosterPerson;
  location: RosterLocation;
}

/**
 * Something in the roster that was read but should be tidied by its owners (today: a quoted value whose
 * continuation lines are not indented). Where it is, as in an error's details.
 */
export interface RosterWarning {
  file: string;
  /** The entry's name, or `#<index>` in a list without a usable name. */
  entry?: string;
  /** Dotted path inside the entry, e.g. `story`. */
  path?: string;
  line: number;
  column: number;
  message: string;
}

/** A parsed, validated roster: entries in source order, and a digest of the raw input for provenance. */
export interface Roster {
  source: string;
  entries: RosterEntry[];
  /** In file order; absent on rosters built without reading files (tests, scenarios). */
  warnings?: RosterWarning[];
  /**
   * sha256 (hex) of the raw bytes read; lets a stored run say which roster it saw. For one file it is the
   * file's own digest (what `sha256sum` prints); for a directory, of each file's name, length and bytes in
   * name order.
   */
  sha256: string;
}
