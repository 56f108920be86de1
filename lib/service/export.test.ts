import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditConfig } from "@/lib/config/schema";
import { listEvents, signOffAudit } from "@/lib/db/queries";
import { createGitLabClient } from "@/lib/gitlab/client";
import { NOTES_END_MARKER, NOTES_START_MARKER } from "@/lib/report/issue-notes";
import { rejectedAppError } from "@/lib/testing/errors";
import { startGitLabSandbox } from "@/sandbox/gitlab/server";
import type { GitLabSandbox, SandboxGitLabIssue } from "@/sandbox/gitlab/types";
import {
  AUDITS_PROJECT,
  AUDIT_TEMPLATE,
  GITLAB_SANDBOX_TOKEN,
  gitlabAuditsState,
} from "@/sandbox/scenarios/gitlab-audits";
import type { AppContext } from "./context";
import { exportToIssue, previewIssueExport } from "./export";
import { openCurrentAudit, startAuditRun } from "./runs";
import type { TestContext } from "./testing";
import { createTestContext } from "./testing";

const START = new Date("2026-11-24T12:00:00Z");
let t: TestContext;
let gitlab: GitLabSandbox;
/** The test context with a `gitlab` config section pointing at the sandbox GitLab, and GL_TOKEN set. */
let ctx: AppContext;
/** The FY27-Q3 audit, opened by the first case; the cases run in order. */
let auditId: string;

beforeAll(async () => {
  t = await createTestContext(START);
  gitlab = await startGitLabSandbox(gitlabAuditsState(t.scenario));
  const base = await t.ctx.loadConfig();
  const config: AuditConfig = {
    ...base,
    gitlab: {
      url: gitlab.url,
      project: AUDITS_PROJECT,
      template: AUDIT_TEMPLATE,
      labels: ["Support Operations", "PagerDuty audit"],
      assignee: "sreyes",
    },
  };
  ctx = {
    ...t.ctx,
    loadConfig: async () => config,
    createGitLabClient: (c) =>
      c.gitlab
        ? createGitLabClient({ baseUrl: c.gitlab.url, token: GITLAB_SANDBOX_TOKEN, maxRetries: 0 })
        : null,
  };
});

afterAll(async () => {
  await t.close();
  await gitlab.stop();
});

async function runToEnd(auditId: string): Promise<void> {
  const run = await startAuditRun(ctx, { auditId, actor: "Theo Marsh" });
  await ctx.backgroundRuns.get(run.id);
}

function auditIssues(): SandboxGitLabIssue[] {
  return gitlab.state().projects.find((p) => p.path_with_namespace === AUDITS_PROJECT)?.issues ?? [];
}

const markedBlock = (text: string) =>
  text.slice(text.indexOf(NOTES_START_MARKER), text.indexOf(NOTES_END_MARKER) + NOTES_END_MARKER.length);

describe("export to the audit issue", () => {
  it("is refused without a gitlab config section, without GL_TOKEN, and before the first run", async () => {
    auditId = (await openCurrentAudit(ctx, "Theo Marsh")).id;
    const noSection = await rejectedAppError(previewIssueExport(t.ctx, auditId));
    expect(noSection.code).toBe("invalid:config");
    expect(noSection.message).toMatch(/no `gitlab` section/);
    const alsoRefused = await rejectedAppError(
      exportToIssue(t.ctx, { auditId: auditId, actor: "Theo Marsh" }),
    );
    expect(alsoRefused.code).toBe("invalid:config");

    const noToken = await rejectedAppError(
      exportToIssue({ ...ctx, createGitLabClient: () => null }, { auditId: auditId, actor: "Theo Marsh" }),
    );
    expect(noToken).toMatchObject({
      code: "invalid:environment",
      message: expect.stringMatching(/GL_TOKEN/),
    });

    const noRun = await rejectedAppError(exportToIssue(ctx, { auditId: auditId, actor: "Theo Marsh" }));
    expect(noRun).toMatchObject({
      code: "conflict:export",
      message: expect.stringMatching(/no finished run/),
    });
    expect(auditIssues()).toHaveLength(0);
  });

  it("creates one issue from the template with the report under Notes, then updates that same issue", async () => {
    await runToEnd(auditId);

    const preview = await previewIssueExport(ctx, auditId);
    expect(preview.title).toBe("PagerDuty audit FY27-Q3");
    expect(preview.existing).toBeNull();
    expect(preview.description).toContain("### Checklist");
    expect(preview.description).toContain("#### PagerDuty audit findings");

    const first = await exportToIssue(ctx, { auditId, actor: "Theo Marsh" });
    expect(first).toMatchObject({ created: true, iid: 1 });
    expect(first.audit).toMatchObject({ issueUrl: first.url, issueIid: 1 });
    const [issue, ...others] = auditIssues();
    expect(others).toHaveLength(0);
    expect(issue).toMatchObject({
      title: "PagerDuty audit FY27-Q3",
      labels: ["Support Operations", "PagerDuty audit"],
      author: "support-ops-audit-bot",
    });
    const sreyes = gitlab.state().users.find((u) => u.username === "sreyes");
    expect(issue?.assignee_ids).toEqual([sreyes?.id]);
    const description = issue?.description ?? "";
    expect(description).toBe(preview.description);
    // The template's other sections are kept; its placeholder under Notes is replaced by the report.
    expect(description).toContain("- [ ] Paste the output under **Notes**");
    expect(description).toContain("## Sign-off\n\n- [ ] Support Operations Manager reviewed");
    expect(description).not.toContain("<!-- The audit output goes here. -->");
    const notes = description.slice(description.indexOf("## Notes"), description.indexOf("## Sign-off"));
    expect(notes).toContain(NOTES_START_MARKER);
    expect(notes).toMatch(/##### Amara Okafor @\w+/);
    expect(notes).toContain("`missing_from_schedule`");

    // People work in the issue: tick a box and write under the report.
    const client = ctx.createGitLabClient(await ctx.loadConfig());
    const edited = description
      .replace("- [ ] Run the audit", "- [x] Run the audit")
      .replace(NOTES_END_MARKER, `${NOTES_END_MARKER}\n\nPinged everyone on Slack too.`);
    await client?.updateIssue(AUDITS_PROJECT, 1, { description: edited });

    const again = await previewIssueExport(ctx, auditId);
    expect(again.existing).toEqual({ url: first.url });

    ctx.clock.advance(60_000);
    await runToEnd(auditId);
    const second = await exportToIssue(ctx, { auditId, actor: "Sofia Reyes" });
    expect(second).toMatchObject({ created: false, iid: 1, url: first.url });
    expect(auditIssues()).toHaveLength(1);
    const updated = auditIssues()[0]?.description ?? "";
    // Only the marked block changed: the new run's report replaced the old one, the edits stayed.
    expect(markedBlock(updated)).not.toBe(markedBlock(edited));
    expect(updated).toBe(edited.replace(markedBlock(edited), markedBlock(updated)));
    expect(updated.split(NOTES_START_MARKER)).toHaveLength(2);

    const events = (await listEvents(ctx.db, { auditId })).filter((e) => e.action === "export_issue");
    expect(events.map((e) => [e.actor, e.detail])).toEqual([
      ["Theo Marsh", { url: first.url, iid: 1, created: true }],
      ["Sofia Reyes", { url: first.url, iid: 1, created: false }],
    ]);
  });

  it("is refused once the audit is signed off", async () => {
    await signOffAudit(ctx.db, {
      auditId,
      expectedStatus: "open",
      signedOffBy: "Sofia Reyes",
      now: ctx.clock.now(),
      reportSha256: "0".repeat(64),
      overrideReason: "test",
    });
    const error = await rejectedAppError(exportToIssue(ctx, { auditId, actor: "Theo Marsh" }));
    expect(error.code).toBe("conflict:audit");
    expect(auditIssues()).toHaveLength(1);
  });
});
