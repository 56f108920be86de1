import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getAuditById,
  getAuditDataVersion,
  getLatestRun,
  listDailyItemChanges,
  listFindingGroups,
  listItems,
} from "@/lib/db/queries";
import type { TestContext } from "@/lib/testing/app-context";
import { createGitLabTestContext, runAuditToEnd } from "@/lib/testing/app-context";
import { dueStateOf } from "@/lib/workflow/audit-counts";
import { trendOf } from "@/lib/workflow/progress";
import type { AppContext } from "./context";
import { exportToIssue } from "./export";
import { getAuditActivity } from "./activity";
import { actOnItems } from "./item-actions";
import { getAuditIndex, summarizeAudit } from "./overview";
import { getAuditProgress, getAuditTrend } from "./progress";
import { openCurrentAudit } from "./runs";
import { getStandingSendBack, signOff } from "./sign-off";

const START = Date.parse("2026-11-24T12:00:00Z");
const HOUR = 3_600_000;
let t: TestContext;
let ctx: AppContext;
let auditId: string;
let olivia: { personKey: string; managerName: string | null };

beforeAll(async () => {
  t = await createGitLabTestContext(new Date(START));
  ctx = t.ctx;
});

afterAll(async () => t.close());

/**
 * What the overview shows of the current audit: the counts, the due card, and the burn-down's last day. The
 * pictures are kept per version of the data: each step also checks they are what a fresh read gives.
 */
async function overviewOf() {
  const [summary, index, progress] = await Promise.all([
    summarizeAudit(ctx, auditId),
    getAuditIndex(ctx),
    getAuditProgress(ctx, auditId),
  ]);
  const trend = await getAuditTrend(ctx, index.audits);
  expect(trend).toEqual(trendOf(index.audits, await listFindingGroups(ctx.db)));
  const changes = await listDailyItemChanges(ctx.db, auditId);
  expect(progress.days.at(-1)?.found ?? 0).toBe(changes.reduce((sum, change) => sum + change.detected, 0));
  return {
    counts: summary,
    run: summary.latestRun,
    due: dueStateOf(index.schedule, index.current?.status ?? null),
    lastDay: progress.days.at(-1) ?? null,
  };
}

describe("the overview's numbers agree in every state of an audit", () => {
  it("before the first run: not run yet, rather than zero findings and every schedule found", async () => {
    auditId = (await openCurrentAudit(ctx, "ops")).id;
    const { counts, run, due, lastDay } = await overviewOf();
    expect(run).toBeNull();
    expect(counts).toMatchObject({ phase: "not_run", found: 0, present: 0 });
    // FY27-Q3 was due on 31 October: opened late, it is overdue until signed off.
    expect(due).toBe("overdue");
    expect(lastDay).toBeNull();
  });

  it("after a run: the findings stat is the run line's count, and the burn-down ends at what is left", async () => {
    const run = await runAuditToEnd(ctx, auditId);
    const { counts, lastDay } = await overviewOf();
    expect(run).toMatchObject({ status: "complete", findingsCount: 19 });
    expect(counts).toMatchObject({ phase: "open", found: 19, present: 19, toAddress: 19 });
    expect(lastDay).toMatchObject({ found: 19, remaining: counts.toAddress });

    // Pinged on the audit issue; followed up 72 hours later.
    await exportToIssue(ctx, { auditId, actor: "ops" });
    const items = await listItems(ctx.db, auditId);
    const item = items.find((i) => i.personName === "Olivia Grant");
    if (!item?.personKey) throw new Error("demo org changed");
    olivia = { personKey: item.personKey, managerName: item.managerName };
    await actOnItems(ctx, { auditId, personKey: item.personKey, action: { type: "ping" }, actor: "ops" });
  });

  it("after a re-run that fixed one: 18 in the run line, 18 in the stat, the fixed one addressed", async () => {
    const amaraId = t.scenario.roster.find((p) => p.name === "Amara Okafor")?.pagerduty?.id;
    const fixedOrg = structuredClone(t.scenario.pagerduty);
    const apac = fixedOrg.schedules.find((s) => s.name.includes("APAC") && s.kind === "v3");
    if (!amaraId || apac?.kind !== "v3") throw new Error("demo org changed");
    apac.rotations[0]?.events.find((e) => e.effective_until === null)?.member_user_ids.push(amaraId);
    t.sandbox.setState(fixedOrg);
    ctx.clock.advance(24 * HOUR);

    await runAuditToEnd(ctx, auditId);
    const { counts, run, lastDay } = await overviewOf();
    expect(run?.findingsCount).toBe(18);
    expect(counts).toMatchObject({ present: 18, found: 19, fixed: 1, addressed: 1, toAddress: 18 });
    expect(Object.values(counts.byCode).reduce((a, b) => a + b, 0)).toBe(run?.findingsCount);
    // The run found it fixed on the second day: the burn-down's second day is one lower than its first.
    expect(lastDay).toMatchObject({ day: "2026-11-25", found: 19, addressed: 1, remaining: 18 });
    t.sandbox.setState(t.scenario.pagerduty);
  });

  it("a person pinged and past the follow-up counts in People overdue, under their manager", async () => {
    ctx.clock.advance(72 * HOUR);
    const { counts } = await overviewOf();
    expect(counts.overduePeople).toBe(1);
    expect(counts.overdueByManager).toEqual([{ manager: olivia.managerName, people: 1 }]);
  });

  it("after sign-off with an override: signed off on the due card, nobody overdue, what was left not urgent", async () => {
    ctx.clock.advance(24 * HOUR);
    await signOff(ctx, {
      auditId,
      actor: "Sofia Reyes",
      overrideReason: "Accepted for this quarter; tracked in the next audit.",
    });
    const { counts, due, lastDay } = await overviewOf();
    expect(due).toBe("signed_off");
    expect(lastDay?.day).toBe("2026-11-29");
    expect(counts).toMatchObject({ phase: "signed_off", overduePeople: 0, toAddress: 18, present: 18 });
    expect(lastDay?.remaining).toBe(counts.toAddress);
    expect((await getLatestRun(ctx.db, auditId))?.findingsCount).toBe(counts.present);
  });
});

describe("the overview's reads of one audit", () => {
  it("learn its data version from the reader the page gives them, and agree with reads that ask the database", async () => {
    const index = await getAuditIndex(ctx);
    const audit = await getAuditById(ctx.db, auditId);
    const asked: string[] = [];
    const versionOf = async (id: string) => {
      asked.push(id);
      return getAuditDataVersion(ctx.db, id);
    };
    const [progress, activity, sentBack, trend] = await Promise.all([
      getAuditProgress(ctx, audit, versionOf),
      getAuditActivity(ctx, audit, { pageSize: 8 }, versionOf),
      getStandingSendBack(ctx, audit, versionOf),
      getAuditTrend(ctx, index.audits, versionOf),
    ]);
    // Each read asks the page's reader (which reads once per request) instead of the database itself.
    expect(asked.filter((id) => id === auditId)).toHaveLength(4);
    expect(progress).toEqual(await getAuditProgress(ctx, auditId));
    expect(activity).toEqual(await getAuditActivity(ctx, auditId, { pageSize: 8 }));
    expect(sentBack).toEqual(await getStandingSendBack(ctx, auditId));
    expect(trend).toEqual(await getAuditTrend(ctx, index.audits));
  });
});
