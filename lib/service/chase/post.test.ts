import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyItemStates, listEvents, listItems } from "@/lib/db/queries";
import { statusForError } from "@/lib/errors";
import { rejectedAppError } from "@/lib/testing/errors";
import type { GitLabSandbox, SandboxGitLabIssue } from "@/sandbox/gitlab/types";
import { AUDITS_PROJECT } from "@/sandbox/scenarios/gitlab-audits";
import { pingCommentBody } from "./post";
import { syncReplies } from "./replies";
import type { AppContext } from "../context";
import { exportToIssue } from "../export";
import { getPersonDetail, queryPeople } from "../findings";
import { actOnItems, bulkAct } from "../item-actions";
import { openCurrentAudit, startAuditRun } from "../runs";
import { createGitLabTestContext, type GitLabTestContext } from "@/lib/testing/app-context";

const HOUR = 3_600_000;
const START = new Date("2026-11-24T12:00:00Z");
let t: GitLabTestContext;
let gitlab: GitLabSandbox;
let ctx: AppContext;
let auditId: string;

/** The current audit of `on`, run and exported to its issue: ready to ping. */
async function exportedAudit(on: AppContext): Promise<string> {
  const id = (await openCurrentAudit(on, "Theo Marsh")).id;
  const run = await startAuditRun(on, { auditId: id, actor: "Theo Marsh" });
  await on.backgroundRuns.get(run.id);
  await exportToIssue(on, { auditId: id, actor: "Theo Marsh" });
  return id;
}

beforeAll(async () => {
  t = await createGitLabTestContext(START);
  ({ ctx, gitlab } = t);
  auditId = await exportedAudit(ctx);
});

afterAll(async () => {
  await t.close();
});

function issue(server: GitLabSandbox = gitlab): SandboxGitLabIssue {
  const project = server.state().projects.find((p) => p.path_with_namespace === AUDITS_PROJECT);
  const found = project?.issues?.[0];
  if (!found) throw new Error("no audit issue");
  return found;
}

async function personKeyOf(name: string, on = { ctx, auditId }): Promise<string> {
  const row = (await queryPeople(on.ctx, on.auditId, { q: name })).rows[0];
  if (!row) throw new Error(`${name} has no findings`);
  return row.personKey;
}

describe("pings as comments on the audit issue", () => {
  it("does not record a ping whose comment failed, and says so", async () => {
    const amara = await personKeyOf("Amara Okafor");
    gitlab.failNext(500);
    const failed = await rejectedAppError(
      actOnItems(ctx, { auditId, personKey: amara, action: { type: "ping" }, actor: "Theo Marsh" }),
    );
    expect(failed.code).toBe("upstream:gitlab");
    expect(failed.message).toMatch(/not marked as pinged/);
    expect((await getPersonDetail(ctx, auditId, amara)).items[0]?.state).toBe("open");
    expect(issue().notes).toHaveLength(0);
  });

  it("mentions the person with their findings, and stores the comment's URL in the ping history", async () => {
    const amara = await personKeyOf("Amara Okafor");
    await actOnItems(ctx, { auditId, personKey: amara, action: { type: "ping" }, actor: "Theo Marsh" });
    const note = issue().notes.at(-1);
    expect(note?.body).toContain("@aokafor");
    expect(note?.body).toContain("- [ ] In Customer Emergencies - APAC per the roster");
    const detail = await getPersonDetail(ctx, auditId, amara);
    expect(detail.history.at(-1)?.detail).toMatchObject({
      commentUrl: expect.stringMatching(new RegExp(`/issues/${issue().iid}#note_${note?.id}$`)),
    });
  });

  it("batches a bulk ping into comments that mention many people", async () => {
    const before = issue().notes.length;
    const outcome = await bulkAct(ctx, { auditId, action: "ping", actor: "Theo Marsh" });
    // Everyone but Amara, less the three findings the schedule's owner fixes (nobody is pinged about them).
    expect(outcome.applied).toBe(14);
    const posted = issue().notes.slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body).toContain("@ogrant");
    expect(posted[0]?.body).toContain("@cpark");
    // Nobody on a schedule who is not in the roster is named in a ping they cannot read.
    expect(posted[0]?.body).not.toContain("Jordan Blake");
  });

  it("escalates to the manager and the Support Operations Manager after 72 hours, linking the ping", async () => {
    ctx.clock.advance(72 * HOUR);
    const amara = await personKeyOf("Amara Okafor");
    const ping = (await getPersonDetail(ctx, auditId, amara)).history.findLast((e) => e.action === "ping");
    const pingUrl = String(ping?.detail?.commentUrl);
    expect(pingUrl).toMatch(/#note_\d+$/);
    await actOnItems(ctx, { auditId, personKey: amara, action: { type: "escalate" }, actor: "Theo Marsh" });
    const body = issue().notes.at(-1)?.body ?? "";
    expect(body).toContain("@aokafor");
    expect(body).toMatch(/cc @pdesai @sreyes/);
    // The ping it follows up on is the one posted for her, linked; no "ping above" that may not be there.
    expect(body).toContain(`Pinged in [this comment](${pingUrl}).`);
    expect(body).not.toMatch(/above/);
  });

  it("reads a reply back from the issue: the person's clock stops and the timeline shows it", async () => {
    const olivia = await personKeyOf("Olivia Grant");
    gitlab.postNoteAs(
      AUDITS_PROJECT,
      issue().iid,
      "ogrant",
      "Intentional: my seat moves to the new account this week.",
    );
    expect(await syncReplies(ctx, auditId)).toEqual({ replies: 1 });
    const detail = await getPersonDetail(ctx, auditId, olivia);
    expect(detail.history.at(-1)).toMatchObject({ action: "reply", actor: "ogrant" });
    expect(detail.items[0]).toMatchObject({ repliedAt: expect.any(String), nextAction: null });
    // Reading again finds nothing new.
    expect(await syncReplies(ctx, auditId)).toEqual({ replies: 0 });
  });

  it("pings again a person who replied: a new comment, and the follow-up clock runs again", async () => {
    const olivia = await personKeyOf("Olivia Grant");
    const before = issue().notes.length;
    const outcome = await actOnItems(ctx, {
      auditId,
      personKey: olivia,
      action: { type: "ping" },
      actor: "Theo Marsh",
    });
    expect(outcome.applied).toBeGreaterThan(0);
    const posted = issue().notes.slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body).toContain("@ogrant");
    const detail = await getPersonDetail(ctx, auditId, olivia);
    expect(detail.items[0]).toMatchObject({
      state: "pinged",
      repliedAt: null,
      nextAction: "escalate",
      overdue: false,
    });
    // Her earlier reply answered the earlier ping, not this one.
    expect(await syncReplies(ctx, auditId)).toEqual({ replies: 0 });
  });

  it("counts a reply after an escalation made on the app's clock 72 hours ahead of GitLab's", async () => {
    // Amara was escalated after the app's clock moved 72 hours forward; GitLab's clock did not move, so it
    // stamps her reply days before the escalation it answers. Its note id says it came after.
    const amara = await personKeyOf("Amara Okafor");
    const escalation = (await getPersonDetail(ctx, auditId, amara)).history.at(-1);
    expect(escalation?.action).toBe("escalate");
    const note = gitlab.postNoteAs(AUDITS_PROJECT, issue().iid, "aokafor", "Sorry, on leave. Fixed now.");
    expect(Date.parse(note.created_at)).toBeLessThan(Date.parse(escalation?.at ?? ""));

    expect(await syncReplies(ctx, auditId)).toEqual({ replies: 1 });
    const detail = await getPersonDetail(ctx, auditId, amara);
    expect(detail.history.at(-1)).toMatchObject({
      action: "reply",
      actor: "aokafor",
      detail: {
        commentUrl: expect.stringMatching(new RegExp(`#note_${note.id}$`)),
        createdAt: note.created_at,
      },
    });
    // Her follow-up clock stops: nothing is due, and she cannot be escalated again for it.
    expect(detail.items[0]).toMatchObject({
      state: "escalated",
      repliedAt: expect.any(String),
      nextAction: null,
    });

    // Read again, the same reply is not recorded twice.
    expect(await syncReplies(ctx, auditId)).toEqual({ replies: 0 });
    const replies = (await getPersonDetail(ctx, auditId, amara)).history.filter((e) => e.action === "reply");
    expect(replies).toHaveLength(detail.items.filter((i) => i.state === "escalated").length);
  });
});

describe("a ping whose answer was lost", () => {
  let lost: GitLabTestContext;
  let lostAuditId: string;
  const on = () => ({ ctx: lost.ctx, auditId: lostAuditId });

  beforeAll(async () => {
    // A short client timeout, so a held answer costs little.
    lost = await createGitLabTestContext(START, { gitlab: { client: { timeoutMs: 1_000 } } });
    lostAuditId = await exportedAudit(lost.ctx);
  });

  afterAll(async () => {
    await lost.close();
  });

  it.each([
    { fault: "timeout" as const, name: "Amara Okafor", username: "@aokafor" },
    { fault: "reset" as const, name: "Olivia Grant", username: "@ogrant" },
  ])(
    "is recorded as sent after a $fault when its comment is on the issue, and posted once",
    async ({ fault, name, username }) => {
      const personKey = await personKeyOf(name, on());
      const before = issue(lost.gitlab).notes.length;
      // The look-up of who is a GitLab user is answered; the comment's POST loses its answer.
      lost.gitlab.failNext("pass", fault);
      const outcome = await actOnItems(lost.ctx, {
        auditId: lostAuditId,
        personKey,
        action: { type: "ping" },
        actor: "Theo Marsh",
      });
      expect(outcome.applied).toBeGreaterThan(0);
      expect(lost.gitlab.stats().byStatus[fault]).toBe(1);

      const posted = issue(lost.gitlab).notes.slice(before);
      expect(posted).toHaveLength(1);
      expect(posted[0]?.body).toContain(username);
      const detail = await getPersonDetail(lost.ctx, lostAuditId, personKey);
      expect(detail.items[0]?.state).toBe("pinged");
      expect(detail.history.at(-1)).toMatchObject({
        action: "ping",
        detail: { commentUrl: expect.stringMatching(new RegExp(`#note_${posted[0]?.id}$`)) },
      });
    },
  );

  it("is refused, without looking for its comment, after a clear refusal", async () => {
    const personKey = await personKeyOf("Lukas Becker", on());
    const before = lost.gitlab.stats().requests;
    lost.gitlab.failNext("pass", 403);
    const failed = await rejectedAppError(
      actOnItems(lost.ctx, {
        auditId: lostAuditId,
        personKey,
        action: { type: "ping" },
        actor: "Theo Marsh",
      }),
    );
    expect(failed.message).toMatch(/not marked as pinged/);
    // The look-up of who is a GitLab user, the one refused POST, and no read of the issue's notes after it.
    expect(lost.gitlab.stats().requests - before).toBe(2);
    expect((await getPersonDetail(lost.ctx, lostAuditId, personKey)).items[0]?.state).toBe("open");
  });
});

describe("a chase step before it can be posted", () => {
  let bare: GitLabTestContext;
  let bareAuditId: string;

  beforeAll(async () => {
    bare = await createGitLabTestContext(START);
    // Run, not exported: the audit has no issue yet.
    bareAuditId = (await openCurrentAudit(bare.ctx, "Theo Marsh")).id;
    await bare.ctx.backgroundRuns.get(
      (await startAuditRun(bare.ctx, { auditId: bareAuditId, actor: "Theo Marsh" })).id,
    );
  });

  afterAll(async () => {
    await bare.close();
  });

  /** Marks every item of the audit pinged `hoursAgo` hours ago without a comment, as before pings had to be posted. */
  async function pingedWithoutComment(on: AppContext, id: string, hoursAgo: number) {
    const at = new Date(on.clock.now().getTime() - hoursAgo * HOUR);
    const items = await listItems(on.db, id);
    await applyItemStates(
      on.db,
      items.map((item) => ({
        itemId: item.id,
        expectedState: item.state,
        next: { state: "pinged", stateChangedAt: at.toISOString(), waivedUntil: null, repliedAt: null },
        event: { actor: "Theo Marsh", actorKey: null, at, action: "ping", detail: { code: item.code } },
      })),
    );
  }

  it("refuses a ping when GitLab is not configured, naming what is missing", async () => {
    const base = await bare.openInstance();
    const config = await base.loadConfig();
    const noSection: AppContext = { ...base, loadConfig: async () => ({ ...config, gitlab: undefined }) };
    const noToken: AppContext = { ...base, createGitLabClient: () => null };
    const personKey = await personKeyOf("Olivia Grant", { ctx: base, auditId: bareAuditId });
    const act = (on: AppContext) =>
      rejectedAppError(
        actOnItems(on, { auditId: bareAuditId, personKey, action: { type: "ping" }, actor: "Theo Marsh" }),
      );

    const before = await listItems(base.db, bareAuditId);
    const section = await act(noSection);
    expect(section.code).toBe("invalid:config");
    expect(section.message).toMatch(/no `gitlab` section/);
    const token = await act(noToken);
    expect(token.code).toBe("invalid:environment");
    expect(token.message).toMatch(/GL_TOKEN is not set/);
    expect(await listItems(base.db, bareAuditId)).toEqual(before);
  });

  it.each(["ping", "escalate"] as const)(
    "refuses a %s, single or bulk, until the audit is exported to its issue, and changes nothing",
    async (type) => {
      const personKey = await personKeyOf("Amara Okafor", { ctx: bare.ctx, auditId: bareAuditId });
      if (type === "escalate") await pingedWithoutComment(bare.ctx, bareAuditId, 73);
      const before = await listItems(bare.ctx.db, bareAuditId);
      const events = (await listEvents(bare.ctx.db, { auditId: bareAuditId })).length;
      for (const attempt of [
        () =>
          actOnItems(bare.ctx, { auditId: bareAuditId, personKey, action: { type }, actor: "Theo Marsh" }),
        () => bulkAct(bare.ctx, { auditId: bareAuditId, action: type, actor: "Theo Marsh" }),
      ]) {
        const refused = await rejectedAppError(attempt());
        expect(refused.code).toBe("conflict:audit_issue");
        expect(statusForError(refused)).toBe(409);
        expect(refused.message).toBe("Export the audit to its GitLab issue first: pings are posted there.");
      }
      expect(await listItems(bare.ctx.db, bareAuditId)).toEqual(before);
      expect(await listEvents(bare.ctx.db, { auditId: bareAuditId })).toHaveLength(events);
      expect(bare.gitlab.state().projects.flatMap((p) => p.issues ?? [])).toHaveLength(0);
    },
  );
});

describe("pingCommentBody", () => {
  it("keeps untrusted names and messages inert; only real usernames are live mentions", () => {
    const body = pingCommentBody("FY27-Q3", "ping", [
      {
        personKey: "x",
        name: "Eve <script>x</script> @all [a](javascript:alert(1))",
        gitlab: "all",
        alsoMention: [],
        messages: ["On schedule | broken ](javascript:x)"],
      },
      { personKey: "y", name: "Ada", gitlab: "ada", alsoMention: ["boss"], messages: ["No PagerDuty ID."] },
    ]);
    expect(body).not.toContain("<script>");
    expect(body).not.toContain("@all");
    expect(body).not.toContain("](javascript:");
    expect(body).toContain("**Ada** @ada (cc @boss)\n- [ ] No PagerDuty ID.");
  });

  it("quotes a personal note under the findings, with its author, every line inert", () => {
    const body = pingCommentBody("FY27-Q3", "ping", [
      {
        personKey: "a",
        name: "Ada",
        gitlab: "ada",
        alsoMention: [],
        messages: ["No PagerDuty ID."],
        note: {
          by: "Theo [Marsh](javascript:x)",
          text: "Hi @all,\n\n# please <b>fix</b>\r\n[this](javascript:y)",
        },
      },
    ]);
    const quote = body.split("\n").slice(-6);
    expect(quote[0]).toBe("");
    expect(quote.slice(1).every((line) => line.startsWith(">"))).toBe(true);
    expect(quote[1]).toMatch(/^> Note from Theo \\\[Marsh\\\]/);
    expect(quote[3]).toBe(">");
    expect(body).not.toContain("@all");
    expect(body).not.toContain("<b>");
    expect(body).not.toContain("](javascript:");
    expect(body).not.toMatch(/^> # /m);
  });

  it("names in an escalation each person's pings that were posted, as links, and says when there was none", () => {
    const issueUrl = "https://gitlab.example/support/audits/-/issues/7";
    const body = pingCommentBody("FY27-Q3", "escalate", [
      {
        personKey: "a",
        name: "Ada",
        gitlab: "ada",
        alsoMention: ["boss"],
        messages: ["No PagerDuty ID."],
        pingUrls: [`${issueUrl}#note_3`, `${issueUrl}#note_9`],
      },
      {
        personKey: "b",
        name: "Bo",
        gitlab: "bo",
        alsoMention: [],
        messages: ["x"],
        pingUrls: [`${issueUrl}#note_4`],
      },
      {
        personKey: "c",
        name: "Cy",
        gitlab: "cy",
        alsoMention: [],
        messages: ["y"],
        pingUrls: ["javascript:alert(1)", `${issueUrl}#note_5) [evil](https://evil.example`],
      },
    ]);
    expect(body.split("\n")[0]).not.toMatch(/above/);
    expect(body).toContain(`Pinged in these comments: [1](${issueUrl}#note_3), [2](${issueUrl}#note_9).`);
    expect(body).toContain(`Pinged in [this comment](${issueUrl}#note_4).`);
    expect(body).not.toContain("javascript:");
    expect(body).not.toContain("evil");
    expect(body).toContain("No ping of theirs was posted on this issue.");
  });
});
