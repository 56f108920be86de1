import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditConfigSchema, type AuditConfig } from "@/lib/config/schema";
import { getLatestRun, listItems } from "@/lib/db/queries";
import type { TestContext } from "@/lib/testing/app-context";
import { createGitLabTestContext } from "@/lib/testing/app-context";
import { exportToIssue } from "./export";
import { rejectedAppError } from "@/lib/testing/errors";
import { SANDBOX_HTML_BASE } from "@/sandbox/pagerduty/server";
import { demoUserId } from "@/sandbox/scenarios/demo-org";
import type { AppContext } from "./context";
import { getPersonDetail, queryPeople } from "./findings";
import { actOnItems, bulkAct } from "./item-actions";
import { summarizeAudit } from "./overview";
import { openCurrentAudit, startAuditRun } from "./runs";

/**
 * Findings no colleague can fix (someone on a schedule who is not in the roster, a deleted user still on a
 * schedule, a schedule that does not exist) belong to the schedule's owner: shown with them, never chased.
 */
const START = Date.parse("2026-11-24T12:00:00Z");
const HOUR = 3_600_000;
let t: TestContext;
let ctx: AppContext;
let auditId: string;
let baseConfig: AuditConfig;

/** The demo's PagerDuty-only people: two not in the roster, one deleted and still on a schedule. */
const EX_STAFF = "Jordan Blake";
const CONTRACTOR = "Sam Ortiz";
const DELETED = "Victor Hale";

async function runToEnd() {
  const run = await startAuditRun(ctx, { auditId, actor: "ops" });
  await ctx.backgroundRuns.get(run.id);
  return getLatestRun(ctx.db, auditId);
}

async function rowOf(name: string) {
  const row = (await queryPeople(ctx, auditId, { q: name })).rows[0];
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

/** The config with `owner` on the rotation `rotationId`, read as a config file's would be. */
function withOwner(rotationId: string, owner: string): AuditConfig {
  return AuditConfigSchema.parse({
    ...baseConfig,
    rotations: baseConfig.rotations.map((r) => (r.id === rotationId ? { ...r, owner } : r)),
  });
}

beforeAll(async () => {
  t = await createGitLabTestContext(new Date(START));
  ctx = t.ctx;
  baseConfig = await ctx.loadConfig();
  // The APAC rotation names its owner: Theo Marsh, of Support Operations, by GitLab username.
  const theo = t.scenario.roster.find((p) => p.name === "Theo Marsh");
  const username = theo?.gitlab?.username;
  if (!username) throw new Error("demo org changed: Theo Marsh has no GitLab username");
  const config = withOwner("ceoc-apac", `@${username}`);
  ctx.loadConfig = async () => config;
  auditId = (await openCurrentAudit(ctx, "ops")).id;
  const run = await runToEnd();
  expect(run?.error ?? null).toBeNull();
  expect(run).toMatchObject({ status: "complete" });
  // Pings are comments on the audit issue.
  await exportToIssue(ctx, { auditId, actor: "ops" });
});

afterAll(async () => t.close());

describe("the findings table", () => {
  it("shows the owner instead of a chase for someone no colleague can be chased about", async () => {
    for (const [name, owner] of [
      [EX_STAFF, "Support Operations"],
      [DELETED, "Support Operations"],
      [CONTRACTOR, "Theo Marsh"],
    ] as const) {
      expect(await rowOf(name)).toMatchObject({ owner, nextAction: null, dueAt: null, overdue: false });
    }
    expect(await rowOf("Amara Okafor")).toMatchObject({ owner: null, nextAction: "ping" });
  });

  it("a schedule that does not exist is the owner's, shown with the configuration findings", async () => {
    const summary = await summarizeAudit(ctx, auditId);
    expect(summary.configurationItems.map((i) => [i.code, i.ownerName])).toEqual([
      ["schedule_not_found", null],
    ]);
  });
});

describe("a person's page", () => {
  it("says who owns the finding, what they do, and links to PagerDuty", async () => {
    const row = await rowOf(EX_STAFF);
    const detail = await getPersonDetail(ctx, auditId, row.personKey);
    const [item] = detail.items;
    expect(item).toMatchObject({
      code: "not_in_roster",
      owner: "Support Operations",
      ownerTask: expect.stringMatching(/^Remove them from the schedule in PagerDuty/) as unknown,
      nextAction: null,
      pagerdutyLinks: {
        schedule: `${SANDBOX_HTML_BASE}/schedules/${item?.scheduleId ?? ""}`,
        user: `${SANDBOX_HTML_BASE}/users/${demoUserId(EX_STAFF)}`,
      },
    });
  });

  it("a colleague's finding has no owner and no owner's task", async () => {
    const detail = await getPersonDetail(ctx, auditId, (await rowOf("Amara Okafor")).personKey);
    expect(detail.items[0]).toMatchObject({ owner: null, ownerTask: null, nextAction: "ping" });
  });
});

describe("acting on a finding the schedule's owner fixes", () => {
  it("a ping is refused with the reason, and nothing is recorded", async () => {
    const personKey = (await rowOf(EX_STAFF)).personKey;
    const error = await rejectedAppError(
      actOnItems(ctx, { auditId, personKey, action: { type: "ping" }, actor: "ops" }),
    );
    expect(error.code).toBe("conflict:item");
    expect(error.message).toBe(
      "Cannot ping the person about this finding: it is fixed in PagerDuty by the schedule's owner, not " +
        "chased; the next run confirms the fix.",
    );
    expect((await listItems(ctx.db, auditId, { personKey }))[0]?.state).toBe("open");
  });

  it("Ping all open and Escalate all due leave them alone, even days later", async () => {
    // The button says how many it pings: the 15 chased findings, not the 19 open ones.
    expect((await summarizeAudit(ctx, auditId)).bulkDue).toEqual({ ping: 15, escalate: 0 });
    const pinged = await bulkAct(ctx, { auditId, action: "ping", actor: "ops" });
    // 19 findings: less the schedule with no person, the two not in the roster and the deleted user.
    expect(pinged.applied).toBe(15);
    for (const name of [EX_STAFF, CONTRACTOR, DELETED]) {
      expect((await rowOf(name)).statuses).toEqual(["open"]);
    }
    ctx.clock.advance(100 * HOUR);
    const due = await queryPeople(ctx, auditId, { status: "follow_up_due" });
    // 15 findings of 14 people (Sean Murray has two).
    expect(due.total).toBe(14);
    expect((await summarizeAudit(ctx, auditId)).overduePeople).toBe(14);
    expect((await summarizeAudit(ctx, auditId)).bulkDue).toEqual({ ping: 0, escalate: 15 });
    const escalated = await bulkAct(ctx, { auditId, action: "escalate", actor: "ops" });
    expect(escalated.applied).toBe(15);
    expect((await rowOf(EX_STAFF)).statuses).toEqual(["open"]);
  });

  it("Support Operations may mark it intentional with a justification", async () => {
    const personKey = (await rowOf(CONTRACTOR)).personKey;
    const outcome = await actOnItems(ctx, {
      auditId,
      personKey,
      action: { type: "mark_intentional", justification: "Contractor covering APAC nights until March." },
      actor: "Theo Marsh",
    });
    expect(outcome.applied).toBe(1);
    expect((await rowOf(CONTRACTOR)).statuses).toEqual(["intentional"]);
  });
});

describe("a configured owner", () => {
  it("who is not in the roster fails the run with what to correct", async () => {
    ctx.loadConfig = async () => withOwner("ceoc-emea", "nobody@example.com");
    const run = await runToEnd();
    expect(run).toMatchObject({
      status: "failed",
      error:
        'Rotation ceoc-emea names "nobody@example.com" as the owner of its schedules, but nobody in the ' +
        "roster has that email or GitLab username.",
    });
  });
});
