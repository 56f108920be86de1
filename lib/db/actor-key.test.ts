import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./client";
import {
  appendEvent,
  createAudit,
  getAuditById,
  listEvents,
  setAuditStatus,
  signOffAudit,
  type Db,
} from "./queries";
import { listTestDatabases, openMigratedTo, withPlace } from "./testing";

const NOW = new Date("2026-11-24T12:00:00Z");
const kinds = await listTestDatabases();

function newAudit(db: Db) {
  return createAudit(db, {
    name: "FY27-Q3",
    fiscalYear: 2027,
    quarter: 3,
    opensOn: "2026-11-01",
    dueOn: "2026-11-30",
    createdBy: "Olivia Grant",
    now: NOW,
  });
}

describe.each(kinds)("the actor's person key on $name", (kind) => {
  it("is stored with each event and sign-off, and read back", async () => {
    await withPlace(kind.create, async (place) => {
      const opened = await openDatabase(place.options);
      try {
        const audit = await newAudit(opened.db);
        await setAuditStatus(opened.db, {
          auditId: audit.id,
          expectedStatus: "open",
          status: "in_review",
          actor: "Omar Haddad",
          actorKey: "omar@example.com",
          now: NOW,
        });
        const signed = await signOffAudit(opened.db, {
          auditId: audit.id,
          expectedStatus: "in_review",
          signedOffBy: "Olivia Grant",
          signedOffByKey: "olivia@example.com",
          now: NOW,
          reportSha256: "abc",
          overrideReason: null,
        });
        expect(signed).toMatchObject({ signedOffBy: "Olivia Grant", signedOffByKey: "olivia@example.com" });
        await appendEvent(opened.db, {
          auditId: audit.id,
          actor: "Omar Haddad",
          actorKey: "omar@example.com",
          at: NOW,
          action: "export_issue",
        });
        await appendEvent(opened.db, { auditId: audit.id, actor: "system", at: NOW, action: "export_issue" });
        const events = await listEvents(opened.db, { auditId: audit.id });
        expect(events.map((e) => [e.action, e.actor, e.actorKey])).toEqual([
          ["set_audit_status", "Omar Haddad", "omar@example.com"],
          ["sign_off", "Olivia Grant", "olivia@example.com"],
          ["export_issue", "Omar Haddad", "omar@example.com"],
          ["export_issue", "system", null],
        ]);
      } finally {
        await opened.close();
      }
    });
  });

  it("migration 0004-actor-key adds the columns to a database made before it, keeping its rows", async () => {
    await withPlace(kind.create, async (place) => {
      const old = await openMigratedTo(place, kind.name, "0003-health-probe");
      let auditId: string;
      try {
        auditId = (await newAudit(old)).id;
        await sql`insert into events (audit_id, actor, at, action) values (${auditId}, ${"Omar Haddad"}, ${NOW.toISOString()}, ${"export_issue"})`.execute(
          old,
        );
      } finally {
        await old.destroy();
      }

      const opened = await openDatabase(place.options);
      try {
        expect(await getAuditById(opened.db, auditId)).toMatchObject({ signedOffByKey: null });
        expect(await listEvents(opened.db, { auditId })).toEqual([
          expect.objectContaining({ actor: "Omar Haddad", actorKey: null }),
        ]);
      } finally {
        await opened.close();
      }
    });
  });
});
