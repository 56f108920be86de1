/**
 * The Schedules page's read over a real run of the demo org: who has a person page to link to is who has
 * findings in the audit, by the same person keys the coverage view gives each row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listItems } from "@/lib/db/queries";
import { createTestContext, runAuditToEnd, type TestContext } from "@/lib/testing/app-context";
import { coverageViewOf } from "./coverage-view";
import { openCurrentAudit } from "./runs";
import { getScheduleCoverage } from "./schedules";

const START = new Date("2026-11-24T12:00:00Z");

describe("schedule coverage", () => {
  let t: TestContext;
  let auditId: string;

  beforeAll(async () => {
    t = await createTestContext(START);
    auditId = (await openCurrentAudit(t.ctx, "Theo Marsh")).id;
    await runAuditToEnd(t.ctx, auditId);
  });
  afterAll(async () => t.close());

  it("links each row with a problem to a person page, and no one without findings", async () => {
    const coverage = await getScheduleCoverage(t.ctx, auditId);
    const items = await listItems(t.ctx.db, auditId);
    expect(coverage.withFindings).toEqual(new Set(items.flatMap((i) => (i.personKey ? [i.personKey] : []))));
    const rows = coverageViewOf(coverage.coverage).rotations.flatMap((r) => r.people);
    const withProblems = rows.filter((p) => p.problems.length > 0);
    expect(withProblems.length).toBeGreaterThan(0);
    for (const person of withProblems) expect(coverage.withFindings.has(person.key), person.name).toBe(true);
    expect(rows.some((p) => !coverage.withFindings.has(p.key))).toBe(true);
  });
});
