import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type OpenedDatabase } from "@/lib/db/client";
import type { Database } from "@/lib/db/schema";
import { listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import { appendEvent, createAudit, getLatestReviewEvent, setAuditStatus, type Audit } from "./index";

const NOW = new Date("2026-11-24T12:00:00Z");
const kinds = await listTestDatabases();

function minutesLater(minutes: number): Date {
  return new Date(NOW.getTime() + minutes * 60_000);
}

describe.each(kinds)("the event log's reads on $name", (kind) => {
  let place: TestDatabase | undefined;
  let opened: OpenedDatabase | undefined;
  let db: Kysely<Database>;

  beforeAll(async () => {
    place = await kind.create();
    opened = await openDatabase(place.options);
    db = opened.db;
  });
  afterAll(async () => {
    await opened?.close();
    await place?.drop();
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
});
