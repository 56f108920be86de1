import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  claimAuditIssue,
  claimChasePosts,
  createAudit,
  finishChaseClaims,
  recordChaseComment,
  releaseChaseClaims,
  renewChaseClaims,
  type Audit,
  type ChaseClaimRequest,
  type Db,
} from "./queries";
import { listTestDatabases } from "./testing";
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

const people = (prefix: string, count: number): ChaseClaimRequest[] =>
  Array.from({ length: count }, (_, i) => ({ key: `${prefix}-${i}`, personKey: `person-${i}` }));

async function claim(db: Db, auditId: string, claims: ChaseClaimRequest[], holder: string, now = NOW) {
  const outcomes = await claimChasePosts(db, {
    auditId,
    action: "ping",
    claims,
    holder,
    wallNow: now,
    staleAfterMs: STALE_AFTER_MS,
  });
  return outcomes.map((o) => o.outcome);
}

describe.each(kinds)("the claims on posting a chase step on $name", (kind) => {
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

  it("gives each person to exactly one of two attempts claiming 16 people at the same moment", async () => {
    for (let round = 0; round < 5; round++) {
      const audit = await newAudit(db);
      const claims = people(`r${round}`, 16);
      const [a, b] = await Promise.all([
        claim(db, audit.id, claims, "a"),
        claim(other, audit.id, [...claims].reverse(), "b"),
      ]);
      const claimedByA = (a ?? []).filter((o) => o === "claimed").length;
      const claimedByB = (b ?? []).filter((o) => o === "claimed").length;
      expect(claimedByA + claimedByB).toBe(16);
      expect([...(a ?? []), ...(b ?? [])].filter((o) => o === "held")).toHaveLength(16);
    }
  });

  it("is taken over once stale or released, with the comment the holder recorded; never once done", async () => {
    const audit = await newAudit(db);
    const [posted, unposted, released, done] = people("t", 4);
    const all = [posted, unposted, released, done].flatMap((c) => (c ? [c] : []));
    expect(await claim(db, audit.id, all, "dead")).toEqual(["claimed", "claimed", "claimed", "claimed"]);
    await recordChaseComment(db, { keys: [posted?.key ?? ""], commentUrl: "https://gl/issues/1#note_7" });
    await releaseChaseClaims(db, { keys: [released?.key ?? ""], holder: "dead" });
    await finishChaseClaims(db, { keys: [done?.key ?? ""], wallNow: NOW });

    // Within the staleness window only the released claim can be taken.
    expect(await claim(other, audit.id, all, "next", later(60_000))).toEqual([
      "held",
      "held",
      "taken_over",
      "done",
    ]);
    // Renewed by its holder at 1 minute, the claim is still live at 2.5 minutes.
    expect(
      await renewChaseClaims(db, { keys: all.map((c) => c.key), holder: "dead", wallNow: later(60_000) }),
    ).toBe(2);
    expect(await claim(other, audit.id, all, "next", later(150_000))).toEqual([
      "held",
      "held",
      "held",
      "done",
    ]);
    // Not renewed since: at 3 minutes and a second its holder is taken to have died.
    const outcomes = await claimChasePosts(other, {
      auditId: audit.id,
      action: "ping",
      claims: all,
      holder: "next",
      wallNow: later(181_000),
      staleAfterMs: STALE_AFTER_MS,
    });
    expect(outcomes.slice(0, 2)).toEqual([
      {
        ...posted,
        outcome: "taken_over",
        commentUrl: "https://gl/issues/1#note_7",
        createdAt: NOW.toISOString(),
      },
      { ...unposted, outcome: "taken_over", commentUrl: null, createdAt: NOW.toISOString() },
    ]);
    // The holder that lost them can no longer renew them.
    expect(
      await renewChaseClaims(db, { keys: all.map((c) => c.key), holder: "dead", wallNow: later(182_000) }),
    ).toBe(0);
  });

  it("takes over a claim written far ahead of the wall clock, like the issue claim", async () => {
    const audit = await newAudit(db);
    const month = 30 * 24 * 3_600_000;
    expect(await claim(db, audit.id, people("ahead", 1), "demo", later(month))).toEqual(["claimed"]);
    expect(await claim(other, audit.id, people("ahead", 1), "next")).toEqual(["taken_over"]);

    const issueAudit = await newAudit(db);
    const claimIssue = (claimId: string, now: Date) =>
      claimAuditIssue(db, { auditId: issueAudit.id, claimId, now, staleAfterMs: STALE_AFTER_MS });
    expect(await claimIssue("demo", later(month))).toBe(true);
    expect(await claimIssue("next", NOW)).toBe(true);
  });
});
