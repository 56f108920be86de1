import { describe, expect, it } from "vitest";
import { FINDING_CODES } from "@/lib/audit/types";
import { AuditConfigSchema } from "@/lib/config/schema";
import { RosterPersonSchema } from "@/lib/roster/schema";
import { DEMO_CLEAN, DEMO_EXPECTED, DEMO_SCHEDULE_IDS, demoUserId, generateDemoOrg } from "./demo-org";
import { membersAt } from "@/lib/audit/check";
import type { SandboxSchedule } from "../pagerduty/types";
import { auditScenario } from "./audit-scenario";
import { snapshotOfState } from "./snapshot-of-state";

const NOW = new Date("2026-11-24T12:00:00Z");
const demo = generateDemoOrg({ now: NOW });
const PD_ID = /^P[A-Z0-9]{6}$/;
const report = auditScenario(demo, NOW);
const line = (f: {
  code: string;
  person: string | null;
  scheduleId: string | null;
  rotation: string | null;
}) => [f.code, f.person ?? "-", f.scheduleId ?? "-", f.rotation ?? "-"].join(" | ");

/** IDs on a schedule at NOW, as the checker counts them. */
function currentMemberIds(schedule: SandboxSchedule): string[] {
  const [read] = snapshotOfState(
    { users: demo.pagerduty.users, schedules: [schedule] },
    {
      scheduleIds: [schedule.id],
      rosterUserIds: [],
      fetchedAt: NOW,
    },
  ).schedules;
  return read ? [...membersAt(read, NOW.getTime()).keys()] : [];
}

describe("generateDemoOrg", () => {
  it("is deterministic, and `now` only moves dates", () => {
    expect(generateDemoOrg({ now: NOW })).toEqual(demo);
    const later = generateDemoOrg({ now: new Date("2027-03-01T08:00:00Z") });
    expect(later.roster).toEqual(demo.roster);
    expect(later.config).toEqual(demo.config);
    expect(later.pagerduty.users.map((u) => u.id)).toEqual(demo.pagerduty.users.map((u) => u.id));
    expect(later.pagerduty.schedules).not.toEqual(demo.pagerduty.schedules);
  });

  it("is a valid ~60-person org over 10 schedules of both kinds", () => {
    expect(demo.roster).toHaveLength(61);
    for (const person of demo.roster)
      expect(RosterPersonSchema.safeParse(person).success, person.name).toBe(true);
    expect(AuditConfigSchema.safeParse(demo.config).success).toBe(true);
    const emails = demo.roster.map((p) => p.email.toLowerCase());
    expect(new Set(emails).size).toBe(emails.length);

    const userIds = demo.pagerduty.users.map((u) => u.id);
    expect(new Set(userIds).size).toBe(userIds.length);
    for (const id of [...userIds, ...demo.pagerduty.schedules.map((s) => s.id)]) expect(id).toMatch(PD_ID);
    expect(demo.pagerduty.schedules).toHaveLength(10);
    expect(demo.pagerduty.schedules.filter((s) => s.kind === "v3").length).toBe(5);

    // Every member is a known user; v3 events respect PagerDuty's 1..20 members.
    for (const schedule of demo.pagerduty.schedules) {
      const ids =
        schedule.kind === "v2"
          ? schedule.layers.flatMap((l) => l.user_ids)
          : schedule.rotations.flatMap((r) =>
              r.events.flatMap((e) => {
                expect(e.member_user_ids.length).toBeGreaterThanOrEqual(1);
                expect(e.member_user_ids.length).toBeLessThanOrEqual(20);
                return e.member_user_ids.filter((id): id is string => id !== null);
              }),
            );
      for (const id of ids) expect(userIds).toContain(id);
    }
  });

  it("uses the planned rotations and membership rules", () => {
    expect(demo.config.rotations.map((r) => [r.id, r.name, r.members])).toEqual([
      ["ceoc-amer", "Customer Emergencies - AMER", { field: "pagerduty.rotations" }],
      ["ceoc-emea", "Customer Emergencies - EMEA", { field: "pagerduty.rotations" }],
      ["ceoc-apac", "Customer Emergencies - APAC", { field: "pagerduty.rotations" }],
      [
        "smoc-amer",
        "Support Manager On-call - AMER",
        { where: { title: "Support Engineering Manager", region: ["AMER-W", "AMER-C", "AMER-E"] } },
      ],
      [
        "smoc-emea",
        "Support Manager On-call - EMEA",
        { where: { title: "Support Engineering Manager", region: "EMEA" } },
      ],
      [
        "smoc-apac",
        "Support Manager On-call - APAC",
        { where: { title: "Support Engineering Manager", region: "APAC" } },
      ],
    ]);
    expect(demo.config.exempt).toEqual({ titles: ["VP of Support"] });
  });
});

describe("DEMO_EXPECTED", () => {
  it("covers every finding code", () => {
    expect(new Set(DEMO_EXPECTED.map((e) => e.code))).toEqual(new Set(FINDING_CODES));
  });

  it("is exactly what the checker finds on the demo data, no more and no less", () => {
    const planned = DEMO_EXPECTED.map((e) => line(e)).sort();
    const found = report.findings
      .map((f) => {
        // Rows name a rotation only where the finding is about one; compare it there.
        const row = DEMO_EXPECTED.find(
          (e) =>
            e.code === f.code &&
            e.person === (f.person?.name ?? null) &&
            e.scheduleId === (f.schedule?.id ?? null),
        );
        return line({
          code: f.code,
          person: f.person?.name ?? null,
          scheduleId: f.schedule?.id ?? null,
          rotation: row?.rotation === null ? null : f.rotation,
        });
      })
      .sort();
    expect(found).toEqual(planned);
    expect(report.complete).toBe(true);
  });

  it("names people who exist where they should, with the IDs the rows give", () => {
    const rosterNames = new Set(demo.roster.map((p) => p.name));
    const users = new Map(demo.pagerduty.users.map((u) => [u.id, u]));
    for (const row of DEMO_EXPECTED) {
      if (row.person === null) continue;
      const inRoster = rosterNames.has(row.person);
      // not_in_roster and deleted_user_in_schedule are about PagerDuty-only people; the rest about roster entries.
      expect(inRoster, `${row.code} ${row.person}`).toBe(
        row.code !== "not_in_roster" && row.code !== "deleted_user_in_schedule",
      );
      if (row.pagerdutyId && !inRoster) expect(users.get(row.pagerdutyId)?.name).toBe(row.person);
    }
    // The two missing IDs: one person has a PagerDuty account with their email, one has none.
    const emails = new Set(demo.pagerduty.users.map((u) => u.email));
    expect(emails.has("chloe.park@example.com")).toBe(true);
    expect(emails.has("rahul.menon@example.com")).toBe(false);
    // One unknown ID is a typo, the other a deleted user.
    expect(users.has(DEMO_EXPECTED.find((e) => e.person === "Ines Carvalho")?.pagerdutyId ?? "")).toBe(false);
    expect(users.get(demoUserId("Greg Tanaka"))?.deleted_at).not.toBeNull();
  });
});

describe("the traps", () => {
  const schedule = (id: string) => {
    const found = demo.pagerduty.schedules.find((s) => s.id === id);
    if (!found) throw new Error(`no schedule ${id}`);
    return found;
  };

  it("puts the exempt VP of Support on a current layer", () => {
    const vp = demo.roster.find((p) => p.title === "VP of Support");
    expect(currentMemberIds(schedule(DEMO_SCHEDULE_IDS.smocAmer))).toContain(vp?.pagerduty?.id);
  });

  it("keeps Yusuf on an ended layer and Kenji and Amara on an expired event only", () => {
    const primary = schedule(DEMO_SCHEDULE_IDS.ceocAmerPrimary);
    if (primary.kind !== "v2") throw new Error("expected a layer-based schedule");
    const ended = primary.layers.filter((l) => l.end !== null && Date.parse(l.end) < NOW.getTime());
    expect(ended.flatMap((l) => l.user_ids)).toContain(demoUserId("Yusuf Demir"));
    expect(currentMemberIds(primary)).not.toContain(demoUserId("Yusuf Demir"));

    const apac = schedule(DEMO_SCHEDULE_IDS.ceocApac);
    if (apac.kind !== "v3") throw new Error("expected a shift-based schedule");
    const expired = apac.rotations
      .flatMap((r) => r.events)
      .filter((e) => e.effective_until !== null && Date.parse(e.effective_until) < NOW.getTime());
    expect(expired.flatMap((e) => e.member_user_ids)).toEqual(
      expect.arrayContaining([demoUserId("Kenji Watanabe"), demoUserId("Amara Okafor")]),
    );
    expect(currentMemberIds(apac)).not.toContain(demoUserId("Kenji Watanabe"));
  });

  it("has an empty_member slot", () => {
    const emea = schedule(DEMO_SCHEDULE_IDS.smocEmea);
    expect(
      emea.kind === "v3" &&
        emea.rotations.some((r) => r.events.some((e) => e.member_user_ids.includes(null))),
    ).toBe(true);
  });

  it("gives no finding to the people of DEMO_CLEAN", () => {
    const flagged = new Set(report.findings.map((f) => f.person?.name));
    for (const { person } of DEMO_CLEAN) expect(flagged.has(person), person).toBe(false);
  });
});
