import type { AuditConfig, Rotation } from "@/lib/config/schema";
import { isExempt, selectMembersByRotation } from "@/lib/roster/membership";
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
  Severity,
} from "./types";
import { FINDING_CODES } from "./types";

export interface CheckInput {
  roster: Roster;
  snapshot: PagerDutySnapshot;
  config: AuditConfig;
  /** The moment the audit speaks for (UTC). Layers and events that ended before it have no members. */
  now: Date;
}

const SEVERITY: Record<FindingCode, Severity> = {
  missing_pagerduty_id: "error",
  unknown_pagerduty_id: "error",
  duplicate_pagerduty_id: "error",
  missing_from_schedule: "error",
  unexpected_in_schedule: "warning",
  not_in_roster: "warning",
  deleted_user_in_schedule: "error",
  email_mismatch: "warning",
  not_pageable: "error",
  invitation_pending: "warning",
  schedule_not_found: "error",
};

/** What each kind of fetch failure keeps the checker from deciding. Listed in the report's `errors`. */
const WITHHELD_BY_FAILURE: Record<ReportError["kind"], FindingCode[]> = {
  users_list: [
    "missing_from_schedule",
    "unexpected_in_schedule",
    "not_in_roster",
    "deleted_user_in_schedule",
    "unknown_pagerduty_id",
    "email_mismatch",
    "not_pageable",
    "invitation_pending",
  ],
  user: [
    "unknown_pagerduty_id",
    "missing_from_schedule",
    "unexpected_in_schedule",
    "not_in_roster",
    "deleted_user_in_schedule",
    "email_mismatch",
    "not_pageable",
    "invitation_pending",
  ],
  schedule: [
    "missing_from_schedule",
    "unexpected_in_schedule",
    "not_in_roster",
    "deleted_user_in_schedule",
    "schedule_not_found",
  ],
};

const lower = (s: string): string => s.trim().toLowerCase();

/** How one roster entry is tied to PagerDuty users. */
interface Identity {
  entry: RosterEntry;
  person: RosterEntry["person"];
  /** The roster email, lower-cased once. */
  email: string;
  /** Found on a configured schedule, or expected in a rotation: checked for pageability. */
  rotationMember: boolean;
  /** The roster's `pagerduty.id`, if any. */
  rosterId: string | null;
  /** The PagerDuty user the entry is audited as: by ID, else by email. */
  user: PdUser | null;
  /** Every PagerDuty user ID that counts as this person on a schedule. */
  userIds: string[];
  /** True when we could not tell who the person is in PagerDuty because data is missing. */
  unresolved: boolean;
}

/**
 * Audits the roster against a PagerDuty snapshot. Pure: the same input gives the same report, whatever the
 * order of roster entries, users or schedules. A fetch failure recorded in the snapshot never turns into a
 * finding: findings that depend on the missing data are withheld and the report is `complete: false`.
 */
export function checkAudit({ roster, snapshot, config, now }: CheckInput): AuditReport {
  const nowMs = now.getTime();
  const findings = new Map<string, Finding>();
  const add = (finding: Omit<Finding, "key" | "severity">): void => {
    const key = findingKey(finding);
    if (!findings.has(key)) findings.set(key, { ...finding, key, severity: SEVERITY[finding.code] });
  };

  const usersListFailed = snapshot.failures.some((f) => f.kind === "users_list");
  const failedUserIds = new Set(snapshot.failures.flatMap((f) => (f.kind === "user" ? [f.userId] : [])));
  const failedScheduleIds = new Set(
    snapshot.failures.flatMap((f) => (f.kind === "schedule" ? [f.scheduleId] : [])),
  );
  const unknownUserIds = new Set(snapshot.unknownUserIds);
  const missingScheduleIds = new Set(snapshot.missingScheduleIds);
  const usersById = new Map<string, PdUser>();
  for (const user of snapshot.users) usersById.set(user.id, user);
  // PagerDuty keeps emails unique per account; should two users share one anyway, the lowest ID wins.
  const liveUsersByEmail = new Map<string, PdUser>();
  for (const user of snapshot.users) {
    if (user.deletedAt !== null) continue;
    const email = lower(user.email);
    const seen = liveUsersByEmail.get(email);
    if (!seen || user.id < seen.id) liveUsersByEmail.set(email, user);
  }
  const schedulesById = new Map(snapshot.schedules.map((s) => [s.id, s]));
  /** Users that some schedule shows as deleted: an unknown roster ID among them was deleted, not mistyped. */
  const deletedOnSchedules = new Set<string>();
  for (const schedule of snapshot.schedules) {
    for (const period of schedule.periods)
      for (const m of period.members) if (m.deletedAt) deletedOnSchedules.add(m.userId);
  }

  const exempt = roster.entries.filter((e) => isExempt(e.person, config.exempt.titles));
  const exemptSet = new Set(exempt);
  const audited = roster.entries.filter((e) => !exemptSet.has(e));
  const exemptRosterIds = new Set(
    exempt.flatMap((e) => (e.person.pagerduty?.id ? [e.person.pagerduty.id] : [])),
  );
  const auditedRosterIds = new Set<string>();
  for (const e of audited) if (e.person.pagerduty?.id) auditedRosterIds.add(e.person.pagerduty.id);
  const exemptEmails = new Set(exempt.map((e) => lower(e.person.email)));

  // --- Who is who: roster entries tied to PagerDuty users -------------------------------------------
  const identities = audited.map((entry): Identity => {
    const rosterId = entry.person.pagerduty?.id ?? null;
    const byId = rosterId ? (usersById.get(rosterId) ?? null) : null;
    const email = lower(entry.person.email);
    const byEmail = liveUsersByEmail.get(email) ?? null;
    const idKnownMissing = rosterId !== null && unknownUserIds.has(rosterId);
    const user = byId ?? (rosterId === null || idKnownMissing ? byEmail : null);
    const userIds: string[] = [];
    if (rosterId) userIds.push(rosterId);
    if (byEmail && byEmail.id !== rosterId) userIds.push(byEmail.id);
    // With users missing (the list, or a user that failed to load), an entry with no ID (or a dead one)
    // cannot be ruled out by email: the missing user might carry this email.
    const unresolved =
      (rosterId !== null && byId === null && !idKnownMissing) ||
      ((usersListFailed || failedUserIds.size > 0) && byId === null && byEmail === null);
    return { entry, person: entry.person, email, rotationMember: false, rosterId, user, userIds, unresolved };
  });

  const rosterByEmail = new Map<string, Identity>();
  for (const identity of identities) rosterByEmail.set(identity.email, identity);
  const ownersByUserId = new Map<string, Identity[]>();
  for (const identity of identities) {
    for (const id of identity.userIds) pushTo(ownersByUserId, id, identity);
  }
  /** Roster identities a schedule member belongs to: by ID, else by the PagerDuty user's email. */
  const ownersOf = (userId: string): Identity[] | "unknown" => {
    const byId = ownersByUserId.get(userId);
    if (byId) return byId;
    const user = usersById.get(userId);
    if (user) {
      const byEmail = rosterByEmail.get(lower(user.email));
      return byEmail ? [byEmail] : [];
    }
    // Not in the users list and not looked up: it might be someone's second account.
    if (usersListFailed || failedUserIds.has(userId)) return "unknown";
    return [];
  };
  /** An exempt person's account: claimed by an exempt entry's ID, or unclaimed by ID and with their email. */
  const isExemptMember = (userId: string): boolean => {
    if (exemptRosterIds.has(userId)) return true;
    if (auditedRosterIds.has(userId)) return false;
    const user = usersById.get(userId);
    return user !== undefined && exemptEmails.has(lower(user.email));
  };

  // --- Roster-only and user-level findings ---------------------------------------------------------
  const entriesById = new Map<string, Identity[]>();
  for (const identity of identities) {
    if (identity.rosterId) {
      pushTo(entriesById, identity.rosterId, identity);
    }
  }

  for (const identity of identities) {
    const { entry, rosterId, user } = identity;
    if (rosterId === null) {
      const byEmail = usersListFailed ? null : (liveUsersByEmail.get(identity.email) ?? null);
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
    if (unknownUserIds.has(rosterId)) {
      const suggestion = liveUsersByEmail.get(identity.email);
      const deletedOn = deletedOnSchedules.has(rosterId);
      add({
        code: "unknown_pagerduty_id",
        person: rosterPerson(entry),
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
    const sharing = entriesById.get(rosterId) ?? [];
    if (sharing.length > 1) {
      const others = sharing
        .filter((s) => s !== identity)
        .map((s) => s.entry.person.name)
        .sort(compare);
      add({
        code: "duplicate_pagerduty_id",
        person: rosterPerson(entry),
        schedule: null,
        rotation: null,
        message: `PagerDuty ID ${rosterId} is also given to ${others.join(", ")} in the roster.`,
        evidence: { roster_pagerduty_id: rosterId, also_used_by: others },
      });
    }
    if (user && user.id === rosterId && lower(user.email) !== identity.email) {
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

  // --- Schedules and rotations ---------------------------------------------------------------------
  const rotationsBySchedule = new Map<string, Rotation[]>();
  for (const rotation of config.rotations) {
    for (const id of rotation.schedules) {
      rotationsBySchedule.set(id, [...(rotationsBySchedule.get(id) ?? []), rotation]);
    }
  }
  const expectedByRotation = selectMembersByRotation(identities, config.rotations);
  const currentMembers = new Map<string, Map<string, { name: string | null; deletedAt: string | null }>>();
  // Sorted by user ID once: when one person holds two accounts on a schedule, the report names the same one.
  for (const schedule of snapshot.schedules) {
    currentMembers.set(
      schedule.id,
      new Map([...membersAt(schedule, nowMs)].sort(([a], [b]) => compare(a, b))),
    );
  }

  for (const rotation of config.rotations) {
    for (const scheduleId of rotation.schedules) {
      if (!missingScheduleIds.has(scheduleId) || failedScheduleIds.has(scheduleId)) continue;
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

  /** People on a schedule per rotation: the rotations that list the schedule decide who belongs. */
  /** Schedules holding a member we could not identify: it might be anyone's second account. */
  const schedulesWithUnknownMembers = new Set<string>();
  for (const [scheduleId, rotations] of [...rotationsBySchedule].sort(([a], [b]) => compare(a, b))) {
    const schedule = schedulesById.get(scheduleId);
    const members = currentMembers.get(scheduleId);
    if (!schedule || !members) continue;
    const scheduleRef = { id: schedule.id, name: schedule.name };
    const firstRotation = [...rotations].sort((a, b) => compare(a.id, b.id))[0];
    for (const [userId, member] of members) {
      // A member neither read nor confirmed gone (its read failed) could be anyone, alive or deleted.
      const verified = member.deletedAt !== null || usersById.has(userId) || unknownUserIds.has(userId);
      if (!verified) {
        schedulesWithUnknownMembers.add(scheduleId);
        continue;
      }
      if (isExemptMember(userId)) continue;
      const owners = ownersOf(userId);
      // Shift-based schedules carry only user IDs: a member PagerDuty answers 404 for is a deleted user.
      if (member.deletedAt !== null || unknownUserIds.has(userId)) {
        const owner = owners === "unknown" ? undefined : [...owners].sort(compareIdentities)[0];
        const when = member.deletedAt
          ? `, deleted ${member.deletedAt.slice(0, 10)}`
          : ", no longer known to PagerDuty";
        add({
          code: "deleted_user_in_schedule",
          person: owner ? rosterPerson(owner.entry) : pagerDutyOnlyPerson(userId, member.name, null),
          schedule: scheduleRef,
          rotation: firstRotation?.id ?? null,
          message: `Schedule ${schedule.name} still holds deleted PagerDuty user ${member.name ?? userId} (${userId}${when}).`,
          evidence: { pagerduty_id: userId, deleted_at: member.deletedAt, schedule_kind: schedule.kind },
        });
        continue;
      }
      if (owners === "unknown") {
        schedulesWithUnknownMembers.add(scheduleId);
        continue;
      }
      if (owners.length === 0) {
        const user = usersById.get(userId) ?? null;
        add({
          code: "not_in_roster",
          person: pagerDutyOnlyPerson(userId, user?.name ?? member.name, user?.email ?? null),
          schedule: scheduleRef,
          rotation: firstRotation?.id ?? null,
          message: `On schedule ${schedule.name}, but matches no roster entry (PagerDuty user ${userId}${user ? `, ${user.email}` : ""}).`,
          evidence: {
            pagerduty_id: userId,
            pagerduty_email: user?.email ?? null,
            pagerduty_known: user !== null,
          },
        });
        continue;
      }
      for (const owner of owners) {
        owner.rotationMember = true;
        const expectedSomewhere = rotations.some((r) => expectedByRotation.get(r.id)?.has(owner));
        if (expectedSomewhere) continue;
        add({
          code: "unexpected_in_schedule",
          person: rosterPerson(owner.entry),
          schedule: scheduleRef,
          rotation: firstRotation?.id ?? null,
          message: `On schedule ${schedule.name}, but the roster does not put them in ${rotations.map((r) => r.name).join(" or ")}.`,
          evidence: { pagerduty_id: userId, rotations: rotations.map((r) => r.id) },
        });
      }
    }
  }

  for (const rotation of config.rotations) {
    const readSchedules = rotation.schedules.filter((id) => currentMembers.has(id));
    const anyFailed = rotation.schedules.some(
      (id) => failedScheduleIds.has(id) || schedulesWithUnknownMembers.has(id),
    );
    const onRotation = new Set<string>();
    for (const id of readSchedules)
      for (const uid of currentMembers.get(id)?.keys() ?? []) onRotation.add(uid);
    for (const identity of expectedByRotation.get(rotation.id) ?? []) {
      identity.rotationMember = true;
      let onOne = false;
      for (const uid of identity.userIds) onOne ||= onRotation.has(uid);
      // Not found, but a schedule we could not read (or an identity we could not resolve) might hold them.
      if (onOne || anyFailed || identity.unresolved || readSchedules.length === 0) continue;
      add({
        code: "missing_from_schedule",
        person: rosterPerson(identity.entry),
        schedule: null,
        rotation: rotation.id,
        message: `In ${rotation.name} per the roster, but on none of its schedules (${readSchedules
          .map((id) => schedulesById.get(id)?.name ?? id)
          .join(", ")}).`,
        evidence: {
          schedules: readSchedules,
          pagerduty_ids: [...identity.userIds].sort(compare),
        },
      });
    }
  }

  for (const identity of identities) {
    if (!identity.rotationMember) continue;
    const user = identity.user;
    if (!user || user.deletedAt !== null) continue;
    const person = rosterPerson(identity.entry);
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

  const ordered = [...findings.values()].sort(compareFindings);
  const errors = snapshot.failures
    .map((failure): ReportError => ({
      kind: failure.kind,
      id: failure.kind === "user" ? failure.userId : failure.kind === "schedule" ? failure.scheduleId : null,
      message: failure.message,
      withheld: WITHHELD_BY_FAILURE[failure.kind],
    }))
    .sort((a, b) => compare(`${a.kind}:${a.id ?? ""}`, `${b.kind}:${b.id ?? ""}`));
  const configuredSchedules = new Set(config.rotations.flatMap((r) => r.schedules));

  // A schedule shared by rotations is described once.
  const coverageMembers = new Map<string, RotationCoverage["schedules"][number]["members"]>();
  const membersOfSchedule = (
    id: string,
    members: Map<string, { name: string | null; deletedAt: string | null }>,
  ) => {
    let described = coverageMembers.get(id);
    if (!described) {
      described = [...members].map(([userId, member]) => {
        const user = usersById.get(userId);
        const owners = ownersOf(userId);
        const owner = owners === "unknown" ? undefined : owners[0];
        return {
          pagerdutyId: userId,
          name: owner?.person.name ?? user?.name ?? member.name,
          email: owner?.person.email ?? user?.email ?? null,
          inRoster: owner !== undefined || isExemptMember(userId),
          deleted: member.deletedAt !== null || unknownUserIds.has(userId),
        };
      });
      coverageMembers.set(id, described);
    }
    return described;
  };
  const coverage: RotationCoverage[] = config.rotations.map((rotation) => ({
    rotation: rotation.id,
    name: rotation.name,
    expected: [...(expectedByRotation.get(rotation.id) ?? [])].map((identity) => ({
      name: identity.person.name,
      email: identity.person.email,
      pagerdutyId: identity.rosterId,
    })),
    schedules: rotation.schedules.map((id) => {
      const schedule = schedulesById.get(id);
      const members = currentMembers.get(id);
      if (!schedule || !members) {
        const status = failedScheduleIds.has(id) ? ("failed" as const) : ("missing" as const);
        return { id, name: null, kind: null, status, members: [] };
      }
      return {
        id,
        name: schedule.name,
        kind: schedule.kind,
        status: "read" as const,
        members: membersOfSchedule(id, members),
      };
    }),
  }));

  return {
    version: 1,
    complete: snapshot.failures.length === 0,
    errors,
    generatedAt: now.toISOString(),
    findings: ordered,
    summary: {
      rosterPeople: roster.entries.length,
      exemptPeople: exempt.length,
      auditedPeople: audited.length,
      peopleWithFindings: new Set(ordered.flatMap((f) => (f.person ? [personKey(f.person)] : []))).size,
      findings: ordered.length,
      byCode: Object.fromEntries(
        FINDING_CODES.map((code) => [code, ordered.filter((f) => f.code === code).length]),
      ) as Record<FindingCode, number>,
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
    coverage,
  };
}

/**
 * Members of a schedule at `nowMs`: users of every period whose `end` is null or later than now. A period
 * that ended has no members; a period that starts later counts (the next rotation is already planned).
 */
export function membersAt(
  schedule: PdSchedule,
  nowMs: number,
): Map<string, { name: string | null; deletedAt: string | null }> {
  const members = new Map<string, { name: string | null; deletedAt: string | null }>();
  for (const period of schedule.periods) {
    if (period.end !== null && Date.parse(period.end) <= nowMs) continue;
    for (const m of period.members) {
      // Merge in an order-free way, so the PagerDuty order of layers never changes the report.
      const seen = members.get(m.userId);
      members.set(m.userId, {
        name: minOf(seen?.name ?? null, m.name),
        deletedAt: minOf(seen?.deletedAt ?? null, m.deletedAt),
      });
    }
  }
  return members;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
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
  return person.inRoster && person.email ? lower(person.email) : `pd:${person.pagerdutyId ?? person.name}`;
}

function findingKey(f: Pick<Finding, "code" | "person" | "schedule" | "rotation">): string {
  return [f.code, f.person ? personKey(f.person) : "-", f.schedule?.id ?? "-", f.rotation ?? "-"].join("|");
}

function compareIdentities(a: Identity, b: Identity): number {
  return compare(lower(a.entry.person.email), lower(b.entry.person.email));
}

const CODE_ORDER = new Map(FINDING_CODES.map((code, i) => [code, i]));

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareFindings(a: Finding, b: Finding): number {
  const nameA = a.person ? `0${a.person.name.toLowerCase()}\u0000${personKey(a.person)}` : "1";
  const nameB = b.person ? `0${b.person.name.toLowerCase()}\u0000${personKey(b.person)}` : "1";
  return (
    compare(nameA, nameB) ||
    (CODE_ORDER.get(a.code) ?? 0) - (CODE_ORDER.get(b.code) ?? 0) ||
    compare(a.key, b.key)
  );
}
