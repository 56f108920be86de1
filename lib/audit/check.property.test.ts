import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RosterPerson } from "@/lib/roster/schema";
import { checkAudit } from "./check";
import { FUTURE, NOW, PAST, configOf, rosterOf, snapshotOf } from "./testing";
import type { PagerDutySnapshot, PdSchedule, PdUser } from "./types";

const ID_POOL = Array.from({ length: 14 }, (_, i) => `PU${String(i).padStart(5, "0")}`);
const SCHEDULES = ["PS00001", "PS00002", "PS00003", "PS00004"];
const CONFIG = configOf([
  { id: "ceoc", name: "CEOC", schedules: ["PS00001", "PS00002"], members: { field: "pagerduty.rotations" } },
  { id: "smoc", name: "SMOC", schedules: ["PS00003", "PS00004"], members: { where: { title: "Manager" } } },
]);

const personArb = fc.record({
  id: fc.option(fc.constantFrom(...ID_POOL), { nil: null, freq: 5 }),
  rotations: fc.subarray(["ceoc", "unknown-rotation"]),
  title: fc.constantFrom("Support Engineer", "Support Manager", "VP of Support"),
  region: fc.constantFrom("EMEA", "APAC"),
});

const userArb = fc.record({
  emailOwner: fc.nat({ max: 20 }),
  invitationSent: fc.boolean(),
  contactMethodCount: fc.constantFrom(0, 1, 2),
  notificationRuleCount: fc.constantFrom(0, 1),
});

const periodArb = fc.record({
  end: fc.constantFrom<string | null>(null, PAST, FUTURE),
  members: fc.array(fc.record({ userId: fc.constantFrom(...ID_POOL), deleted: fc.boolean() }), {
    maxLength: 6,
  }),
});

const orgArb = fc.record({
  people: fc.array(personArb, { minLength: 1, maxLength: 12 }),
  users: fc.dictionary(fc.constantFrom(...ID_POOL), userArb),
  schedules: fc.tuple(...SCHEDULES.map(() => fc.option(fc.array(periodArb, { maxLength: 3 }), { freq: 6 }))),
});

type OrgSpec = typeof orgArb extends fc.Arbitrary<infer T> ? T : never;

/** Turns a random spec into a roster and a consistent snapshot (deleted users are never in the list). */
function build(spec: OrgSpec): { people: RosterPerson[]; snapshot: PagerDutySnapshot } {
  const people = spec.people.map((p, i): RosterPerson => ({
    name: `Person ${i}`,
    email: `person${i}@example.com`,
    title: p.title,
    region: p.region,
    pagerduty: p.id === null ? { rotations: p.rotations } : { id: p.id, rotations: p.rotations },
  }));
  const deletedIds = new Set(
    spec.schedules.flatMap((periods) =>
      (periods ?? []).flatMap((p) => p.members.filter((m) => m.deleted).map((m) => m.userId)),
    ),
  );
  // PagerDuty keeps emails unique within an account: the first user to claim an email keeps it.
  const claimed = new Set<number>();
  const users: PdUser[] = Object.entries(spec.users)
    .filter(([id, u]) => !deletedIds.has(id) && !claimed.has(u.emailOwner) && claimed.add(u.emailOwner))
    .map(([id, u]) => ({
      id,
      name: `User ${id}`,
      email: `person${u.emailOwner}@example.com`,
      deletedAt: null,
      invitationSent: u.invitationSent,
      contactMethodCount: u.contactMethodCount,
      notificationRuleCount: u.notificationRuleCount,
    }));
  const schedules: PdSchedule[] = [];
  const missingScheduleIds: string[] = [];
  SCHEDULES.forEach((id, i) => {
    const periods = spec.schedules[i];
    if (periods === null || periods === undefined) {
      missingScheduleIds.push(id);
      return;
    }
    schedules.push({
      id,
      name: id,
      kind: i % 2 === 0 ? "v2" : "v3",
      htmlUrl: null,
      periods: periods.map((p, j) => ({
        id: `L${j}`,
        name: null,
        start: PAST,
        end: p.end,
        members: p.members.map((m) => ({
          userId: m.userId,
          name: null,
          deletedAt: deletedIds.has(m.userId) ? "2026-01-01T00:00:00Z" : null,
        })),
      })),
    });
  });
  const known = new Set(users.map((u) => u.id));
  const referenced = new Set([
    ...people.flatMap((p) => (p.pagerduty?.id ? [p.pagerduty.id] : [])),
    ...schedules.flatMap((s) => s.periods.flatMap((p) => p.members.map((m) => m.userId))),
  ]);
  return {
    people,
    snapshot: snapshotOf({
      users,
      schedules,
      missingScheduleIds,
      unknownUserIds: [...referenced].filter((id) => !known.has(id)),
    }),
  };
}

const keysOf = (people: RosterPerson[], snapshot: PagerDutySnapshot): string[] =>
  checkAudit({ roster: rosterOf(people), snapshot, config: CONFIG, now: NOW }).findings.map((f) => f.key);

describe("checkAudit invariants", () => {
  it("does not depend on the order of roster entries, users, schedules or layer members", () => {
    fc.assert(
      fc.property(orgArb, fc.integer(), (spec, seed) => {
        const { people, snapshot } = build(spec);
        const shuffle = <T>(items: readonly T[], salt: number): T[] =>
          items
            .map((item, i) => ({ item, rank: Math.sin(seed + salt * 31 + i * 7919) }))
            .sort((a, b) => a.rank - b.rank)
            .map((x) => x.item);
        const shuffled: PagerDutySnapshot = {
          ...snapshot,
          users: shuffle(snapshot.users, 1),
          schedules: shuffle(snapshot.schedules, 2).map((s) => ({
            ...s,
            periods: shuffle(s.periods, 3).map((p) => ({ ...p, members: shuffle(p.members, 4) })),
          })),
          unknownUserIds: shuffle(snapshot.unknownUserIds, 5),
        };
        const a = checkAudit({ roster: rosterOf(people), snapshot, config: CONFIG, now: NOW });
        const b = checkAudit({
          roster: rosterOf(shuffle(people, 6)),
          snapshot: shuffled,
          config: CONFIG,
          now: NOW,
        });
        expect(b.findings).toEqual(a.findings);
        expect(b.summary).toEqual(a.summary);
      }),
      { numRuns: 300 },
    );
  });

  it("gives no schedule finding to a person who is on exactly the schedules of their rotations", () => {
    fc.assert(
      fc.property(orgArb, fc.nat(), (spec, pick) => {
        const { people, snapshot } = build(spec);
        const index = pick % people.length;
        const chosen = people[index]!;
        const id = "PCHOSEN";
        chosen.pagerduty = { ...chosen.pagerduty, id };
        chosen.title = "Support Engineer";
        snapshot.users = snapshot.users.filter((u) => u.email !== chosen.email);
        snapshot.users.push({
          id,
          name: chosen.name,
          email: chosen.email,
          deletedAt: null,
          invitationSent: false,
          contactMethodCount: 1,
          notificationRuleCount: 1,
        });
        const inCeoc = (chosen.pagerduty.rotations as string[] | undefined)?.includes("ceoc") ?? false;
        for (const schedule of snapshot.schedules) {
          const wanted = inCeoc && (schedule.id === "PS00001" || schedule.id === "PS00002");
          schedule.periods = [
            ...schedule.periods,
            {
              id: "Lx",
              name: null,
              start: PAST,
              end: null,
              members: wanted ? [{ userId: id, name: null, deletedAt: null }] : [],
            },
          ];
        }
        const report = checkAudit({ roster: rosterOf(people), snapshot, config: CONFIG, now: NOW });
        const scheduleFindings = report.findings.filter(
          (f) =>
            f.person?.email === chosen.email &&
            [
              "missing_from_schedule",
              "unexpected_in_schedule",
              "not_in_roster",
              "deleted_user_in_schedule",
            ].includes(f.code),
        );
        expect(scheduleFindings).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("never invents a finding when data is missing: a partial run's findings are a subset of the full run's", () => {
    fc.assert(
      fc.property(orgArb, fc.constantFrom(...SCHEDULES, "users_list", "user"), (spec, failing) => {
        const { people, snapshot } = build(spec);
        const full = new Set(keysOf(people, snapshot));
        const partial = withFailure(snapshot, failing);
        if (!partial) return;
        const report = checkAudit({ roster: rosterOf(people), snapshot: partial, config: CONFIG, now: NOW });
        expect(report.complete).toBe(false);
        for (const finding of report.findings) expect(full).toContain(finding.key);
      }),
      { numRuns: 400 },
    );
  });

  it("says what it withheld: the failure lists the code of every finding the partial run lacks", () => {
    fc.assert(
      fc.property(orgArb, fc.constantFrom(...SCHEDULES, "users_list", "user"), (spec, failing) => {
        const { people, snapshot } = build(spec);
        const full = checkAudit({ roster: rosterOf(people), snapshot, config: CONFIG, now: NOW });
        const partialSnapshot = withFailure(snapshot, failing);
        if (!partialSnapshot) return;
        const partial = checkAudit({
          roster: rosterOf(people),
          snapshot: partialSnapshot,
          config: CONFIG,
          now: NOW,
        });
        const kept = new Set(partial.findings.map((f) => f.key));
        const lost = new Set(full.findings.filter((f) => !kept.has(f.key)).map((f) => f.code));
        const [error, ...others] = partial.errors;
        expect(others).toEqual([]);
        for (const code of lost) expect(error?.withheld).toContain(code);
      }),
      { numRuns: 600 },
    );
  });
});

/**
 * `snapshot` as if one read had failed: the users list, the first user (read one by one), or a schedule.
 * Null when there is no user to fail.
 */
function withFailure(snapshot: PagerDutySnapshot, failing: string): PagerDutySnapshot | null {
  let partial: PagerDutySnapshot;
  if (failing === "users_list") {
    partial = {
      ...snapshot,
      users: [],
      unknownUserIds: [],
      failures: [{ kind: "users_list", message: "HTTP 500" }],
    };
  } else if (failing === "user") {
    const victim = snapshot.users[0];
    if (!victim) return null;
    partial = {
      ...snapshot,
      users: snapshot.users.slice(1),
      failures: [{ kind: "user", userId: victim.id, message: "timeout" }],
    };
  } else {
    partial = {
      ...snapshot,
      schedules: snapshot.schedules.filter((s) => s.id !== failing),
      missingScheduleIds: snapshot.missingScheduleIds.filter((id) => id !== failing),
      failures: [{ kind: "schedule", scheduleId: failing, message: "HTTP 503" }],
    };
  }
  return partial;
}
