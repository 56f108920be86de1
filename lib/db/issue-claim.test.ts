import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./client";
import {
  claimAuditIssue,
  createAudit,
  getAuditById,
  linkClaimedAuditIssue,
  releaseAuditIssueClaim,
  renewAuditIssueClaim,
  type Audit,
  type Db,
} from "./queries";
import { listTestDatabases, openMigratedTo } from "./testing";
import { useTestDatabase } from "./use-test-database";

const NOW = new Date("2026-11-24T12:00:00Z");
const STALE_AFTER_MS = 2 * 60_000;
const kinds = await listTestDatabases();

const later = (ms: number) => new Date(NOW.getTime() + ms);

function newAudit(db: Db): Promise<Audit> {
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

function claim(db: Db, auditId: string, claimId: string, now = NOW): Promise<boolean> {
  return claimAuditIssue(db, { auditId, claimId, now, staleAfterMs: STALE_AFTER_MS });
}

function link(db: Db, auditId: string, claimId: string, issueIid: number) {
  return linkClaimedAuditIssue(db, {
    auditId,
    claimId,
    issueIid,
    issueUrl: `https://gitlab.example.com/audits/-/issues/${issueIid}`,
  });
}

describe.each(kinds)("the claim on creating an audit's issue on $name", (kind) => {
  // Two handles on one database, as two app instances have.
  let db: Db;
  let other: Db;
  useTestDatabase(
    kind,
    ([first, second]) => {
      [db, other] = [first!, second!];
    },
    2,
  );

  it("goes to exactly one of two instances claiming at the same moment", async () => {
    for (let round = 0; round < 10; round++) {
      const audit = await newAudit(db);
      const results = await Promise.all([claim(db, audit.id, "a"), claim(other, audit.id, "b")]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it("refuses while the claim is live, and lets another export take over a claim not renewed for 2 minutes", async () => {
    const audit = await newAudit(db);
    expect(await claim(db, audit.id, "a")).toBe(true);
    expect(await claim(other, audit.id, "b", later(60_000))).toBe(false);
    // Renewed at 1 minute, so still live at 2.5 minutes.
    expect(await renewAuditIssueClaim(db, { auditId: audit.id, claimId: "a", now: later(60_000) })).toBe(
      true,
    );
    expect(await claim(other, audit.id, "b", later(150_000))).toBe(false);
    // Not renewed since: at 3 minutes and a second it belongs to an instance that died.
    expect(await claim(other, audit.id, "b", later(181_000))).toBe(true);

    // The instance that lost it can neither renew it nor link an issue with it.
    expect(await renewAuditIssueClaim(db, { auditId: audit.id, claimId: "a", now: later(182_000) })).toBe(
      false,
    );
    expect(await link(db, audit.id, "a", 1)).toBeNull();
    expect((await getAuditById(db, audit.id)).issueIid).toBeNull();
    expect(await link(other, audit.id, "b", 2)).toMatchObject({ id: audit.id, issueIid: 2 });
  });

  it("links the created issue and ends the claim; an audit with an issue is never claimed again", async () => {
    const audit = await newAudit(db);
    expect(await claim(db, audit.id, "a")).toBe(true);
    const linked = await link(db, audit.id, "a", 7);
    expect(linked).toMatchObject({
      issueIid: 7,
      issueUrl: "https://gitlab.example.com/audits/-/issues/7",
    });
    expect(await getAuditById(other, audit.id)).toEqual(linked);
    const { rows } = await sql<{ issue_claim_id: string | null; issue_claimed_at: string | null }>`
      select issue_claim_id, issue_claimed_at from audits where id = ${audit.id}`.execute(db);
    expect(rows).toEqual([{ issue_claim_id: null, issue_claimed_at: null }]);

    expect(await claim(other, audit.id, "b", later(24 * 60 * 60_000))).toBe(false);
    expect(await link(db, audit.id, "a", 8)).toBeNull();
    expect((await getAuditById(db, audit.id)).issueIid).toBe(7);
  });

  it("lets the next export claim at once after a failed one released its claim", async () => {
    const audit = await newAudit(db);
    expect(await claim(db, audit.id, "a")).toBe(true);
    // Only the holder's release counts.
    await releaseAuditIssueClaim(other, { auditId: audit.id, claimId: "b" });
    expect(await claim(other, audit.id, "b", later(1_000))).toBe(false);
    await releaseAuditIssueClaim(db, { auditId: audit.id, claimId: "a" });
    expect(await claim(other, audit.id, "b", later(1_000))).toBe(true);
  });

  it("refuses to claim an audit that does not exist", async () => {
    expect(await claim(db, "no-such-audit", "a")).toBe(false);
  });
});

describe.each(kinds)("migration 0002-issue-claim on $name", (kind) => {
  it("adds the claim to a database made before it, keeping its audits, unclaimed", async () => {
    const place = await kind.create();
    try {
      const old = await openMigratedTo(place, kind.name, "0001-initial");
      let audit: Audit;
      try {
        audit = await newAudit(old);
      } finally {
        await old.destroy();
      }

      const opened = await openDatabase(place.options);
      try {
        // Later migrations add their own columns (0003: who signed off, by person key; none yet).
        expect(await getAuditById(opened.db, audit.id)).toEqual({ ...audit, signedOffByKey: null });
        expect(await claim(opened.db, audit.id, "a")).toBe(true);
      } finally {
        await opened.close();
      }
    } finally {
      await place.drop();
    }
  });
});
