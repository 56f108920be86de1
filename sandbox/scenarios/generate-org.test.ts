import { describe, expect, it } from "vitest";
import { FINDING_CODES } from "@/lib/audit/types";
import { AuditConfigSchema } from "@/lib/config/schema";
import { buildRoster } from "@/lib/roster/parse";
import { KNOWN_REGIONS, RosterPersonSchema } from "@/lib/roster/schema";
import { generateOrg, type GenerateOrgOptions } from "./generate-org";
import { auditScenario } from "./audit-scenario";

const NOW = new Date("2026-11-24T12:00:00Z");
const BENCH: GenerateOrgOptions = {
  people: 2000,
  extraPagerDutyUsers: 1000,
  schedules: 60,
  v3Share: 0.4,
  seed: 7,
  now: NOW,
};
const bench = generateOrg(BENCH);

describe("generateOrg", () => {
  it("is deterministic: the same seed gives the same org, another seed another", () => {
    expect(generateOrg(BENCH)).toEqual(bench);
    const other = generateOrg({ ...BENCH, seed: 8 });
    expect(other.roster.map((p) => p.name)).not.toEqual(bench.roster.map((p) => p.name));
  });

  it("has the bench sizes: 2,000 people, ~3,000 PagerDuty users, 60 schedules with 40% v3", () => {
    expect(bench.roster).toHaveLength(2000);
    // Everyone has an account except the few "missing ID, no account" people.
    expect(bench.pagerduty.users.length).toBeGreaterThan(2980);
    expect(bench.pagerduty.users.length).toBeLessThanOrEqual(3000);
    expect(bench.pagerduty.schedules).toHaveLength(60);
    expect(bench.pagerduty.schedules.filter((s) => s.kind === "v3")).toHaveLength(24);
    const configured = bench.config.rotations.flatMap((r) => r.schedules);
    expect(new Set(configured).size).toBe(61);
    const served = new Set(bench.pagerduty.schedules.map((s) => s.id));
    expect(configured.filter((id) => !served.has(id))).toHaveLength(1);
  });

  it("writes realistic, valid roster entries and a valid config", () => {
    expect(AuditConfigSchema.safeParse(bench.config).success).toBe(true);
    const names = new Set(bench.roster.map((p) => p.name));
    const rotationIds = new Set(bench.config.rotations.map((r) => r.id));
    const emails = new Set<string>();
    for (const person of bench.roster) {
      expect(RosterPersonSchema.safeParse(person).success, person.name).toBe(true);
      expect(KNOWN_REGIONS).toContain(person.region);
      expect(person.start_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(person.tzdata_timezone).toMatch(/^[A-Z][a-z]+\//);
      expect(person.gitlab?.username).toBeTruthy();
      expect(person.focuses?.length).toBeGreaterThan(0);
      if (person.title !== "VP of Support") expect(names.has(person.reports_to ?? "")).toBe(true);
      const rotations = (person.pagerduty as { rotations?: string[] } | undefined)?.rotations ?? [];
      for (const rotation of rotations) expect(rotationIds.has(rotation)).toBe(true);
      emails.add(person.email.toLowerCase());
    }
    expect(emails.size).toBe(bench.roster.length);
    const managers = bench.roster.filter((p) => p.title?.includes("Manager"));
    expect(managers.length).toBeGreaterThan(100);
    expect(bench.roster.filter((p) => p.title?.startsWith("Director"))).toHaveLength(3);
  });

  it("gives each person their own name, email and GitLab username, as the roster loader requires", () => {
    const entries = bench.roster.map((person, index) => ({
      person,
      location: { file: "support-team.yaml", index, line: null },
    }));
    expect(() => buildRoster("support-team.yaml", entries, "sha")).not.toThrow();
  });

  it("builds schedules PagerDuty would accept: known members, at most 20 per v3 event", () => {
    const userIds = new Set(bench.pagerduty.users.map((u) => u.id));
    expect(userIds.size).toBe(bench.pagerduty.users.length);
    for (const schedule of bench.pagerduty.schedules) {
      expect(schedule.id).toMatch(/^P[A-Z0-9]{6}$/);
      const members =
        schedule.kind === "v2"
          ? schedule.layers.flatMap((l) => l.user_ids)
          : schedule.rotations.flatMap((r) =>
              r.events.flatMap((e) => {
                expect(e.member_user_ids.length).toBeLessThanOrEqual(20);
                return e.member_user_ids.filter((id): id is string => id !== null);
              }),
            );
      for (const id of members) expect(userIds.has(id)).toBe(true);
    }
  });

  it("is mostly clean, with every kind of problem present at a few percent", () => {
    const { findings } = auditScenario(bench, NOW);
    expect(new Set(findings.map((f) => f.code))).toEqual(new Set(FINDING_CODES));
    const people = new Set(findings.flatMap((f) => (f.person ? [f.person.name] : [])));
    expect(people.size / bench.roster.length).toBeLessThan(0.1);
    expect(people.size).toBeGreaterThan(40);
  });

  it("builds an account of a given size past PagerDuty's pagination limit, listed by name", () => {
    const big = generateOrg({ ...BENCH, people: 300, pagerDutyUsers: 12_000 });
    const { users } = big.pagerduty;
    expect(users).toHaveLength(12_000);
    const names = users.map((u) => u.name);
    expect(names).toEqual([...names].sort());
    // The roster's users are spread through the list: some lie past the first 10,000.
    const rosterIds = new Set(big.roster.flatMap((p) => (p.pagerduty?.id ? [p.pagerduty.id] : [])));
    const pastLimit = users.slice(10_000).filter((u) => rosterIds.has(u.id)).length;
    expect(pastLimit).toBeGreaterThan(20);
    // PagerDuty keeps emails unique within an account (the targeted reads past the limit rely on it).
    const emails = users.map((u) => u.email.toLowerCase());
    const rosterEmails = new Set(big.roster.map((p) => p.email.toLowerCase()));
    const shared = emails.filter((e, i) => rosterEmails.has(e) && emails.indexOf(e) !== i);
    expect(shared).toEqual([]);
    expect(new Set(auditScenario(big, NOW).findings.map((f) => f.code))).toEqual(new Set(FINDING_CODES));
  });

  it("also builds tiny orgs", () => {
    const tiny = generateOrg({
      people: 12,
      extraPagerDutyUsers: 3,
      schedules: 2,
      v3Share: 0.5,
      seed: 1,
      now: NOW,
    });
    expect(tiny.roster).toHaveLength(12);
    expect(tiny.pagerduty.schedules).toHaveLength(2);
    expect(AuditConfigSchema.safeParse(tiny.config).success).toBe(true);
  });
});
