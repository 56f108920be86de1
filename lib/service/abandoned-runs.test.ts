/**
 * A run whose process died (killed server, crash, a disk too full to record the end) must not keep its
 * audit "running": the Run button disabled and `POST …/runs` answering 409. Whether a run is alive is told
 * by its heartbeat on the wall clock, which every instance shares and the demo clock does not move.
 *
 * A run "dies" here by never getting past loading the config (its heartbeat stops, as a killed process's
 * would); each test lets it go at the end, when it finds itself taken over and stores nothing.
 */
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Audit, Run } from "@/lib/db/queries";
import { createAudit, listRuns } from "@/lib/db/queries";
import { fillSqliteDatabase, listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import { AppError } from "@/lib/errors";
import { createTestInstances, type TestInstances } from "@/lib/testing/instances";
import { createClock, type AppContext, type Clock } from "./context";
import { summarizeAudit } from "./overview";
import { getLatestAuditRun, reapAbandonedRuns, startAuditRun } from "./runs";

const START = new Date("2026-11-24T12:00:00Z");
const DAY = 24 * 3_600_000;

const kinds = await listTestDatabases();

describe.each(kinds)("a run whose process died ($name)", (kind) => {
  // Postgres: two app instances with their own pools, as two servers behind a load balancer.
  const instanceCount = kind.name === "postgres" ? 2 : 1;
  let place: TestDatabase | undefined;
  let t: TestInstances;
  let audits = 0;
  /** The wall clock every instance shares; the tests move it to let time pass. */
  let wallMs = START.getTime();
  const hung: (() => void)[] = [];

  beforeAll(async () => {
    place = await kind.create();
    t = await createTestInstances(START, place, instanceCount);
  });

  afterEach(() => {
    for (const release of hung.splice(0)) release();
  });

  afterAll(async () => {
    await t?.close();
    await place?.drop();
  });

  /** Instance `index` with a clock of its own on the shared wall clock (a restarted server's has no offset). */
  function instance(index: number, clock: Clock = wallClock()): AppContext {
    const base = t.instances[index % t.instances.length] as AppContext;
    return { ...base, clock };
  }

  function wallClock(): Clock {
    return createClock({ adjustable: true, realNow: () => wallMs });
  }

  /** `ctx` whose runs hang after their start, as if their server was killed: no heartbeat ever again. */
  function dying(ctx: AppContext): AppContext {
    return {
      ...ctx,
      loadConfig: () =>
        new Promise((_resolve, reject) => {
          hung.push(() => reject(new Error("the killed server's run, woken up at the end of the test")));
        }),
    };
  }

  async function newAudit(): Promise<Audit> {
    audits += 1;
    return createAudit(instance(0).db, {
      name: `FY27-Q3 crash ${audits}`,
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-10-01",
      dueOn: "2026-10-31",
      createdBy: "setup",
      now: new Date(wallMs),
    });
  }

  async function refusal(promise: Promise<unknown>): Promise<AppError> {
    const error: unknown = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
    return error;
  }

  async function statusOf(auditId: string, runId: string): Promise<Pick<Run, "status" | "error">> {
    const run = (await listRuns(instance(0).db, auditId)).find((r) => r.id === runId);
    if (!run) throw new Error("no such run");
    return { status: run.status, error: run.error };
  }

  it("frees the audit once the heartbeat is stale, though the demo clock ran a month ahead when it started", async () => {
    const audit = await newAudit();
    const demo = wallClock();
    demo.advance(30 * DAY);
    const crashed = await startAuditRun(dying(instance(0, demo)), { auditId: audit.id, actor: "ops" });

    // The server restarts (its demo clock back at real time); a little more than the staleness passes.
    const restarted = instance(instanceCount - 1);
    wallMs += restarted.staleRunAfterMs + 1_000;
    const next = await startAuditRun(dying(restarted), { auditId: audit.id, actor: "ops" });

    expect(next.id).not.toBe(crashed.id);
    expect((await statusOf(audit.id, crashed.id)).status).toBe("failed");
  });

  it("does not take over a live run because the demo clock was moved forward", async () => {
    const audit = await newAudit();
    const clock = wallClock();
    const ctx = instance(0, clock);
    const live = await startAuditRun(dying(ctx), { auditId: audit.id, actor: "ops" });
    clock.advance(3 * DAY);
    wallMs += 1_000;

    const second = await refusal(
      startAuditRun(dying(instance(instanceCount - 1, clock)), {
        auditId: audit.id,
        actor: "ops",
      }),
    );
    expect(second.code).toBe("conflict:run");
    expect(await statusOf(audit.id, live.id)).toEqual({ status: "running", error: null });
    expect((await summarizeAudit(ctx, audit.id)).latestRun?.status).toBe("running");
  });

  it("shows a run with a stale heartbeat as failed on the overview and to the poller, and refuses no new run", async () => {
    const audit = await newAudit();
    const ctx = instance(0);
    const crashed = await startAuditRun(dying(ctx), { auditId: audit.id, actor: "ops" });
    expect((await summarizeAudit(ctx, audit.id)).latestRun?.status).toBe("running");

    wallMs += ctx.staleRunAfterMs + 1_000;
    for (const shown of [
      (await summarizeAudit(ctx, audit.id)).latestRun,
      await getLatestAuditRun(instance(instanceCount - 1), audit.id),
    ]) {
      expect(shown).toMatchObject({ id: crashed.id, status: "failed" });
      expect(shown?.error).toMatch(/stopped/);
    }
    await startAuditRun(dying(ctx), { auditId: audit.id, actor: "ops" });
  });

  it("frees the audit of a run whose heartbeat a month ahead was written on the demo clock by an earlier version", async () => {
    const audit = await newAudit();
    const ctx = instance(0);
    const stuck = await startAuditRun(dying(ctx), { auditId: audit.id, actor: "ops" });
    const monthAhead = new Date(wallMs + 30 * DAY).toISOString();
    await ctx.db.updateTable("runs").set({ heartbeat_at: monthAhead }).where("id", "=", stuck.id).execute();

    expect((await summarizeAudit(ctx, audit.id)).latestRun).toMatchObject({ id: stuck.id, status: "failed" });
    expect(await reapAbandonedRuns(ctx)).toBe(1);
    await startAuditRun(dying(ctx), { auditId: audit.id, actor: "ops" });
  });

  it("is kept alive by its heartbeat while it makes no progress, on the real clock", async () => {
    const audit = await newAudit();
    // The staleness short enough to pass in the test; the run waits longer than that on its config.
    const ctx = { ...instance(0, createClock({ adjustable: true })), staleRunAfterMs: 400 };
    let release = () => {};
    const slow: AppContext = {
      ...ctx,
      loadConfig: () =>
        new Promise((_resolve, reject) => {
          release = () => reject(new Error("stopped by the test"));
        }),
    };
    const live = await startAuditRun(slow, { auditId: audit.id, actor: "ops" });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const second = await refusal(startAuditRun(dying(ctx), { auditId: audit.id, actor: "ops" }));
      expect(second.code).toBe("conflict:run");
      expect((await summarizeAudit(ctx, audit.id)).latestRun).toMatchObject({
        id: live.id,
        status: "running",
      });
    } finally {
      release();
      await slow.backgroundRuns.get(live.id);
    }
  });

  it("is reaped at server start when its heartbeat is stale, while another live instance's run keeps running", async () => {
    const [crashedAudit, liveAudit] = [await newAudit(), await newAudit()];
    const starting = instance(0);
    const crashed = await startAuditRun(dying(starting), { auditId: crashedAudit.id, actor: "ops" });
    wallMs += starting.staleRunAfterMs - 10_000;
    const live = await startAuditRun(dying(instance(instanceCount - 1)), {
      auditId: liveAudit.id,
      actor: "ops",
    });
    wallMs += 20_000;

    expect(await reapAbandonedRuns(starting)).toBe(1);
    expect(await statusOf(crashedAudit.id, crashed.id)).toMatchObject({ status: "failed" });
    expect(await statusOf(liveAudit.id, live.id)).toEqual({ status: "running", error: null });
    expect(await reapAbandonedRuns(starting)).toBe(0);
  });

  it.runIf(kind.name === "sqlite")(
    "ends failed, not running, when its final write fails on a full disk",
    async () => {
      const audit = await newAudit();
      const logged: unknown[] = [];
      const ctx = { ...instance(0), log: (_message: string, error?: unknown) => logged.push(error) };
      await fillSqliteDatabase(ctx.db);
      try {
        const run = await startAuditRun(ctx, { auditId: audit.id, actor: "ops" });
        await ctx.backgroundRuns.get(run.id);
        expect(logged).toContainEqual(expect.objectContaining({ code: "SQLITE_FULL" }));
        expect(await statusOf(audit.id, run.id)).toMatchObject({ status: "failed" });
      } finally {
        await sql`pragma max_page_count = 1000000`.execute(ctx.db);
        await sql`delete from test_filler`.execute(ctx.db);
      }
    },
  );

  it.runIf(kind.name === "sqlite")(
    "frees the audit by its stale heartbeat when not even the failure can be written",
    async () => {
      const audit = await newAudit();
      const ctx = { ...instance(0), log: () => {} };
      // Every write that would end a run fails, as on a disk that stays full.
      await sql`create trigger no_run_end before update of status on runs
        begin select raise(abort, 'database or disk is full'); end`.execute(ctx.db);
      let run: Run;
      try {
        run = await startAuditRun(ctx, { auditId: audit.id, actor: "ops" });
        await ctx.backgroundRuns.get(run.id);
        expect(await statusOf(audit.id, run.id)).toMatchObject({ status: "running" });
      } finally {
        await sql`drop trigger no_run_end`.execute(ctx.db);
      }
      wallMs += ctx.staleRunAfterMs + 1_000;
      expect((await summarizeAudit(ctx, audit.id)).latestRun).toMatchObject({ id: run.id, status: "failed" });
      const next = await startAuditRun(dying(ctx), { auditId: audit.id, actor: "ops" });
      expect(next.id).not.toBe(run.id);
    },
  );
});
