/**
 * Who may do what, derived from the roster alone. Pure: no IO, no next-auth, safe to import anywhere
 * (the UI uses `can` to hide buttons; the server uses it to refuse requests).
 */
import * as z from "zod";
import { AppError } from "@/lib/errors";
import { personKeyOf, personKeyOfEmail } from "@/lib/roster/person-key";
import { normalizeName, normalizeUsername, type RosterPerson } from "@/lib/roster/schema";
import { CHASE_PERMISSIONS, CHASE_STEPS, type ChasePermission } from "@/lib/workflow/chase";

export const ROLES = ["ops_manager", "ops", "manager", "member"] as const;
export type Role = (typeof ROLES)[number];

/**
 * `item:resolve` covers marking intentional and waiving; nobody holds it for their own finding.
 * `item:resolve_own` is the Support Operations Manager's override on their own finding only (recorded as
 * one). `item:reopen` puts a resolved item back into the chase, one's own included: it hides nothing.
 */
export const PERMISSIONS = [
  "audit:run",
  "audit:open",
  "audit:export",
  "audit:sign_off",
  "audit:send_back",
  "audit:autopilot",
  ...CHASE_PERMISSIONS,
  "item:resolve",
  "item:resolve_own",
  "item:reopen",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions that act on one person's audit item; a manager holds them for their reports' items only. */
export const ITEM_PERMISSIONS: readonly Permission[] = [
  ...CHASE_PERMISSIONS,
  "item:resolve",
  "item:resolve_own",
  "item:reopen",
];

/** Permissions kept for the Support Operations Manager: approving the audit, or sending it back. */
export const SIGN_OFF_PERMISSIONS: readonly Permission[] = ["audit:sign_off", "audit:send_back"];

/** The signed-in person as the server and the pages see them. Name and email are the roster's. */
export interface SessionUser {
  name: string;
  email: string;
  /** GitLab username without the `@`, when the roster or the sign-in knows it. */
  gitlabUsername: string | null;
  role: Role;
  /** Stable identity of the person: their person key (lib/roster/person-key.ts), as the checker's. */
  personKey: string;
}

export const SessionUserSchema = z.object({
  name: z.string().min(1),
  email: z.string().min(1),
  gitlabUsername: z.string().min(1).nullable(),
  role: z.enum(ROLES),
  personKey: z.string().min(1),
}) satisfies z.ZodType<SessionUser>;

/** A SessionUser from untrusted data (a decoded token, a session object); null when it is not one. */
export function parseSessionUser(value: unknown): SessionUser | null {
  const result = SessionUserSchema.safeParse(value);
  return result.success ? result.data : null;
}

/** What a permission is checked against, for item permissions. */
export interface PermissionTarget {
  /** `personKey` of the person the item belongs to. */
  personKey?: string;
  /** Person keys of that person's managers, nearest first (`managerChainOf`). */
  managerChain?: readonly string[];
}

const OPS_MANAGER_TITLE = "support operations manager";
const OPS_TITLE = "support operations";

/**
 * The person key of the manager a person's `reports_to` names (names compare ignoring case and runs of
 * spaces), or null when the person reports to no one or to someone the roster does not hold. Throws
 * AppError `invalid:roster` when the name is that of several people: the roster loader refuses such a
 * roster, and guessing between them would hand one person the other's reports.
 */
export function managerKeyOf(person: RosterPerson, roster: readonly RosterPerson[]): string | null {
  if (person.reports_to == null) return null;
  const named = peopleByName(roster).get(normalizeName(person.reports_to)) ?? [];
  const [manager, ...others] = named;
  if (others.length > 0) {
    throw new AppError(
      "invalid:roster",
      `reports_to "${person.reports_to}" names ${named.length} people of the roster; names must be unique.`,
    );
  }
  return manager ? personKeyOf(manager) : null;
}

const byNameCache = new WeakMap<readonly RosterPerson[], Map<string, RosterPerson[]>>();

/** The roster's people by normalised name, built once per roster (rosters are read once and shared). */
function peopleByName(roster: readonly RosterPerson[]): Map<string, RosterPerson[]> {
  let index = byNameCache.get(roster);
  if (!index) {
    index = new Map();
    for (const person of roster) {
      const name = normalizeName(person.name);
      const list = index.get(name);
      if (list) list.push(person);
      else index.set(name, [person]);
    }
    byNameCache.set(roster, index);
  }
  return index;
}

/**
 * A person's role. First match wins: title containing "Support Operations Manager" → `ops_manager`;
 * containing "Support Operations" → `ops`; the manager someone's `reports_to` resolves to (by person key,
 * `managerKeyOf`) → `manager`; else `member`. Titles compare ignoring case.
 */
export function roleOf(person: RosterPerson, roster: readonly RosterPerson[]): Role {
  const title = person.title?.toLowerCase() ?? "";
  if (title.includes(OPS_MANAGER_TITLE)) return "ops_manager";
  if (title.includes(OPS_TITLE)) return "ops";
  return managerKeysOf(roster).has(personKeyOf(person)) ? "manager" : "member";
}

const managerKeysCache = new WeakMap<readonly RosterPerson[], Set<string>>();

/**
 * The person keys of everyone some entry's `reports_to` names, once per roster read: each request's
 * session asks for its user's role, which scanned the whole roster for a member.
 */
function managerKeysOf(roster: readonly RosterPerson[]): Set<string> {
  let keys = managerKeysCache.get(roster);
  if (!keys) {
    keys = new Set();
    for (const person of roster) {
      const key = managerKeyOf(person, roster);
      if (key !== null) keys.add(key);
    }
    managerKeysCache.set(roster, keys);
  }
  return keys;
}

/**
 * The roster's Support Operations Managers who have a GitLab username, in roster order, each with the
 * username as a mention needs it (no leading `@`) and their name: whom a hand-over for review and an
 * escalation mention. Those without a username are left out.
 */
export function opsManagersOnGitLab(roster: readonly RosterPerson[]): { username: string; person: string }[] {
  return roster
    .filter((person) => roleOf(person, roster) === "ops_manager")
    .flatMap((person) => {
      const username = person.gitlab?.username?.replace(/^@/, "");
      return username ? [{ username, person: person.name }] : [];
    });
}

/**
 * Everyone who reports to the person with `managerKey`, directly or through other managers, nearest
 * first. Safe with cycles in `reports_to` (each person appears once; the manager never appears among
 * their own reports).
 */
export function reportsOf(managerKey: string, roster: readonly RosterPerson[]): RosterPerson[] {
  const byManager = new Map<string, RosterPerson[]>();
  for (const person of roster) {
    const key = managerKeyOf(person, roster);
    if (key === null) continue;
    const list = byManager.get(key);
    if (list) list.push(person);
    else byManager.set(key, [person]);
  }
  const seen = new Set<string>([managerKey]);
  const reports: RosterPerson[] = [];
  const queue = [managerKey];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const person of byManager.get(next) ?? []) {
      const key = personKeyOf(person);
      if (seen.has(key)) continue;
      seen.add(key);
      reports.push(person);
      queue.push(key);
    }
  }
  return reports;
}

/**
 * Person keys of the managers above the person with `personKey`, nearest first (the first is whom their
 * `reports_to` resolves to). Stops at a manager the roster does not hold (nobody can sign in as them) and
 * at a cycle. Empty when the person is not in the roster or reports to no one.
 */
export function managerChainOf(personKey: string, roster: readonly RosterPerson[]): string[] {
  const byKey = new Map(roster.map((person) => [personKeyOf(person), person]));
  const chain: string[] = [];
  const seen = new Set<string>([personKey]);
  let person = byKey.get(personKey);
  while (person) {
    const manager = managerKeyOf(person, roster);
    if (manager === null || seen.has(manager)) break;
    seen.add(manager);
    chain.push(manager);
    person = byKey.get(manager);
  }
  return chain;
}

/** Who a sign-in is: one roster person, nobody, or more than one (refused, never guessed). */
export type RosterMatch =
  { kind: "person"; person: RosterPerson } | { kind: "none" } | { kind: "ambiguous"; people: RosterPerson[] };

/**
 * Where each sign-in can land in a roster, by position: entries that pin a GitLab username by that
 * username, the others by email key. Built once per roster read: every request's session is matched
 * again (options.ts), and filtering 10,000 entries with string normalising each time cost more than the
 * rest of the session read.
 */
interface SignInIndex {
  byUsername: Map<string, number[]>;
  byEmail: Map<string, number[]>;
}

const signInIndexCache = new WeakMap<readonly RosterPerson[], SignInIndex>();

function signInIndexOf(roster: readonly RosterPerson[]): SignInIndex {
  let index = signInIndexCache.get(roster);
  if (index) return index;
  index = { byUsername: new Map(), byEmail: new Map() };
  roster.forEach((person, i) => {
    const pinned = normalizeUsername(person.gitlab?.username);
    const [map, key] = pinned !== "" ? [index.byUsername, pinned] : [index.byEmail, personKeyOf(person)];
    if (key === "") return;
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  });
  signInIndexCache.set(roster, index);
  return index;
}

/**
 * The roster person a sign-in belongs to. An entry that pins a GitLab username is matched by that username
 * alone (compared as GitLab does, ignoring case and a leading `@`): anyone can put any address in a GitLab
 * profile, so an email must not open an entry whose owner signs in with another account. An entry without
 * a username is matched by email (ignoring case). Several entries matching is `ambiguous`.
 */
export function matchRosterPerson(
  roster: readonly RosterPerson[],
  login: { gitlabUsername?: string | null; email?: string | null },
): RosterMatch {
  const username = normalizeUsername(login.gitlabUsername);
  const email = personKeyOfEmail(login.email ?? "");
  const { byUsername, byEmail } = signInIndexOf(roster);
  const at = [
    ...(username === "" ? [] : (byUsername.get(username) ?? [])),
    ...(email === "" ? [] : (byEmail.get(email) ?? [])),
  ].sort((a, b) => a - b);
  const people = at.map((i) => roster[i] as RosterPerson);
  const [person, ...others] = people;
  if (!person) return { kind: "none" };
  return others.length === 0 ? { kind: "person", person } : { kind: "ambiguous", people };
}

/** The session's view of a roster person. */
export function toSessionUser(person: RosterPerson, roster: readonly RosterPerson[]): SessionUser {
  return {
    name: person.name,
    email: person.email,
    gitlabUsername: person.gitlab?.username?.replace(/^@/, "") ?? null,
    role: roleOf(person, roster),
    personKey: personKeyOf(person),
  };
}

/**
 * Whether `user` may do `action`. Reading needs no permission: every signed-in roster person sees
 * everything.
 *
 * - `ops_manager`: everything.
 * - `ops`: everything except `audit:sign_off` and `audit:send_back` (the manager signs off on ops' work).
 * - `manager`: item permissions only, and only with a `target` whose `managerChain` holds the manager's
 *   person key (their direct and indirect reports), never on their own items.
 * - `member`: nothing.
 *
 * Whatever the role, nobody holds `item:resolve` on their own item (`target.personKey` is theirs): a
 * finding is not marked intentional or waived by the person it is about. Only the Support Operations
 * Manager holds `item:resolve_own`, and only there: the same resolution, recorded as an override.
 */
export function can(user: SessionUser, action: Permission, target?: PermissionTarget): boolean {
  const own = isOwnTarget(user, target);
  if (action === "item:resolve_own") return user.role === "ops_manager" && own;
  if (action === "item:resolve" && own) return false;
  switch (user.role) {
    case "ops_manager":
      return true;
    case "ops":
      return !SIGN_OFF_PERMISSIONS.includes(action);
    case "manager":
      return ITEM_PERMISSIONS.includes(action) && target !== undefined && managesTarget(user, target);
    case "member":
      return false;
  }
}

/** The target is the user's own item: its person key is theirs (ignoring case). */
function isOwnTarget(user: SessionUser, target: PermissionTarget | undefined): boolean {
  return target?.personKey !== undefined && target.personKey.toLowerCase() === user.personKey.toLowerCase();
}

function managesTarget(user: SessionUser, target: PermissionTarget): boolean {
  if (isOwnTarget(user, target)) return false;
  return (target.managerChain ?? []).includes(user.personKey);
}

const PERMISSION_LABELS: Record<Permission, string> = {
  "audit:run": "run an audit",
  "audit:open": "open an audit",
  "audit:export": "export an audit",
  "audit:sign_off": "sign off an audit",
  "audit:send_back": "send an audit back",
  "audit:autopilot": "turn an audit's autopilot on or off",
  ...(Object.fromEntries(CHASE_STEPS.map((step) => [step.permission, step.permissionLabel])) as Record<
    ChasePermission,
    string
  >),
  "item:resolve": "change this item's state",
  "item:resolve_own": "resolve this item as an override",
  "item:reopen": "reopen this item",
};

/**
 * Throws AppError `unauthorized:session` without a user, `forbidden:role` when `can` refuses; returns the
 * user otherwise. The message says what was refused and why, without naming anyone else.
 */
export function assertCan(
  user: SessionUser | null,
  action: Permission,
  target?: PermissionTarget,
): SessionUser {
  const signedIn = assertSignedIn(user);
  if (can(signedIn, action, target)) return signedIn;
  throw new AppError(
    "forbidden:role",
    `You may not ${PERMISSION_LABELS[action]}: ${refusalReason(signedIn, action, target)}.`,
  );
}

function refusalReason(user: SessionUser, action: Permission, target?: PermissionTarget): string {
  if (action === "item:resolve_own") {
    return "an override is only for the Support Operations Manager's own findings";
  }
  if (action === "item:resolve" && isOwnTarget(user, target)) {
    return user.role === "ops_manager"
      ? "it is your own finding; resolve it as a recorded override"
      : "nobody marks their own finding intentional or waives it";
  }
  if (SIGN_OFF_PERMISSIONS.includes(action)) return "only a Support Operations Manager can";
  if (!ITEM_PERMISSIONS.includes(action)) return "only Support Operations can";
  if (user.role === "manager") return "managers act only on their reports' items";
  return "only Support Operations and the person's managers can";
}

/** Throws AppError `unauthorized:session` when nobody is signed in. */
export function assertSignedIn(user: SessionUser | null): SessionUser {
  if (user) return user;
  throw new AppError("unauthorized:session", "Sign in to continue.");
}
