/**
 * Who may do what, derived from the roster alone. Pure: no IO, no next-auth, safe to import anywhere
 * (the UI uses `can` to hide buttons; the server uses it to refuse requests).
 */
import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { RosterPerson } from "@/lib/roster/schema";

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
  "item:ping",
  "item:escalate",
  "item:record_dm",
  "item:resolve",
  "item:resolve_own",
  "item:reopen",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions that act on one person's audit item; a manager holds them for their reports' items only. */
export const ITEM_PERMISSIONS: readonly Permission[] = [
  "item:ping",
  "item:escalate",
  "item:record_dm",
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
  /** Stable identity of the person: the roster email, lower-cased (the checker's `personKey`). */
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
  /** Names of that person's managers, nearest first (`managerChainOf`). */
  managerChain?: readonly string[];
}

const OPS_MANAGER_TITLE = "support operations manager";
const OPS_TITLE = "support operations";

/** Names compare ignoring case and runs of spaces: `reports_to` is typed by hand. */
export function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, " ").toLowerCase();
}

/** The checker's identity for a roster person: the email, lower-cased. */
export function personKeyOf(person: Pick<RosterPerson, "email">): string {
  return person.email.trim().toLowerCase();
}

/**
 * A person's role. First match wins: title containing "Support Operations Manager" → `ops_manager`;
 * containing "Support Operations" → `ops`; named as someone's `reports_to` → `manager`; else `member`.
 * Titles and names compare ignoring case.
 */
export function roleOf(person: RosterPerson, roster: readonly RosterPerson[]): Role {
  const title = person.title?.toLowerCase() ?? "";
  if (title.includes(OPS_MANAGER_TITLE)) return "ops_manager";
  if (title.includes(OPS_TITLE)) return "ops";
  const name = normalizeName(person.name);
  const isManager = roster.some((p) => p.reports_to != null && normalizeName(p.reports_to) === name);
  return isManager ? "manager" : "member";
}

/**
 * Everyone who reports to `managerName`, directly or through other managers, nearest first. Safe with
 * cycles in `reports_to` (each person appears once; the manager never appears among their own reports).
 */
export function reportsOf(managerName: string, roster: readonly RosterPerson[]): RosterPerson[] {
  const byManager = new Map<string, RosterPerson[]>();
  for (const person of roster) {
    if (person.reports_to == null) continue;
    const key = normalizeName(person.reports_to);
    const list = byManager.get(key);
    if (list) list.push(person);
    else byManager.set(key, [person]);
  }
  const root = normalizeName(managerName);
  const seen = new Set<string>([root]);
  const reports: RosterPerson[] = [];
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const person of byManager.get(next) ?? []) {
      const name = normalizeName(person.name);
      if (seen.has(name)) continue;
      seen.add(name);
      reports.push(person);
      queue.push(name);
    }
  }
  return reports;
}

/**
 * Names of the managers above the named person, nearest first, as the roster spells them (the first entry
 * is their `reports_to`). Stops at a name the roster does not hold (that name is included) and at a cycle.
 * Empty when the person is not in the roster or reports to no one.
 */
export function managerChainOf(personName: string, roster: readonly RosterPerson[]): string[] {
  const byName = new Map<string, RosterPerson>();
  for (const person of roster) {
    const key = normalizeName(person.name);
    if (!byName.has(key)) byName.set(key, person);
  }
  const chain: string[] = [];
  const seen = new Set<string>([normalizeName(personName)]);
  let manager = byName.get(normalizeName(personName))?.reports_to;
  while (manager != null && !seen.has(normalizeName(manager))) {
    const key = normalizeName(manager);
    seen.add(key);
    const entry = byName.get(key);
    chain.push(entry?.name ?? manager);
    manager = entry?.reports_to;
  }
  return chain;
}

/**
 * The roster person a sign-in belongs to: matched by GitLab username (ignoring case and a leading `@`),
 * falling back to email (ignoring case). Null when neither matches.
 */
export function findRosterPerson(
  roster: readonly RosterPerson[],
  login: { gitlabUsername?: string | null; email?: string | null },
): RosterPerson | null {
  const username = normalizeUsername(login.gitlabUsername);
  if (username) {
    const byUsername = roster.find((p) => normalizeUsername(p.gitlab?.username) === username);
    if (byUsername) return byUsername;
  }
  const email = login.email?.trim().toLowerCase();
  if (email) {
    const byEmail = roster.find((p) => personKeyOf(p) === email);
    if (byEmail) return byEmail;
  }
  return null;
}

function normalizeUsername(username: string | null | undefined): string {
  return username?.trim().replace(/^@/, "").toLowerCase() ?? "";
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
 *   name (their direct and indirect reports), never on their own items.
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
  const name = normalizeName(user.name);
  return (target.managerChain ?? []).some((manager) => normalizeName(manager) === name);
}

const PERMISSION_LABELS: Record<Permission, string> = {
  "audit:run": "run an audit",
  "audit:open": "open an audit",
  "audit:export": "export an audit",
  "audit:sign_off": "sign off an audit",
  "audit:send_back": "send an audit back",
  "item:ping": "ping about this item",
  "item:escalate": "escalate this item",
  "item:record_dm": "record a DM for this item",
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
