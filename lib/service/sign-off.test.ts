import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAudit, listEvents, listItems, listRuns, type Item } from "@/lib/db/queries";
import { rejectedAppError } from "@/lib/testing/errors";
import { queryPeople } from "./findings";
import { actOnItems } from "./item-actions";
import { openCurrentAudit, startAuditRun } from "./runs";
import { getReviewHistory, getSignOffReview, sendBack, signOff, submitForReview } from "./sign-off";
import { exportToIssue } from "./export";
import type { AppContext } from "./context";
import { createGitLabTestContext } from "@/lib/testing/app-context";
import { listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import type { AppError } from "@/lib/errors";
import type { GitLabTestContext } from "@/lib/testing/app-context";
import { isColleagueFinding } from "@/lib/workflow/owners";

let t: GitLabTestContext;
let auditId: string;
/** The main audit's issue in the sandbox GitLab. */
let issueOf: () => { state: string; notes: { id: number; body: string }[] };
let issueUrl: string;

beforeAll(async () => {
  // Pings are comments on the audit's GitLab issue: the audits are exported to it.
  t = await createGitLabTestContext(new Date("2026-11-24T12:00:00Z"));
  auditId = (await openCurrentAudit(t.ctx, "Theo Marsh")).id;
  const run = await startAuditRun(t.ctx, { auditId, actor: "Theo Marsh" });
  await t.ctx.backgroundRuns.get(run.id);
  const exported = await exportToIssue(t.ctx, { auditId, actor: "Theo Marsh" });
  issueUrl = exported.url;
  issueOf = () => {
    const found = t.gitlab
      .state()
      .projects.flatMap((p) => p.issues ?? [])
      .find((i) => i.iid === exported.iid);
    if (!found) throw new Error("the exported issue is in the sandbox");
    return found;
  };
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
    const back = await sendBack(t.ctx, {
      auditId,
      actor: "Sofia Reyes",
      comment: "Chase the APAC team first <b>please</b>",
    });
    expect(back.status).toBe("open");
    const note = issueOf().notes.at(-1);
    expect(note?.body).toContain("Sent back for more work");
    expect(note?.body).not.toContain("<b>");

    // Support Operations read the comment in the dashboard, with who and when, and the whole hand-over.
    const events = (await listEvents(t.ctx.db, { auditId })).filter((e) => e.action === "set_audit_status");
    const sentBack = {
      kind: "sent_back",
      actor: "Sofia Reyes",
      actorKey: null,
      at: events.at(-1)?.at,
      comment: "Chase the APAC team first <b>please</b>",
      commentUrl: `${issueUrl}#note_${note?.id}`,
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

    const notes = issueOf().notes.length;
    const refused = await rejectedAppError(signOff(t.ctx, { auditId, actor: "Sofia Reyes" }));
    expect(refused.message).toMatch(/19 item\(s\) are not addressed yet/);
    expect(issueOf()).toMatchObject({ state: "opened", notes: { length: notes } });
  });

  it("signs off with an override: records who, when and the hash, closes the issue, and the audit becomes read-only", async () => {
    const { reportSha256 } = await getSignOffReview(t.ctx, auditId);
    const audit = await signOff(t.ctx, {
      auditId,
      actor: "Sofia Reyes",
      overrideReason: "Remaining items are tracked in the Q4 onboarding epic.",
    });
    expect(audit).toMatchObject({
      status: "signed_off",
      signedOffBy: "Sofia Reyes",
      signOffReportSha256: reportSha256,
      signOffOverrideReason: "Remaining items are tracked in the Q4 onboarding epic.",
    });
    expect(issueOf().state).toBe("closed");
    expect(issueOf().notes.at(-1)?.body).toMatch(/^\*\*Signed off\*\* by Sofia Reyes on 2026-11-24\./);
    expect(issueOf().notes.at(-1)?.body).toContain(`\`${reportSha256}\``);
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
    expect((await rejectedAppError(signOff(t.ctx, { auditId, actor: "Sofia Reyes" }))).code).toBe(
      "conflict:audit",
    );
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
    // The items a ping applies to: a person's, and a colleague's to fix.
    const items = (await listItems(t.ctx.db, audit.id)).filter(
      (i) => i.personKey !== null && isColleagueFinding(i.code),
    );
    return { auditId: audit.id, items };
  }

  it("refuses an override reason or a send-back comment a reader cannot see, posting nothing", async () => {
    const { auditId: id } = await newAudit();
    const exported = await exportToIssue(t.ctx, { auditId: id, actor: "Theo Marsh" });
    const notesOf = () =>
      t.gitlab
        .state()
        .projects.flatMap((p) => p.issues ?? [])
        .find((i) => i.iid === exported.iid)?.notes ?? [];
    const notes = notesOf().length;
    const invisible = "\u200b".repeat(10);
    const noReason = await rejectedAppError(
      signOff(t.ctx, { auditId: id, actor: "Sofia Reyes", overrideReason: invisible }),
    );
    expect(noReason.message).toMatch(/item\(s\) are not addressed yet/);
    const short = await rejectedAppError(
      signOff(t.ctx, { auditId: id, actor: "Sofia Reyes", overrideReason: `ok ${invisible}   .` }),
    );
    expect([short.code, short.message]).toEqual([
      "invalid:request",
      "The override reason needs at least 10 characters (4 so far): it stays in the audit record.",
    ]);
    await submitForReview(t.ctx, { auditId: id, actor: "Theo Marsh" });
    const comment = await rejectedAppError(
      sendBack(t.ctx, { auditId: id, actor: "Sofia Reyes", comment: `\u2060${invisible}\u3000fix` }),
    );
    expect([comment.code, comment.message]).toEqual([
      "invalid:request",
      "Say what needs doing (at least 10 characters; 3 so far).",
    ]);
    expect(
      notesOf()
        .slice(notes)
        .map((n) => n.body.split(" by ")[0]),
    ).toEqual(["**Submitted for review** (submission 1)"]);
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

describe.each(await listTestDatabases())(
  "the audit issue at sign-off, two app instances on $name",
  (kind) => {
    const OVERRIDE = "Remaining items are tracked in the Q4 onboarding epic.";
    let place: TestDatabase | undefined;
    let g: GitLabTestContext;
    let instances: AppContext[] = [];
    /** `METHOD /path` of every GitLab request, in order, with its JSON body. */
    const sent: { where: string; body: Record<string, unknown> }[] = [];
    /** Run (once each) before the first request matching `match` is sent. */
    let before: { match: RegExp; run: () => Promise<void> | void }[] = [];
    let audits = 0;

    beforeAll(async () => {
      place = await kind.create();
      g = await createGitLabTestContext(new Date("2026-11-24T12:00:00Z"), {
        database: place.options,
        gitlab: {
          sandbox: { faults: { timeoutMs: 1_500 } },
          client: {
            timeoutMs: 1_000,
            fetch: async (input, init) => {
              const where = `${init?.method ?? "GET"} ${new URL(String(input)).pathname}`;
              const body =
                typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : {};
              sent.push({ where, body });
              const hook = before.find((h) => h.match.test(`${where} ${JSON.stringify(body)}`));
              if (hook) {
                before = before.filter((h) => h !== hook);
                await hook.run();
              }
              return fetch(input, init);
            },
          },
        },
      });
      instances = [g.ctx, await g.openInstance()];
    });

    afterAll(async () => {
      await g?.close();
      await place?.drop();
    });

    const first = () => instances[0] as AppContext;
    const second = () => instances[1] as AppContext;
    /**
     * Who clicks at the same moment: two instances on Postgres; on SQLite, which serves one app instance
     * (two connections to one file in one process would refuse each other's writes), one instance twice.
     */
    const racers = () => (kind.name === "postgres" ? instances : [first(), first()]);

    /** A new audit of the demo org, run and exported to its own issue; its items that belong to a person. */
    async function exportedAudit() {
      audits += 1;
      const audit = await createAudit(first().db, {
        name: `FY27-Q3 issue ${audits}`,
        fiscalYear: 2027,
        quarter: 3,
        opensOn: "2026-10-01",
        dueOn: "2026-10-31",
        createdBy: "Theo Marsh",
        now: first().clock.now(),
      });
      const run = await startAuditRun(first(), { auditId: audit.id, actor: "Theo Marsh" });
      await first().backgroundRuns.get(run.id);
      const exported = await exportToIssue(first(), { auditId: audit.id, actor: "Theo Marsh" });
      const items = (await listItems(first().db, audit.id)).filter(
        (i) => i.personKey !== null && isColleagueFinding(i.code),
      );
      const issue = () => {
        const found = g.gitlab
          .state()
          .projects.flatMap((p) => p.issues ?? [])
          .find((i) => i.iid === exported.iid);
        if (!found) throw new Error("the exported issue is in the sandbox");
        return found;
      };
      const signOffNotes = () => issue().notes.filter((n) => n.body.startsWith("**Signed off**"));
      const closes = () =>
        sent.filter((s) => s.where.endsWith(`/issues/${exported.iid}`) && s.body.state_event === "close")
          .length;
      return { id: audit.id, exported, items, issue, signOffNotes, closes };
    }

    const pingOne = (ctx: AppContext, auditId: string, item: Item) =>
      actOnItems(ctx, {
        auditId,
        personKey: item.personKey ?? "",
        itemIds: [item.id],
        action: { type: "ping" },
        actor: "Theo Marsh",
      });

    it("signs off once when two managers sign off at the same moment; the other is told who did", async () => {
      const { id, signOffNotes, closes, issue } = await exportedAudit();
      const clicks = await Promise.allSettled(
        racers().map((ctx, i) =>
          signOff(ctx, {
            auditId: id,
            actor: ["Sofia Reyes", "Olivia Grant"][i] ?? "",
            overrideReason: OVERRIDE,
          }),
        ),
      );
      const done = clicks.flatMap((c) => (c.status === "fulfilled" ? [c.value] : []));
      const refused = clicks.flatMap((c) => (c.status === "rejected" ? [c.reason as AppError] : []));
      expect(done).toHaveLength(1);
      expect(refused.map((e) => e.code)).toEqual(["conflict:audit"]);
      expect(refused[0]?.message).toContain(`signed off by ${done[0]?.signedOffBy}`);
      expect(signOffNotes()).toHaveLength(1);
      expect(signOffNotes()[0]?.body).toContain(done[0]?.signedOffBy);
      expect(closes()).toBe(1);
      expect(issue().state).toBe("closed");
      const events = await listEvents(first().db, { auditId: id });
      expect(events.filter((e) => e.action === "sign_off")).toHaveLength(1);
    });

    it("decides in the database before telling the issue: a change arriving meanwhile is refused", async () => {
      const { id, items, signOffNotes, issue } = await exportedAudit();
      const decided = await getSignOffReview(first(), id);
      let pingRefused: AppError | null = null;
      before.push({
        match: /^POST .*\/notes .*Signed off/,
        run: async () => {
          pingRefused = await rejectedAppError(pingOne(second(), id, items[0] as Item));
        },
      });
      const audit = await signOff(first(), { auditId: id, actor: "Sofia Reyes", overrideReason: OVERRIDE });
      expect(pingRefused).toMatchObject({ code: "conflict:audit" });
      expect(audit).toMatchObject({ status: "signed_off", signOffReportSha256: decided.reportSha256 });
      expect((await getSignOffReview(first(), id)).reportSha256).toBe(decided.reportSha256);
      expect(signOffNotes()).toHaveLength(1);
      expect(signOffNotes()[0]?.body).toContain(`\`${decided.reportSha256}\``);
      expect(issue().state).toBe("closed");
    });

    it("refuses when the findings keep changing before it is decided, posting nothing", async () => {
      const { id, items, signOffNotes, issue } = await exportedAudit();
      let acted = 0;
      // Each time the sign-off reads the config (after reading the findings, before deciding), someone pings.
      const busy: AppContext = {
        ...first(),
        loadConfig: async () => {
          const item = items[acted++];
          if (item) await pingOne(second(), id, item);
          return first().loadConfig();
        },
      };
      const refused = await rejectedAppError(
        signOff(busy, { auditId: id, actor: "Sofia Reyes", overrideReason: OVERRIDE }),
      );
      expect([refused.code, refused.message]).toEqual([
        "conflict:audit",
        "Findings changed while signing off; review again.",
      ]);
      expect(acted).toBeGreaterThan(1);
      expect((await getSignOffReview(first(), id)).audit.status).toBe("open");
      expect(signOffNotes()).toEqual([]);
      expect(issue().state).toBe("opened");
    });

    it("is undone when the issue cannot be closed, saying so on the issue, and goes through when tried again", async () => {
      const { id, exported, signOffNotes, issue } = await exportedAudit();
      await submitForReview(first(), { auditId: id, actor: "Theo Marsh" });
      before.push({ match: /^PUT .*"state_event":"close"/, run: () => g.gitlab.failNext(500) });
      const refused = await rejectedAppError(
        signOff(first(), { auditId: id, actor: "Sofia Reyes", overrideReason: OVERRIDE }),
      );
      expect(refused.code).toBe("upstream:gitlab");
      expect(refused.message).toMatch(/was not signed off/);
      const review = await getSignOffReview(first(), id);
      expect(review.audit).toMatchObject({
        status: "in_review",
        signedOffAt: null,
        signOffReportSha256: null,
      });
      expect(review.history.steps.map((s) => s.kind)).toEqual(["submitted"]);
      const events = await listEvents(first().db, { auditId: id });
      expect(events.at(-1)).toMatchObject({
        action: "reopen_audit",
        fromState: "signed_off",
        toState: "in_review",
        actor: "Sofia Reyes",
      });
      expect(events.at(-1)?.detail?.reason).toMatch(/closing the audit issue failed/i);
      expect(issue().state).toBe("opened");
      expect(signOffNotes()).toHaveLength(1);
      expect(issue().notes.at(-1)?.body).toMatch(/^\*\*Sign-off undone\*\*/);

      const audit = await signOff(second(), { auditId: id, actor: "Sofia Reyes", overrideReason: OVERRIDE });
      expect(audit.status).toBe("signed_off");
      expect(issue().state).toBe("closed");
      expect(signOffNotes()).toHaveLength(2);
      expect(issue().notes.at(-1)?.body).toMatch(/^\*\*Signed off\*\*/);
      expect(issue().notes.at(-1)?.body).toContain(`<!-- pagerduty-audit:sign-off:${id}:2 -->`);
      expect(exported.url).toBeTruthy();
    });

    it("reopens the issue with a comment when its close lost the answer and the sign-off is undone", async () => {
      const { id, issue } = await exportedAudit();
      // The close is applied, its answer never arrives.
      before.push({ match: /^PUT .*"state_event":"close"/, run: () => g.gitlab.failNext("timeout") });
      const refused = await rejectedAppError(
        signOff(first(), { auditId: id, actor: "Sofia Reyes", overrideReason: OVERRIDE }),
      );
      expect(refused.code).toBe("upstream:gitlab");
      expect((await getSignOffReview(first(), id)).audit.status).toBe("open");
      expect(issue().state).toBe("opened");
      const last = issue().notes.at(-1)?.body ?? "";
      expect(last).toMatch(/^\*\*Sign-off undone\*\*/);
      expect(last).toContain("Sofia Reyes");
      expect(last).toMatch(/open again/);
    });

    it("does not post the sign-off comment twice when GitLab hung after posting it", async () => {
      const { id, signOffNotes, issue } = await exportedAudit();
      // The comment is posted but its answer is lost, and looking for it fails too.
      before.push({ match: /^POST .*\/notes .*Signed off/, run: () => g.gitlab.failNext("timeout", 500) });
      const refused = await rejectedAppError(
        signOff(first(), { auditId: id, actor: "Sofia Reyes", overrideReason: OVERRIDE }),
      );
      expect(refused.code).toBe("upstream:gitlab");
      expect((await getSignOffReview(first(), id)).audit.status).toBe("open");
      expect(signOffNotes()).toHaveLength(1);
      expect(signOffNotes()[0]?.body).toContain(`<!-- pagerduty-audit:sign-off:${id}:1 -->`);

      const audit = await signOff(second(), { auditId: id, actor: "Sofia Reyes", overrideReason: OVERRIDE });
      expect(audit.status).toBe("signed_off");
      expect(signOffNotes()).toHaveLength(1);
      expect(issue().state).toBe("closed");
    });

    it("posts the hand-over for review once when two instances submit at the same moment", async () => {
      const { id, issue } = await exportedAudit();
      const notesBefore = issue().notes.length;
      const clicks = await Promise.allSettled(
        racers().map((ctx) => submitForReview(ctx, { auditId: id, actor: "Theo Marsh" })),
      );
      expect(clicks.filter((c) => c.status === "fulfilled")).toHaveLength(1);
      expect(clicks.flatMap((c) => (c.status === "rejected" ? [(c.reason as AppError).code] : []))).toEqual([
        "conflict:audit",
      ]);
      const posted = issue().notes.slice(notesBefore);
      expect(posted.map((n) => n.body.split(" by ")[0])).toEqual(["**Submitted for review** (submission 1)"]);
    });

    it("posts the send-back once when two reviewers send it back at the same moment", async () => {
      const { id, issue } = await exportedAudit();
      await submitForReview(first(), { auditId: id, actor: "Theo Marsh" });
      const notesBefore = issue().notes.length;
      const clicks = await Promise.allSettled(
        racers().map((ctx) =>
          sendBack(ctx, { auditId: id, actor: "Sofia Reyes", comment: "Chase the APAC team first, please." }),
        ),
      );
      expect(clicks.filter((c) => c.status === "fulfilled")).toHaveLength(1);
      const posted = issue().notes.slice(notesBefore);
      expect(posted.map((n) => n.body.split(" by ")[0])).toEqual(["**Sent back for more work**"]);
      const history = await getReviewHistory(first(), id);
      expect(history.sentBack?.commentUrl).toMatch(new RegExp(`#note_${posted[0]?.id}$`));
    });

    it("does not send back when its comment cannot be posted, and says so", async () => {
      const { id, issue } = await exportedAudit();
      await submitForReview(first(), { auditId: id, actor: "Theo Marsh" });
      const notesBefore = issue().notes.length;
      before.push({ match: /^POST .*\/notes .*Sent back/, run: () => g.gitlab.failNext(500) });
      const refused = await rejectedAppError(
        sendBack(first(), {
          auditId: id,
          actor: "Sofia Reyes",
          comment: "Chase the APAC team first, please.",
        }),
      );
      expect([refused.code, refused.message]).toEqual([
        "upstream:gitlab",
        "Posting on the audit issue failed, so FY27-Q3 issue " +
          String(audits) +
          " was not sent back. Try again in a moment.",
      ]);
      expect((await getSignOffReview(first(), id)).audit.status).toBe("in_review");
      expect(issue().notes.length).toBe(notesBefore);
      // Trying again once GitLab answers goes through: the failed try left no claim behind.
      const back = await sendBack(second(), {
        auditId: id,
        actor: "Sofia Reyes",
        comment: "Chase the APAC team first, please.",
      });
      expect(back.status).toBe("open");
      expect(
        issue()
          .notes.slice(notesBefore)
          .map((n) => n.body.split(" by ")[0]),
      ).toEqual(["**Sent back for more work**"]);
    });
  },
);
