import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestContext } from "@/lib/testing/app-context";
import { createGitLabTestContext, openRunAndExport } from "@/lib/testing/app-context";
import { queryPeople } from "./findings";
import { actOnItems } from "./item-actions";
import { getReviewHistory, getStandingSendBack, sendBack, submitForReview } from "./sign-off";

let t: TestContext;
let auditId: string;

beforeAll(async () => {
  t = await createGitLabTestContext(new Date("2026-11-24T12:00:00Z"));
  auditId = await openRunAndExport(t.ctx);
});
afterAll(async () => t.close());

describe("the overview's standing send-back", () => {
  it("is none before a review, the reviewer's comment while it is the last word, and none once resubmitted", async () => {
    expect(await getStandingSendBack(t.ctx, auditId)).toBeNull();
    await submitForReview(t.ctx, { auditId, actor: "Theo Marsh" });
    expect(await getStandingSendBack(t.ctx, auditId)).toBeNull();
    await sendBack(t.ctx, {
      auditId,
      actor: "Sofia Reyes",
      actorKey: "sofia",
      comment: "Justify the APAC waivers <b>first</b>",
    });
    // Support Operations get to work: the findings' events come after the send-back, which still stands.
    for (const row of (await queryPeople(t.ctx, auditId, {})).rows.slice(0, 3)) {
      await actOnItems(t.ctx, { auditId, personKey: row.personKey, action: { type: "ping" }, actor: "Theo" });
    }
    const standing = await getStandingSendBack(t.ctx, auditId);
    expect(standing).toMatchObject({
      kind: "sent_back",
      actor: "Sofia Reyes",
      comment: "Justify the APAC waivers <b>first</b>",
    });
    expect(standing).toEqual((await getReviewHistory(t.ctx, auditId)).sentBack);

    await submitForReview(t.ctx, { auditId, actor: "Theo Marsh" });
    expect(await getStandingSendBack(t.ctx, auditId)).toBeNull();
  });

  it("is refused for an unknown audit, as the page's other reads are", async () => {
    await expect(getStandingSendBack(t.ctx, "no-such-audit")).rejects.toMatchObject({
      code: "not_found:audit",
    });
  });
});
