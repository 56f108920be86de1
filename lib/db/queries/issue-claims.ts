/** The claim on creating an audit's GitLab issue, so that of several exports exactly one creates it. */
import { auditFromRow, type Audit } from "@/lib/db/records";
import { claimIsStale, type Db } from "@/lib/db/queries/shared";

/**
 * Claims the creation of the audit's GitLab issue for `claimId`: of several app instances exporting a
 * new audit at once, exactly one gets it (one conditional UPDATE). Refused (false) while the audit has an
 * issue or a live claim, and for an unknown audit; a claim not renewed for `staleAfterMs` (`claimIsStale`)
 * belonged to an instance that died and is taken over.
 */
export async function claimAuditIssue(
  db: Db,
  input: { auditId: string; claimId: string; now: Date; staleAfterMs: number },
): Promise<boolean> {
  const result = await db
    .updateTable("audits")
    .set({ issue_claim_id: input.claimId, issue_claimed_at: input.now.toISOString() })
    .where("id", "=", input.auditId)
    .where("issue_iid", "is", null)
    .where(claimIsStale("issue_claimed_at", input.now, input.staleAfterMs))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Keeps the claim live. False when `claimId` no longer holds it (taken over as stale, or released). */
export async function renewAuditIssueClaim(
  db: Db,
  input: { auditId: string; claimId: string; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable("audits")
    .set({ issue_claimed_at: input.now.toISOString() })
    .where("id", "=", input.auditId)
    .where("issue_claim_id", "=", input.claimId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Links the issue created under the claim and ends the claim, in one statement. Null when `claimId` no
 * longer holds the claim: the audit is left as it is (another export may be creating its issue).
 */
export async function linkClaimedAuditIssue(
  db: Db,
  input: { auditId: string; claimId: string; issueUrl: string; issueIid: number },
): Promise<Audit | null> {
  const row = await db
    .updateTable("audits")
    .set({
      issue_url: input.issueUrl,
      issue_iid: input.issueIid,
      issue_claim_id: null,
      issue_claimed_at: null,
    })
    .where("id", "=", input.auditId)
    .where("issue_claim_id", "=", input.claimId)
    .where("issue_iid", "is", null)
    .returningAll()
    .executeTakeFirst();
  return row ? auditFromRow(row) : null;
}

/** Ends the claim without an issue (the export failed), so the next export may create it at once. */
export async function releaseAuditIssueClaim(
  db: Db,
  input: { auditId: string; claimId: string },
): Promise<void> {
  await db
    .updateTable("audits")
    .set({ issue_claim_id: null, issue_claimed_at: null })
    .where("id", "=", input.auditId)
    .where("issue_claim_id", "=", input.claimId)
    .execute();
}
