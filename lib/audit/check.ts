import type { AuditConfig, Rotation } from "@/lib/config/schema";
import {
  RotationBits,
  type RotationMembership,
  isExempt,
  selectMemberPositionsByRotation,
} from "@/lib/roster/membership";
import { pagerDutyOnlyPersonKey, personKeyOfEmail } from "@/lib/roster/person-key";
import type { Roster, RosterEntry } from "@/lib/roster/schema";
import type {
  AuditReport,
  Finding,
  FindingCode,
  FindingPerson,
  PagerDutySnapshot,
  PdSchedule,
  PdUser,
  ReportError,
  RotationCoverage,
} from "./types";
import { SEVERITY_OF_CODE } from "./severity";
import { StringIndex } from "./string-index";
import { orderByText } from "./text-order";
import { FINDING_CODES } from "./types";

export interface CheckInput {
  roster: Roster;
  snapshot: PagerDutySnapshot;
  config: AuditConfig;
  /** The moment the audit speaks for (UTC). Layers and events that ended before it have no members. */
  now: Date;
}

/** An audited roster entry: its position among the audited entries (roster order). */
type Identity = number;

/** Bits of `Identities`' flags. */
const ROTATION_MEMBER = 1;
const UNRESOLVED = 2;
const ID_UNKNOWN = 4;

/**
 * How each audited roster entry is tied to PagerDuty users, by identity. Held as columns (one array per
 * field) rather than an object per person: 100,000 objects of a dozen fields were each copied twice by the
 * young-generation collector, and the passes reading one field of each (whether they are a rotation member)
 * met a cache miss per person where a byte array is read in a few pages.
 */
class Identities {
  private readonly flags: Uint8Array;

  constructor(
    /** The audited entries, by identity. */
    readonly entries: readonly RosterEntry[],
    /** Each entry's email key (trimmed and lower-cased), by identity. */
    private readonly emails: readonly string[],
    /** Each entry's `pagerduty.id` (null: none), by identity. */
    private readonly rosterIds: readonly (string | null)[],
    /** `rosterIds`' slots in the directory's `userIds` (-1 without one): their owners are found there. */
    private readonly rosterIdSlots: Int32Array,
    private readonly users: readonly PdUser[],
    /** The user each is audited as (by ID, else by email), as a position in `users`; -1: none. */
    private readonly userPositions: Int32Array,
    /** The live user with each's email (the lowest ID, should several have it), in `users`; -1: none. */
    private readonly emailUserPositions: Int32Array,
  ) {
    this.flags = new Uint8Array(entries.length);
  }

  /** How many there are: every identity is below it. */
  get count(): number {
    return this.entries.length;
  }

  entry(identity: Identity): RosterEntry {
    return this.entries[identity] as RosterEntry;
  }

  /** The roster person's email key, computed once. */
  email(identity: Identity): string {
    return this.emails[identity] as string;
  }

  /** The roster's `pagerduty.id`, if any. */
  rosterId(identity: Identity): string | null {
    return this.rosterIds[identity] ?? null;
  }

  /** `rosterId`'s slot in the directory's `userIds`; -1 without one. */
  rosterIdSlot(identity: Identity): number {
    return this.rosterIdSlots[identity] ?? -1;
  }

  /** The PagerDuty user the entry is audited as: by ID, else by email. */
  user(identity: Identity): PdUser | null {
    return this.userAt(this.userPositions[identity] ?? -1);
  }

  /** The live PagerDuty user with the roster email (the lowest ID, should several have it). */
  emailUser(identity: Identity): PdUser | null {
    return this.userAt(this.emailUserPositions[identity] ?? -1);
  }

  /**
   * Whether the user the entry is audited as is also the live user with its roster email: their emails are
   * then one key, told without reading either.
   */
  userHoldsRosterEmail(identity: Identity): boolean {
    const at = this.userPositions[identity] ?? -1;
    return at >= 0 && at === this.emailUserPositions[identity];
  }

  /**
   * `emailUser`'s ID when it is not `rosterId`: a second account that also counts as this person on a
   * schedule. With `rosterId`, every ID that does.
   */
  emailUserId(identity: Identity): string | null {
    const id = this.emailUser(identity)?.id ?? null;
    return id === this.rosterId(identity) ? null : id;
  }

  /** Found on a configured schedule, or expected in a rotation: checked for pageability. */
  isRotationMember(identity: Identity): boolean {
    return ((this.flags[identity] ?? 0) & ROTATION_MEMBER) !== 0;
  }

  markRotationMember(identity: Identity): void {
    this.flags[identity] = (this.flags[identity] ?? 0) | ROTATION_MEMBER;
  }

  /** True when we could not tell who the person is in PagerDuty because data is missing. */
  isUnresolved(identity: Identity): boolean {
    return ((this.flags[identity] ?? 0) & UNRESOLVED) !== 0;
  }

  /** PagerDuty answered 404 for `rosterId` (`snapshot.unknownUserIds`). */
  isIdUnknown(identity: Identity): boolean {
    return ((this.flags[identity] ?? 0) & ID_UNKNOWN) !== 0;
  }

  /** The user at `position` in the users list; null at -1 (a negative index would be a property lookup). */
  private userAt(position: number): PdUser | null {
    return position < 0 ? null : (this.users[position] ?? null);
  }

  /** Sets `identity`'s `UNRESOLVED` and `ID_UNKNOWN` bits, once, while the directory is built. */
  setFlags(identity: Identity, flags: number): void {
    this.flags[identity] = flags;
  }
}

/** The identities counting one user ID as theirs, in roster order: most IDs have one, kept as itself. */
type Owners = Identity | readonly Identity[];

function isOwnerList(owners: Owners): owners is readonly Identity[] {
  return Array.isArray(owners);
}

/** The first of `owners` (roster order). */
function firstOwner(owners: Owners): Identity {
  return isOwnerList(owners) ? (owners[0] as Identity) : owners;
}

/** `owners` as a list, for the rare paths (a finding, a failure); the member loop reads them as they are. */
function ownerList(owners: Owners): readonly Identity[] {
  return isOwnerList(owners) ? owners : [owners];
}

/** What `UserIds` marks an ID as, bits of its `marks`. */
const UNKNOWN_ID = 1;
const EXEMPT_ID = 2;
/** Some audited entry gives the ID as its roster `pagerduty.id` (not only as its email's account). */
const ROSTER_ID = 4;

/**
 * Every PagerDuty user ID the checker knows, each with a slot: an ID of the users list has its position in
 * `snapshot.users` (the last, should it be listed twice), an ID only the roster or the unknown IDs give one
 * past them. What the checker knows under an ID (the user read, the identities it counts as, whether
 * PagerDuty knows it, whether it is an exempt person's) is found by slot in arrays: a map to small integers
 * allocates nothing per ID, where an object per ID (150,000 at 100k people) was copied by each
 * young-generation collection and then promoted.
 */
class UserIds {
  private readonly slots: StringIndex;
  /**
   * By slot, who counts its ID as theirs: the identity + 1 (0: nobody), or -1 when several do, found then
   * in `sharedOwners`. Numbers in a typed array, not a list of owners: nothing for the collector to trace.
   */
  private owners: Int32Array;
  private readonly sharedOwners = new Map<number, Identity[]>();
  /** `UNKNOWN_ID` and `EXEMPT_ID` bits by slot: a byte read where a set lookup per schedule member was. */
  private marks: Uint8Array;
  private nextSlot: number;

  /** `extra`: how many IDs besides the users' it should expect (it takes more, a little more slowly). */
  constructor(
    private readonly users: readonly PdUser[],
    extra: number,
  ) {
    this.slots = new StringIndex(users.length + extra);
    this.nextSlot = users.length;
    this.owners = new Int32Array(users.length + extra);
    this.marks = new Uint8Array(users.length + extra);
  }

  /** Records the users list's `index`-th user under its ID (a later listing of the ID replaces it). */
  addUser(user: PdUser, index: number): void {
    this.slots.set(user.id, index);
  }

  /** The slot of `userId`; -1 when nobody read or gave it. */
  slotOf(userId: string): number {
    return this.slots.get(userId);
  }

  /** The user read at `slot`, if any. */
  userAt(slot: number): PdUser | undefined {
    return slot >= 0 && slot < this.users.length ? this.users[slot] : undefined;
  }

  /** The user read under `userId`, if any. */
  userOf(userId: string): PdUser | undefined {
    return this.userAt(this.slotOf(userId));
  }

  /** How many slots there are: every slot is below it. */
  get slotCount(): number {
    return this.nextSlot;
  }

  /** Who counts the ID at `slot` as theirs; undefined when nobody. */
  ownersAt(slot: number): Owners | undefined {
    const owner = slot >= 0 ? (this.owners[slot] ?? 0) : 0;
    if (owner > 0) return owner - 1;
    return owner === 0 ? undefined : this.sharedOwners.get(slot);
  }

  /** Marks `userId` as one PagerDuty does not know (`snapshot.unknownUserIds`). */
  markUnknown(userId: string): void {
    this.mark(userId, UNKNOWN_ID);
  }

  /** Marks `userId` as an exempt roster entry's ID. */
  markExempt(userId: string): void {
    this.mark(userId, EXEMPT_ID);
  }

  /** Whether PagerDuty answered 404 for the ID at `slot`. */
  isUnknown(slot: number): boolean {
    return slot >= 0 && ((this.marks[slot] ?? 0) & UNKNOWN_ID) !== 0;
  }

  /** Whether an exempt roster entry gives the ID at `slot` as theirs. */
  isExempt(slot: number): boolean {
    return slot >= 0 && ((this.marks[slot] ?? 0) & EXEMPT_ID) !== 0;
  }

  /** Whether an audited entry gives the ID at `slot` as its roster ID (see `claim`). */
  isRosterId(slot: number): boolean {
    return slot >= 0 && ((this.marks[slot] ?? 0) & ROSTER_ID) !== 0;
  }

  private mark(userId: string, bit: number): void {
    const slot = this.slotFor(userId, this.slotOf(userId));
    this.marks[slot] = (this.marks[slot] ?? 0) | bit;
  }

  /** `slot`, or a new slot for `userId` when it has none (-1). */
  private slotFor(userId: string, slot: number): number {
    if (slot >= 0) return slot;
    slot = this.nextSlot++;
    this.slots.set(userId, slot);
    if (slot >= this.marks.length) {
      const marks = new Uint8Array(this.marks.length * 2 + 16);
      marks.set(this.marks);
      this.marks = marks;
      const owners = new Int32Array(marks.length);
      owners.set(this.owners);
      this.owners = owners;
    }
    return slot;
  }

  /**
   * Records `identity` as an owner of `userId` (at `slot`, -1 when the ID has none yet); returns its slot.
   * `asRosterId`: the entry gives it as its roster ID, not as the account holding its email.
   */
  claim(userId: string, at: number, identity: Identity, asRosterId: boolean): number {
    const slot = this.slotFor(userId, at);
    if (asRosterId) this.marks[slot] = (this.marks[slot] ?? 0) | ROSTER_ID;
    const owner = this.owners[slot] ?? 0;
    if (owner === 0) {
      this.owners[slot] = identity + 1;
    } else if (owner > 0) {
      this.owners[slot] = -1;
      this.sharedOwners.set(slot, [owner - 1, identity]);
    } else {
      this.sharedOwners.get(slot)?.push(identity);
    }
    return slot;
  }
}

type ScheduleMember = { name: string | null; deletedAt: string | null };

/**
 * A schedule's members at the audit's moment, in the order first met: `members[i]` and `slots[i]` are
 * `ids[i]`'s. `order` lists their places by user ID, the order the checker reads them in.
 */
interface CurrentMembers {
  ids: string[];
  members: ScheduleMember[];
  /** Each ID's slot in the directory's `userIds` (-1: none). */
  slots: number[];
  /** Places in `ids`, sorted by ID. */
  order: Int32Array;
}

type CoverageMember = RotationCoverage["schedules"][number]["members"][number];

/** What the snapshot says it could not read or does not hold, and its schedules by ID. */
interface Facts {
  usersListFailed: boolean;
  /** The users list's failure's index in `snapshot.failures`; -1 when the list was read. */
  usersListFailure: number;
  /** Users whose lookup failed, each with its failure's index in `snapshot.failures`. */
  failedUserIds: Map<string, number>;
  /** Schedules that could not be read, each with its failure's index in `snapshot.failures`. */
  failedScheduleIds: Map<string, number>;
  /** IDs looked up one by one that PagerDuty does not know (404). */
  unknownUserIds: Set<string>;
  missingScheduleIds: Set<string>;
  schedulesById: Map<string, PdSchedule>;
}

/** Who is who: the audited roster entries tied to PagerDuty users, and the exempt people's accounts. */
interface Directory {
  /** Audited roster entries, in roster order, and how each is tied to PagerDuty users. */
  identities: Identities;
  /** Roster entries the audit skips (an exempt title), in roster order. */
  exempt: RosterEntry[];
  /** Every user ID read or given by the roster. */
  userIds: UserIds;
  /** Audited entries' positions in `identities` by lower-cased email; of several with one email, the last. */
  rosterByEmail: StringIndex;
  exemptEmails: Set<string>;
}

type AddFinding = (finding: Omit<Finding, "key" | "severity">) => void;

/**
 * What each failure kept from being decided, recorded where the checker meets it: a code is withheld by a
 * failure only when a finding of that code could have come out there had the data been read. Each record
 * is a set insert, made only where data is missing, so a complete snapshot costs nothing here.
 */
class Withheld {
  /** By failure index (`snapshot.failures`). */
  readonly byFailure: Set<FindingCode>[];
  /** Codes any failed user read could have decided (it might be anyone's account, by email). */
  private readonly byAnyUser = new Set<FindingCode>();

  constructor(
    private readonly facts: Facts,
    failureCount: number,
  ) {
    this.byFailure = Array.from({ length: failureCount }, () => new Set<FindingCode>());
  }

  /** Withheld by failure `index` (none when -1 or undefined). */
  add(index: number | undefined, code: FindingCode): void {
    if (index !== undefined && index >= 0) this.byFailure[index]?.add(code);
  }

  /** Why user `userId` was not read: its own lookup's failure, else the users list's (-1: neither). */
  failureOfUser(userId: string): number {
    return this.facts.failedUserIds.get(userId) ?? this.facts.usersListFailure;
  }

  /** Withheld because user `userId` was not read. */
  addForUser(userId: string, code: FindingCode): void {
    this.add(this.failureOfUser(userId), code);
  }

  /** Withheld because some user that was not read might be this person's (by email). */
  addForAnyUser(code: FindingCode): void {
    this.byAnyUser.add(code);
  }

  /** Withheld because `identity` could not be resolved (see `Identities.isUnresolved`). */
  addForUnresolved(identity: Identity, directory: Directory, code: FindingCode): void {
    const rosterId = directory.identities.rosterId(identity);
    if (
      rosterId !== null &&
      directory.userIds.userOf(rosterId) === undefined &&
      !this.facts.unknownUserIds.has(rosterId)
    ) {
      this.addForUser(rosterId, code);
    } else {
      this.addForAnyUser(code);
    }
  }

  /** The codes per failure index, each list in FINDING_CODES order. */
  finish(): FindingCode[][] {
    if (this.byAnyUser.size > 0) {
      for (const code of this.byAnyUser) {
        this.add(this.facts.usersListFailure, code);
        for (const index of this.facts.failedUserIds.values()) this.add(index, code);
      }
    }
    return this.byFailure.map((codes) => FINDING_CODES.filter((code) => codes.has(code)));
  }
}

/**
 * Audits the roster against a PagerDuty snapshot. Pure: the same input gives the same report, whatever the
 * order of roster entries, users or schedules. A fetch failure recorded in the snapshot never turns into a
 * finding: findings that depend on the missing data are withheld and the report is `complete: false`.
 *
 * Each step is its own function. Besides reading better, that lets V8 compile each step's loop on its own:
 * one function holding every loop was recompiled whole for each of them, on large rosters.
 */
export function checkAudit({ roster, snapshot, config, now }: CheckInput): AuditReport {
  const findings = new Map<string, Finding>();
  const add: AddFinding = (finding) => {
    const key = findingKey(finding);
    if (findings.has(key)) return;
    // Field by field, in the report's order (the finding's fields, then key and severity): a spread of the
    // finding went through the runtime's generic copy, about a microsecond per finding.
    const { code, person, schedule, rotation, message, evidence } = finding;
    findings.set(key, {
      code,
      person,
      schedule,
      rotation,
      message,
      evidence,
      key,
      severity: SEVERITY_OF_CODE[code],
    });
  };

  const facts = factsOf(snapshot);
  const withheld = new Withheld(facts, snapshot.failures.length);
  const directory = buildDirectory(roster.entries, config.exempt.titles, snapshot.users, facts);
  findRosterProblems(directory, facts, snapshot.schedules, add, withheld);
  const expected = selectMemberPositionsByRotation(directory.identities.entries, config.rotations);
  /**
   * Who is on one of each rotation's read schedules, under any of their accounts (bits are recorded as the
   * schedule pass meets people, before the rotation asks).
   */
  const onSchedules = new RotationBits(config.rotations.length, directory.identities.count);
  const currentMembers = currentMembersOf(snapshot.schedules, now.getTime(), directory.userIds);
  findMissingSchedules(config.rotations, facts, add, withheld);
  const { coverageMembers, unknownMemberFailures, strangerFailures } = checkScheduleMembers(
    config.rotations,
    directory,
    facts,
    currentMembers,
    expected,
    onSchedules,
    add,
    withheld,
  );
  findMissingFromSchedules(
    config.rotations,
    directory,
    facts,
    currentMembers,
    expected,
    onSchedules,
    unknownMemberFailures,
    add,
    withheld,
  );
  findUnpageable(directory, facts, strangerFailures, add, withheld);

  const ordered = sortFindings([...findings.values()]);
  const withheldByFailure = withheld.finish();
  const errors = snapshot.failures
    .map((failure, index): ReportError => ({
      kind: failure.kind,
      id: failure.kind === "user" ? failure.userId : failure.kind === "schedule" ? failure.scheduleId : null,
      message: failure.message,
      withheld: withheldByFailure[index] ?? [],
    }))
    .sort((a, b) => compare(`${a.kind}:${a.id ?? ""}`, `${b.kind}:${b.id ?? ""}`));
  const configuredSchedules = new Set(config.rotations.flatMap((r) => r.schedules));
  const { schedulesById, failedScheduleIds, missingScheduleIds } = facts;

  return {
    version: 1,
    complete: snapshot.failures.length === 0,
    errors,
    warnings: roster.warnings ?? [],
    generatedAt: now.toISOString(),
    findings: ordered,
    summary: {
      rosterPeople: roster.entries.length,
      exemptPeople: directory.exempt.length,
      auditedPeople: directory.identities.count,
      peopleWithFindings: countPeople(ordered),
      findings: ordered.length,
      byCode: countByCode(ordered),
      bySeverity: {
        error: ordered.filter((f) => f.severity === "error").length,
        warning: ordered.filter((f) => f.severity === "warning").length,
      },
      rotations: config.rotations.length,
      schedules: {
        configured: configuredSchedules.size,
        read: [...configuredSchedules].filter((id) => schedulesById.has(id)).length,
        missing: [...configuredSchedules].filter((id) => missingScheduleIds.has(id)).length,
        failed: [...configuredSchedules].filter((id) => failedScheduleIds.has(id)).length,
      },
    },
    coverage: coverageOf(
      config.rotations,
      directory.identities,
      facts,
      currentMembers,
      expected,
      coverageMembers,
    ),
  };
}

function factsOf(snapshot: PagerDutySnapshot): Facts {
  return {
    usersListFailed: snapshot.failures.some((f) => f.kind === "users_list"),
    usersListFailure: snapshot.failures.findIndex((f) => f.kind === "users_list"),
    failedUserIds: new Map(
      snapshot.failures.flatMap((f, i): [string, number][] => (f.kind === "user" ? [[f.userId, i]] : [])),
    ),
    failedScheduleIds: new Map(
      snapshot.failures.flatMap((f, i): [string, number][] =>
        f.kind === "schedule" ? [[f.scheduleId, i]] : [],
      ),
    ),
    unknownUserIds: new Set(snapshot.unknownUserIds),
    missingScheduleIds: new Set(snapshot.missingScheduleIds),
    schedulesById: new Map(snapshot.schedules.map((s) => [s.id, s])),
  };
}

/**
 * Ties each audited entry to PagerDuty users: by roster ID, and by email. Each pass over the roster or the
 * users is a function of its own: V8 compiles a long loop while it runs, and code compiled for one loop
 * carried on into the next with nothing learnt about it, and was thrown away there.
 *
 * Identities are made last, once everything they hold is known: fields filled in later (null first, a user
 * after) changed their type under code already compiled for them, which V8 then threw away mid-loop.
 */
function buildDirectory(
  entries: readonly RosterEntry[],
  exemptTitles: readonly string[],
  users: readonly PdUser[],
  facts: Facts,
): Directory {
  // The roster's emails are indexed first, then each user's email is looked up once against them: an index
  // of every user's email would cost an insert per user plus a lookup per roster entry. Most users are
  // found by the roster's ID with the roster's email: their email needs no lookup.
  const audit = auditedEntriesOf(entries, exemptTitles);
  const userIds = indexUsers(users, audit, facts);
  const matched = matchByRosterIds(audit, userIds, users);
  matchByEmails(users, audit.rosterByEmail, matched);
  const identities = identitiesOf(audit, userIds, users, matched, facts);
  const { exempt } = audit;
  return {
    identities,
    exempt,
    userIds,
    rosterByEmail: audit.rosterByEmail,
    exemptEmails: new Set(exempt.map((e) => personKeyOfEmail(e.person.email))),
  };
}

/** The roster split into audited and exempt entries, with the audited entries' email keys indexed. */
interface AuditedEntries {
  /** Audited entries, in roster order: an identity's `index` is its entry's position here. */
  entries: RosterEntry[];
  /** Each audited entry's email key, by position. */
  emails: string[];
  /** Each audited entry's roster PagerDuty ID (null: none), by position. */
  rosterIds: (string | null)[];
  /** Roster entries the audit skips (an exempt title), in roster order. */
  exempt: RosterEntry[];
  /** Audited entries' positions by email key; of several with one email, the last. */
  rosterByEmail: StringIndex;
  /** Emails several audited entries share: all but the last (the one indexed) read its user from it. */
  sharedEmails: Set<string>;
}

/**
 * The audited and the exempt entries, in roster order, with the audited entries by email key. One pass over
 * the roster: each person is read while at hand.
 */
function auditedEntriesOf(entries: readonly RosterEntry[], exemptTitles: readonly string[]): AuditedEntries {
  // Exemption depends on the title alone, and a roster repeats a few titles: decide each title once.
  const exemptByTitle = new Map<string, boolean>();
  // Sized for the whole roster and cut to the audited entries at the end: pushed, each list was copied at
  // each doubling, past 16,000 entries to memory the process touches for the first time (a page fault per
  // 4 KiB).
  const audited = new Array<RosterEntry>(entries.length);
  const emails = new Array<string>(entries.length);
  const rosterIds = new Array<string | null>(entries.length);
  let count = 0;
  const exempt: RosterEntry[] = [];
  const rosterByEmail = new StringIndex(entries.length);
  const sharedEmails = new Set<string>();
  for (const entry of entries) {
    const { person } = entry;
    const title = person.title ?? "";
    let isExemptTitle = exemptByTitle.get(title);
    if (isExemptTitle === undefined) {
      isExemptTitle = isExempt(person, exemptTitles);
      exemptByTitle.set(title, isExemptTitle);
    }
    if (isExemptTitle) {
      exempt.push(entry);
      continue;
    }
    const email = personKeyOfEmail(person.email);
    const indexed = rosterByEmail.size;
    rosterByEmail.set(email, count);
    if (rosterByEmail.size === indexed) sharedEmails.add(email);
    audited[count] = entry;
    emails[count] = email;
    rosterIds[count] = person.pagerduty?.id ?? null;
    count++;
  }
  audited.length = emails.length = rosterIds.length = count;
  return { entries: audited, emails, rosterIds, exempt, rosterByEmail, sharedEmails };
}

/**
 * Every user read, by ID (a user listed twice: the last one read wins), and the IDs PagerDuty does not know
 * or exempt entries give, marked as such.
 */
function indexUsers(users: readonly PdUser[], audit: AuditedEntries, facts: Facts): UserIds {
  const { exempt } = audit;
  // IDs besides the users': mostly roster IDs PagerDuty does not know, or whose lookup failed. An estimate
  // (the table grows past it) that is not the whole roster: each cell reserved is memory to touch.
  const extra = facts.unknownUserIds.size + facts.failedUserIds.size + exempt.length;
  const userIds = new UserIds(users, extra);
  for (let i = 0; i < users.length; i++) userIds.addUser(users[i] as PdUser, i);
  for (const userId of facts.unknownUserIds) userIds.markUnknown(userId);
  for (const entry of exempt) {
    const userId = entry.person.pagerduty?.id;
    if (userId) userIds.markExempt(userId);
  }
  return userIds;
}

/** What the roster's IDs and emails found, by audited entry's position. */
interface Matches {
  /** The slot of each entry's roster ID (-1: none). */
  rosterIdSlots: Int32Array;
  /**
   * The live user with each entry's email, as a position in the users list (-1: none; the lowest ID, should
   * several have it). Of entries sharing an email, the last one's.
   */
  emailUserOf: Int32Array;
  /** Users (by position) whose email was matched here already: the email pass skips them. */
  emailMatched: Uint8Array;
}

/** Records user `at` as the user with entry `entry`'s email unless a lower ID has it too. */
function offerEmailUser(emailUserOf: Int32Array, users: readonly PdUser[], entry: number, at: number): void {
  // PagerDuty keeps emails unique per account; should two users share one anyway, the lowest ID wins.
  const best = emailUserOf[entry] ?? -1;
  if (best < 0 || (users[at] as PdUser).id < (users[best] as PdUser).id) emailUserOf[entry] = at;
}

/**
 * Each entry's roster ID's slot; and, where that ID's user is live and holds the entry's email, that user
 * as the one with the email (what the email pass would have found for it, one lookup sooner).
 */
function matchByRosterIds(audit: AuditedEntries, userIds: UserIds, users: readonly PdUser[]): Matches {
  const { rosterIds, emails, rosterByEmail, sharedEmails } = audit;
  const rosterIdSlots = new Int32Array(rosterIds.length).fill(-1);
  const emailUserOf = new Int32Array(rosterIds.length).fill(-1);
  const emailMatched = new Uint8Array(users.length);
  for (let entry = 0; entry < rosterIds.length; entry++) {
    const rosterId = rosterIds[entry] ?? null;
    if (!rosterId) continue;
    const slot = userIds.slotOf(rosterId);
    rosterIdSlots[entry] = slot;
    const user = userIds.userAt(slot);
    if (user === undefined || user.deletedAt !== null) continue;
    const email = emails[entry] as string;
    if (user.email !== email && personKeyOfEmail(user.email) !== email) continue;
    // Of entries sharing an email, the last one holds its user (as `rosterByEmail` does).
    const holder = sharedEmails.size > 0 && sharedEmails.has(email) ? rosterByEmail.get(email) : entry;
    offerEmailUser(emailUserOf, users, holder, slot);
    emailMatched[slot] = 1;
  }
  return { rosterIdSlots, emailUserOf, emailMatched };
}

/** Every other live user's email, looked up against the roster's. */
function matchByEmails(users: readonly PdUser[], rosterByEmail: StringIndex, matched: Matches): void {
  const { emailUserOf, emailMatched } = matched;
  for (let i = 0; i < users.length; i++) {
    if (emailMatched[i] === 1) continue;
    const user = users[i] as PdUser;
    if (user.deletedAt !== null) continue;
    // Most emails are already keys. One that some roster key equals as it is needs no key of its own (a key's
    // key is itself), so the email is keyed only when that lookup fails.
    let entry = rosterByEmail.get(user.email);
    if (entry < 0) {
      const key = personKeyOfEmail(user.email);
      if (key !== user.email) entry = rosterByEmail.get(key);
    }
    if (entry >= 0) offerEmailUser(emailUserOf, users, entry, i);
  }
}

/**
 * An identity per audited entry: who each is in PagerDuty, each recorded as an owner of their accounts' IDs
 * (roster order, the roster ID's claim before the email's).
 */
function identitiesOf(
  audit: AuditedEntries,
  userIds: UserIds,
  users: readonly PdUser[],
  { rosterIdSlots, emailUserOf }: Matches,
  facts: Facts,
): Identities {
  const { usersListFailed, failedUserIds } = facts;
  const { entries, emails, rosterIds, rosterByEmail, sharedEmails } = audit;
  const usersMissing = usersListFailed || failedUserIds.size > 0;
  const userPositions = new Int32Array(entries.length);
  const emailUserPositions = new Int32Array(entries.length);
  const identities = new Identities(
    entries,
    emails,
    rosterIds,
    rosterIdSlots,
    users,
    userPositions,
    emailUserPositions,
  );
  for (let index = 0; index < entries.length; index++) {
    const email = emails[index] as string;
    const rosterId = rosterIds[index] ?? null;
    // Entries sharing an email all have the user of the one indexed under it (the last).
    const emailIndex = sharedEmails.size > 0 && sharedEmails.has(email) ? rosterByEmail.get(email) : index;
    const emailUserAt = emailUserOf[emailIndex] ?? -1;
    const byEmail = emailUserAt < 0 ? null : (users[emailUserAt] as PdUser);
    // An ID nobody read gets its slot from the first entry claiming it, below: looked up again.
    const readSlot = rosterIdSlots[index] ?? -1;
    const rosterIdSlot = readSlot < 0 && rosterId ? userIds.slotOf(rosterId) : readSlot;
    const byId = userIds.userAt(rosterIdSlot) ?? null;
    const idKnownMissing = rosterId !== null && userIds.isUnknown(rosterIdSlot);
    const emailUserId = byEmail && byEmail.id !== rosterId ? byEmail.id : null;
    emailUserPositions[index] = emailUserAt;
    userPositions[index] =
      byId !== null ? rosterIdSlot : (rosterId === null || idKnownMissing) && byEmail ? emailUserAt : -1;
    // With users missing (the list, or a user that failed to load), an entry with no ID (or a dead one)
    // cannot be ruled out by email: the missing user might carry this email.
    const unresolved =
      (rosterId !== null && byId === null && !idKnownMissing) ||
      (usersMissing && byId === null && byEmail === null);
    identities.setFlags(index, (unresolved ? UNRESOLVED : 0) | (idKnownMissing ? ID_UNKNOWN : 0));
    rosterIdSlots[index] = rosterId ? userIds.claim(rosterId, rosterIdSlot, index, true) : -1;
    if (emailUserId !== null) userIds.claim(emailUserId, userIds.slotOf(emailUserId), index, false);
  }
  return identities;
}

/**
 * Roster identities a schedule member belongs to: by ID, else by the PagerDuty user's email; null when
 * nobody in the roster.
 */
function ownersOf(
  directory: Directory,
  facts: Facts,
  userId: string,
  claimedBy: Owners | undefined,
  user: PdUser | undefined,
): Owners | "unknown" | null {
  if (claimedBy !== undefined) return claimedBy;
  if (user) {
    const byEmail = directory.rosterByEmail.get(personKeyOfEmail(user.email));
    return byEmail < 0 ? null : byEmail;
  }
  // Not in the users list and not looked up: it might be someone's second account.
  if (facts.usersListFailed || facts.failedUserIds.has(userId)) return "unknown";
  return null;
}

/**
 * An exempt person's account: claimed by an exempt entry's ID, or unclaimed by ID and with their email.
 * Told from the slot's bits for nearly every member: an owner's roster ID was read and compared per member.
 */
function isExemptMember(directory: Directory, slot: number, user: PdUser | undefined): boolean {
  const { userIds } = directory;
  if (userIds.isExempt(slot)) return true;
  // Some audited entry gives this ID as its own (not only an email match): the account is theirs.
  if (userIds.isRosterId(slot)) return false;
  return (
    user !== undefined &&
    directory.exemptEmails.size > 0 &&
    directory.exemptEmails.has(personKeyOfEmail(user.email))
  );
}

/** Missing, unknown and shared roster IDs, and emails that differ from PagerDuty's. */
function findRosterProblems(
  directory: Directory,
  facts: Facts,
  schedules: readonly PdSchedule[],
  add: AddFinding,
  withheld: Withheld,
): void {
  /**
   * Users that some schedule shows as deleted: an unknown roster ID among them was deleted, not mistyped.
   * Only unknown roster IDs ask, and most audits have none: built on the first question.
   */
  let deletedOnSchedules: Set<string> | null = null;
  const isDeletedOnSchedules = (userId: string): boolean => {
    if (!deletedOnSchedules) {
      deletedOnSchedules = new Set<string>();
      for (const schedule of schedules) {
        for (const period of schedule.periods)
          for (const m of period.members) if (m.deletedAt) deletedOnSchedules.add(m.userId);
      }
    }
    return deletedOnSchedules.has(userId);
  };

  const { identities } = directory;
  // Each entry and user object is read only where a finding may come out: at 100k people, reading each
  // person's for every identity cost a cache miss apiece, for the few percent with a problem.
  for (let identity = 0; identity < identities.count; identity++) {
    const rosterId = identities.rosterId(identity);
    const user = identities.user(identity);
    if (rosterId === null) {
      const entry = identities.entry(identity);
      const byEmail = facts.usersListFailed ? null : identities.emailUser(identity);
      add({
        code: "missing_pagerduty_id",
        person: rosterPerson(entry),
        schedule: null,
        rotation: null,
        message: byEmail
          ? `No PagerDuty ID in the roster. PagerDuty user ${byEmail.id} has this email: set pagerduty.id to ${byEmail.id}.`
          : "No PagerDuty ID in the roster.",
        evidence: { roster_email: entry.person.email, suggested_pagerduty_id: byEmail?.id ?? null },
      });
      continue;
    }
    // Unresolved with an ID PagerDuty did not call unknown: that ID's user was not read, and it might be
    // unknown or hold another email.
    const idUnknown = identities.isIdUnknown(identity);
    if (identities.isUnresolved(identity) && user === null && !idUnknown) {
      withheld.addForUser(rosterId, "unknown_pagerduty_id");
      withheld.addForUser(rosterId, "email_mismatch");
    } else if (idUnknown) {
      const suggestion = identities.emailUser(identity);
      const deletedOn = isDeletedOnSchedules(rosterId);
      add({
        code: "unknown_pagerduty_id",
        person: rosterPerson(identities.entry(identity)),
        schedule: null,
        rotation: null,
        message:
          `Roster PagerDuty ID ${rosterId} matches no PagerDuty user${deletedOn ? " (the user was deleted)" : ""}.` +
          (suggestion
            ? ` PagerDuty user ${suggestion.id} has this email: set pagerduty.id to ${suggestion.id}.`
            : ""),
        evidence: { roster_pagerduty_id: rosterId, suggested_pagerduty_id: suggestion?.id ?? null },
      });
    }
    // Only when several identities own the ID can two roster entries give it as theirs.
    const owners = directory.userIds.ownersAt(identities.rosterIdSlot(identity));
    const sharing =
      owners !== undefined && isOwnerList(owners)
        ? owners.filter((o) => identities.rosterId(o) === rosterId)
        : null;
    if (sharing && sharing.length > 1) {
      const others = sharing
        .filter((s) => s !== identity)
        .map((s) => identities.entry(s).person.name)
        .sort(compare);
      add({
        code: "duplicate_pagerduty_id",
        person: rosterPerson(identities.entry(identity)),
        schedule: null,
        rotation: null,
        message: `PagerDuty ID ${rosterId} is also given to ${others.join(", ")} in the roster.`,
        evidence: { roster_pagerduty_id: rosterId, also_used_by: others },
      });
    }
    if (!user || identities.userHoldsRosterEmail(identity) || user.id !== rosterId) continue;
    const entry = identities.entry(identity);
    // Equal as written is equal in any case: skip lower-casing the PagerDuty email then.
    if (user.email !== entry.person.email && personKeyOfEmail(user.email) !== identities.email(identity)) {
      add({
        code: "email_mismatch",
        person: rosterPerson(entry),
        schedule: null,
        rotation: null,
        message: `Roster email ${entry.person.email} differs from PagerDuty's ${user.email} for ${user.id}.`,
        evidence: { roster_email: entry.person.email, pagerduty_email: user.email, pagerduty_id: user.id },
      });
    }
  }
}

/**
 * Each read schedule's members at `nowMs` (as `membersAt` gives them), ordered by user ID once: when one
 * person holds two accounts on a schedule, the report names the same one. Each member's ID is looked up in
 * `userIds` here, once per reference: a user met twice on a schedule is found by its slot, so no map per
 * schedule is built, and the schedule pass reads each member's slot instead of looking it up again.
 */
function currentMembersOf(
  schedules: readonly PdSchedule[],
  nowMs: number,
  userIds: UserIds,
): Map<string, CurrentMembers> {
  const currentMembers = new Map<string, CurrentMembers>();
  /**
   * By slot: the place + 1 of the slot's ID in the lists of the schedule being read (0: not met there),
   * cleared after each schedule. One array, not a stamp beside it: it is read at random, a page fault per
   * 4 KiB touched the first time.
   */
  const metAt = new Int32Array(userIds.slotCount);
  for (let s = 0; s < schedules.length; s++) {
    const schedule = schedules[s] as PdSchedule;
    const ids: string[] = [];
    const members: ScheduleMember[] = [];
    const slots: number[] = [];
    /** IDs without a slot (nobody read or gave them), by place: few, so kept in a map of their own. */
    let slotless: Map<string, number> | null = null;
    for (const period of schedule.periods) {
      if (!isCurrent(period, nowMs)) continue;
      for (const m of period.members) {
        const slot = userIds.slotOf(m.userId);
        let at = -1;
        if (slot >= 0) {
          at = (metAt[slot] ?? 0) - 1;
          if (at < 0) metAt[slot] = ids.length + 1;
        } else {
          slotless ??= new Map();
          at = slotless.get(m.userId) ?? -1;
          if (at < 0) slotless.set(m.userId, ids.length);
        }
        if (at < 0) {
          ids.push(m.userId);
          members.push(m);
          slots.push(slot);
          continue;
        }
        members[at] = mergedMember(members[at] as ScheduleMember, m);
      }
    }
    for (const slot of slots) if (slot >= 0) metAt[slot] = 0;
    // Read in ID order through `order` rather than copied into it: three arrays fewer per schedule.
    currentMembers.set(schedule.id, { ids, members, slots, order: orderByText(ids) });
  }
  return currentMembers;
}

/** Configured schedules that exist neither as v2 nor as v3 schedules. */
function findMissingSchedules(
  rotations: readonly Rotation[],
  facts: Facts,
  add: AddFinding,
  withheld: Withheld,
): void {
  for (const rotation of rotations) {
    for (const scheduleId of rotation.schedules) {
      const failure = facts.failedScheduleIds.get(scheduleId);
      // A schedule that could not be read might not exist at all.
      if (failure !== undefined) withheld.add(failure, "schedule_not_found");
      if (!facts.missingScheduleIds.has(scheduleId) || failure !== undefined) continue;
      add({
        code: "schedule_not_found",
        person: null,
        schedule: { id: scheduleId, name: null },
        rotation: rotation.id,
        message: `Schedule ${scheduleId} of rotation ${rotation.name} exists neither as a layer-based nor as a shift-based PagerDuty schedule.`,
        evidence: { schedule_id: scheduleId },
      });
    }
  }
}

/** What the schedule pass shares across schedules, and what it gathers for the later steps. */
interface MemberScan {
  directory: Directory;
  facts: Facts;
  expected: RotationMembership;
  onSchedules: RotationBits;
  add: AddFinding;
  withheld: Withheld;
  unknownMemberFailures: Map<string, Set<number>>;
  strangerFailures: Set<number>;
  /** Roster people whose email no read user holds: built when the first unknown member is met. */
  openEmail: Set<Identity> | null;
}

/** A read schedule and the rotations listing it, who decide who belongs on it. */
interface ListedSchedule {
  schedule: PdSchedule;
  ref: { id: string; name: string };
  /** The rotations listing it, by position in `config.rotations`, and the same rotations. */
  listedBy: readonly number[];
  /** The listing rotations' names and IDs, as an unexpected member's finding gives them. */
  rotationNames: string;
  rotationIds: readonly string[];
  /** The rotation its findings name: the listing rotation with the lowest ID. */
  rotation: string | null;
  /** Whether an unread account could be someone's (by email) the rotations do not expect: asked once. */
  strangerMayBeUnexpected: boolean | null;
}

/**
 * Who is on each configured schedule that was read: deleted users, people not in the roster and people the
 * roster does not put in the schedule's rotations. Also describes each schedule's members for the coverage,
 * marks owners as rotation members (`rotationMember`) and records in `onSchedules` the rotations whose
 * schedules they are on.
 */
function checkScheduleMembers(
  rotations: readonly Rotation[],
  directory: Directory,
  facts: Facts,
  currentMembers: Map<string, CurrentMembers>,
  expected: RotationMembership,
  onSchedules: RotationBits,
  add: AddFinding,
  withheld: Withheld,
): {
  coverageMembers: Map<string, CoverageMember[]>;
  unknownMemberFailures: Map<string, Set<number>>;
  strangerFailures: Set<number>;
} {
  /** The rotations listing each schedule, by position in `rotations`. */
  const rotationsBySchedule = new Map<string, number[]>();
  rotations.forEach((rotation, r) => {
    for (const id of rotation.schedules) {
      rotationsBySchedule.set(id, [...(rotationsBySchedule.get(id) ?? []), r]);
    }
  });
  const scan: MemberScan = {
    directory,
    facts,
    expected,
    onSchedules,
    add,
    withheld,
    /**
     * Schedules holding a member we could not identify (it might be anyone's second account), each with the
     * failures that kept its unknown members from being read.
     */
    unknownMemberFailures: new Map(),
    /**
     * Failures behind unknown members: each might be the account (by email) of a roster person whose email
     * no read user holds.
     */
    strangerFailures: new Set(),
    openEmail: null,
  };
  /** Each read schedule's members as the coverage shows them; one array per schedule, shared by rotations. */
  const coverageMembers = new Map<string, CoverageMember[]>();
  for (const [scheduleId, listedBy] of [...rotationsBySchedule].sort(([a], [b]) => compare(a, b))) {
    const listing = listedBy.map((r) => rotations[r] as Rotation);
    const schedule = facts.schedulesById.get(scheduleId);
    const members = currentMembers.get(scheduleId);
    const failure = facts.failedScheduleIds.get(scheduleId);
    if (failure !== undefined) {
      // Unread, it might hold a deleted user, a stranger, or anyone the rotations do not expect.
      withheld.add(failure, "deleted_user_in_schedule");
      withheld.add(failure, "not_in_roster");
      if (someoneUnexpected(null, directory.identities.count, expected, listedBy)) {
        withheld.add(failure, "unexpected_in_schedule");
      }
    }
    if (!schedule || !members) continue;
    const listed: ListedSchedule = {
      schedule,
      ref: { id: schedule.id, name: schedule.name },
      listedBy,
      rotationNames: listing.map((r) => r.name).join(" or "),
      rotationIds: listing.map((r) => r.id),
      rotation: [...listing].sort((a, b) => compare(a.id, b.id))[0]?.id ?? null,
      strangerMayBeUnexpected: null,
    };
    coverageMembers.set(scheduleId, checkMembersOf(scan, listed, members));
  }
  return {
    coverageMembers,
    unknownMemberFailures: scan.unknownMemberFailures,
    strangerFailures: scan.strangerFailures,
  };
}

/**
 * One schedule's members (see `checkScheduleMembers`), described for the coverage. Its own function, and
 * the rare cases in theirs, so that V8 optimizes this loop once for every schedule: inside the loop over
 * schedules, each new shape met there threw the loop's optimized code away, and the members ran slowly
 * until it was compiled again.
 */
function checkMembersOf(scan: MemberScan, listed: ListedSchedule, members: CurrentMembers): CoverageMember[] {
  const { directory, facts, expected, onSchedules } = scan;
  const { userIds, identities } = directory;
  const { listedBy } = listed;
  // Sized once: pushed, the list was copied at each growth, to memory touched for the first time.
  const described = new Array<CoverageMember>(members.order.length);
  for (let i = 0; i < members.order.length; i++) {
    const at = members.order[i] as number;
    const userId = members.ids[at] as string;
    const member = members.members[at] as ScheduleMember;
    // Each member was looked up once (`currentMembersOf`), for the findings and the coverage alike.
    const slot = members.slots[at] ?? -1;
    const user = userIds.userAt(slot);
    // Whoever counts this account as theirs is on this schedule, whatever it holds against them below.
    const claimedBy = userIds.ownersAt(slot);
    if (claimedBy !== undefined) {
      if (!isOwnerList(claimedBy)) {
        for (const r of listedBy) onSchedules.add(r, claimedBy);
      } else {
        for (const owner of claimedBy) for (const r of listedBy) onSchedules.add(r, owner);
      }
    }
    const owners = ownersOf(directory, facts, userId, claimedBy, user);
    const exemptMember = isExemptMember(directory, slot, user);
    const knownGone = member.deletedAt !== null || userIds.isUnknown(slot);
    const shownAs =
      owners === "unknown" || owners === null ? undefined : identities.entry(firstOwner(owners)).person;
    described[i] = {
      pagerdutyId: userId,
      name: shownAs?.name ?? user?.name ?? member.name,
      email: shownAs?.email ?? user?.email ?? null,
      inRoster: shownAs !== undefined || exemptMember,
      deleted: knownGone,
      exempt: exemptMember,
    };

    // A member neither read nor confirmed gone (its read failed) could be anyone, alive or deleted.
    if (!knownGone && user === undefined) {
      withholdUnreadMember(scan, listed, userId, slot, claimedBy);
      continue;
    }
    if (exemptMember) continue;
    // Shift-based schedules carry only user IDs: a member PagerDuty answers 404 for is a deleted user.
    if (knownGone) {
      reportDeletedMember(scan, listed, userId, member, owners);
      continue;
    }
    // Unreachable (a member whose owners are unknown was not read, and is handled above); kept for types.
    if (owners === "unknown") continue;
    if (owners === null) {
      reportStranger(scan, listed, userId, member, user);
      continue;
    }
    if (!isOwnerList(owners)) {
      identities.markRotationMember(owners);
      if (!expected.hasAny(listedBy, owners)) reportUnexpected(scan, listed, userId, owners);
      continue;
    }
    for (const owner of owners) {
      identities.markRotationMember(owner);
      if (!expected.hasAny(listedBy, owner)) reportUnexpected(scan, listed, userId, owner);
    }
  }
  return described;
}

/** What a member whose user was not read (and not known gone) keeps from being decided. */
function withholdUnreadMember(
  scan: MemberScan,
  listed: ListedSchedule,
  userId: string,
  slot: number,
  claimed: Owners | undefined,
): void {
  const { directory, withheld } = scan;
  const claimedBy = claimed === undefined ? undefined : ownerList(claimed);
  const unread = withheld.failureOfUser(userId);
  let failures = scan.unknownMemberFailures.get(listed.schedule.id);
  if (!failures) scan.unknownMemberFailures.set(listed.schedule.id, (failures = new Set()));
  if (unread >= 0) failures.add(unread);
  // An exempt person's account is passed over whatever it turns out to be.
  if (directory.userIds.isExempt(slot)) return;
  withheld.add(unread, "deleted_user_in_schedule");
  if (unread >= 0) scan.strangerFailures.add(unread);
  scan.openEmail ??= peopleWithoutEmailUser(directory.identities);
  listed.strangerMayBeUnexpected ??= someoneUnexpected(scan.openEmail, 0, scan.expected, listed.listedBy);
  if (claimedBy) {
    // Alive, it would make its owners rotation members; their user is this unread one, so whether
    // PagerDuty can page them is withheld (`findUnpageable`), and marking them changes no finding.
    for (const owner of claimedBy) directory.identities.markRotationMember(owner);
  } else {
    withheld.add(unread, "not_in_roster");
  }
  // Its owners, or whoever has its email, might not be expected here.
  if (
    listed.strangerMayBeUnexpected ||
    claimedBy?.some((owner) => !scan.expected.hasAny(listed.listedBy, owner))
  ) {
    withheld.add(unread, "unexpected_in_schedule");
  }
}

/** Roster people whose email no read user holds. */
function peopleWithoutEmailUser(identities: Identities): Set<Identity> {
  const people = new Set<Identity>();
  for (let identity = 0; identity < identities.count; identity++) {
    if (identities.emailUser(identity) === null) people.add(identity);
  }
  return people;
}

function reportDeletedMember(
  scan: MemberScan,
  listed: ListedSchedule,
  userId: string,
  member: ScheduleMember,
  owners: Owners | "unknown" | null,
): void {
  const { schedule } = listed;
  const { identities } = scan.directory;
  const owner =
    owners === "unknown" || owners === null
      ? undefined
      : [...ownerList(owners)].sort((a, b) => compare(identities.email(a), identities.email(b)))[0];
  const when = member.deletedAt
    ? `, deleted ${member.deletedAt.slice(0, 10)}`
    : ", no longer known to PagerDuty";
  scan.add({
    code: "deleted_user_in_schedule",
    person:
      owner !== undefined
        ? rosterPerson(identities.entry(owner))
        : pagerDutyOnlyPerson(userId, member.name, null),
    schedule: listed.ref,
    rotation: listed.rotation,
    message: `Schedule ${schedule.name} still holds deleted PagerDuty user ${member.name ?? userId} (${userId}${when}).`,
    evidence: {
      pagerduty_id: userId,
      deleted_at: member.deletedAt,
      schedule_kind: schedule.kind,
      schedule_url: schedule.htmlUrl,
    },
  });
}

function reportStranger(
  scan: MemberScan,
  listed: ListedSchedule,
  userId: string,
  member: ScheduleMember,
  user: PdUser | undefined,
): void {
  scan.add({
    code: "not_in_roster",
    person: pagerDutyOnlyPerson(userId, user?.name ?? member.name, user?.email ?? null),
    schedule: listed.ref,
    rotation: listed.rotation,
    message: `On schedule ${listed.schedule.name}, but matches no roster entry (PagerDuty user ${userId}${user ? `, ${user.email}` : ""}).`,
    evidence: {
      pagerduty_id: userId,
      pagerduty_email: user?.email ?? null,
      pagerduty_known: user !== undefined,
      schedule_url: listed.schedule.htmlUrl,
    },
  });
}

function reportUnexpected(scan: MemberScan, listed: ListedSchedule, userId: string, owner: Identity): void {
  scan.add({
    code: "unexpected_in_schedule",
    person: rosterPerson(scan.directory.identities.entry(owner)),
    schedule: listed.ref,
    rotation: listed.rotation,
    message: `On schedule ${listed.schedule.name}, but the roster does not put them in ${listed.rotationNames}.`,
    evidence: { pagerduty_id: userId, rotations: listed.rotationIds.slice() },
  });
}

/**
 * Whether someone of `people` (null: all `audited` roster people) is expected by none of the rotations
 * `listedBy` (those listing a schedule): then an account on that schedule could be someone the roster does
 * not put there.
 */
function someoneUnexpected(
  people: ReadonlySet<Identity> | null,
  audited: number,
  expected: RotationMembership,
  listedBy: readonly number[],
): boolean {
  const count = people ? people.size : audited;
  if (count === 0) return false;
  if (listedBy.length === 0) return true;
  // Each rotation's list holds a person once; several rotations may each hold them: a person counts in the
  // first rotation listing them.
  let expectedCount = 0;
  listedBy.forEach((rotation, k) => {
    for (const identity of expected.membersOf(rotation)) {
      if (people && !people.has(identity)) continue;
      let earlier = false;
      for (let j = 0; j < k && !earlier; j++) earlier = expected.has(listedBy[j] ?? 0, identity);
      if (!earlier) expectedCount++;
    }
  });
  return expectedCount < count;
}

/** People a rotation expects who are on none of its read schedules (when that can be told). */
function findMissingFromSchedules(
  rotations: readonly Rotation[],
  directory: Directory,
  facts: Facts,
  currentMembers: Map<string, CurrentMembers>,
  expected: RotationMembership,
  onSchedules: RotationBits,
  unknownMemberFailures: Map<string, Set<number>>,
  add: AddFinding,
  withheld: Withheld,
): void {
  const { identities } = directory;
  for (const [r, rotation] of rotations.entries()) {
    const readSchedules = rotation.schedules.filter((id) => currentMembers.has(id));
    const anyFailed = rotation.schedules.some(
      (id) => facts.failedScheduleIds.has(id) || unknownMemberFailures.has(id),
    );
    /** Someone is not found, but a schedule we could not read (or an unknown member) might hold them. */
    let withheldByFailedSchedules = false;
    for (const identity of expected.membersOf(r)) {
      identities.markRotationMember(identity);
      // On one of the rotation's read schedules under any of their IDs (marked while reading the members).
      if (onSchedules.has(r, identity)) continue;
      // Not found, but an identity we could not resolve might be on them under an account we did not read.
      const unresolved = identities.isUnresolved(identity);
      if (unresolved) withheld.addForUnresolved(identity, directory, "missing_from_schedule");
      if (anyFailed) withheldByFailedSchedules = true;
      if (anyFailed || unresolved || readSchedules.length === 0) continue;
      const rosterId = identities.rosterId(identity);
      const emailUserId = identities.emailUserId(identity);
      add({
        code: "missing_from_schedule",
        person: rosterPerson(identities.entry(identity)),
        schedule: null,
        rotation: rotation.id,
        message: `In ${rotation.name} per the roster, but on none of its schedules (${readSchedules
          .map((id) => facts.schedulesById.get(id)?.name ?? id)
          .join(", ")}).`,
        evidence: {
          schedules: readSchedules,
          pagerduty_ids: [
            ...(rosterId ? [rosterId] : []),
            ...(emailUserId === null ? [] : [emailUserId]),
          ].sort(compare),
        },
      });
    }
    if (withheldByFailedSchedules) {
      for (const id of rotation.schedules) {
        withheld.add(facts.failedScheduleIds.get(id), "missing_from_schedule");
        for (const failure of unknownMemberFailures.get(id) ?? []) {
          withheld.add(failure, "missing_from_schedule");
        }
      }
    }
  }
}

/**
 * Rotation members PagerDuty cannot page, or who have not accepted their invitation. Withheld: a member
 * whose user was not read; and someone in no rotation who would have a finding, when a schedule we could
 * not read, or an account nobody claims that we could not read, might make them a rotation member.
 */
function findUnpageable(
  directory: Directory,
  facts: Facts,
  strangerFailures: Set<number>,
  add: AddFinding,
  withheld: Withheld,
): void {
  // What people in no rotation would be told, were they on a schedule we could not read or the owners of an
  // account we could not read: flags, not lists, so a partial run allocates nothing per person.
  const offRotationChecked = facts.failedScheduleIds.size > 0 || strangerFailures.size > 0;
  /** Someone in no rotation whose user we did not read, who might own an unread account by email. */
  let openUnresolved = false;
  let notPageable = false;
  let invitation = false;
  /** The same, of people whose email no read user holds: only they can own an unread account. */
  let openNotPageable = false;
  let openInvitation = false;
  const { identities } = directory;
  for (let identity = 0; identity < identities.count; identity++) {
    if (!identities.isRotationMember(identity)) {
      if (!offRotationChecked) continue;
      const user = identities.user(identity);
      const open = identities.emailUser(identity) === null;
      if (identities.isUnresolved(identity) && open) openUnresolved = true;
      if (!user || user.deletedAt !== null) continue;
      if (user.contactMethodCount === 0 || user.notificationRuleCount === 0) {
        notPageable = true;
        openNotPageable ||= open;
      }
      if (user.invitationSent) {
        invitation = true;
        openInvitation ||= open;
      }
      continue;
    }
    const user = identities.user(identity);
    if (!user) {
      if (identities.isUnresolved(identity)) {
        withheld.addForUnresolved(identity, directory, "not_pageable");
        withheld.addForUnresolved(identity, directory, "invitation_pending");
      }
      continue;
    }
    if (user.deletedAt !== null) continue;
    if (user.contactMethodCount > 0 && user.notificationRuleCount > 0 && !user.invitationSent) continue;
    const person = rosterPerson(identities.entry(identity));
    const missing = [
      user.contactMethodCount === 0 ? "contact methods" : null,
      user.notificationRuleCount === 0 ? "notification rules" : null,
    ].filter((m): m is string => m !== null);
    if (missing.length > 0) {
      add({
        code: "not_pageable",
        person,
        schedule: null,
        rotation: null,
        message: `PagerDuty user ${user.id} has no ${missing.join(" and no ")}: PagerDuty cannot page them.`,
        evidence: {
          pagerduty_id: user.id,
          contact_methods: user.contactMethodCount,
          notification_rules: user.notificationRuleCount,
        },
      });
    }
    if (user.invitationSent) {
      add({
        code: "invitation_pending",
        person,
        schedule: null,
        rotation: null,
        message: `Has not accepted the PagerDuty invitation (user ${user.id}).`,
        evidence: { pagerduty_id: user.id },
      });
    }
  }
  for (const failure of strangerFailures) {
    if (openUnresolved || openNotPageable) withheld.add(failure, "not_pageable");
    if (openUnresolved || openInvitation) withheld.add(failure, "invitation_pending");
  }
  for (const failure of facts.failedScheduleIds.values()) {
    if (notPageable) withheld.add(failure, "not_pageable");
    if (invitation) withheld.add(failure, "invitation_pending");
  }
}

/** The people at `positions`, as a rotation's coverage lists who it expects. */
function describeExpected(identities: Identities, positions: Int32Array): RotationCoverage["expected"] {
  // A loop into a list sized once: Array.from over a typed array went through its iterator.
  const described = new Array<RotationCoverage["expected"][number]>(positions.length);
  for (let i = 0; i < positions.length; i++) {
    const identity = positions[i] as Identity;
    const { person } = identities.entry(identity);
    described[i] = { name: person.name, email: person.email, pagerdutyId: identities.rosterId(identity) };
  }
  return described;
}

/** Who is on each rotation's schedules and who should be, for the Schedules page. */
function coverageOf(
  rotations: readonly Rotation[],
  identities: Identities,
  facts: Facts,
  currentMembers: Map<string, CurrentMembers>,
  expected: RotationMembership,
  coverageMembers: Map<string, CoverageMember[]>,
): RotationCoverage[] {
  return rotations.map((rotation, r) => ({
    rotation: rotation.id,
    name: rotation.name,
    expected: describeExpected(identities, expected.membersOf(r)),
    schedules: rotation.schedules.map((id) => {
      const schedule = facts.schedulesById.get(id);
      if (!schedule || !currentMembers.has(id)) {
        const status = facts.failedScheduleIds.has(id) ? ("failed" as const) : ("missing" as const);
        return { id, name: null, kind: null, url: null, status, members: [] };
      }
      return {
        id,
        name: schedule.name,
        kind: schedule.kind,
        url: schedule.htmlUrl,
        status: "read" as const,
        members: coverageMembers.get(id) ?? [],
      };
    }),
  }));
}

/**
 * Members of a schedule at `nowMs`: users of every period whose `end` is null or later than now. A period
 * that ended has no members; a period that starts later counts (the next rotation is already planned).
 */
export function membersAt(schedule: PdSchedule, nowMs: number): Map<string, ScheduleMember> {
  const members = new Map<string, ScheduleMember>();
  for (const period of schedule.periods) {
    if (!isCurrent(period, nowMs)) continue;
    for (const m of period.members) {
      const seen = members.get(m.userId);
      // Most users sit in one layer: the snapshot's member stands for them as it is (read, never written),
      // so only a user met twice costs an object. A schedule's members live as long as the report.
      members.set(m.userId, seen === undefined ? m : mergedMember(seen, m));
    }
  }
  return members;
}

/** Whether a period still holds its members at `nowMs`: not ended (an open end never does). */
function isCurrent(period: PdSchedule["periods"][number], nowMs: number): boolean {
  return period.end === null || Date.parse(period.end) > nowMs;
}

/**
 * One user met in two periods of a schedule, as one member: merged in an order-free way, so the PagerDuty
 * order of layers never changes the report.
 */
function mergedMember(a: ScheduleMember, b: ScheduleMember): ScheduleMember {
  return { name: minOf(a.name, b.name), deletedAt: minOf(a.deletedAt, b.deletedAt) };
}

/** How many people the findings are about (findings about no person aside). */
function countPeople(findings: readonly Finding[]): number {
  // A loop, not a list per finding to flatten: at 100k people that was 7,000 small arrays.
  const people = new Set<string>();
  for (const finding of findings) if (finding.person) people.add(personKey(finding.person));
  return people.size;
}

/** Findings per code, every code present (0 when none). */
function countByCode(findings: readonly Finding[]): Record<FindingCode, number> {
  const counts = Object.fromEntries(FINDING_CODES.map((code) => [code, 0])) as Record<FindingCode, number>;
  for (const finding of findings) counts[finding.code]++;
  return counts;
}

function minOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

function rosterPerson(entry: RosterEntry): FindingPerson {
  return {
    name: entry.person.name,
    email: entry.person.email,
    gitlab: entry.person.gitlab?.username?.replace(/^@/, "") ?? null,
    pagerdutyId: entry.person.pagerduty?.id ?? null,
    inRoster: true,
  };
}

function pagerDutyOnlyPerson(userId: string, name: string | null, email: string | null): FindingPerson {
  return { name: name ?? userId, email, gitlab: null, pagerdutyId: userId, inRoster: false };
}

/** The stable identity of a person across runs: roster email, else the PagerDuty user ID. */
export function personKey(person: FindingPerson): string {
  return person.inRoster && person.email
    ? personKeyOfEmail(person.email)
    : pagerDutyOnlyPersonKey(person.pagerdutyId ?? person.name);
}

function findingKey(f: Pick<Finding, "code" | "person" | "schedule" | "rotation">): string {
  return `${f.code}|${f.person ? personKey(f.person) : "-"}|${f.schedule?.id ?? "-"}|${f.rotation ?? "-"}`;
}

const CODE_ORDER = new Map(FINDING_CODES.map((code, i) => [code, i]));

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The report's order: people by name (then by identity), findings about no person last; within a person
 * by code, then by key. Sort keys are built once per finding, not once per comparison.
 */
function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((finding) => ({
      finding,
      name: finding.person ? `0${finding.person.name.toLowerCase()}\u0000${personKey(finding.person)}` : "1",
      code: CODE_ORDER.get(finding.code) ?? 0,
    }))
    .sort((a, b) => compare(a.name, b.name) || a.code - b.code || compare(a.finding.key, b.finding.key))
    .map(({ finding }) => finding);
}
