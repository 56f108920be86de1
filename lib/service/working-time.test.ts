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
import { actOnItems } from "./item-actions";

/** Friday 27 November 2026, 10:00 UTC: 11:00 in Berlin. */
const FRIDAY = new Date("2026-11-27T10:00:00Z");
const HOUR = 3_600_000;

describe("timers on the person's working time", () => {
  let t: GitLabTestContext;
  let ctx: AppContext;
  let auditId: string;
  let personKey: string;

  beforeAll(async () => {
    t = await createGitLabTestContext(FRIDAY);
    const base = await t.ctx.loadConfig();
    const config = {
      ...base,
      working_time: {
        mode: "working_days" as const,
        default_timezone: "UTC",
        working_days: ["mon", "tue", "wed", "thu", "fri"] as ("mon" | "tue" | "wed" | "thu" | "fri")[],
        hours: "09:00-17:00",
        holidays: {},
      },
    };
    // Amara Okafor works from Berlin.
    const roster = rosterOfScenario(t.scenario);
    const entries = roster.entries.map((entry) =>
      entry.person.name === "Amara Okafor"
        ? { ...entry, person: { ...entry.person, tzdata_timezone: "Europe/Berlin" } }
        : entry,
    );
    ctx = { ...t.ctx, loadConfig: async () => config, loadRoster: async () => ({ ...roster, entries }) };
    auditId = await openRunAndExport(ctx);
    const amara = (await queryPeople(ctx, auditId, { q: "Amara" })).rows[0];
    if (!amara) throw new Error("the demo org has Amara Okafor");
    personKey = amara.personKey;
    await actOnItems(ctx, { auditId, personKey, action: { type: "ping" }, actor: "Theo Marsh" });
  });
  afterAll(async () => t.close());

  it("dates the follow-up Wednesday 11:00 in Berlin, skipping the weekend", async () => {
    const detail = await getPersonDetail(ctx, auditId, personKey);
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
    ctx.clock.advance(73 * HOUR); // Monday 11:00 UTC
    const early = await rejectedAppError(
      actOnItems(ctx, { auditId, personKey, action: { type: "escalate" }, actor: "Theo Marsh" }),
    );
    expect(early.code).toBe("conflict:item");
    expect(early.message).toMatch(/is due at/);
    ctx.clock.advance(47 * HOUR); // Wednesday 10:00 UTC
    const done = await actOnItems(ctx, {
      auditId,
      personKey,
      action: { type: "escalate" },
      actor: "Theo Marsh",
    });
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
