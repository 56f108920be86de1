import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./client";
import { createAudit, finishRun, listItems, startRun, type Db, type NewItem } from "./queries";
import { listTestDatabases, openMigratedTo, withPlace } from "./testing";

const NOW = new Date("2026-11-24T12:00:00Z");
const kinds = await listTestDatabases();

async function newRun(db: Db) {
  const audit = await createAudit(db, {
    name: "FY27-Q3",
    fiscalYear: 2027,
    quarter: 3,
    opensOn: "2026-11-01",
    dueOn: "2026-11-30",
    createdBy: "Omar Haddad",
    now: NOW,
  });
  const run = await startRun(db, {
    auditId: audit.id,
    startedBy: "Omar Haddad",
    now: NOW,
    wallNow: NOW,
    staleAfterMs: 60_000,
  });
  return { audit, run };
}

const STRANGER: NewItem = {
  key: "not_in_roster|pd:PSTRANGE|PSCHE01|apac",
  code: "not_in_roster",
  severity: "warning",
  personKey: "pd:PSTRANGE",
  personName: "Stan Ger",
  personEmail: null,
  gitlabUsername: null,
  managerName: null,
  region: null,
  scheduleId: "PSCHE01",
  scheduleName: "APAC",
  rotation: "apac",
  ownerName: "Theo Marsh",
  message: "On schedule APAC, but matches no roster entry.",
  evidence: { pagerduty_id: "PSTRANGE" },
  state: "open",
  stateChangedAt: NOW.toISOString(),
};

describe.each(kinds)("the owner of a finding no colleague can fix, on $name", (kind) => {
  it("is stored with the item and read back", async () => {
    await withPlace(kind.create, async (place) => {
      const opened = await openDatabase(place.options);
      try {
        const { audit, run } = await newRun(opened.db);
        await finishRun(opened.db, {
          runId: run.id,
          status: "complete",
          report: null,
          inputs: null,
          error: null,
          now: NOW,
          items: { insert: [STRANGER, { ...STRANGER, key: "other", ownerName: undefined }], update: [] },
          events: [],
        });
        const items = await listItems(opened.db, audit.id);
        expect(items.map((i) => [i.key, i.ownerName])).toEqual([
          ["not_in_roster|pd:PSTRANGE|PSCHE01|apac", "Theo Marsh"],
          ["other", null],
        ]);
      } finally {
        await opened.close();
      }
    });
  });

  it("migration 0009-item-owner adds the column to a database made before it, keeping its items", async () => {
    await withPlace(kind.create, async (place) => {
      const old = await openMigratedTo(place, kind.name, "0004-actor-key");
      let auditId: string;
      try {
        const { audit, run } = await newRun(old);
        auditId = audit.id;
        await sql`insert into items (id, audit_id, key, code, severity, person_key, message, evidence_json, state, state_changed_at, first_seen_run_id, last_seen_run_id, created_at)
          values (${"item-1"}, ${audit.id}, ${STRANGER.key}, ${"not_in_roster"}, ${"warning"}, ${"pd:PSTRANGE"}, ${"m"}, ${"{}"}, ${"open"}, ${NOW.toISOString()}, ${run.id}, ${run.id}, ${NOW.toISOString()})`.execute(
          old,
        );
      } finally {
        await old.destroy();
      }

      const opened = await openDatabase(place.options);
      try {
        expect(await listItems(opened.db, auditId)).toEqual([
          expect.objectContaining({ key: STRANGER.key, ownerName: null }),
        ]);
      } finally {
        await opened.close();
      }
    });
  });
});
