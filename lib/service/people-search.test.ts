import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, runAuditToEnd, type TestContext } from "@/lib/testing/app-context";
import { demoUserId } from "@/sandbox/scenarios/demo-org";
import { queryPeople } from "./findings";
import { openCurrentAudit } from "./runs";

/** The findings table's search over a real run of the demo org: the PagerDuty IDs come from the findings. */
let t: TestContext;
let auditId: string;

beforeAll(async () => {
  t = await createTestContext(new Date("2026-11-24T12:00:00Z"));
  auditId = (await openCurrentAudit(t.ctx, "ops")).id;
  await runAuditToEnd(t.ctx, auditId);
});

afterAll(async () => t.close());

const namesFor = async (q: string) => (await queryPeople(t.ctx, auditId, { q })).rows.map((r) => r.name);

describe("searching the findings table", () => {
  it("finds a roster person by their PagerDuty ID, exactly", async () => {
    const id = demoUserId("Amara Okafor");
    expect(await namesFor(id)).toEqual(["Amara Okafor"]);
    expect(await namesFor(id.slice(0, -1))).toEqual([]);
  });

  it("finds someone the roster lacks by the PagerDuty ID on the schedule", async () => {
    const stranger = (await queryPeople(t.ctx, auditId, {})).rows.find((r) => r.personKey.startsWith("pd:"));
    const id = stranger?.personKey.slice("pd:".length) ?? "";
    expect(stranger?.pagerdutyIds).toContain(id);
    expect(await namesFor(id)).toEqual([stranger?.name]);
  });

  it("finds a person by @handle, whole and in any case", async () => {
    expect(await namesFor("@AOKAFOR")).toEqual(["Amara Okafor"]);
    expect(await namesFor("@aokafo")).toEqual([]);
  });
});
