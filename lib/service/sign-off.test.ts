import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEvents } from "@/lib/db/queries";
import { rejectedAppError } from "@/lib/testing/errors";
import { actOnItems, queryPeople } from "./people";
import { openCurrentAudit, startAuditRun } from "./runs";
import type { AuditIssue } from "./sign-off";
import { getSignOffReview, sendBack, signOff, submitForReview } from "./sign-off";
import type { TestContext } from "./testing";
import { createTestContext } from "./testing";

let t: TestContext;
let auditId: string;

/** A stand-in for the GitLab issue that records what was posted (the real client is tested on its own). */
function recordingIssue(): AuditIssue & { comments: string[]; closed: boolean } {
  const issue = {
    comments: [] as string[],
    closed: false,
    async comment(body: string) {
      issue.comments.push(body);
      return `https://gitlab.example/issues/1#note_${issue.comments.length}`;
    },
    async close() {
      issue.closed = true;
    },
  };
  return issue;
}

beforeAll(async () => {
  t = await createTestContext(new Date("2026-11-24T12:00:00Z"));
  auditId = (await openCurrentAudit(t.ctx, "Theo Marsh")).id;
  const run = await startAuditRun(t.ctx, { auditId, actor: "Theo Marsh" });
  await t.ctx.backgroundRuns.get(run.id);
});
afterAll(async () => t.close());

describe("manager review sign-off", () => {
  it("shows every item with its resolution and who was chased", async () => {
    const person = (await queryPeople(t.ctx, auditId, { q: "olivia" })).rows[0];
    await actOnItems(t.ctx, {
      auditId,
      personKey: person?.personKey ?? "",
      action: { type: "ping" },
      actor: "Theo Marsh",
    });
    const review = await getSignOffReview(t.ctx, auditId);
    expect(review.items).toHaveLength(19);
    expect(review.unaddressed).toBe(19);
    expect(review.chase).toEqual([
      {
        personKey: person?.personKey,
        personName: "Olivia Grant",
        pings: 1,
        escalations: 0,
        dms: 0,
        replies: 0,
      },
    ]);
    expect(review.reportSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is sent back with a comment, and refuses to sign off unaddressed items without an override reason", async () => {
    await submitForReview(t.ctx, { auditId, actor: "Theo Marsh" });
    const issue = recordingIssue();
    const back = await sendBack(t.ctx, {
      auditId,
      actor: "Sofia Reyes",
      comment: "Chase the APAC team first <b>please</b>",
      issue,
    });
    expect(back.status).toBe("open");
    expect(issue.comments[0]).toContain("Sent back for more work");
    expect(issue.comments[0]).not.toContain("<b>");

    const refused = await rejectedAppError(signOff(t.ctx, { auditId, actor: "Sofia Reyes", issue }));
    expect(refused.message).toMatch(/19 item\(s\) are not addressed yet/);
    expect(issue.closed).toBe(false);
  });

  it("signs off with an override: records who, when and the hash, closes the issue, and the audit becomes read-only", async () => {
    const issue = recordingIssue();
    const { reportSha256 } = await getSignOffReview(t.ctx, auditId);
    const audit = await signOff(t.ctx, {
      auditId,
      actor: "Sofia Reyes",
      overrideReason: "Remaining items are tracked in the Q4 onboarding epic.",
      issue,
    });
    expect(audit).toMatchObject({
      status: "signed_off",
      signedOffBy: "Sofia Reyes",
      signOffReportSha256: reportSha256,
      signOffOverrideReason: "Remaining items are tracked in the Q4 onboarding epic.",
    });
    expect(issue.closed).toBe(true);
    expect(issue.comments[0]).toContain(`\`${reportSha256}\``);
    expect((await listEvents(t.ctx.db, { auditId })).at(-1)?.action).toBe("sign_off");

    const person = (await queryPeople(t.ctx, auditId, { q: "amara" })).rows[0];
    const frozen = await rejectedAppError(
      actOnItems(t.ctx, {
        auditId,
        personKey: person?.personKey ?? "",
        action: { type: "ping" },
        actor: "Theo Marsh",
      }),
    );
    expect(frozen.message).toMatch(/signed off; it can no longer be changed/);
    expect((await rejectedAppError(startAuditRun(t.ctx, { auditId, actor: "Theo Marsh" }))).code).toBe(
      "conflict:audit",
    );
    expect(
      (await rejectedAppError(signOff(t.ctx, { auditId, actor: "Sofia Reyes", issue: null }))).code,
    ).toBe("conflict:audit");
  });
});
