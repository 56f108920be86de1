import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAudit, listEvents, listItems, listRuns, type Item } from "@/lib/db/queries";
import { rejectedAppError } from "@/lib/testing/errors";
import { queryPeople } from "./findings";
import { actOnItems } from "./item-actions";
import { openCurrentAudit, startAuditRun } from "./runs";
import type { AuditIssue } from "./sign-off";
import {
  auditIssueOf,
  getReviewHistory,
  getSignOffReview,
  sendBack,
  signOff,
  submitForReview,
} from "./sign-off";
import { exportToIssue } from "./export";
import type { AppContext } from "./context";
import type { TestContext } from "@/lib/testing/app-context";
import { createGitLabTestContext } from "@/lib/testing/app-context";

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
  // Pings are comments on the audit's GitLab issue: the audits are exported to it.
  t = await createGitLabTestContext(new Date("2026-11-24T12:00:00Z"));
  auditId = (await openCurrentAudit(t.ctx, "Theo Marsh")).id;
  const run = await startAuditRun(t.ctx, { auditId, actor: "Theo Marsh" });
  await t.ctx.backgroundRuns.get(run.id);
  await exportToIssue(t.ctx, { auditId, actor: "Theo Marsh" });
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

  it("counts a chase step once per person, however many findings it covered", async () => {
    const twice = (await queryPeople(t.ctx, auditId, {})).rows.find((r) => r.items === 2);
    if (!twice) throw new Error("the demo org has a person with two findings");
    await actOnItems(t.ctx, {
      auditId,
      personKey: twice.personKey,
      action: { type: "ping" },
      actor: "Theo Marsh",
    });
    const review = await getSignOffReview(t.ctx, auditId);
    expect(review.chase.find((row) => row.personKey === twice.personKey)).toMatchObject({ pings: 1 });
    expect(review.chase).toHaveLength(2);
  });

  it("shows who resolved each finding without a fix, and when", async () => {
    const [first, second] = (await queryPeople(t.ctx, auditId, { sort: "name" })).rows.filter(
      (r) => r.items === 1,
    );
    if (!first || !second) throw new Error("two people with one finding each expected");
    const justification = "Trial account, closed at the end of the month.";
    await actOnItems(t.ctx, {
      auditId,
      personKey: first.personKey,
      action: { type: "mark_intentional", justification },
      actor: "Priya Nair",
      actorKey: "priya@example.com",
    });
    await actOnItems(t.ctx, {
      auditId,
      personKey: second.personKey,
      action: { type: "waive", until: "2027-01-31", justification },
      actor: "Theo Marsh",
    });
    const review = await getSignOffReview(t.ctx, auditId);
    const of = (personKey: string) => review.items.find((i) => i.personKey === personKey);
    expect(of(first.personKey)?.resolution).toEqual({
      action: "mark_intentional",
      actor: "Priya Nair",
      actorKey: "priya@example.com",
      at: of(first.personKey)?.stateChangedAt,
    });
    expect(of(second.personKey)?.resolution).toEqual({
      action: "waive",
      actor: "Theo Marsh",
      actorKey: null,
      at: of(second.personKey)?.stateChangedAt,
    });
    expect(review.items.filter((i) => i.resolution !== null)).toHaveLength(2);
    // Put back as they were, for the tests that follow.
    for (const row of [first, second]) {
      await actOnItems(t.ctx, {
        auditId,
        personKey: row.personKey,
        action: { type: "reopen" },
        actor: "Theo Marsh",
      });
    }
    expect((await getSignOffReview(t.ctx, auditId)).items.filter((i) => i.resolution !== null)).toEqual([]);
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

    // Support Operations read the comment in the dashboard, with who and when, and the whole hand-over.
    const events = (await listEvents(t.ctx.db, { auditId })).filter((e) => e.action === "set_audit_status");
    const sentBack = {
      kind: "sent_back",
      actor: "Sofia Reyes",
      actorKey: null,
      at: events.at(-1)?.at,
      comment: "Chase the APAC team first <b>please</b>",
      commentUrl: "https://gitlab.example/issues/1#note_1",
    };
    const history = await getReviewHistory(t.ctx, auditId);
    expect(history).toEqual({
      steps: [
        {
          kind: "submitted",
          actor: "Theo Marsh",
          actorKey: null,
          at: events[0]?.at,
          comment: null,
          commentUrl: null,
        },
        sentBack,
      ],
      sentBack,
    });
    expect((await getSignOffReview(t.ctx, auditId)).history).toEqual(history);

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
    // Signed off, the send-back is history: no longer the audit's standing word.
    const history = await getReviewHistory(t.ctx, auditId);
    expect(history.steps.map((s) => [s.kind, s.actor])).toEqual([
      ["submitted", "Theo Marsh"],
      ["sent_back", "Sofia Reyes"],
      ["signed_off", "Sofia Reyes"],
    ]);
    expect(history.sentBack).toBeNull();

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

describe("sign-off racing with changes", () => {
  const OVERRIDE = "Remaining items are tracked in the Q4 onboarding epic.";
  let audits = 0;

  /** A new audit with one run against the demo org; its items that belong to a person. */
  async function newAudit(): Promise<{ auditId: string; items: Item[] }> {
    audits += 1;
    const audit = await createAudit(t.ctx.db, {
      name: `FY27-Q3 sign-off race ${audits}`,
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-10-01",
      dueOn: "2026-10-31",
      createdBy: "Theo Marsh",
      now: t.ctx.clock.now(),
    });
    const run = await startAuditRun(t.ctx, { auditId: audit.id, actor: "Theo Marsh" });
    await t.ctx.backgroundRuns.get(run.id);
    await exportToIssue(t.ctx, { auditId: audit.id, actor: "Theo Marsh" });
    const items = (await listItems(t.ctx.db, audit.id)).filter((i) => i.personKey !== null);
    return { auditId: audit.id, items };
  }

  /** An issue on which every comment is posted while someone pings the next item (up to `times` times). */
  function issueWhileActing(auditId: string, items: readonly Item[], times: number) {
    const issue = recordingIssue();
    const comment = issue.comment;
    let acted = 0;
    issue.comment = async (body) => {
      const item = items[acted];
      if (acted < times && item) {
        acted += 1;
        await actOnItems(t.ctx, {
          auditId,
          personKey: item.personKey ?? "",
          itemIds: [item.id],
          action: { type: "ping" },
          actor: "Theo Marsh",
        });
      }
      return comment(body);
    };
    return issue;
  }

  it("decides again on the findings as they are when one changes while the issue is being closed", async () => {
    const { auditId: id, items } = await newAudit();
    const before = await getSignOffReview(t.ctx, id);
    const issue = issueWhileActing(id, items, 1);
    const audit = await signOff(t.ctx, {
      auditId: id,
      actor: "Sofia Reyes",
      overrideReason: OVERRIDE,
      issue,
    });

    // What was signed is what is stored, ping included; the issue's last comment names it.
    const after = await getSignOffReview(t.ctx, id);
    expect(after.items.filter((i) => i.state === "pinged")).toHaveLength(1);
    expect(audit.signOffReportSha256).toBe(after.reportSha256);
    expect(after.reportSha256).not.toBe(before.reportSha256);
    expect(issue.comments).toHaveLength(2);
    expect(issue.comments[0]).toContain(`\`${before.reportSha256}\``);
    expect(issue.comments[1]).toContain(`\`${after.reportSha256}\``);
    expect((await listEvents(t.ctx.db, { auditId: id })).filter((e) => e.action === "sign_off")).toHaveLength(
      1,
    );
  });

  it("refuses when the findings keep changing while signing off, leaving the audit open", async () => {
    const { auditId: id, items } = await newAudit();
    const issue = issueWhileActing(id, items, items.length);
    const refused = await rejectedAppError(
      signOff(t.ctx, { auditId: id, actor: "Sofia Reyes", overrideReason: OVERRIDE, issue }),
    );
    expect([refused.code, refused.message]).toEqual([
      "conflict:audit",
      "Findings changed while signing off; review again.",
    ]);
    const review = await getSignOffReview(t.ctx, id);
    expect(review.audit).toMatchObject({ status: "open", signedOffAt: null, signOffReportSha256: null });
    expect(issue.comments.length).toBeGreaterThan(1);
    // Once nobody is acting any more, the same sign-off goes through.
    expect(
      await signOff(t.ctx, { auditId: id, actor: "Sofia Reyes", overrideReason: OVERRIDE, issue: null }),
    ).toMatchObject({ status: "signed_off", signOffReportSha256: review.reportSha256 });
  });

  it("refuses an override reason or a send-back comment a reader cannot see, posting nothing", async () => {
    const { auditId: id } = await newAudit();
    const issue = recordingIssue();
    const invisible = "\u200b".repeat(10);
    const noReason = await rejectedAppError(
      signOff(t.ctx, { auditId: id, actor: "Sofia Reyes", overrideReason: invisible, issue }),
    );
    expect(noReason.message).toMatch(/item\(s\) are not addressed yet/);
    const short = await rejectedAppError(
      signOff(t.ctx, { auditId: id, actor: "Sofia Reyes", overrideReason: `ok ${invisible}   .`, issue }),
    );
    expect([short.code, short.message]).toEqual([
      "invalid:request",
      "The override reason needs at least 10 characters (4 so far): it stays in the audit record.",
    ]);
    await submitForReview(t.ctx, { auditId: id, actor: "Theo Marsh" });
    const comment = await rejectedAppError(
      sendBack(t.ctx, { auditId: id, actor: "Sofia Reyes", comment: `\u2060${invisible}\u3000fix`, issue }),
    );
    expect([comment.code, comment.message]).toEqual([
      "invalid:request",
      "Say what needs doing (at least 10 characters; 3 so far).",
    ]);
    expect(issue.comments).toEqual([]);
    expect((await getSignOffReview(t.ctx, id)).audit.status).toBe("in_review");
  });

  it("ends a run still in progress at the sign-off as failed, changing none of the signed findings", async () => {
    const { auditId: id } = await newAudit();
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The run waits for the roster until the audit is signed off.
    const slow: AppContext = {
      ...t.ctx,
      loadRoster: async (config) => {
        await released;
        return t.ctx.loadRoster(config);
      },
    };
    const run = await startAuditRun(slow, { auditId: id, actor: "Theo Marsh" });
    const before = await listItems(t.ctx.db, id);
    const audit = await signOff(t.ctx, {
      auditId: id,
      actor: "Sofia Reyes",
      overrideReason: OVERRIDE,
      issue: null,
    });
    release();
    await slow.backgroundRuns.get(run.id);

    expect((await listRuns(t.ctx.db, id))[0]).toMatchObject({
      id: run.id,
      status: "failed",
      error: "The audit was signed off while this run was in progress; its results were not stored.",
    });
    expect(await listItems(t.ctx.db, id)).toEqual(before);
    expect((await getSignOffReview(t.ctx, id)).reportSha256).toBe(audit.signOffReportSha256);
  });
});

describe("the audit issue at sign-off", () => {
  it("finds a closing comment whose answer was lost instead of posting it twice", async () => {
    const g = await createGitLabTestContext(new Date("2026-11-24T12:00:00Z"), {
      gitlab: { client: { timeoutMs: 1_000 } },
    });
    try {
      const id = (await openCurrentAudit(g.ctx, "Theo Marsh")).id;
      const run = await startAuditRun(g.ctx, { auditId: id, actor: "Theo Marsh" });
      await g.ctx.backgroundRuns.get(run.id);
      const exported = await exportToIssue(g.ctx, { auditId: id, actor: "Theo Marsh" });
      const issue = await auditIssueOf(g.ctx, id);
      if (!issue) throw new Error("the exported audit has an issue");

      g.gitlab.failNext("timeout");
      const url = await issue.comment("Signed off by Sofia Reyes.");
      await issue.close();

      const stored = g.gitlab.state().projects.flatMap((p) => p.issues ?? []);
      const closing = stored.find((i) => i.iid === exported.iid);
      expect(closing?.state).toBe("closed");
      const notes = closing?.notes.filter((n) => n.body === "Signed off by Sofia Reyes.") ?? [];
      expect(notes).toHaveLength(1);
      expect(url).toBe(`${exported.url}#note_${notes[0]?.id}`);
    } finally {
      await g.close();
    }
  });
});

describe("submitting for review", () => {
  /** An audit of the demo org, run and exported to the sandbox GitLab's audits project. */
  async function exportedAudit() {
    const g = await createGitLabTestContext(new Date("2026-11-24T12:00:00Z"), {
      gitlab: { client: { timeoutMs: 1_000 } },
    });
    const id = (await openCurrentAudit(g.ctx, "Theo Marsh")).id;
    const run = await startAuditRun(g.ctx, { auditId: id, actor: "Theo Marsh" });
    await g.ctx.backgroundRuns.get(run.id);
    const exported = await exportToIssue(g.ctx, { auditId: id, actor: "Theo Marsh" });
    const notes = () =>
      g.gitlab
        .state()
        .projects.flatMap((p) => p.issues ?? [])
        .find((i) => i.iid === exported.iid)?.notes ?? [];
    return { g, id, exported, notes };
  }

  it("tells the Support Operations Manager on the audit issue, with the counts, once for a double click", async () => {
    const { g, id, exported, notes } = await exportedAudit();
    try {
      const before = notes().length;
      const clicks = await Promise.allSettled([
        submitForReview(g.ctx, { auditId: id, actor: "Theo Marsh" }),
        submitForReview(g.ctx, { auditId: id, actor: "Theo Marsh" }),
      ]);
      const done = clicks.flatMap((c) => (c.status === "fulfilled" ? [c.value] : []));
      const refused = clicks.flatMap((c) => (c.status === "rejected" ? [c.reason as { code: string }] : []));
      expect(done).toHaveLength(1);
      expect(refused.map((e) => e.code)).toEqual(["conflict:audit"]);

      const posted = notes().slice(before);
      expect(posted).toHaveLength(1);
      const body = posted[0]?.body ?? "";
      // The manager's roster username, checked with GitLab as pings are, so the mention is live.
      expect(body).toContain("@sreyes");
      expect(body).toContain("Submitted for review** (submission 1)");
      expect(body).toContain("Theo Marsh");
      expect(body).toContain("0 of 19 finding(s) addressed; 19 not yet.");
      expect(done[0]).toMatchObject({
        status: "in_review",
        commentUrl: `${exported.url}#note_${posted[0]?.id}`,
        warnings: [],
      });
    } finally {
      await g.close();
    }
  });

  it("finds its comment when the answer was lost instead of posting it twice", async () => {
    const { g, id, exported, notes } = await exportedAudit();
    try {
      const before = notes().length;
      // The user look-up for the one Support Operations Manager passes; the comment's answer is lost.
      g.gitlab.failNext("pass", "timeout");
      const submitted = await submitForReview(g.ctx, { auditId: id, actor: "Theo Marsh" });
      const posted = notes().slice(before);
      expect(posted).toHaveLength(1);
      expect(submitted.commentUrl).toBe(`${exported.url}#note_${posted[0]?.id}`);
    } finally {
      await g.close();
    }
  });

  it("is not submitted when the audit issue cannot be told, and says so", async () => {
    const { g, id, notes } = await exportedAudit();
    try {
      const before = notes().length;
      g.gitlab.failNext("pass", 500);
      const refused = await rejectedAppError(submitForReview(g.ctx, { auditId: id, actor: "Theo Marsh" }));
      expect(refused.code).toBe("upstream:gitlab");
      expect(refused.message).toMatch(/was not submitted for review/);
      expect(notes().slice(before)).toHaveLength(0);
      expect((await getSignOffReview(g.ctx, id)).audit.status).toBe("open");
      expect((await getReviewHistory(g.ctx, id)).steps.map((s) => s.kind)).toEqual([
        "submitted",
        "withdrawn",
      ]);
      // Trying again once GitLab answers goes through.
      expect((await submitForReview(g.ctx, { auditId: id, actor: "Theo Marsh" })).status).toBe("in_review");
      const posted = notes().slice(before);
      expect(posted.map((n) => n.body.split(" by ")[0])).toEqual(["**Submitted for review** (submission 1)"]);
    } finally {
      await g.close();
    }
  });

  it("still works for an audit without an issue, and says truthfully that nothing was posted", async () => {
    const audit = await createAudit(t.ctx.db, {
      name: "FY27-Q3 no issue",
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-10-01",
      dueOn: "2026-10-31",
      createdBy: "Theo Marsh",
      now: t.ctx.clock.now(),
    });
    const submitted = await submitForReview(t.ctx, { auditId: audit.id, actor: "Theo Marsh" });
    expect(submitted).toMatchObject({ status: "in_review", commentUrl: null, warnings: [] });
  });
});
