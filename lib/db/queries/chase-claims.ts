/**
 * Claims on posting a chase step for a person, so that of several attempts (two clicks, two bulk actions,
 * two app instances) exactly one posts the comment, and an attempt after one that died or lost GitLab's
 * answer looks for the comment before posting again. Times are the wall clock, like run heartbeats.
 */
import { chunks, claimIsStale, compare, type Db } from "@/lib/db/queries/shared";
import type { ChaseAction } from "@/lib/workflow/chase";

/** One person's claim to take: `key` names the audit, the step, the person and their findings' version. */
export interface ChaseClaimRequest {
  key: string;
  personKey: string;
}

/**
 * What came of claiming: `claimed` (new: nothing was posted for it yet), `taken_over` (an earlier attempt
 * released it or died holding it, and may have posted: look for its comment, `commentUrl` when it recorded
 * one, `createdAt` when the first attempt claimed it), `held` (another attempt holds it now) or `done` (its
 * findings were recorded as chased).
 */
export type ChaseClaimOutcome =
  | { key: string; personKey: string; outcome: "claimed" }
  | { key: string; personKey: string; outcome: "taken_over"; commentUrl: string | null; createdAt: string }
  | { key: string; personKey: string; outcome: "held" | "done" };

/**
 * Claims each person's post for `holder`: inserts the claims no attempt made yet (exactly one of several
 * simultaneous attempts inserts each), then takes over those not done whose holder released them or let
 * them go stale (`claimIsStale` on `claimed_at`: not renewed for `staleAfterMs`). The others are held by a
 * live attempt or done. Keys are claimed in one order, so two attempts never wait on each other in turn.
 */
export async function claimChasePosts(
  db: Db,
  input: {
    auditId: string;
    action: ChaseAction | "remind" | "ping_dm";
    claims: readonly ChaseClaimRequest[];
    holder: string;
    wallNow: Date;
    staleAfterMs: number;
  },
): Promise<ChaseClaimOutcome[]> {
  const now = input.wallNow.toISOString();
  const requests = [...new Map(input.claims.map((c) => [c.key, c])).values()].sort((a, b) =>
    compare(a.key, b.key),
  );
  const outcomes = new Map<string, ChaseClaimOutcome>();
  for (const chunk of chunks(requests, 500)) {
    const inserted = await db
      .insertInto("chase_claims")
      .values(
        chunk.map((c) => ({
          key: c.key,
          audit_id: input.auditId,
          person_key: c.personKey,
          action: input.action,
          holder: input.holder,
          created_at: now,
          claimed_at: now,
          comment_url: null,
          done_at: null,
        })),
      )
      .onConflict((oc) => oc.column("key").doNothing())
      .returning("key")
      .execute();
    for (const row of inserted) outcomes.set(row.key, { ...byKey(chunk, row.key), outcome: "claimed" });
  }
  const rest = requests.filter((c) => !outcomes.has(c.key));
  for (const chunk of chunks(rest, 500)) {
    const taken = await db
      .updateTable("chase_claims")
      .set({ holder: input.holder, claimed_at: now })
      .where(
        "key",
        "in",
        chunk.map((c) => c.key),
      )
      .where("done_at", "is", null)
      .where((eb) =>
        eb.or([eb("holder", "is", null), claimIsStale("claimed_at", input.wallNow, input.staleAfterMs)]),
      )
      .returning(["key", "comment_url", "created_at"])
      .execute();
    for (const row of taken) {
      outcomes.set(row.key, {
        ...byKey(chunk, row.key),
        outcome: "taken_over",
        commentUrl: row.comment_url,
        createdAt: row.created_at,
      });
    }
    const others = chunk.filter((c) => !outcomes.has(c.key));
    if (others.length === 0) continue;
    const done = await db
      .selectFrom("chase_claims")
      .select("key")
      .where(
        "key",
        "in",
        others.map((c) => c.key),
      )
      .where("done_at", "is not", null)
      .execute();
    const doneKeys = new Set(done.map((row) => row.key));
    for (const c of others) outcomes.set(c.key, { ...c, outcome: doneKeys.has(c.key) ? "done" : "held" });
  }
  return requests.map((c) => outcomes.get(c.key) ?? { ...c, outcome: "held" });
}

function byKey(claims: readonly ChaseClaimRequest[], key: string): ChaseClaimRequest {
  const found = claims.find((c) => c.key === key);
  if (!found) throw new Error(`no claim requested with key ${key}`);
  return { key: found.key, personKey: found.personKey };
}

/** Keeps `holder`'s claims live while it posts. Returns how many it still holds (taken over: not counted). */
export async function renewChaseClaims(
  db: Db,
  input: { keys: readonly string[]; holder: string; wallNow: Date },
): Promise<number> {
  let renewed = 0;
  for (const chunk of chunks(input.keys, 500)) {
    const result = await db
      .updateTable("chase_claims")
      .set({ claimed_at: input.wallNow.toISOString() })
      .where("key", "in", chunk)
      .where("holder", "=", input.holder)
      .where("done_at", "is", null)
      .executeTakeFirst();
    renewed += Number(result.numUpdatedRows);
  }
  return renewed;
}

/**
 * Records the comment posted for the claims, whoever holds them now: it exists, so no attempt may post it
 * again, and one that takes a claim over records its findings with this link.
 */
export async function recordChaseComment(
  db: Db,
  input: { keys: readonly string[]; commentUrl: string },
): Promise<void> {
  for (const chunk of chunks(input.keys, 500)) {
    await db
      .updateTable("chase_claims")
      .set({ comment_url: input.commentUrl })
      .where("key", "in", chunk)
      .execute();
  }
}

/**
 * Frees `holder`'s claims whose comment was not posted (the post was refused, or never tried), so the next
 * attempt may take them at once. A claim whose post lost its answer is not released: it stays held until
 * it is stale, by which time a comment GitLab was still making is there to be found.
 */
export async function releaseChaseClaims(
  db: Db,
  input: { keys: readonly string[]; holder: string },
): Promise<void> {
  for (const chunk of chunks(input.keys, 500)) {
    await db
      .updateTable("chase_claims")
      .set({ holder: null, claimed_at: null })
      .where("key", "in", chunk)
      .where("holder", "=", input.holder)
      .where("comment_url", "is", null)
      .where("done_at", "is", null)
      .execute();
  }
}

/** Ends the claims once their findings are recorded as chased: nobody posts for these versions again. */
export async function finishChaseClaims(
  db: Db,
  input: { keys: readonly string[]; wallNow: Date },
): Promise<void> {
  for (const chunk of chunks(input.keys, 500)) {
    await db
      .updateTable("chase_claims")
      .set({ done_at: input.wallNow.toISOString(), holder: null, claimed_at: null })
      .where("key", "in", chunk)
      .where("done_at", "is", null)
      .execute();
  }
}
