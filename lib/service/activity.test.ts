import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordItemReplies, type ActivityEvent, type AuditEvent } from "@/lib/db/queries";
import type { TestContext } from "@/lib/testing/app-context";
import { createGitLabTestContext, openRunAndExport } from "@/lib/testing/app-context";
import { activityOf, getAuditActivity } from "./activity";
import { getPersonDetail, queryPeople } from "./findings";
import { actOnItems } from "./item-actions";

const AT = "2026-11-24T12:00:00.000Z";
let nextId = 1;

function eventOf(action: AuditEvent["action"], overrides: Partial<AuditEvent> = {}): ActivityEvent {
  return {
    event: {
      id: nextId++,
      auditId: "a",
      itemId: "i1",
      personKey: "amara",
      actor: "Theo Marsh",
      actorKey: "theo",
      at: AT,
      action,
      fromState: null,
      toState: null,
      detail: { code: "missing_from_schedule" },
      ...overrides,
    },
    personName: "Amara Okafor",
  };
}

describe("activityOf: events as the timeline shows them", () => {
  it("shows one action on several of a person's findings at once as one entry, with each finding", () => {
    const entries = activityOf([
      eventOf("ping", { itemId: "i1", detail: { code: "missing_from_schedule" } }),
      eventOf("ping", { itemId: "i2", detail: { code: "not_pageable" } }),
      eventOf("ping", { itemId: "i3", personKey: "olivia", detail: { code: "not_pageable" } }),
    ]);
    expect(entries.map((e) => [e.action, e.person?.key, e.codes])).toEqual([
      ["ping", "amara", ["missing_from_schedule", "not_pageable"]],
      ["ping", "olivia", ["not_pageable"]],
    ]);
  });

  it("gives a reply its text and the name of the person who wrote it, with their GitLab username", () => {
    const [reply] = activityOf([
      eventOf("reply", {
        actor: "aokafor",
        actorKey: null,
        detail: {
          code: "missing_from_schedule",
          excerpt: "Adding myself <b>today</b>.",
          commentUrl: "https://gitlab.example/g/p/-/issues/7#note_12",
        },
      }),
    ]);
    expect(reply).toMatchObject({
      action: "reply",
      actor: "aokafor",
      person: { key: "amara", name: "Amara Okafor" },
      text: "Adding myself <b>today</b>.",
      commentUrl: "https://gitlab.example/g/p/-/issues/7#note_12",
    });
  });

  it("gives a resolution its justification and a waiver its end day; marks an override", () => {
    const [waived, intentional] = activityOf([
      eventOf("waive", { detail: { justification: "Parental leave.", until: "2027-02-01" } }),
      eventOf("mark_intentional", {
        at: "2026-11-25T09:00:00.000Z",
        detail: { justification: "Trial account.", override: true },
      }),
    ]);
    expect(waived).toMatchObject({ text: "Parental leave.", until: "2027-02-01", override: false });
    expect(intentional).toMatchObject({ text: "Trial account.", until: null, override: true });
  });

  it("never links anything but http(s), and keeps re-run results as the system's", () => {
    const [fixed, recurred] = activityOf([
      eventOf("fixed_by_rerun", {
        actor: "system",
        actorKey: null,
        detail: { commentUrl: "javascript:alert(1)" },
      }),
      eventOf("recurred", { actor: "system", actorKey: null, at: "2026-11-26T09:00:00.000Z", detail: null }),
    ]);
    expect(fixed).toMatchObject({ action: "fixed_by_rerun", actor: "system", commentUrl: null, codes: [] });
    expect(recurred).toMatchObject({ action: "recurred", text: null });
  });

  it("leaves out the run's bookkeeping and the audit's own actions", () => {
    const entries = activityOf([
      eventOf("detected"),
      eventOf("still_present"),
      eventOf("export_issue", { itemId: null, personKey: null }),
      eventOf("reopen", { actor: "Sofia Reyes" }),
    ]);
    expect(entries.map((e) => e.action)).toEqual(["reopen"]);
  });

  it("names a finding about no person by no one", () => {
    const [entry] = activityOf(
      [{ ...eventOf("fixed_by_rerun"), personName: null }].map((e) => ({
        ...e,
        event: { ...e.event, personKey: null },
      })),
    );
    expect(entry?.person).toBeNull();
  });
});

describe("the activity of a person and of an audit", () => {
  let t: TestContext;
  let auditId: string;

  beforeAll(async () => {
    t = await createGitLabTestContext(new Date("2026-11-24T12:00:00Z"));
    auditId = await openRunAndExport(t.ctx);
  });
  afterAll(async () => t.close());

  it("shows the chase, the reply with its text and the resolution, newest first, on both", async () => {
    const amara = (await queryPeople(t.ctx, auditId, { q: "Amara" })).rows[0];
    if (!amara) throw new Error("the demo org has Amara Okafor");
    const act = (action: Parameters<typeof actOnItems>[1]["action"]) =>
      actOnItems(t.ctx, { auditId, personKey: amara.personKey, action, actor: "Theo Marsh" });
    // The first page is kept per version of the audit's data: read before, it must not be served after.
    expect((await getAuditActivity(t.ctx, auditId, { pageSize: 2 })).total).toBe(0);
    await act({ type: "ping" });
    const [item] = (await getPersonDetail(t.ctx, auditId, amara.personKey)).items;
    if (!item) throw new Error("Amara has a finding");
    await recordItemReplies(t.ctx.db, [
      {
        itemId: item.id,
        expectedState: "pinged",
        repliedAt: t.ctx.clock.now().toISOString(),
        event: {
          actor: "aokafor",
          at: t.ctx.clock.now(),
          detail: { code: item.code, excerpt: "I was on the old APAC event only." },
        },
      },
    ]);
    await act({ type: "mark_intentional", justification: "Covered by the EMEA rotation until January." });

    const { activity } = await getPersonDetail(t.ctx, auditId, amara.personKey);
    expect(activity.map((e) => [e.action, e.actor, e.person?.name, e.text])).toEqual([
      ["mark_intentional", "Theo Marsh", "Amara Okafor", "Covered by the EMEA rotation until January."],
      ["reply", "aokafor", "Amara Okafor", "I was on the old APAC event only."],
      ["ping", "Theo Marsh", "Amara Okafor", null],
    ]);

    const audit = await getAuditActivity(t.ctx, auditId, { pageSize: 2 });
    expect(audit.total).toBe(3);
    expect(audit.entries.map((e) => e.action)).toEqual(["mark_intentional", "reply"]);
    const second = await getAuditActivity(t.ctx, auditId, { page: 2, pageSize: 2 });
    expect(second.entries.map((e) => [e.action, e.person?.name])).toEqual([["ping", "Amara Okafor"]]);
  });

  it("refuses an unknown audit", async () => {
    await expect(getAuditActivity(t.ctx, "no-such-audit", {})).rejects.toMatchObject({
      code: "not_found:audit",
    });
  });
});
