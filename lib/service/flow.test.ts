import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getLatestRun, listEvents } from "@/lib/db/queries";
import { rejectedAppError } from "@/lib/testing/errors";
import type { PagerDutySandbox } from "@/sandbox/pagerduty/types";
import type { Scenario } from "@/sandbox/scenarios/scenario";
import type { UserActionInput } from "@/lib/workflow/types";
import type { AppContext } from "./context";
import { resetDemo } from "./demo";
import { getOverview } from "./overview";
import { getPersonDetail, queryPeople } from "./findings";
import { actOnItems, bulkAct } from "./item-actions";
import { openCurrentAudit, startAuditRun } from "./runs";
import type { TestContext } from "@/lib/testing/app-context";
import { createGitLabTestContext } from "@/lib/testing/app-context";
import { exportToIssue } from "./export";

const START = Date.parse("2026-11-24T12:00:00Z");
const HOUR = 3_600_000;
let t: TestContext;
let ctx: AppContext;
let sandbox: PagerDutySandbox;
let scenario: Scenario;

beforeAll(async () => {
  // Pings are comments on the audit's GitLab issue.
  t = await createGitLabTestContext(new Date(START));
  ({ ctx, sandbox, scenario } = t);
});

afterAll(async () => t.close());

async function runToEnd(auditId: string) {
  const run = await startAuditRun(ctx, { auditId, actor: "ops" });
  await ctx.backgroundRuns.get(run.id);
  return getLatestRun(ctx.db, auditId);
}

describe("an audit from opening to follow-up", () => {
  it("opens the current period's audit, runs it, and tracks each person through pings and timers", async () => {
    const overviewBefore = await getOverview(ctx);
    expect(overviewBefore.schedule.current.name).toBe("FY27-Q3");
    expect(overviewBefore.current).toBeNull();

    const audit = await openCurrentAudit(ctx, "ops");
    expect(audit).toMatchObject({ name: "FY27-Q3", dueOn: "2026-10-31", status: "open" });
    await expect(openCurrentAudit(ctx, "ops")).rejects.toMatchObject({ code: "conflict:audit" });

    const run = await runToEnd(audit.id);
    expect(run).toMatchObject({ status: "complete", findingsCount: 19 });
    await exportToIssue(ctx, { auditId: audit.id, actor: "ops" });

    const page = await queryPeople(ctx, audit.id, { sort: "name" });
    expect(page.total).toBe(17);
    expect(page.rows.every((r) => r.status === "open")).toBe(true);
    // Everyone is to be pinged, except the three no colleague can fix: the schedule's owner does.
    expect(page.rows.filter((r) => r.nextAction !== "ping").map((r) => [r.name, r.owner])).toEqual([
      ["Jordan Blake", "Support Operations"],
      ["Sam Ortiz", "Support Operations"],
      ["Victor Hale", "Support Operations"],
    ]);
    const amara = page.rows.find((r) => r.name === "Amara Okafor");
    expect(amara).toMatchObject({ codes: ["missing_from_schedule"], manager: expect.any(String) });

    // Ping Amara; escalation is refused until 72 hours have passed.
    const key = amara?.personKey ?? "";
    expect(
      await actOnItems(ctx, { auditId: audit.id, personKey: key, action: { type: "ping" }, actor: "ops" }),
    ).toEqual({
      applied: 1,
      skipped: [],
      conflicts: 0,
      warnings: [],
    });
    const early = await rejectedAppError(
      actOnItems(ctx, { auditId: audit.id, personKey: key, action: { type: "escalate" }, actor: "ops" }),
    );
    expect(early.message).toMatch(/Follow-up is due at 2026-11-27 12:00 UTC \(in 72 h\)/);

    ctx.clock.advance(72 * HOUR);
    const due = await queryPeople(ctx, audit.id, { status: "follow_up_due" });
    expect(due.rows.map((r) => r.name)).toEqual(["Amara Okafor"]);
    expect((await getOverview(ctx)).current?.overduePeople).toBe(1);

    await actOnItems(ctx, { auditId: audit.id, personKey: key, action: { type: "escalate" }, actor: "ops" });
    const detail = await getPersonDetail(ctx, audit.id, key);
    expect(detail.history.map((e) => e.action)).toEqual(["ping", "escalate"]);
    expect(detail.items[0]).toMatchObject({ state: "escalated", nextAction: "record_dm" });
    // The last ping is the escalation, in the person's page and in the findings table alike.
    const escalatedAt = detail.history.at(-1)?.at;
    expect(detail.row.lastPingAt).toBe(escalatedAt);
    expect((await queryPeople(ctx, audit.id, { q: "amara" })).rows[0]?.lastPingAt).toBe(escalatedAt);
    expect((await queryPeople(ctx, audit.id, { q: "olivia" })).rows[0]?.lastPingAt).toBeNull();

    // Bulk: ping everyone else still open.
    const bulk = await bulkAct(ctx, { auditId: audit.id, action: "ping", actor: "ops" });
    // 19 findings, less Amara, the schedule that has no person and the three the schedule's owner fixes.
    expect(bulk.applied).toBe(14);
    // Found, exported, Amara's two steps, the bulk ping.
    expect(await listEvents(ctx.db, { auditId: audit.id })).toHaveLength(19 + 1 + 2 + 14);
  });

  it("marks an item intentional only with a reason, and a re-run after a fix resolves it as fixed", async () => {
    const audit = (await getOverview(ctx)).current?.audit;
    if (!audit) throw new Error("no audit");
    const olivia = (await queryPeople(ctx, audit.id, { q: "olivia" })).rows[0];
    expect(olivia?.codes).toEqual(["invitation_pending"]);
    const key = olivia?.personKey ?? "";
    const short = await rejectedAppError(
      actOnItems(ctx, {
        auditId: audit.id,
        personKey: key,
        action: { type: "mark_intentional", justification: "ok" },
        actor: "ops",
      }),
    );
    expect(short.code).toBe("conflict:item");

    // Fix Amara in "PagerDuty": put her on the APAC schedule, then re-run.
    const amaraId = scenario.roster.find((p) => p.name === "Amara Okafor")?.pagerduty?.id;
    const apac = scenario.pagerduty.schedules.find((s) => s.name.includes("APAC") && s.kind === "v3");
    if (!amaraId || apac?.kind !== "v3") throw new Error("demo org changed");
    const fixed = structuredClone(scenario.pagerduty);
    const target = fixed.schedules.find((s) => s.id === apac.id);
    if (target?.kind !== "v3") throw new Error("demo org changed");
    target.rotations[0]?.events.find((e) => e.effective_until === null)?.member_user_ids.push(amaraId);
    sandbox.setState(fixed);

    const rerun = await runToEnd(audit.id);
    expect(rerun).toMatchObject({ status: "complete", findingsCount: 18 });
    const amara = (await queryPeople(ctx, audit.id, { q: "amara" })).rows[0];
    expect(amara?.status).toBeNull();
    const detail = await getPersonDetail(ctx, audit.id, amara?.personKey ?? "");
    expect(detail.items[0]?.state).toBe("fixed");
    // The re-run that found it gone decided it, when it finished.
    expect(detail.items[0]?.resolution).toEqual({
      action: "fixed_by_rerun",
      actor: expect.any(String),
      actorKey: null,
      at: detail.items[0]?.stateChangedAt,
    });
    // Addressed people are still found by the status of their items, as the overview's counts link them.
    const fixedPeople = await queryPeople(ctx, audit.id, { status: "fixed" });
    expect(fixedPeople.rows.map((r) => r.name)).toEqual(["Amara Okafor"]);
    expect(fixedPeople.rows[0]?.statuses).toEqual(["fixed"]);
    sandbox.setState(scenario.pagerduty);
  });

  it("refuses a second run while one is in progress", async () => {
    const audit = (await getOverview(ctx)).current?.audit;
    if (!audit) throw new Error("no audit");
    sandbox.setFaults({ transientErrorRate: 1 });
    const first = await startAuditRun(ctx, { auditId: audit.id, actor: "ops" });
    const second = await rejectedAppError(startAuditRun(ctx, { auditId: audit.id, actor: "ops" }));
    expect(second.code).toBe("conflict:run");
    await ctx.backgroundRuns.get(first.id);
    sandbox.setFaults({});
    // PagerDuty never answered: the run is recorded incomplete or failed, and nothing was marked fixed.
    expect((await getLatestRun(ctx.db, audit.id))?.status).toMatch(/incomplete|failed/);
    expect((await queryPeople(ctx, audit.id, { q: "olivia" })).rows[0]?.status).toBe("pinged");
  });

  it("refuses invisible justifications and too-long waivers, and records an override with its event", async () => {
    const audit = (await getOverview(ctx)).current?.audit;
    if (!audit) throw new Error("no audit");
    const [first, second] = (await queryPeople(ctx, audit.id, { status: "pinged", sort: "name" })).rows;
    if (!first || !second) throw new Error("two pinged people expected");
    const act = (personKey: string, action: UserActionInput, actor = "Omar Haddad") =>
      actOnItems(ctx, { auditId: audit.id, personKey, action, actor });
    const justification = "Trial account, closed at the end of the month.";

    const invisible = await rejectedAppError(
      act(first.personKey, { type: "mark_intentional", justification: "\u200b".repeat(10) }),
    );
    expect([invisible.code, invisible.message]).toEqual([
      "conflict:item",
      "A justification is required (at least 10 characters).",
    ]);
    // The clock is 72 hours on: today is 2026-11-27, so a waiver may run to 2027-11-27.
    const tooLong = await rejectedAppError(
      act(second.personKey, { type: "waive", until: "2027-11-28", justification }),
    );
    expect(tooLong.message).toBe(
      "A waiver may end at most 12 months ahead, on 2027-11-27 at the latest; 2027-11-28 is later.",
    );

    await act(first.personKey, { type: "mark_intentional", justification, override: true }, "Olivia Grant");
    await act(second.personKey, { type: "waive", until: "2027-11-27", justification });
    const overridden = await getPersonDetail(ctx, audit.id, first.personKey);
    expect(overridden.history.at(-1)).toMatchObject({
      action: "mark_intentional",
      actor: "Olivia Grant",
      detail: { justification, override: true },
    });
    const waived = await getPersonDetail(ctx, audit.id, second.personKey);
    expect(waived.history.at(-1)).toMatchObject({ action: "waive", detail: { until: "2027-11-27" } });
    expect(waived.history.at(-1)?.detail).not.toHaveProperty("override");
    // Who decided, and when, is on the finding itself, not only in the history.
    expect(overridden.items.map((i) => i.resolution)).toEqual([
      {
        action: "mark_intentional",
        actor: "Olivia Grant",
        actorKey: null,
        at: overridden.history.at(-1)?.at,
      },
    ]);
    expect(waived.items.map((i) => i.resolution)).toEqual([
      { action: "waive", actor: "Omar Haddad", actorKey: null, at: waived.history.at(-1)?.at },
    ]);
    // An unresolved finding has no resolution.
    const third = (await queryPeople(ctx, audit.id, { status: "pinged", sort: "name" })).rows[0];
    const open = await getPersonDetail(ctx, audit.id, third?.personKey ?? "");
    expect(open.items.map((i) => i.resolution)).toEqual(open.items.map(() => null));
  });

  it("resets the demo to an empty dashboard and real time", async () => {
    expect(ctx.clock.offsetMs()).toBe(72 * HOUR);
    await resetDemo(ctx);
    expect(ctx.clock.offsetMs()).toBe(0);
    const overview = await getOverview(ctx);
    expect(overview.audits).toEqual([]);
    expect(overview.current).toBeNull();
  });
});
