/**
 * The chase's timers on the person's working time, end to end: with the config's `working_time`, a ping
 * on a Friday is not followed up on Monday (72 plain hours later) but on the Wednesday, at the hour it was
 * sent in the person's zone; the person page says when, and an early escalation is refused with it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rosterOfScenario } from "@/sandbox/scenarios/audit-scenario";
import { createGitLabTestContext, type GitLabTestContext, openRunAndExport } from "@/lib/testing/app-context";
import { rejectedAppError } from "@/lib/testing/errors";
import type { AppContext } from "./context";
import { getPersonDetail, queryPeople } from "./findings";
import { nextAutopilotSteps } from "./autopilot/chase";
import { actOnItems } from "./item-actions";

/** Friday 27 November 2026, 10:00 UTC: 11:00 in Berlin. */
const FRIDAY = new Date("2026-11-27T10:00:00Z");
const HOUR = 3_600_000;

const WORKING_WEEK_UTC = {
  mode: "working_days" as const,
  default_timezone: "UTC",
  working_days: ["mon", "tue", "wed", "thu", "fri"] as ("mon" | "tue" | "wed" | "thu" | "fri")[],
  hours: "09:00-17:00",
  holidays: {},
};

const BOTH_IN_BERLIN = { "Amara Okafor": "Europe/Berlin", "Priyanka Desai": "Europe/Berlin" };

/** The demo roster with the named people's `tzdata_timezone` changed. */
function rosterInZones(t: GitLabTestContext, zones: Record<string, string>) {
  const roster = rosterOfScenario(t.scenario);
  const entries = roster.entries.map((entry) => {
    const zone = zones[entry.person.name];
    return zone ? { ...entry, person: { ...entry.person, tzdata_timezone: zone } } : entry;
  });
  return { ...roster, entries };
}

/**
 * An audit run on Friday 10:00 UTC on the working week in UTC, the named people in the given zones, and
 * Amara Okafor (whose manager is Priyanka Desai) pinged.
 */
async function amaraPingedOnFriday(zones: Record<string, string>) {
  const t = await createGitLabTestContext(FRIDAY);
  const config = { ...(await t.ctx.loadConfig()), working_time: WORKING_WEEK_UTC };
  const roster = rosterInZones(t, zones);
  const ctx: AppContext = { ...t.ctx, loadConfig: async () => config, loadRoster: async () => roster };
  const auditId = await openRunAndExport(ctx);
  const amara = (await queryPeople(ctx, auditId, { q: "Amara" })).rows[0];
  if (!amara) throw new Error("the demo org has Amara Okafor");
  const personKey = amara.personKey;
  await actOnItems(ctx, { auditId, personKey, action: { type: "ping" }, actor: "Theo Marsh" });
  /** Theo Marsh escalates Amara's findings. */
  const escalate = () =>
    actOnItems(ctx, { auditId, personKey, action: { type: "escalate" }, actor: "Theo Marsh" });
  return { t, ctx, auditId, personKey, escalate };
}

/** `amaraPingedOnFriday` before the enclosing describe's tests, closed after them. */
function useAmaraPingedOnFriday(zones: Record<string, string>) {
  const amara = {} as Awaited<ReturnType<typeof amaraPingedOnFriday>>;
  beforeAll(async () => {
    Object.assign(amara, await amaraPingedOnFriday(zones));
  });
  afterAll(async () => amara.t.close());
  return amara;
}

describe("timers on the person's working time", () => {
  // Amara Okafor and her manager, Priyanka Desai, work from Berlin.
  const amara = useAmaraPingedOnFriday(BOTH_IN_BERLIN);

  it("dates the follow-up Wednesday 11:00 in Berlin, skipping the weekend", async () => {
    const detail = await getPersonDetail(amara.ctx, amara.auditId, amara.personKey);
    expect(detail.items.map((i) => i.personTimezone)).toEqual(detail.items.map(() => "Europe/Berlin"));
    // Friday 11:00 → midnight is 13 h; Monday and Tuesday 48 h; Wednesday 11 h: 72 working-day hours.
    // The clock runs from Friday 10:00 at real speed: the ping went out a moment after it.
    for (const item of detail.items) {
      const late = Date.parse(item.dueAt ?? "") - Date.parse("2026-12-02T10:00:00Z");
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(10_000);
    }
  });

  it("refuses the escalation on Monday, when 72 plain hours have passed, and takes it on Wednesday", async () => {
    amara.ctx.clock.advance(73 * HOUR); // Monday 11:00 UTC
    const early = await rejectedAppError(amara.escalate());
    expect(early.code).toBe("conflict:item");
    expect(early.message).toMatch(/is due at/);
    amara.ctx.clock.advance(47 * HOUR); // Wednesday 10:00 UTC
    const done = await amara.escalate();
    expect(done.applied).toBeGreaterThan(0);
  });
});

describe("an escalation to a manager in another zone", () => {
  const amara = useAmaraPingedOnFriday({
    "Amara Okafor": "Australia/Sydney",
    "Priyanka Desai": "America/Los_Angeles",
  });

  it("stores the manager's zone and counts on Amara's days, then waits for 09:00 in Los Angeles", async () => {
    const detail = await getPersonDetail(amara.ctx, amara.auditId, amara.personKey);
    expect(detail.items.map((i) => i.managerTimezone)).toEqual(detail.items.map(() => "America/Los_Angeles"));
    // Pinged Friday 21:00 in Sydney: 3 h to midnight, Monday and Tuesday, then 21 h of Wednesday: 72
    // working-day hours end Wednesday 21:00 Sydney (10:00 UTC), 02:00 in Los Angeles. The escalation
    // waits for 09:00 there: 17:00 UTC.
    expect(detail.items.map((i) => i.dueAt)).toEqual(detail.items.map(() => "2026-12-02T17:00:00.000Z"));
  });

  it("says autopilot escalates on the manager's clock", async () => {
    const [step] = await nextAutopilotSteps(amara.ctx, amara.auditId, 1);
    expect(step).toMatchObject({
      personKey: amara.personKey,
      action: "escalate",
      zone: "America/Los_Angeles",
      recipient: "manager",
    });
  });

  it("refuses the escalation at 02:00 in Los Angeles and takes it at 09:00", async () => {
    amara.ctx.clock.advance(Date.parse("2026-12-02T10:30:00Z") - amara.ctx.clock.now().getTime());
    const early = await rejectedAppError(amara.escalate());
    expect(early.message).toMatch(/is due at/);
    amara.ctx.clock.advance(7 * HOUR); // 17:30 UTC, 09:30 in Los Angeles
    const done = await amara.escalate();
    expect(done.applied).toBeGreaterThan(0);
  });
});

describe("timers without a working_time section", () => {
  let t: GitLabTestContext;
  let auditId: string;
  let personKey: string;

  beforeAll(async () => {
    t = await createGitLabTestContext(FRIDAY, { workingTime: "default" });
    const config = await t.ctx.loadConfig();
    expect(config.working_time).toBeUndefined();
    auditId = await openRunAndExport(t.ctx);
    const first = (await queryPeople(t.ctx, auditId, { status: "open" })).rows[0];
    if (!first) throw new Error("the demo org has open findings");
    personKey = first.personKey;
    await actOnItems(t.ctx, { auditId, personKey, action: { type: "ping" }, actor: "Theo Marsh" });
  });
  afterAll(async () => t.close());

  it("count on the default working week: Friday's ping is not escalated on Monday, but midweek", async () => {
    t.ctx.clock.advance(73 * HOUR); // Monday 11:00 UTC: 72 plain hours, 24 working-day hours
    const early = await rejectedAppError(
      actOnItems(t.ctx, { auditId, personKey, action: { type: "escalate" }, actor: "Theo Marsh" }),
    );
    expect(early.code).toBe("conflict:item");
    // Thursday 11:00 UTC: three working days have passed in every zone the demo's people work in.
    t.ctx.clock.advance(72 * HOUR);
    const done = await actOnItems(t.ctx, {
      auditId,
      personKey,
      action: { type: "escalate" },
      actor: "Theo Marsh",
    });
    expect(done.applied).toBeGreaterThan(0);
  });
});
