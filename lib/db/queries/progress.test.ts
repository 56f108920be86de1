import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/schema";
import { listTestDatabases } from "@/lib/db/testing";
import {
  appendEvent,
  createAudit,
  finishRun,
  hasReportedRun,
  listDailyItemChanges,
  listEndedWaiverDays,
  listFindingGroups,
  listItems,
  startRun,
  type Item,
} from "./index";
import { useTestDatabase } from "@/lib/db/use-test-database";

const NOW = new Date("2026-11-24T12:00:00Z");
const DAY = 24 * 60 * 60 * 1000;
const kinds = await listTestDatabases();

function daysLater(days: number): Date {
  return new Date(NOW.getTime() + days * DAY);
}

describe.each(kinds)("the overview's grouped reads on $name", (kind) => {
  let db: Kysely<Database>;
  useTestDatabase(kind, ([opened]) => {
    db = opened!;
  });

  async function newAudit() {
    return createAudit(db, {
      name: `FY27-Q3-${randomBytes(4).toString("hex")}`,
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-08-01",
      dueOn: "2026-10-31",
      createdBy: "olivia.ops",
      now: NOW,
    });
  }

  /** An audit whose first run found Ada, Grace and Lin missing from a schedule. */
  async function auditOfThree() {
    const audit = await newAudit();
    const run = await startRun(db, {
      auditId: audit.id,
      startedBy: "theo",
      now: NOW,
      wallNow: NOW,
      staleAfterMs: 60_000,
    });
    const finding = (personKey: string) => ({
      key: `missing_from_schedule|${personKey}|PSCHE01|amer-east`,
      code: "missing_from_schedule" as const,
      severity: "error" as const,
      personKey,
      personName: personKey,
      personEmail: `${personKey}@example.com`,
      gitlabUsername: personKey,
      managerName: null,
      region: null,
      scheduleId: "PSCHE01",
      scheduleName: "AMER East",
      rotation: "amer-east",
      message: `${personKey} is missing`,
      evidence: { roster: ["amer-east"], pagerduty: null, onCall: false },
      state: "open" as const,
    });
    const people = ["ada", "grace", "lin"];
    await finishRun(db, {
      runId: run.id,
      status: "complete",
      report: null,
      inputs: null,
      error: null,
      now: NOW,
      items: { insert: people.map(finding), update: [] },
      events: people.map((p) => ({ itemKey: finding(p).key, action: "detected", toState: "open" })),
    });
    const items = await listItems(db, audit.id);
    const byPerson = (key: string) => {
      const item = items.find((i) => i.personKey === key);
      if (!item) throw new Error(`the run stored ${key}`);
      return item;
    };
    return { audit, ada: byPerson("ada"), grace: byPerson("grace"), lin: byPerson("lin") };
  }

  it("counts each day's moves across the line between to address and addressed, and nothing else", async () => {
    const { audit, ada, grace, lin } = await auditOfThree();
    const move = (
      item: Item,
      at: Date,
      action: "ping" | "reply" | "fixed_by_rerun" | "waive" | "recurred",
      from: Item["state"] | null,
      to: Item["state"] | null,
    ) =>
      appendEvent(db, {
        auditId: audit.id,
        itemId: item.id,
        personKey: item.personKey,
        actor: "theo",
        at,
        action,
        fromState: from,
        toState: to,
      });
    await move(ada, daysLater(0), "ping", "open", "pinged");
    await move(ada, daysLater(0), "reply", null, null);
    await move(grace, daysLater(1), "fixed_by_rerun", "open", "fixed");
    await move(lin, daysLater(2), "waive", "open", "waived");
    await move(grace, daysLater(3), "recurred", "fixed", "open");
    // The audit's own events (no item) and another audit's are not its findings' changes.
    await appendEvent(db, {
      auditId: audit.id,
      actor: "sofia",
      at: daysLater(3),
      action: "set_audit_status",
      fromState: "open",
      toState: "in_review",
    });
    const other = await auditOfThree();
    await appendEvent(db, {
      auditId: other.audit.id,
      itemId: other.ada.id,
      actor: "theo",
      at: daysLater(1),
      action: "mark_intentional",
      fromState: "open",
      toState: "intentional",
    });

    expect(await listDailyItemChanges(db, audit.id)).toEqual([
      { day: "2026-11-24", detected: 3, entered: 3, left: 0 },
      { day: "2026-11-25", detected: 0, entered: 0, left: 1 },
      { day: "2026-11-26", detected: 0, entered: 0, left: 1 },
      { day: "2026-11-27", detected: 0, entered: 1, left: 0 },
    ]);
  });

  it("counts a waiver from the day it ended, once that day has come", async () => {
    const { audit, lin, ada } = await auditOfThree();
    await db
      .updateTable("items")
      .set({ state: "waived", waived_until: "2026-11-28" })
      .where("id", "=", lin.id)
      .execute();
    // A waiver with no end counts from the day it was given.
    await db
      .updateTable("items")
      .set({ state: "waived", waived_until: null, state_changed_at: "2026-11-25T09:00:00.000Z" })
      .where("id", "=", ada.id)
      .execute();
    expect(await listEndedWaiverDays(db, audit.id, "2026-11-27T23:59:59.999Z")).toEqual([
      { day: "2026-11-25", count: 1 },
    ]);
    const ended = await listEndedWaiverDays(db, audit.id, "2026-11-28T00:00:00.000Z");
    expect(ended.sort((a, b) => a.day.localeCompare(b.day))).toEqual([
      { day: "2026-11-25", count: 1 },
      { day: "2026-11-28", count: 1 },
    ]);
  });

  it("groups every audit's findings by code, person and schedule, and knows which audits reported", async () => {
    const { audit } = await auditOfThree();
    const groups = (await listFindingGroups(db)).filter((g) => g.auditId === audit.id);
    expect(groups.sort((a, b) => (a.personKey ?? "").localeCompare(b.personKey ?? ""))).toEqual(
      ["ada", "grace", "lin"].map((personKey) => ({
        auditId: audit.id,
        code: "missing_from_schedule",
        personKey,
        scheduleId: "PSCHE01",
        count: 1,
      })),
    );
    expect(await hasReportedRun(db, audit.id)).toBe(true);
    const fresh = await newAudit();
    await startRun(db, {
      auditId: fresh.id,
      startedBy: "theo",
      now: NOW,
      wallNow: NOW,
      staleAfterMs: 60_000,
    });
    expect(await hasReportedRun(db, fresh.id)).toBe(false);
  });
});
