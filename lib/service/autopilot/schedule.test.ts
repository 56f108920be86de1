/**
 * Scheduled audits over a real database, with two app instances on Postgres ticking at the same moment, as
 * two servers behind a load balancer would: the period's audit is opened and run once, at the start of the
 * first working day of Q3, and re-run once per interval, never while a person's run is recent, never in review.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditConfig } from "@/lib/config/schema";
import { listAudits, listRuns, setAuditStatus } from "@/lib/db/queries";
import { listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import { createTestInstances, type TestInstances } from "@/lib/testing/instances";
import type { AppContext } from "../context";
import { startAuditRun } from "../runs";
import { AUTOPILOT_ACTOR, runScheduledWork } from "./schedule";

/** Sunday 2 August 2026, 12:00 UTC: FY27-Q3 began on Saturday 1 August; the first working day is Monday. */
const START = new Date("2026-08-02T12:00:00Z");
const HOUR = 3_600_000;

const kinds = await listTestDatabases();

describe.each(kinds)("scheduled audits ($name)", (kind) => {
  const instanceCount = 2;
  let place: TestDatabase | undefined;
  let t: TestInstances;

  beforeAll(async () => {
    place = await kind.create();
    t = await createTestInstances(START, place, instanceCount);
  });

  afterAll(async () => {
    await t?.close();
    await place?.drop();
  });

  /** Instance `index` with the config's `autopilot` (and London as the organisation's zone). */
  function instance(index: number, autopilot: AuditConfig["autopilot"]): AppContext {
    const base = t.instances[index] as AppContext;
    return {
      ...base,
      loadConfig: async () => ({
        ...(await base.loadConfig()),
        autopilot,
        working_time: {
          mode: "working_days",
          default_timezone: "Europe/London",
          working_days: ["mon", "tue", "wed", "thu", "fri"],
          hours: "09:00-17:00",
          holidays: {},
        },
      }),
    };
  }

  /** Every instance ticks at once; waits for the runs they started. */
  async function tickAll(autopilot: AuditConfig["autopilot"]) {
    const results = await Promise.all(t.instances.map((_, i) => runScheduledWork(instance(i, autopilot))));
    await Promise.all(t.instances.flatMap((ctx) => [...ctx.backgroundRuns.values()]));
    return results;
  }

  const everything = { open_audits: true, rerun_every_hours: 24, reminders: [] };

  it("does nothing unless the config asks for it", async () => {
    t.clock.advance(24 * HOUR); // Monday 12:00 UTC: time to open
    expect(await tickAll(undefined)).toEqual(Array(instanceCount).fill({ opened: null, reruns: [] }));
    expect(await tickAll({ open_audits: false, rerun_every_hours: 0, reminders: [] })).toEqual(
      Array(instanceCount).fill({ opened: null, reruns: [] }),
    );
    expect(await listAudits(t.instances[0]!.db)).toEqual([]);
    t.clock.advance(-24 * HOUR);
  });

  it("waits for the first working day's start, then opens and runs the period's audit exactly once", async () => {
    // Sunday: not yet.
    expect((await tickAll(everything)).map((r) => r.opened)).toEqual(Array(instanceCount).fill(null));
    // Monday 07:59 UTC is 08:59 in London: not yet. 08:00 UTC is 09:00 there.
    t.clock.advance(19 * HOUR + 59 * 60_000);
    expect((await tickAll(everything)).map((r) => r.opened)).toEqual(Array(instanceCount).fill(null));
    t.clock.advance(60_000);
    const results = await tickAll(everything);
    expect(results.map((r) => r.opened).filter((name) => name !== null)).toEqual(["FY27-Q3"]);
    expect(results.flatMap((r) => r.reruns)).toEqual([]);
    const [audit] = await listAudits(t.instances[0]!.db);
    expect(audit).toMatchObject({ name: "FY27-Q3", createdBy: AUTOPILOT_ACTOR });
    const runs = await listRuns(t.instances[0]!.db, audit!.id);
    expect(runs.map((r) => [r.startedBy, r.status])).toEqual([[AUTOPILOT_ACTOR, "complete"]]);
    // Ticking again opens nothing more and re-runs nothing yet.
    expect(await tickAll(everything)).toEqual(Array(instanceCount).fill({ opened: null, reruns: [] }));
  });

  it("re-runs the open audit once per interval, counted from its latest run, whoever started it", async () => {
    const ctx = t.instances[0]!;
    const [audit] = await listAudits(ctx.db);
    // A person runs it 20 hours later: the next scheduled run is 24 hours after theirs, not after autopilot's.
    t.clock.advance(20 * HOUR);
    const manual = await startAuditRun(ctx, { auditId: audit!.id, actor: "ops" });
    await ctx.backgroundRuns.get(manual.id);
    t.clock.advance(23 * HOUR);
    expect((await tickAll(everything)).flatMap((r) => r.reruns)).toEqual([]);
    t.clock.advance(HOUR);
    expect((await tickAll(everything)).flatMap((r) => r.reruns)).toEqual(["FY27-Q3"]);
    expect((await tickAll(everything)).flatMap((r) => r.reruns)).toEqual([]);
    const runs = await listRuns(ctx.db, audit!.id);
    expect(runs.map((r) => r.startedBy)).toEqual([AUTOPILOT_ACTOR, "ops", AUTOPILOT_ACTOR]);
  });

  it("does not re-run an audit in review: the reviewer is reading its findings", async () => {
    const ctx = t.instances[0]!;
    const [audit] = await listAudits(ctx.db);
    await setAuditStatus(ctx.db, {
      auditId: audit!.id,
      expectedStatus: "open",
      status: "in_review",
      actor: "ops",
      now: ctx.clock.now(),
    });
    t.clock.advance(48 * HOUR);
    expect((await tickAll(everything)).flatMap((r) => r.reruns)).toEqual([]);
  });

  it("opens nothing in the quarter after, when the audit was never opened: that is a person's decision", async () => {
    const ctx = t.instances[0]!;
    t.clock.advance(120 * 24 * HOUR); // December: Q4
    expect((await tickAll(everything)).map((r) => r.opened)).toEqual(Array(instanceCount).fill(null));
    expect((await listAudits(ctx.db)).map((a) => a.name)).toEqual(["FY27-Q3"]);
  });
});
