/**
 * Autopilot for the chase over a real database and the sandbox GitLab, with two app instances on Postgres
 * ticking at the same moment: while it is on, the escalations that fall due are posted once, as the button
 * would post them, by "Autopilot"; while it is off, nothing happens on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAudit, getAuditById, listEvents, listItems } from "@/lib/db/queries";
import { listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import { rejectedAppError } from "@/lib/testing/errors";
import { openRunAndExport } from "@/lib/testing/app-context";
import { createTestInstances, type TestInstances } from "@/lib/testing/instances";
import { getAuditActivity } from "../activity";
import type { AppContext } from "../context";
import { bulkAct } from "../item-actions";
import { nextAutopilotSteps, runChaseAutopilot, setAutopilot, setPersonAutopilotPaused } from "./chase";
import { AUTOPILOT_ACTOR } from "./schedule";

const START = new Date("2026-11-24T12:00:00Z");
const HOUR = 3_600_000;
const kinds = await listTestDatabases();

describe.each(kinds)("autopilot for the chase ($name)", (kind) => {
  const instanceCount = kind.name === "postgres" ? 2 : 1;
  let place: TestDatabase | undefined;
  let t: TestInstances;
  let auditId: string;
  const first = () => t.instances[0] as AppContext;

  beforeAll(async () => {
    place = await kind.create();
    t = await createTestInstances(START, place, instanceCount);
    auditId = await openRunAndExport(first());
    await bulkAct(first(), { auditId, action: "ping", actor: "Theo Marsh" });
  });

  afterAll(async () => {
    await t?.close();
    await place?.drop();
  });

  const notes = () => t.gitlab.state().projects.flatMap((p) => p.issues ?? [])[0]?.notes ?? [];
  const tickAll = () => Promise.all(t.instances.map((ctx) => runChaseAutopilot(ctx)));
  const escalatedCount = async () =>
    (await listItems(first().db, auditId)).filter((i) => i.state === "escalated").length;

  it("says which escalations come next and when: 72 hours after each person's ping, soonest first", async () => {
    const next = await nextAutopilotSteps(first(), auditId, 3);
    expect(next).toHaveLength(3);
    for (const step of next) {
      expect(step.action).toBe("escalate");
      const late = Date.parse(step.dueAt) - (START.getTime() + 72 * HOUR);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(60_000);
      expect(step.findings).toBeGreaterThan(0);
    }
    expect([...next].sort((a, b) => a.dueAt.localeCompare(b.dueAt))).toEqual(next);
  });

  it("does nothing on its own while it is off, even once the follow-ups are due", async () => {
    t.clock.advance(73 * HOUR);
    const before = notes().length;
    expect(await tickAll()).toEqual(
      Array(instanceCount).fill({ escalated: {}, dms: {}, reminded: {}, failed: [] }),
    );
    expect(notes()).toHaveLength(before);
    expect(await escalatedCount()).toBe(0);
  });

  it("is turned on by a person, with who and when in the timeline", async () => {
    const audit = await setAutopilot(first(), {
      auditId,
      on: true,
      actor: "Theo Marsh",
      actorKey: "theo.marsh@example.com",
    });
    expect(audit.autopilot).toBe(true);
    const event = (await listEvents(first().db, { auditId })).at(-1);
    expect(event).toMatchObject({
      action: "set_autopilot",
      actor: "Theo Marsh",
      actorKey: "theo.marsh@example.com",
      detail: { on: true },
    });
    const [latest] = (await getAuditActivity(first(), auditId, { pageSize: 1 })).entries;
    expect(latest).toMatchObject({ action: "set_autopilot", autopilot: true, actor: "Theo Marsh" });
    // Turning it on again changes and logs nothing.
    await setAutopilot(first(), { auditId, on: true, actor: "Priya Nair" });
    expect((await listEvents(first().db, { auditId })).at(-1)?.id).toBe(event?.id);
  });

  it("escalates the due findings once, whichever instances tick, as Autopilot, with the same comment", async () => {
    const pinged = (await listItems(first().db, auditId)).filter((i) => i.state === "pinged").length;
    expect(pinged).toBeGreaterThan(5);
    // Support Operations pause it for one person, who is chased by hand.
    const items = await listItems(first().db, auditId);
    const held = items.find((i) => i.state === "pinged")?.personKey ?? "";
    const theirs = items.filter((i) => i.personKey === held && i.state === "pinged").length;
    await setPersonAutopilotPaused(first(), { auditId, personKey: held, paused: true, actor: "Theo Marsh" });
    expect((await nextAutopilotSteps(first(), auditId, 100)).map((s) => s.personKey)).not.toContain(held);
    const before = notes().length;
    const results = await tickAll();
    const escalated = results.reduce((n, r) => n + (r.escalated["FY27-Q3"] ?? 0), 0);
    expect(escalated).toBe(pinged - theirs);
    expect(await escalatedCount()).toBe(pinged - theirs);
    const posted = notes().slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body).toMatch(/^No reply to the pings linked under each person: escalating/);
    const events = (await listEvents(first().db, { auditId })).filter((e) => e.action === "escalate");
    expect(new Set(events.map((e) => e.actor))).toEqual(new Set([AUTOPILOT_ACTOR]));
    expect((await listEvents(first().db, { auditId, personKey: held })).at(-1)).toMatchObject({
      action: "set_autopilot",
      detail: { on: false, personKey: held },
    });
    // Nothing more is due: the next tick does nothing.
    expect((await tickAll()).flatMap((r) => Object.keys(r.escalated))).toEqual([]);
    // Resumed, their escalation is taken at the next tick.
    await setPersonAutopilotPaused(first(), { auditId, personKey: held, paused: false, actor: "Theo Marsh" });
    const resumed = await tickAll();
    expect(resumed.reduce((n, r) => n + (r.escalated["FY27-Q3"] ?? 0), 0)).toBe(theirs);
    expect(notes().slice(before)).toHaveLength(2);
    expect(await escalatedCount()).toBe(pinged);
  });

  it("stops when turned off, and cannot change once the audit is signed off", async () => {
    const audit = await setAutopilot(first(), { auditId, on: false, actor: "Theo Marsh" });
    expect(audit.autopilot).toBe(false);
    expect((await getAuditById(first().db, auditId)).autopilot).toBe(false);
    await first().db.updateTable("audits").set({ status: "signed_off" }).where("id", "=", auditId).execute();
    const refused = await rejectedAppError(setAutopilot(first(), { auditId, on: true, actor: "Theo Marsh" }));
    expect(refused.code).toBe("conflict:audit");
  });
});

describe.each(kinds)("autopilot's reminders before the escalation ($name)", (kind) => {
  const instanceCount = kind.name === "postgres" ? 2 : 1;
  let place: TestDatabase | undefined;
  let t: TestInstances;
  let auditId: string;
  const first = () => t.instances[0] as AppContext;

  beforeAll(async () => {
    place = await kind.create();
    t = await createTestInstances(START, place, instanceCount);
    auditId = await openRunAndExport(first());
    await bulkAct(first(), { auditId, action: "ping", actor: "Theo Marsh" });
    await setAutopilot(first(), { auditId, on: true, actor: "Theo Marsh" });
  });

  afterAll(async () => {
    await t?.close();
    await place?.drop();
  });

  const notes = () => t.gitlab.state().projects.flatMap((p) => p.issues ?? [])[0]?.notes ?? [];
  const tickAll = () => Promise.all(t.instances.map((ctx) => runChaseAutopilot(ctx)));

  it("leaves alone an audit with autopilot on but no issue yet, without failing every tick", async () => {
    const bare = await createAudit(first().db, {
      name: "FY27-Q3 not exported",
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-08-01",
      dueOn: "2026-10-31",
      createdBy: "Theo Marsh",
      now: START,
    });
    await setAutopilot(first(), { auditId: bare.id, on: true, actor: "Theo Marsh" });
    for (const result of await tickAll()) expect(result.failed).toEqual([]);
  });

  it("reminds nobody before half the follow-up time", async () => {
    t.clock.advance(35 * HOUR);
    const before = notes().length;
    expect((await tickAll()).flatMap((r) => Object.keys(r.reminded))).toEqual([]);
    expect(notes()).toHaveLength(before);
  });

  it("reminds everyone pinged once, halfway, in one comment that links their pings, keeping their state", async () => {
    t.clock.advance(2 * HOUR);
    const pinged = (await listItems(first().db, auditId)).filter((i) => i.state === "pinged");
    const before = notes().length;
    const results = await tickAll();
    expect(results.reduce((n, r) => n + (r.reminded["FY27-Q3"] ?? 0), 0)).toBe(pinged.length);
    const posted = notes().slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body).toMatch(
      /^A reminder: the PagerDuty audit FY27-Q3 is waiting on the findings below/,
    );
    expect(posted[0]?.body).toContain("Pinged in [this comment](");
    const after = await listItems(first().db, auditId);
    expect(after.filter((i) => i.state === "pinged")).toHaveLength(pinged.length);
    const reminders = (await listEvents(first().db, { auditId })).filter((e) => e.action === "remind");
    expect(reminders).toHaveLength(pinged.length);
    expect(new Set(reminders.map((e) => e.actor))).toEqual(new Set([AUTOPILOT_ACTOR]));
    // Once is enough: the next ticks post nothing more until the escalation.
    expect((await tickAll()).flatMap((r) => Object.keys(r.reminded))).toEqual([]);
    expect(notes().slice(before)).toHaveLength(1);
  });

  it("does not remind once the escalation is due: it escalates", async () => {
    t.clock.advance(36 * HOUR);
    const before = notes().length;
    const results = await tickAll();
    expect(results.flatMap((r) => Object.keys(r.reminded))).toEqual([]);
    expect(results.reduce((n, r) => n + (r.escalated["FY27-Q3"] ?? 0), 0)).toBeGreaterThan(0);
    expect(
      notes()
        .slice(before)
        .map((n) => n.body.split(":")[0]),
    ).toEqual(["No reply to the pings linked under each person"]);
  });
});
