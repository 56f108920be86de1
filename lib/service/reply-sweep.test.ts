import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AuditConfig } from "@/lib/config/schema";
import { createAudit, signOffAudit } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import { createGitLabClient } from "@/lib/gitlab/client";
import { rejectedAppError } from "@/lib/testing/errors";
import { startGitLabSandbox } from "@/sandbox/gitlab/server";
import type { GitLabSandbox } from "@/sandbox/gitlab/types";
import {
  AUDITS_PROJECT,
  AUDIT_TEMPLATE,
  GITLAB_SANDBOX_TOKEN,
  gitlabAuditsState,
} from "@/sandbox/scenarios/gitlab-audits";
import { sweepReplies, syncReplies } from "./comments";
import type { AppContext } from "./context";
import { exportToIssue } from "./export";
import { actOnItems, getPersonDetail, queryPeople } from "./people";
import { openCurrentAudit, startAuditRun } from "./runs";
import { createTestContext, type TestContext } from "./testing";

/** The periodic read of replies, against the sandbox GitLab over HTTP and a real SQLite database. */

let t: TestContext;
let gitlab: GitLabSandbox;
let ctx: AppContext;
let auditId: string;
let auditName: string;
const logged: { message: string; error: unknown }[] = [];

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
        ? createGitLabClient({
            baseUrl: c.gitlab.url,
            token: GITLAB_SANDBOX_TOKEN,
            maxRetries: 0,
            timeoutMs: 500,
          })
        : null,
    log: (message, error) => logged.push({ message, error }),
  };
  const audit = await openCurrentAudit(ctx, "Theo Marsh");
  auditId = audit.id;
  auditName = audit.name;
  const run = await startAuditRun(ctx, { auditId, actor: "Theo Marsh" });
  await ctx.backgroundRuns.get(run.id);
  await exportToIssue(ctx, { auditId, actor: "Theo Marsh" });
});

beforeEach(() => {
  logged.length = 0;
});

afterAll(async () => {
  await t.close();
  await gitlab.stop();
});

async function personKeyOf(name: string): Promise<string> {
  const row = (await queryPeople(ctx, auditId, { q: name })).rows[0];
  if (!row) throw new Error(`${name} has no findings`);
  return row.personKey;
}

async function ping(name: string): Promise<string> {
  const personKey = await personKeyOf(name);
  await actOnItems(ctx, { auditId, personKey, action: { type: "ping" }, actor: "Theo Marsh" });
  return personKey;
}

async function repliesOf(personKey: string) {
  return (await getPersonDetail(ctx, auditId, personKey)).history.filter((e) => e.action === "reply");
}

/** A second audit, of an earlier quarter, linked to an issue of its own. */
async function addAuditWithIssue(name: string, quarter: number): Promise<string> {
  const client = ctx.createGitLabClient(await ctx.loadConfig());
  if (!client) throw new Error("no GitLab client");
  const issue = await client.createIssue(AUDITS_PROJECT, {
    title: `PagerDuty audit ${name}`,
    description: "",
  });
  const audit = await createAudit(ctx.db, {
    name,
    fiscalYear: 2026,
    quarter,
    opensOn: "2025-05-01",
    dueOn: "2025-05-31",
    createdBy: "Theo Marsh",
    now: ctx.clock.now(),
    issueUrl: issue.web_url,
    issueIid: issue.iid,
  });
  return audit.id;
}

describe("sweepReplies", () => {
  it("records a reply without anyone asking: the person's clock stops, once", async () => {
    const amara = await ping("Amara Okafor");
    gitlab.postNoteAs(AUDITS_PROJECT, 1, "aokafor", "Fixed: I joined the APAC schedule.");

    expect(await sweepReplies(ctx)).toEqual({ audits: 1, replies: 1, failed: 0 });
    const detail = await getPersonDetail(ctx, auditId, amara);
    expect(detail.items[0]).toMatchObject({ repliedAt: expect.any(String), nextAction: null });
    expect(await repliesOf(amara)).toEqual([expect.objectContaining({ actor: "aokafor" })]);

    expect(await sweepReplies(ctx)).toEqual({ audits: 1, replies: 0, failed: 0 });
    expect(await repliesOf(amara)).toHaveLength(1);
    expect(logged).toEqual([]);
  });

  it("records a reply once when a sweep and a click on Check replies read it at the same moment", async () => {
    const olivia = await ping("Olivia Grant");
    gitlab.postNoteAs(
      AUDITS_PROJECT,
      1,
      "ogrant",
      "Intentional: my seat moves to the new account this week.",
    );

    const [swept, clicked] = await Promise.all([sweepReplies(ctx), syncReplies(ctx, auditId)]);
    expect(swept.replies + clicked.replies).toBe(1);
    expect(await repliesOf(olivia)).toHaveLength(1);
  });

  it("logs a GitLab timeout on one audit, reads the others, and picks the reply up on the next sweep", async () => {
    await addAuditWithIssue("FY26-Q1", 1);
    const lukas = await ping("Lukas Becker");
    gitlab.postNoteAs(AUDITS_PROJECT, 1, "lbecker", "On it.");

    // The newest audit is read first; its first call to GitLab hangs until the client gives up.
    gitlab.failNext("timeout");
    expect(await sweepReplies(ctx)).toEqual({ audits: 2, replies: 0, failed: 1 });
    expect(logged).toHaveLength(1);
    expect(logged[0]?.message).toContain(auditName);
    expect(logged[0]?.error).toBeInstanceOf(AppError);
    expect(logged[0]?.error).toMatchObject({
      code: "upstream:gitlab",
      message: expect.stringMatching(/timed out/),
    });
    expect(gitlab.stats().byStatus.timeout).toBe(1);

    expect(await sweepReplies(ctx)).toEqual({ audits: 2, replies: 1, failed: 0 });
    expect(await repliesOf(lukas)).toHaveLength(1);
  });

  it("leaves out audits without an issue or signed off, and does nothing without GitLab", async () => {
    const signed = await addAuditWithIssue("FY25-Q3", 3);
    await signOffAudit(ctx.db, {
      auditId: signed,
      expectedStatus: "open",
      signedOffBy: "Priya Desai",
      now: ctx.clock.now(),
      reportSha256: "0".repeat(64),
      overrideReason: null,
    });
    await createAudit(ctx.db, {
      name: "FY25-Q1",
      fiscalYear: 2025,
      quarter: 1,
      opensOn: "2024-05-01",
      dueOn: "2024-05-31",
      createdBy: "Theo Marsh",
      now: ctx.clock.now(),
    });
    // The current audit and FY26-Q1 (from the test before) are read; the others are not.
    expect(await sweepReplies(ctx)).toMatchObject({ audits: 2, failed: 0 });

    const withoutGitLab: AppContext = { ...ctx, createGitLabClient: () => null };
    const before = gitlab.stats().requests;
    expect(await sweepReplies(withoutGitLab)).toEqual({ audits: 2, replies: 0, failed: 0 });
    expect(gitlab.stats().requests).toBe(before);
    expect(logged).toEqual([]);
    // A person who asks is still told why nothing can be read.
    expect((await rejectedAppError(syncReplies(withoutGitLab, auditId))).code).toBe("invalid:config");
  });

  it("stops between audits once its signal is aborted", async () => {
    const stopping = new AbortController();
    stopping.abort();
    const before = gitlab.stats().requests;
    expect(await sweepReplies(ctx, { signal: stopping.signal })).toMatchObject({ replies: 0, failed: 0 });
    expect(gitlab.stats().requests).toBe(before);
    expect(logged).toEqual([]);
  });
});
