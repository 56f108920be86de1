/**
 * The findings read model is kept per version of the audit's data: what another app instance does on the
 * same database, and what time alone changes (a waiver ending), must show at the next read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import { createTestContext, type TestContext } from "@/lib/testing/app-context";
import type { AppContext } from "./context";
import { listItems } from "@/lib/db/queries";
import {
  getAuditSummary,
  getFindingsView,
  getPagerDutySite,
  pagerDutySiteOfItems,
  queryPeople,
} from "./findings";
import { actOnItems } from "./item-actions";
import { summarizeAudit } from "./overview";
import { openCurrentAudit, startAuditRun } from "./runs";

const START = Date.parse("2026-11-24T12:00:00Z");
const DAY = 24 * 3_600_000;
const REASON = "Covered by the EMEA rotation until March";

const kinds = await listTestDatabases();

describe.each(kinds)("the findings read model ($name)", (kind) => {
  let place: TestDatabase | undefined;
  let t: TestContext | undefined;
  let ctx: AppContext;
  let other: AppContext;
  let auditId: string;

  beforeAll(async () => {
    place = await kind.create();
    t = await createTestContext(new Date(START), { database: place.options });
    ctx = t.ctx;
    other = await t.openInstance();
    const audit = await openCurrentAudit(ctx, "ops");
    auditId = audit.id;
    const run = await startAuditRun(ctx, { auditId, actor: "ops" });
    await ctx.backgroundRuns.get(run.id);
  });

  afterAll(async () => {
    await t?.close();
    await place?.drop();
  });

  async function rowOf(on: AppContext, name: string) {
    const row = (await queryPeople(on, auditId, { q: name })).rows[0];
    if (!row) throw new Error(`no row for ${name}`);
    return row;
  }

  it("gives a person without a schedule page among their findings the audit's PagerDuty site", async () => {
    const site = pagerDutySiteOfItems(await listItems(ctx.db, auditId));
    expect(site).toMatch(/^https?:\/\//);
    expect(await getPagerDutySite(ctx, auditId, [{ evidence: {} }])).toBe(site);
    expect(await getPagerDutySite(ctx, auditId, [{ evidence: {} }])).toBe(site);
  });

  it("is read once while nothing changes", async () => {
    const first = await queryPeople(ctx, auditId, { sort: "name" });
    const again = await queryPeople(ctx, auditId, { sort: "name" });
    expect(again.rows).toEqual(first.rows);
    // The same rows, not derived again: nothing changed in between.
    expect(again.rows[0]).toBe(first.rows[0]);
  });

  it("shows an action taken on another instance at this instance's next read", async () => {
    const olivia = await rowOf(ctx, "olivia");
    expect(olivia.status).toBe("open");
    const before = await getAuditSummary(ctx, auditId);

    await actOnItems(other, {
      auditId,
      personKey: olivia.personKey,
      action: { type: "mark_intentional", justification: REASON },
      actor: "ops",
    });

    const after = await rowOf(ctx, "olivia");
    expect(after.statuses).toContain("intentional");
    expect(after.statuses).not.toContain("open");
    const summary = await getAuditSummary(ctx, auditId);
    expect(summary.byStatus.intentional).toBe(before.byStatus.intentional + after.items);
    expect(summary.byStatus.open).toBe(before.byStatus.open - after.items);
    // The page's view and the uncached summary agree with it.
    const view = await getFindingsView(ctx, auditId, { status: "intentional" });
    expect(view.page.rows.map((r) => r.personKey)).toContain(olivia.personKey);
    expect(view.summary.byStatus).toEqual((await summarizeAudit(ctx, auditId)).byStatus);
  });

  it("shows an action taken on this instance to another that read before it", async () => {
    const amara = await rowOf(other, "amara");
    expect(amara.status).toBe("open");
    await actOnItems(ctx, {
      auditId,
      personKey: amara.personKey,
      action: { type: "waive", until: "2026-11-27", justification: REASON },
      actor: "ops",
    });
    expect((await rowOf(other, "amara")).statuses).toEqual(["waived"]);
  });

  it("moves with the clock: a waiver ends without any write", async () => {
    const amara = await rowOf(ctx, "amara");
    expect(amara).toMatchObject({ statuses: ["waived"], nextAction: null });
    const before = await getAuditSummary(ctx, auditId);
    expect(before.byStatus.waiver_expired).toBe(0);

    ctx.clock.advance(3 * DAY);

    expect(await rowOf(ctx, "amara")).toMatchObject({ status: "waiver_expired", nextAction: "ping" });
    const after = await getAuditSummary(ctx, auditId);
    expect(after.byStatus.waiver_expired).toBe(amara.items);
    expect(after.bulkDue.ping).toBe(before.bulkDue.ping + amara.items);
  });
});
