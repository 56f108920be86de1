import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditConfig } from "@/lib/config/schema";
import { createGitLabClient } from "@/lib/gitlab/client";
import { rejectedAppError } from "@/lib/testing/errors";
import { startGitLabSandbox } from "@/sandbox/gitlab/server";
import type { GitLabSandbox, SandboxGitLabIssue } from "@/sandbox/gitlab/types";
import {
  AUDITS_PROJECT,
  AUDIT_TEMPLATE,
  GITLAB_SANDBOX_TOKEN,
  gitlabAuditsState,
} from "@/sandbox/scenarios/gitlab-audits";
import { pingCommentBody, syncReplies } from "./comments";
import type { AppContext } from "./context";
import { exportToIssue } from "./export";
import { actOnItems, bulkAct, getPersonDetail, queryPeople } from "./people";
import { openCurrentAudit, startAuditRun } from "./runs";
import type { TestContext } from "./testing";
import { createTestContext } from "./testing";

const HOUR = 3_600_000;
let t: TestContext;
let gitlab: GitLabSandbox;
let ctx: AppContext;
let auditId: string;

beforeAll(async () => {
  t = await createTestContext(new Date("2026-11-24T12:00:00Z"));
  gitlab = await startGitLabSandbox(gitlabAuditsState(t.scenario));
  const base = await t.ctx.loadConfig();
  const config: AuditConfig = {
    ...base,
    gitlab: { url: gitlab.url, project: AUDITS_PROJECT, template: AUDIT_TEMPLATE, labels: [] },
  };
  ctx = {
    ...t.ctx,
    loadConfig: async () => config,
    createGitLabClient: (c) =>
      c.gitlab
        ? createGitLabClient({ baseUrl: c.gitlab.url, token: GITLAB_SANDBOX_TOKEN, maxRetries: 0 })
        : null,
  };
  auditId = (await openCurrentAudit(ctx, "Theo Marsh")).id;
  const run = await startAuditRun(ctx, { auditId, actor: "Theo Marsh" });
  await ctx.backgroundRuns.get(run.id);
  await exportToIssue(ctx, { auditId, actor: "Theo Marsh" });
});

afterAll(async () => {
  await t.close();
  await gitlab.stop();
});

function issue(): SandboxGitLabIssue {
  const project = gitlab.state().projects.find((p) => p.path_with_namespace === AUDITS_PROJECT);
  const found = project?.issues?.[0];
  if (!found) throw new Error("no audit issue");
  return found;
}

async function personKeyOf(name: string): Promise<string> {
  const row = (await queryPeople(ctx, auditId, { q: name })).rows[0];
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
    expect(outcome.applied).toBe(17);
    const posted = issue().notes.slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body).toContain("@ogrant");
    expect(posted[0]?.body).toContain("@cpark");
  });

  it("escalates to the manager and the Support Operations Manager after 72 hours", async () => {
    ctx.clock.advance(72 * HOUR);
    const amara = await personKeyOf("Amara Okafor");
    await actOnItems(ctx, { auditId, personKey: amara, action: { type: "escalate" }, actor: "Theo Marsh" });
    const body = issue().notes.at(-1)?.body ?? "";
    expect(body).toContain("@aokafor");
    expect(body).toMatch(/cc @pdesai @sreyes/);
  });

  it("reads a reply back from the issue: the person's clock stops and the timeline shows it", async () => {
    const olivia = await personKeyOf("Olivia Grant");
    const reply = await fetch(
      `${gitlab.url}/__sandbox/projects/${encodeURIComponent(AUDITS_PROJECT)}/issues/${issue().iid}/notes`,
      {
        method: "POST",
        headers: { "private-token": GITLAB_SANDBOX_TOKEN, "content-type": "application/json" },
        body: JSON.stringify({
          username: "ogrant",
          body: "Intentional: my seat moves to the new account this week.",
        }),
      },
    );
    expect(reply.status).toBe(201);
    expect(await syncReplies(ctx, auditId)).toEqual({ replies: 1 });
    const detail = await getPersonDetail(ctx, auditId, olivia);
    expect(detail.history.at(-1)).toMatchObject({ action: "reply", actor: "ogrant" });
    expect(detail.items[0]).toMatchObject({ repliedAt: expect.any(String), nextAction: null });
    // Reading again finds nothing new.
    expect(await syncReplies(ctx, auditId)).toEqual({ replies: 0 });
  });
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
});
