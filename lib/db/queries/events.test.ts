import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/schema";
import { listTestDatabases } from "@/lib/db/testing";
import {
  appendEvent,
  countActivity,
  createAudit,
  finishRun,
  getLatestReviewEvent,
  listActivity,
  listItems,
  setAuditStatus,
  startRun,
  type Audit,
  type Item,
} from "./index";
import { useTestDatabase } from "@/lib/db/use-test-database";

const NOW = new Date("2026-11-24T12:00:00Z");
const kinds = await listTestDatabases();

function minutesLater(minutes: number): Date {
  return new Date(NOW.getTime() + minutes * 60_000);
}

describe.each(kinds)("the event log's reads on $name", (kind) => {
  let db: Kysely<Database>;
  useTestDatabase(kind, ([opened]) => {
    db = opened!;
  });

  async function newAudit(): Promise<Audit> {
    return createAudit(db, {
      name: `FY27-Q3-${randomBytes(4).toString("hex")}`,
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-11-01",
      dueOn: "2026-11-30",
      createdBy: "olivia.ops",
      now: NOW,
    });
  }

  describe("the latest review event", () => {
    it("is null before the audit was ever submitted", async () => {
      const audit = await newAudit();
      await appendEvent(db, { auditId: audit.id, actor: "theo", at: NOW, action: "export_issue" });
      expect(await getLatestReviewEvent(db, audit.id)).toBeNull();
    });

    it("is the newest hand-over, however many other events came after it, and of this audit only", async () => {
      const audit = await newAudit();
      const other = await newAudit();
      const by = { actor: "Sofia Reyes", actorKey: "sofia" };
      await setAuditStatus(db, {
        ...by,
        auditId: audit.id,
        expectedStatus: "open",
        status: "in_review",
        now: minutesLater(1),
      });
      await setAuditStatus(db, {
        ...by,
        auditId: audit.id,
        expectedStatus: "in_review",
        status: "open",
        now: minutesLater(2),
        detail: { comment: "Justify the two waivers." },
      });
      for (let i = 0; i < 5; i++) {
        await appendEvent(db, {
          auditId: audit.id,
          personKey: "ada",
          actor: "theo",
          at: minutesLater(3 + i),
          action: "ping",
        });
      }
      await setAuditStatus(db, {
        ...by,
        auditId: other.id,
        expectedStatus: "open",
        status: "in_review",
        now: minutesLater(9),
      });
      expect(await getLatestReviewEvent(db, audit.id)).toMatchObject({
        action: "set_audit_status",
        toState: "open",
        at: minutesLater(2).toISOString(),
        detail: { comment: "Justify the two waivers." },
      });
    });
  });

  /** An audit whose one run found a finding each for Ada Lovelace and for Grace Hopper. */
  async function auditOfAdaAndGrace(): Promise<{ audit: Audit; ada: Item; grace: Item }> {
    const audit = await newAudit();
    const run = await startRun(db, {
      auditId: audit.id,
      startedBy: "theo",
      now: NOW,
      wallNow: NOW,
      staleAfterMs: 60_000,
    });
    const finding = (key: string, personKey: string, personName: string) => ({
      key,
      code: "missing_from_schedule" as const,
      severity: "error" as const,
      personKey,
      personName,
      personEmail: `${personKey}@example.com`,
      gitlabUsername: personKey,
      managerName: null,
      region: null,
      scheduleId: "PSCHE01",
      scheduleName: "AMER East",
      rotation: "amer-east",
      message: `${personName} is missing`,
      evidence: { roster: ["amer-east"], pagerduty: null, onCall: false },
      state: "open" as const,
    });
    await finishRun(db, {
      runId: run.id,
      status: "complete",
      report: null,
      inputs: null,
      error: null,
      now: NOW,
      items: {
        insert: [finding("k-ada", "ada", "Ada Lovelace"), finding("k-grace", "grace", "Grace Hopper")],
        update: [],
      },
      events: [
        { itemKey: "k-ada", action: "detected", toState: "open" },
        { itemKey: "k-grace", action: "detected", toState: "open" },
      ],
    });
    const items = await listItems(db, audit.id);
    const ada = items.find((i) => i.personKey === "ada");
    const grace = items.find((i) => i.personKey === "grace");
    if (!ada || !grace) throw new Error("the run stored both findings");
    return { audit, ada, grace };
  }

  describe("an audit's activity", () => {
    it("is what happened to its people's findings, newest first, with whose finding it was; not the run's bookkeeping or the review", async () => {
      const { audit, ada, grace } = await auditOfAdaAndGrace();
      const on = (item: Item) => ({ auditId: audit.id, itemId: item.id, personKey: item.personKey });
      await appendEvent(db, { ...on(ada), actor: "Theo Marsh", at: minutesLater(1), action: "ping" });
      await appendEvent(db, {
        ...on(ada),
        actor: "ada",
        at: minutesLater(2),
        action: "reply",
        detail: { excerpt: "On it." },
      });
      await appendEvent(db, {
        auditId: audit.id,
        actor: "Theo Marsh",
        at: minutesLater(3),
        action: "export_issue",
      });
      await setAuditStatus(db, {
        auditId: audit.id,
        expectedStatus: "open",
        status: "in_review",
        actor: "Theo Marsh",
        now: minutesLater(4),
      });
      await appendEvent(db, { ...on(grace), actor: "system", at: minutesLater(5), action: "still_present" });
      await appendEvent(db, { ...on(grace), actor: "system", at: minutesLater(5), action: "fixed_by_rerun" });
      await appendEvent(db, { ...on(grace), actor: "system", at: minutesLater(6), action: "recurred" });
      await appendEvent(db, { ...on(ada), actor: "Theo Marsh", at: minutesLater(7), action: "waive" });

      const activity = await listActivity(db, audit.id);
      expect(activity.map(({ event, personName }) => [event.action, event.actor, personName])).toEqual([
        ["waive", "Theo Marsh", "Ada Lovelace"],
        ["recurred", "system", "Grace Hopper"],
        ["fixed_by_rerun", "system", "Grace Hopper"],
        ["reply", "ada", "Ada Lovelace"],
        ["ping", "Theo Marsh", "Ada Lovelace"],
      ]);
      expect(activity[3]?.event.detail).toEqual({ excerpt: "On it." });
      expect(await countActivity(db, audit.id)).toBe(5);

      const page = await listActivity(db, audit.id, { limit: 2, offset: 1 });
      expect(page.map(({ event }) => event.action)).toEqual(["recurred", "fixed_by_rerun"]);
    });
  });
});
