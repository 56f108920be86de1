import { randomBytes } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import type { AuditReport, FindingCode } from "@/lib/audit/types";
import type { AppError } from "@/lib/errors";
import { rejectedAppError } from "@/lib/testing/errors";
import { openDatabase } from "./client";
import {
  ABANDONED_RUN_ERROR,
  appendEvent,
  applyItemStates,
  claimSendBack,
  createAudit,
  finishRun,
  getAuditById,
  getLatestRun,
  getRunReport,
  heartbeatRun,
  listAudits,
  listEvents,
  listItems,
  listPersonHistory,
  listRuns,
  releaseSendBackClaim,
  reopenSignedOffAudit,
  setAuditStatus,
  signOffAudit,
  startRun,
  type Audit,
  type Item,
  type ItemFinding,
  type ItemRunUpdate,
  type NewItem,
  type Run,
  type RunEventInput,
} from "./queries";
import type { Database } from "./schema";
import {
  getAuditByName,
  getItemById,
  listTestDatabases,
  updateItemState,
  type TestDatabase,
} from "./testing";
import { useTestDatabase } from "./use-test-database";

const NOW = new Date("2026-11-24T12:00:00Z");
const STALE_AFTER_MS = 5 * 60_000;
const kinds = await listTestDatabases();

function minutesLater(minutes: number, from = NOW): Date {
  return new Date(from.getTime() + minutes * 60_000);
}

function findingOf(
  key: string,
  personKey: string | null = "ada",
  overrides: Partial<ItemFinding> = {},
): ItemFinding {
  return {
    key,
    code: "missing_from_schedule",
    severity: "error",
    personKey,
    personName: personKey ? `Person ${personKey}` : null,
    personEmail: personKey ? `${personKey}@example.com` : null,
    gitlabUsername: personKey,
    managerName: "Mia Manager",
    region: "AMER-E",
    scheduleId: "PSCHE01",
    scheduleName: "AMER East",
    rotation: "amer-east",
    message: `${key} is missing`,
    evidence: { roster: ["amer-east"], pagerduty: null, onCall: false },
    ...overrides,
  };
}

function newItemOf(key: string, personKey: string | null = "ada"): NewItem {
  return { ...findingOf(key, personKey), state: "open" };
}

function reportOf(keys: string[]): AuditReport {
  const byCode: Record<FindingCode, number> = {
    missing_pagerduty_id: 0,
    unknown_pagerduty_id: 0,
    duplicate_pagerduty_id: 0,
    missing_from_schedule: keys.length,
    unexpected_in_schedule: 0,
    not_in_roster: 0,
    deleted_user_in_schedule: 0,
    email_mismatch: 0,
    not_pageable: 0,
    invitation_pending: 0,
    schedule_not_found: 0,
  };
  return {
    version: 1,
    coverage: [],
    complete: true,
    errors: [],
    generatedAt: NOW.toISOString(),
    findings: keys.map((key) => ({
      key,
      code: "missing_from_schedule",
      severity: "error",
      person: { name: "Ada", email: "ada@example.com", gitlab: "ada", pagerdutyId: "PADA", inRoster: true },
      schedule: { id: "PSCHE01", name: "AMER East" },
      rotation: "amer-east",
      message: `${key} is missing`,
      evidence: { roster: ["amer-east"] },
    })),
    summary: {
      rosterPeople: 3,
      exemptPeople: 0,
      auditedPeople: 3,
      peopleWithFindings: 1,
      findings: keys.length,
      byCode,
      bySeverity: { error: keys.length, warning: 0 },
      rotations: 1,
      schedules: { configured: 1, read: 1, missing: 0, failed: 0 },
    },
  };
}

/** Polls Postgres until `count` sessions running a query like `pattern` (SQL `ilike`) wait for a lock. */
async function waitUntilQueriesWaitForALock(db: Kysely<Database>, pattern: string, count = 1): Promise<void> {
  // Generous: on a loaded machine a session may take seconds to reach the lock; the test's own timeout
  // still bounds a real hang.
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { rows } = await sql<{ waiting: number }>`
      select count(*) as waiting from pg_stat_activity
      where wait_event_type = 'Lock' and query ilike ${pattern}`.execute(db);
    if ((rows[0]?.waiting ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`fewer than ${count} quer(ies) like ${pattern} started waiting for a lock within 15 s`);
}

const INPUTS = { rosterSha256: "a".repeat(64), configSha256: "b".repeat(64), snapshotSha256: "c".repeat(64) };

describe.each(kinds)("storage on $name", (kind) => {
  let place: TestDatabase | undefined;
  let db: Kysely<Database>;
  useTestDatabase(kind, ([opened], where) => {
    db = opened!;
    place = where;
  });

  /** Each test works in its own audit, so tests share the database but not their data. */
  async function newAudit(overrides: { fiscalYear?: number; quarter?: number } = {}): Promise<Audit> {
    const fiscalYear = overrides.fiscalYear ?? 2027;
    const quarter = overrides.quarter ?? 3;
    return createAudit(db, {
      name: `FY${fiscalYear % 100}-Q${quarter}-${randomBytes(4).toString("hex")}`,
      fiscalYear,
      quarter,
      opensOn: "2026-11-01",
      dueOn: "2026-11-30",
      createdBy: "olivia.ops",
      now: NOW,
    });
  }

  /** An audit with one finished run that found `keys` (all open, all of person `ada` unless given). */
  async function auditWithItems(keys: string[], personOf: (key: string) => string | null = () => "ada") {
    const audit = await newAudit();
    const run = await startRun(db, {
      auditId: audit.id,
      startedBy: "olivia.ops",
      now: NOW,
      wallNow: NOW,
      staleAfterMs: STALE_AFTER_MS,
    });
    await finishRun(db, {
      runId: run.id,
      status: "complete",
      report: reportOf(keys),
      inputs: INPUTS,
      error: null,
      now: minutesLater(1),
      items: { insert: keys.map((key) => newItemOf(key, personOf(key))), update: [] },
      events: keys.map((key) => ({ itemKey: key, action: "detected", toState: "open" })),
    });
    return { audit, run, items: await listItems(db, audit.id) };
  }

  describe("audits", () => {
    it("creates an open audit and finds it by id, by name and in the list, newest quarter first", async () => {
      const older = await newAudit({ fiscalYear: 2027, quarter: 1 });
      const newer = await newAudit({ fiscalYear: 2027, quarter: 3 });
      expect(newer).toMatchObject({
        fiscalYear: 2027,
        quarter: 3,
        opensOn: "2026-11-01",
        dueOn: "2026-11-30",
        status: "open",
        createdAt: NOW.toISOString(),
        createdBy: "olivia.ops",
        issueUrl: null,
        signedOffAt: null,
      });
      expect(await getAuditById(db, newer.id)).toEqual(newer);
      expect(await getAuditByName(db, newer.name)).toEqual(newer);
      const ids = (await listAudits(db)).map((a) => a.id);
      expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    });

    it("refuses a second audit with the same name, and says an unknown audit is not found", async () => {
      const audit = await newAudit();
      const duplicate = await rejectedAppError(
        createAudit(db, { ...audit, createdBy: "someone.else", now: NOW }),
      );
      expect(duplicate.code).toBe("conflict:audit");
      expect(duplicate.message).toContain(audit.name);
      expect((await rejectedAppError(getAuditById(db, "no-such-id"))).code).toBe("not_found:audit");
      expect((await rejectedAppError(getAuditByName(db, "FY99-Q9"))).code).toBe("not_found:audit");
    });

    it("stores a sign-off, refuses a second one, and logs both status changes", async () => {
      const audit = await newAudit();
      await setAuditStatus(db, {
        auditId: audit.id,
        expectedStatus: "open",
        status: "in_review",
        actor: "olivia.ops",
        now: NOW,
      });
      const signed = await signOffAudit(db, {
        auditId: audit.id,
        expectedStatus: "in_review",
        signedOffBy: "mia.manager",
        now: minutesLater(10),
        reportSha256: "d".repeat(64),
        overrideReason: "Two waivers agreed with the VP",
      });
      expect(signed).toMatchObject({
        status: "signed_off",
        signedOffBy: "mia.manager",
        signedOffAt: minutesLater(10).toISOString(),
        signOffReportSha256: "d".repeat(64),
        signOffOverrideReason: "Two waivers agreed with the VP",
      });

      const again = await rejectedAppError(
        signOffAudit(db, {
          auditId: audit.id,
          expectedStatus: "in_review",
          signedOffBy: "other.manager",
          now: minutesLater(11),
          reportSha256: "e".repeat(64),
          overrideReason: null,
        }),
      );
      expect(again.code).toBe("conflict:audit");
      expect(again.message).toContain("signed_off");

      const events = await listEvents(db, { auditId: audit.id });
      expect(events.map((e) => [e.action, e.fromState, e.toState])).toEqual([
        ["set_audit_status", "open", "in_review"],
        ["sign_off", "in_review", "signed_off"],
      ]);
    });

    it("refuses a sign-off when the items or the newest run are no longer those it was decided on", async () => {
      const { audit, run, items } = await auditWithItems(["k1", "k2"]);
      const k1 = items[0];
      if (!k1) throw new Error("two items expected");
      const signOff = (basis: { runId: string; items: readonly Item[] }) =>
        signOffAudit(db, {
          auditId: audit.id,
          expectedStatus: "open",
          signedOffBy: "mia.manager",
          now: minutesLater(30),
          reportSha256: "d".repeat(64),
          overrideReason: "Both tracked in the Q4 onboarding epic",
          basis,
        });
      const changedMessage = "Findings changed while signing off; review again.";

      // Someone pings k1 after the manager's review read the items.
      await updateItemState(db, {
        itemId: k1.id,
        expectedState: "open",
        next: { state: "pinged", stateChangedAt: minutesLater(10).toISOString() },
        event: { actor: "olivia.ops", at: minutesLater(10), action: "ping" },
      });
      const itemChanged = await rejectedAppError(signOff({ runId: run.id, items }));
      expect([itemChanged.code, itemChanged.message]).toEqual(["conflict:audit", changedMessage]);

      // A re-run finishes after the review read the runs: its report is not the one hashed.
      const reviewed = await listItems(db, audit.id);
      const rerun = await startRun(db, {
        auditId: audit.id,
        startedBy: "olivia.ops",
        now: minutesLater(20),
        wallNow: minutesLater(20),
        staleAfterMs: STALE_AFTER_MS,
      });
      await finishRun(db, {
        runId: rerun.id,
        status: "complete",
        report: reportOf(["k1", "k2"]),
        inputs: INPUTS,
        error: null,
        now: minutesLater(21),
        items: { insert: [], update: [] },
        events: [],
      });
      const runChanged = await rejectedAppError(signOff({ runId: run.id, items: reviewed }));
      expect([runChanged.code, runChanged.message]).toEqual(["conflict:audit", changedMessage]);
      // An item fewer (or more) than was read is a change too.
      const itemMissing = await rejectedAppError(signOff({ runId: rerun.id, items: reviewed.slice(1) }));
      expect(itemMissing.message).toBe(changedMessage);

      expect(await getAuditById(db, audit.id)).toMatchObject({ status: "open", signedOffAt: null });
      expect((await listEvents(db, { auditId: audit.id })).map((e) => e.action)).not.toContain("sign_off");
      expect(await signOff({ runId: rerun.id, items: reviewed })).toMatchObject({ status: "signed_off" });
    });

    it("numbers sign-offs, and reopens only the sign-off it names, back to the status before", async () => {
      const audit = await newAudit();
      const signOff = (attempt: number, minutes: number) =>
        signOffAudit(db, {
          auditId: audit.id,
          expectedStatus: "open",
          signedOffBy: "mia.manager",
          now: minutesLater(minutes),
          reportSha256: "d".repeat(64),
          overrideReason: null,
          attempt,
        });
      // Another sign-off took number 1 meanwhile (or none was made yet for number 2): decided again.
      expect((await rejectedAppError(signOff(2, 1))).code).toBe("conflict:audit");
      const signed = await signOff(1, 2);
      const reopen = (signedOffAt: string) =>
        reopenSignedOffAudit(db, {
          auditId: audit.id,
          signedOffAt,
          reportSha256: "d".repeat(64),
          status: "open",
          actor: "mia.manager",
          now: minutesLater(3),
          detail: { attempt: 1, undone: true, reason: "Closing the audit issue failed" },
        });
      expect((await rejectedAppError(reopen(minutesLater(1).toISOString()))).code).toBe("conflict:audit");
      expect(await reopen(signed.signedOffAt ?? "")).toMatchObject({
        status: "open",
        signedOffAt: null,
        signedOffBy: null,
        signOffReportSha256: null,
      });
      expect((await rejectedAppError(reopen(signed.signedOffAt ?? ""))).code).toBe("conflict:audit");
      expect(await signOff(2, 4)).toMatchObject({ status: "signed_off" });
      const events = await listEvents(db, { auditId: audit.id });
      expect(events.map((e) => [e.action, e.fromState, e.toState, e.detail?.attempt])).toEqual([
        ["sign_off", "open", "signed_off", 1],
        ["reopen_audit", "signed_off", "open", 1],
        ["sign_off", "open", "signed_off", 2],
      ]);
    });

    it("gives the send-back claim to one at a time, and ends it with the send-back", async () => {
      const audit = await newAudit();
      const claim = (claimId: string, minutes: number) =>
        claimSendBack(db, {
          auditId: audit.id,
          claimId,
          now: minutesLater(minutes),
          staleAfterMs: 5 * 60_000,
        });
      expect(await claim("a", 0)).toBe(false); // not in review
      await setAuditStatus(db, {
        auditId: audit.id,
        expectedStatus: "open",
        status: "in_review",
        actor: "olivia.ops",
        now: NOW,
      });
      expect(await claim("a", 1)).toBe(true);
      expect(await claim("b", 2)).toBe(false);
      await releaseSendBackClaim(db, { auditId: audit.id, claimId: "b" }); // not b's: kept
      expect(await claim("b", 3)).toBe(false);
      expect(await claim("b", 7)).toBe(true); // a's claim went stale
      const sendBack = (claimId: string) =>
        setAuditStatus(db, {
          auditId: audit.id,
          expectedStatus: "in_review",
          status: "open",
          actor: "mia.manager",
          now: minutesLater(8),
          sendBackClaimId: claimId,
        });
      expect((await rejectedAppError(sendBack("a"))).code).toBe("conflict:audit");
      expect(await sendBack("b")).toMatchObject({ status: "open" });
      await setAuditStatus(db, {
        auditId: audit.id,
        expectedStatus: "open",
        status: "in_review",
        actor: "olivia.ops",
        now: minutesLater(9),
      });
      // The send-back ended its claim: the next one may claim at once.
      expect(await claim("c", 10)).toBe(true);
      await releaseSendBackClaim(db, { auditId: audit.id, claimId: "c" });
      expect(await claim("d", 10)).toBe(true);
    });
  });

  describe("runs", () => {
    it("refuses a second run while one is running, naming who started it and when", async () => {
      const audit = await newAudit();
      const first = await startRun(db, {
        auditId: audit.id,
        startedBy: "olivia.ops",
        now: NOW,
        wallNow: NOW,
        staleAfterMs: STALE_AFTER_MS,
      });
      expect(first).toMatchObject({
        status: "running",
        startedBy: "olivia.ops",
        startedAt: NOW.toISOString(),
      });

      // Started long ago but still beating: not stale.
      expect(
        await heartbeatRun(db, first.id, { phase: "schedules", done: 3, total: 10 }, minutesLater(9)),
      ).toBe(true);
      const refused = await rejectedAppError(
        startRun(db, {
          auditId: audit.id,
          startedBy: "sam.ops",
          now: minutesLater(10),
          wallNow: minutesLater(10),
          staleAfterMs: STALE_AFTER_MS,
        }),
      );
      expect(refused.code).toBe("conflict:run");
      expect(refused.message).toBe(
        `An audit run is already in progress (started by olivia.ops at ${NOW.toISOString()}).`,
      );
      expect(await getLatestRun(db, audit.id)).toMatchObject({
        id: first.id,
        heartbeatAt: minutesLater(9).toISOString(),
        progress: { phase: "schedules", done: 3, total: 10 },
      });
      expect(
        (
          await rejectedAppError(
            startRun(db, {
              auditId: "no-such-audit",
              startedBy: "x",
              now: NOW,
              wallNow: NOW,
              staleAfterMs: 1,
            }),
          )
        ).code,
      ).toBe("not_found:audit");
    });

    it("takes over a run whose heartbeat went stale, marking it failed as abandoned", async () => {
      const audit = await newAudit();
      const abandoned = await startRun(db, {
        auditId: audit.id,
        startedBy: "crashed",
        now: NOW,
        wallNow: NOW,
        staleAfterMs: STALE_AFTER_MS,
      });
      const takeover = await startRun(db, {
        auditId: audit.id,
        startedBy: "sam.ops",
        now: minutesLater(6),
        wallNow: minutesLater(6),
        staleAfterMs: STALE_AFTER_MS,
      });
      const runs = await listRuns(db, audit.id);
      expect(runs.map((r) => [r.id, r.status, r.error])).toEqual([
        [takeover.id, "running", null],
        [abandoned.id, "failed", ABANDONED_RUN_ERROR],
      ]);
      // The abandoned process, should it wake up, can neither beat nor store its result.
      expect(await heartbeatRun(db, abandoned.id, null, minutesLater(7))).toBe(false);
      const late = await rejectedAppError(
        finishRun(db, {
          runId: abandoned.id,
          status: "complete",
          report: reportOf(["late"]),
          inputs: INPUTS,
          error: null,
          now: minutesLater(7),
          items: { insert: [newItemOf("late")], update: [] },
          events: [],
        }),
      );
      expect(late.code).toBe("conflict:run");
      expect(await listItems(db, audit.id)).toEqual([]);
    });

    it("lets exactly one of several simultaneous starts win", async () => {
      const audit = await newAudit();
      const attempts = await Promise.allSettled(
        ["a", "b", "c", "d", "e"].map((who) =>
          startRun(db, {
            auditId: audit.id,
            startedBy: who,
            now: NOW,
            wallNow: NOW,
            staleAfterMs: STALE_AFTER_MS,
          }),
        ),
      );
      const won = attempts.filter((a): a is PromiseFulfilledResult<Run> => a.status === "fulfilled");
      const lost = attempts.filter((a) => a.status === "rejected").map((a) => a.reason as { code?: string });
      expect(won).toHaveLength(1);
      expect(lost.map((e) => e.code)).toEqual(Array(4).fill("conflict:run"));
      expect((await listRuns(db, audit.id)).map((r) => r.id)).toEqual([won[0]?.value.id]);
    });

    // SQLite serves one app instance, whose one connection runs transactions one after another: this race
    // only exists between Postgres clients.
    it.runIf(kind.name === "postgres")(
      "turns a start that raced another instance's start into a conflict: the one-running-run index decides",
      async () => {
        if (!place) throw new Error("no database");
        const audit = await newAudit();
        const other = await openDatabase(place.options);
        try {
          let outcome: Promise<AppError> | undefined;
          await other.db.transaction().execute(async (trx) => {
            await trx
              .insertInto("runs")
              .values({
                id: "other-instance-run",
                audit_id: audit.id,
                status: "running",
                started_at: NOW.toISOString(),
                finished_at: null,
                started_by: "other-instance",
                heartbeat_at: NOW.toISOString(),
                roster_sha256: null,
                config_sha256: null,
                snapshot_sha256: null,
                report_json: null,
                findings_count: 0,
                error: null,
                progress_json: null,
              })
              .execute();
            // Our check cannot see the other instance's uncommitted run, so our insert waits on the index
            // until the other transaction commits.
            outcome = rejectedAppError(
              startRun(db, {
                auditId: audit.id,
                startedBy: "olivia.ops",
                now: NOW,
                wallNow: NOW,
                staleAfterMs: STALE_AFTER_MS,
              }),
            );
            await waitUntilQueriesWaitForALock(other.db, 'insert into "runs"%');
          });
          const error = await outcome;
          expect(error?.code).toBe("conflict:run");
          expect(error?.message).toContain("started by other-instance");
          expect((await listRuns(db, audit.id)).map((r) => r.id)).toEqual(["other-instance-run"]);
        } finally {
          await other.close();
        }
      },
    );

    it("stores the report, the new items and their events when a run finishes", async () => {
      const audit = await newAudit();
      const run = await startRun(db, {
        auditId: audit.id,
        startedBy: "olivia.ops",
        now: NOW,
        wallNow: NOW,
        staleAfterMs: STALE_AFTER_MS,
      });
      const report = reportOf(["k1", "k2"]);
      const finished = await finishRun(db, {
        runId: run.id,
        status: "complete",
        report,
        inputs: INPUTS,
        error: null,
        now: minutesLater(2),
        items: { insert: [newItemOf("k1", "ada"), newItemOf("k2", null)], update: [] },
        events: [
          { itemKey: "k1", action: "detected", toState: "open" },
          { itemKey: "k2", action: "detected", toState: "open" },
        ],
      });
      expect(finished).toMatchObject({
        status: "complete",
        finishedAt: minutesLater(2).toISOString(),
        findingsCount: 2,
        rosterSha256: "a".repeat(64),
        snapshotSha256: "c".repeat(64),
      });
      expect(await getRunReport(db, run.id)).toEqual(report);
      expect(await heartbeatRun(db, run.id, null, minutesLater(3))).toBe(false);

      const items = await listItems(db, audit.id);
      expect(items).toHaveLength(2);
      expect(items[0]).toMatchObject({
        ...findingOf("k1", "ada"),
        auditId: audit.id,
        state: "open",
        stateChangedAt: minutesLater(2).toISOString(),
        waivedUntil: null,
        firstSeenRunId: run.id,
        lastSeenRunId: run.id,
        recurred: false,
      });
      const events = await listEvents(db, { auditId: audit.id });
      expect(events.map((e) => [e.itemId, e.personKey, e.actor, e.action])).toEqual([
        [items[0]?.id, "ada", "system", "detected"],
        [items[1]?.id, null, "system", "detected"],
      ]);
    });

    it("updates the items a re-run saw again or no longer saw, and adds the new ones", async () => {
      const { audit, items } = await auditWithItems(["stays", "goes"]);
      const [goes, stays] = items;
      if (!goes || !stays) throw new Error("two items expected");
      const rerun = await startRun(db, {
        auditId: audit.id,
        startedBy: "olivia.ops",
        now: minutesLater(60),
        wallNow: minutesLater(60),
        staleAfterMs: STALE_AFTER_MS,
      });
      await finishRun(db, {
        runId: rerun.id,
        status: "complete",
        report: reportOf(["stays", "new"]),
        inputs: INPUTS,
        error: null,
        now: minutesLater(61),
        items: {
          insert: [newItemOf("new", "grace")],
          update: [
            {
              id: stays.id,
              expectedState: "open",
              finding: { ...findingOf("stays"), message: "still missing", severity: "warning" },
            },
            {
              id: goes.id,
              expectedState: "open",
              finding: null,
              next: { state: "fixed", stateChangedAt: minutesLater(61).toISOString() },
            },
          ],
        },
        events: [
          { itemKey: "stays", action: "still_present" },
          { itemKey: "goes", action: "fixed_by_rerun", fromState: "open", toState: "fixed" },
          { itemKey: "new", action: "detected", toState: "open" },
        ],
      });
      const after = new Map((await listItems(db, audit.id)).map((i) => [i.key, i]));
      expect(after.get("stays")).toMatchObject({
        state: "open",
        message: "still missing",
        severity: "warning",
        lastSeenRunId: rerun.id,
        firstSeenRunId: stays.firstSeenRunId,
      });
      expect(after.get("goes")).toMatchObject({ state: "fixed", lastSeenRunId: goes.lastSeenRunId });
      expect(after.get("new")).toMatchObject({ state: "open", firstSeenRunId: rerun.id, personKey: "grace" });
      expect((await getLatestRun(db, audit.id))?.id).toBe(rerun.id);
      expect((await listEvents(db, { auditId: audit.id, itemId: goes.id })).map((e) => e.action)).toEqual([
        "detected",
        "fixed_by_rerun",
      ]);
    });

    it("stores nothing of a run whose items break a rule of the database, and the run can still finish", async () => {
      const audit = await newAudit();
      const run = await startRun(db, {
        auditId: audit.id,
        startedBy: "olivia.ops",
        now: NOW,
        wallNow: NOW,
        staleAfterMs: STALE_AFTER_MS,
      });
      const broken = finishRun(db, {
        runId: run.id,
        status: "complete",
        report: reportOf(["k1", "k2"]),
        inputs: INPUTS,
        error: null,
        now: minutesLater(1),
        // The same finding key twice in one audit: the second insert fails after the run row was updated.
        items: { insert: [newItemOf("k1"), newItemOf("k2"), newItemOf("k1")], update: [] },
        events: [{ itemKey: "k1", action: "detected", toState: "open" }],
      });
      await expect(broken).rejects.toThrow(/unique|duplicate/i);

      expect(await getLatestRun(db, audit.id)).toMatchObject({
        status: "running",
        findingsCount: 0,
        finishedAt: null,
      });
      expect(await getRunReport(db, run.id)).toBeNull();
      expect(await listItems(db, audit.id)).toEqual([]);
      expect(await listEvents(db, { auditId: audit.id })).toEqual([]);

      await finishRun(db, {
        runId: run.id,
        status: "failed",
        report: null,
        inputs: null,
        error: "PagerDuty unreachable",
        now: minutesLater(2),
        items: { insert: [], update: [] },
        events: [],
      });
      expect(await getLatestRun(db, audit.id)).toMatchObject({
        status: "failed",
        error: "PagerDuty unreachable",
      });
    });

    it("refuses a re-run's result for an item someone acted on meanwhile, storing none of it", async () => {
      const { audit, items } = await auditWithItems(["k1"]);
      const item = items[0];
      if (!item) throw new Error("one item expected");
      const rerun = await startRun(db, {
        auditId: audit.id,
        startedBy: "olivia.ops",
        now: minutesLater(60),
        wallNow: minutesLater(60),
        staleAfterMs: STALE_AFTER_MS,
      });
      // While the re-run works, someone pings the person.
      await updateItemState(db, {
        itemId: item.id,
        expectedState: "open",
        next: { state: "pinged", stateChangedAt: minutesLater(61).toISOString() },
        event: { actor: "olivia.ops", at: minutesLater(61), action: "ping" },
      });
      const refused = await rejectedAppError(
        finishRun(db, {
          runId: rerun.id,
          status: "complete",
          report: reportOf([]),
          inputs: INPUTS,
          error: null,
          now: minutesLater(62),
          items: {
            insert: [newItemOf("k2")],
            update: [
              {
                id: item.id,
                expectedState: "open",
                finding: null,
                next: { state: "fixed", stateChangedAt: minutesLater(62).toISOString() },
              },
            ],
          },
          events: [{ itemKey: "k1", action: "fixed_by_rerun", fromState: "open", toState: "fixed" }],
        }),
      );
      expect(refused.code).toBe("conflict:item");
      expect(refused.message).toContain("now pinged");
      expect((await listItems(db, audit.id)).map((i) => [i.key, i.state])).toEqual([["k1", "pinged"]]);
      expect((await getLatestRun(db, audit.id))?.status).toBe("running");
    });

    it("stores nothing of a run that finishes after its audit was signed off, and lets it end as failed", async () => {
      const { audit, items } = await auditWithItems(["k1"]);
      const item = items[0];
      if (!item) throw new Error("one item expected");
      const rerun = await startRun(db, {
        auditId: audit.id,
        startedBy: "olivia.ops",
        now: minutesLater(60),
        wallNow: minutesLater(60),
        staleAfterMs: STALE_AFTER_MS,
      });
      await signOffAudit(db, {
        auditId: audit.id,
        expectedStatus: "open",
        signedOffBy: "mia.manager",
        now: minutesLater(61),
        reportSha256: "d".repeat(64),
        overrideReason: "Tracked in the Q4 onboarding epic",
      });
      const finish = (items: { insert: NewItem[]; update: ItemRunUpdate[] }, events: RunEventInput[]) =>
        rejectedAppError(
          finishRun(db, {
            runId: rerun.id,
            status: "complete",
            report: reportOf(["k2"]),
            inputs: INPUTS,
            error: null,
            now: minutesLater(62),
            items,
            events,
          }),
        );
      const withChanges = await finish(
        {
          insert: [newItemOf("k2")],
          update: [
            {
              id: item.id,
              expectedState: "open",
              finding: null,
              next: { state: "fixed", stateChangedAt: minutesLater(62).toISOString() },
            },
          ],
        },
        [
          { itemKey: "k1", action: "fixed_by_rerun", fromState: "open", toState: "fixed" },
          { itemKey: "k2", action: "detected", toState: "open" },
        ],
      );
      expect([withChanges.code, withChanges.message]).toEqual([
        "conflict:audit",
        "The audit was signed off meanwhile; it is read-only.",
      ]);
      // A complete run without item changes would still become the audit's newest report.
      expect((await finish({ insert: [], update: [] }, [])).code).toBe("conflict:audit");
      expect((await listItems(db, audit.id)).map((i) => [i.key, i.state])).toEqual([["k1", "open"]]);
      expect(await getRunReport(db, rerun.id)).toBeNull();
      expect((await getLatestRun(db, audit.id))?.status).toBe("running");

      await finishRun(db, {
        runId: rerun.id,
        status: "failed",
        report: null,
        inputs: null,
        error: "The audit was signed off while this run was in progress; its results were not stored.",
        now: minutesLater(63),
        items: { insert: [], update: [] },
        events: [],
      });
      expect(await getLatestRun(db, audit.id)).toMatchObject({ id: rerun.id, status: "failed" });
      expect((await listEvents(db, { auditId: audit.id })).map((e) => e.action)).toEqual([
        "detected",
        "sign_off",
      ]);
    });
  });

  describe("items", () => {
    it("applies a change only from the state it was decided in", async () => {
      const { audit, items } = await auditWithItems(["k1"]);
      const item = items[0];
      if (!item) throw new Error("one item expected");
      const pinged = await updateItemState(db, {
        itemId: item.id,
        expectedState: "open",
        next: { state: "pinged", stateChangedAt: minutesLater(5).toISOString() },
        event: {
          actor: "olivia.ops",
          at: minutesLater(5),
          action: "ping",
          detail: { commentUrl: "https://gitlab/1" },
        },
      });
      expect(pinged).toMatchObject({ state: "pinged", stateChangedAt: minutesLater(5).toISOString() });

      // A second tab still showing `open` decides to waive.
      const stale = await rejectedAppError(
        updateItemState(db, {
          itemId: item.id,
          expectedState: "open",
          next: {
            state: "waived",
            stateChangedAt: minutesLater(6).toISOString(),
            waivedUntil: "2027-02-01",
            justification: "parental leave",
          },
          event: { actor: "sam.ops", at: minutesLater(6), action: "waive" },
        }),
      );
      expect(stale.code).toBe("conflict:item");
      expect(stale.message).toBe("The item changed meanwhile (now pinged); reload and try again.");
      expect(await getItemById(db, item.id)).toMatchObject({
        state: "pinged",
        waivedUntil: null,
        justification: null,
      });
      const events = await listEvents(db, { auditId: audit.id, itemId: item.id });
      expect(events.map((e) => [e.action, e.fromState, e.toState, e.actor])).toEqual([
        ["detected", null, "open", "system"],
        ["ping", "open", "pinged", "olivia.ops"],
      ]);
      expect(events[1]?.detail).toEqual({ commentUrl: "https://gitlab/1" });

      const missing = await rejectedAppError(
        updateItemState(db, {
          itemId: "no-such-item",
          expectedState: "open",
          next: { state: "pinged", stateChangedAt: NOW.toISOString() },
          event: { actor: "x", at: NOW, action: "ping" },
        }),
      );
      expect(missing.code).toBe("not_found:item");
    });

    it("loses no change and no event when 50 items are changed at once", async () => {
      const keys = Array.from({ length: 50 }, (_, i) => `k${String(i).padStart(2, "0")}`);
      const { audit, items } = await auditWithItems(keys, (key) => `person-${key}`);
      const results = await Promise.all(
        items.map((item, i) =>
          updateItemState(db, {
            itemId: item.id,
            expectedState: "open",
            next: { state: "pinged", stateChangedAt: minutesLater(10 + i).toISOString() },
            event: { actor: `user${i}`, at: minutesLater(10 + i), action: "ping" },
          }),
        ),
      );
      expect(results.every((r) => r.state === "pinged")).toBe(true);
      expect((await listItems(db, audit.id, { states: ["pinged"] })).length).toBe(50);
      const pings = (await listEvents(db, { auditId: audit.id })).filter((e) => e.action === "ping");
      expect(pings).toHaveLength(50);
      expect(new Set(pings.map((e) => e.itemId))).toEqual(new Set(items.map((i) => i.id)));
    });

    it("applies a bulk change item by item, reporting the items that moved on", async () => {
      const { audit, items } = await auditWithItems(["k1", "k2", "k3"]);
      const [k1, k2, k3] = items;
      if (!k1 || !k2 || !k3) throw new Error("three items expected");
      await updateItemState(db, {
        itemId: k2.id,
        expectedState: "open",
        next: { state: "intentional", stateChangedAt: NOW.toISOString(), justification: "trainee" },
        event: { actor: "sam.ops", at: NOW, action: "mark_intentional" },
      });
      const ping = (itemId: string) => ({
        itemId,
        expectedState: "open" as const,
        next: { state: "pinged" as const, stateChangedAt: minutesLater(1).toISOString() },
        event: { actor: "olivia.ops", at: minutesLater(1), action: "ping" as const },
      });
      const result = await applyItemStates(db, [ping(k1.id), ping(k2.id), ping(k3.id), ping("no-such-item")]);
      expect(result.applied.map((i) => i.key).sort()).toEqual(["k1", "k3"]);
      expect(result.conflicts).toEqual(
        expect.arrayContaining([
          { itemId: k2.id, expectedState: "open", currentState: "intentional" },
          { itemId: "no-such-item", expectedState: "open", currentState: null },
        ]),
      );
      expect(result.conflicts).toHaveLength(2);
      const pings = (await listEvents(db, { auditId: audit.id })).filter((e) => e.action === "ping");
      expect(pings.map((e) => e.itemId).sort()).toEqual([k1.id, k3.id].sort());
    });

    it("lists items by person and by filter", async () => {
      const owner: Record<string, string | null> = { a1: "ada", a2: "ada", g1: "grace", s1: null };
      const { audit, items } = await auditWithItems(Object.keys(owner), (key) => owner[key] ?? null);
      const a2 = items.find((i) => i.key === "a2");
      if (!a2) throw new Error("a2 expected");
      await updateItemState(db, {
        itemId: a2.id,
        expectedState: "open",
        next: {
          state: "waived",
          stateChangedAt: NOW.toISOString(),
          waivedUntil: "2027-02-01",
          justification: "leave",
        },
        event: { actor: "sam.ops", at: NOW, action: "waive" },
      });
      expect((await listItems(db, audit.id, { personKey: "ada" })).map((i) => i.key)).toEqual(["a1", "a2"]);
      expect(
        (await listItems(db, audit.id, { personKey: "ada", states: ["open"] })).map((i) => i.key),
      ).toEqual(["a1"]);
      expect((await listItems(db, audit.id, { states: [] })).length).toBe(0);
      expect(await getItemById(db, a2.id)).toMatchObject({
        waivedUntil: "2027-02-01",
        justification: "leave",
      });
      const other = await newAudit();
      expect(await listItems(db, other.id, { personKey: "ada" })).toEqual([]);
    });

    it("applies a change decided on the item's time and reply only while both are as read", async () => {
      const { audit, items } = await auditWithItems(["k1", "k2"]);
      const [k1, k2] = items;
      if (!k1 || !k2) throw new Error("two items expected");
      const since = (item: Item) => ({ stateChangedAt: item.stateChangedAt, repliedAt: item.repliedAt });
      const waive = (item: Item, minutes: number, until: string) =>
        updateItemState(db, {
          itemId: item.id,
          expectedState: item.state,
          expectedSince: since(item),
          next: {
            state: "waived",
            stateChangedAt: minutesLater(minutes).toISOString(),
            waivedUntil: until,
            justification: "parental leave",
          },
          event: { actor: `user${minutes}`, at: minutesLater(minutes), action: "waive", detail: { until } },
        });

      // k1's waiver expired; two people read it and both decide to waive again. It stays `waived`.
      const expired = await waive(k1, 1, "2026-11-25");
      await waive(expired, 2, "2027-01-31");
      const late = await rejectedAppError(waive(expired, 3, "2027-02-28"));
      expect([late.code, late.message]).toEqual([
        "conflict:item",
        "The item changed meanwhile (now waived); reload and try again.",
      ]);
      expect(await getItemById(db, k1.id)).toMatchObject({ waivedUntil: "2027-01-31" });

      // k2 is pinged; the person replies, which keeps the state; an escalation decided before the reply.
      const pinged = await updateItemState(db, {
        itemId: k2.id,
        expectedState: "open",
        expectedSince: since(k2),
        next: { state: "pinged", stateChangedAt: minutesLater(1).toISOString(), repliedAt: null },
        event: { actor: "olivia.ops", at: minutesLater(1), action: "ping" },
      });
      const replied = await updateItemState(db, {
        itemId: k2.id,
        expectedState: "pinged",
        next: {
          state: "pinged",
          stateChangedAt: pinged.stateChangedAt,
          repliedAt: minutesLater(2).toISOString(),
        },
        event: { actor: "ada", at: minutesLater(2), action: "reply" },
      });
      const escalate = (item: Item) => ({
        itemId: item.id,
        expectedState: "pinged" as const,
        expectedSince: since(item),
        next: { state: "escalated" as const, stateChangedAt: minutesLater(3).toISOString() },
        event: { actor: "olivia.ops", at: minutesLater(3), action: "escalate" as const },
      });
      expect(await applyItemStates(db, [escalate(pinged)])).toEqual({
        applied: [],
        conflicts: [{ itemId: k2.id, expectedState: "pinged", currentState: "pinged" }],
      });
      // Decided on the item with its reply, the same change applies.
      expect(await updateItemState(db, escalate(replied))).toMatchObject({ state: "escalated" });

      const events = await listEvents(db, { auditId: audit.id });
      expect(events.map((e) => [e.action, e.actor])).toEqual([
        ["detected", "system"],
        ["detected", "system"],
        ["waive", "user1"],
        ["waive", "user2"],
        ["ping", "olivia.ops"],
        ["reply", "ada"],
        ["escalate", "olivia.ops"],
      ]);
    });

    it("refuses item changes in the write itself once the audit is signed off, changing nothing", async () => {
      const { audit, items } = await auditWithItems(["k1", "k2"]);
      const [k1, k2] = items;
      if (!k1 || !k2) throw new Error("two items expected");
      // Whoever acts read the audit before the sign-off landed.
      await signOffAudit(db, {
        auditId: audit.id,
        expectedStatus: "open",
        signedOffBy: "mia.manager",
        now: minutesLater(5),
        reportSha256: "d".repeat(64),
        overrideReason: "Both tracked in the Q4 onboarding epic",
      });
      const ping = (item: Item) => ({
        itemId: item.id,
        expectedState: "open" as const,
        expectedSince: { stateChangedAt: item.stateChangedAt, repliedAt: item.repliedAt },
        next: { state: "pinged" as const, stateChangedAt: minutesLater(6).toISOString() },
        event: { actor: "olivia.ops", at: minutesLater(6), action: "ping" as const },
      });
      const single = await rejectedAppError(updateItemState(db, ping(k1)));
      expect([single.code, single.message]).toEqual([
        "conflict:audit",
        "The audit was signed off meanwhile; it is read-only.",
      ]);
      const bulk = await rejectedAppError(applyItemStates(db, [ping(k1), ping(k2)]));
      expect([bulk.code, bulk.message]).toEqual([single.code, single.message]);

      expect((await listItems(db, audit.id)).map((i) => i.state)).toEqual(["open", "open"]);
      expect((await listEvents(db, { auditId: audit.id })).map((e) => e.action)).toEqual([
        "detected",
        "detected",
        "sign_off",
      ]);
      // Another audit's items are not held up by it.
      const other = await auditWithItems(["k1"]);
      const otherItem = other.items[0];
      if (!otherItem) throw new Error("one item expected");
      expect(await updateItemState(db, ping(otherItem))).toMatchObject({ state: "pinged" });
    });
  });

  describe("events", () => {
    it("keeps events in the order they were appended, whatever their times, and never changes them", async () => {
      const audit = await newAudit();
      const first = await appendEvent(db, {
        auditId: audit.id,
        personKey: "ada",
        actor: "olivia.ops",
        at: minutesLater(30),
        action: "ping",
        detail: { message: "Please fix your schedule", nested: { n: 1, list: [true, null] } },
      });
      const second = await appendEvent(db, {
        auditId: audit.id,
        personKey: "ada",
        actor: "ada",
        at: minutesLater(10),
        action: "reply",
      });
      const third = await appendEvent(db, {
        auditId: audit.id,
        actor: "mia.manager",
        at: minutesLater(20),
        action: "escalate",
      });
      expect(second.id).toBeGreaterThan(first.id);
      expect(third.id).toBeGreaterThan(second.id);
      expect(await listEvents(db, { auditId: audit.id })).toEqual([first, second, third]);
      expect(first).toMatchObject({
        auditId: audit.id,
        itemId: null,
        at: minutesLater(30).toISOString(),
        detail: { message: "Please fix your schedule", nested: { n: 1, list: [true, null] } },
      });
      expect(await listEvents(db, { auditId: audit.id, personKey: "ada" })).toEqual([first, second]);
    });

    it("gives a person's history: what was sent to them, their replies and their findings' resolutions", async () => {
      const { audit, items } = await auditWithItems(["a1", "g1"], (key) => (key === "a1" ? "ada" : "grace"));
      const [a1, g1] = items;
      if (!a1 || !g1) throw new Error("two items expected");
      const ping = await updateItemState(db, {
        itemId: a1.id,
        expectedState: "open",
        next: { state: "pinged", stateChangedAt: minutesLater(1).toISOString() },
        event: { actor: "olivia.ops", at: minutesLater(1), action: "ping" },
      });
      await updateItemState(db, {
        itemId: g1.id,
        expectedState: "open",
        next: { state: "pinged", stateChangedAt: minutesLater(1).toISOString() },
        event: { actor: "olivia.ops", at: minutesLater(1), action: "ping" },
      });
      await updateItemState(db, {
        itemId: a1.id,
        expectedState: "pinged",
        next: {
          state: "pinged",
          stateChangedAt: ping.stateChangedAt,
          repliedAt: minutesLater(2).toISOString(),
        },
        event: {
          actor: "ada",
          at: minutesLater(2),
          action: "reply",
          detail: { commentUrl: "https://gitlab/2" },
        },
      });
      await updateItemState(db, {
        itemId: a1.id,
        expectedState: "pinged",
        next: { state: "escalated", stateChangedAt: minutesLater(3).toISOString() },
        event: { actor: "olivia.ops", at: minutesLater(3), action: "escalate" },
      });
      await updateItemState(db, {
        itemId: a1.id,
        expectedState: "escalated",
        next: { state: "dm_sent", stateChangedAt: minutesLater(4).toISOString() },
        event: { actor: "olivia.ops", at: minutesLater(4), action: "record_dm" },
      });
      await updateItemState(db, {
        itemId: a1.id,
        expectedState: "dm_sent",
        next: {
          state: "intentional",
          stateChangedAt: minutesLater(5).toISOString(),
          justification: "trainee",
        },
        event: { actor: "olivia.ops", at: minutesLater(5), action: "mark_intentional" },
      });
      const history = await listPersonHistory(db, audit.id, "ada");
      expect(history.map((e) => [e.action, e.actor, e.itemId])).toEqual([
        ["ping", "olivia.ops", a1.id],
        ["reply", "ada", a1.id],
        ["escalate", "olivia.ops", a1.id],
        ["record_dm", "olivia.ops", a1.id],
        ["mark_intentional", "olivia.ops", a1.id],
      ]);
      expect(await getItemById(db, a1.id)).toMatchObject({ repliedAt: minutesLater(2).toISOString() });
      expect((await listPersonHistory(db, audit.id, "grace")).map((e) => e.action)).toEqual(["ping"]);
    });
  });

  // SQLite serves one app instance, whose one connection runs transactions one after another: these races
  // only exist between Postgres clients, where the audit row's lock orders them.
  describe("sign-off and writes in flight", () => {
    it.runIf(kind.name === "postgres")(
      "makes item changes and run results waiting on a sign-off in progress refuse once it commits",
      async () => {
        if (!place) throw new Error("no database");
        const { audit, items } = await auditWithItems(["k1"]);
        const item = items[0];
        if (!item) throw new Error("one item expected");
        const rerun = await startRun(db, {
          auditId: audit.id,
          startedBy: "olivia.ops",
          now: minutesLater(60),
          wallNow: minutesLater(60),
          staleAfterMs: STALE_AFTER_MS,
        });
        const other = await openDatabase(place.options);
        try {
          let itemWrite: Promise<AppError> | undefined;
          let runWrite: Promise<AppError> | undefined;
          // Another instance's sign-off holds the audit row while it checks and writes.
          await other.db.transaction().execute(async (trx) => {
            await trx.selectFrom("audits").select("status").where("id", "=", audit.id).forUpdate().execute();
            await trx
              .updateTable("audits")
              .set({ status: "signed_off" })
              .where("id", "=", audit.id)
              .execute();
            itemWrite = rejectedAppError(
              updateItemState(db, {
                itemId: item.id,
                expectedState: "open",
                next: { state: "pinged", stateChangedAt: minutesLater(61).toISOString() },
                event: { actor: "olivia.ops", at: minutesLater(61), action: "ping" },
              }),
            );
            runWrite = rejectedAppError(
              finishRun(db, {
                runId: rerun.id,
                status: "complete",
                report: reportOf([]),
                inputs: INPUTS,
                error: null,
                now: minutesLater(61),
                items: {
                  insert: [],
                  update: [
                    {
                      id: item.id,
                      expectedState: "open",
                      finding: null,
                      next: { state: "fixed", stateChangedAt: minutesLater(61).toISOString() },
                    },
                  ],
                },
                events: [{ itemKey: "k1", action: "fixed_by_rerun", fromState: "open", toState: "fixed" }],
              }),
            );
            await waitUntilQueriesWaitForALock(other.db, 'select "status" from "audits"%for share', 2);
          });
          for (const refused of [await itemWrite, await runWrite]) {
            expect([refused?.code, refused?.message]).toEqual([
              "conflict:audit",
              "The audit was signed off meanwhile; it is read-only.",
            ]);
          }
          expect((await listItems(db, audit.id)).map((i) => i.state)).toEqual(["open"]);
          expect((await getLatestRun(db, audit.id))?.status).toBe("running");
        } finally {
          await other.close();
        }
      },
    );

    it.runIf(kind.name === "postgres")(
      "makes a sign-off waiting on an item change in progress see the change once it commits",
      async () => {
        if (!place) throw new Error("no database");
        const { audit, run, items } = await auditWithItems(["k1"]);
        const item = items[0];
        if (!item) throw new Error("one item expected");
        const other = await openDatabase(place.options);
        try {
          let signOff: Promise<AppError> | undefined;
          // Another instance's item change holds the audit row (shared) until it commits.
          await other.db.transaction().execute(async (trx) => {
            await trx.selectFrom("audits").select("status").where("id", "=", audit.id).forShare().execute();
            await trx
              .updateTable("items")
              .set({ state: "pinged", state_changed_at: minutesLater(5).toISOString() })
              .where("id", "=", item.id)
              .execute();
            signOff = rejectedAppError(
              signOffAudit(db, {
                auditId: audit.id,
                expectedStatus: "open",
                signedOffBy: "mia.manager",
                now: minutesLater(5),
                reportSha256: "d".repeat(64),
                overrideReason: "Tracked in the Q4 onboarding epic",
                basis: { runId: run.id, items },
              }),
            );
            await waitUntilQueriesWaitForALock(other.db, 'select "status" from "audits"%for update');
          });
          const refused = await signOff;
          expect([refused?.code, refused?.message]).toEqual([
            "conflict:audit",
            "Findings changed while signing off; review again.",
          ]);
          expect((await getAuditById(db, audit.id)).status).toBe("open");
        } finally {
          await other.close();
        }
      },
    );
  });
});
