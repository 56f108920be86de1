import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimAuditIssue, createAudit, getAuditById, listEvents, signOffAudit } from "@/lib/db/queries";
import { listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import { NOTES_END_MARKER, NOTES_START_MARKER, issueTitle } from "@/lib/report/issue-notes";
import { rejectedAppError } from "@/lib/testing/errors";
import { startGitLabSandbox } from "@/sandbox/gitlab/server";
import type { GitLabQueuedFault, GitLabSandbox, SandboxGitLabIssue } from "@/sandbox/gitlab/types";
import { AUDITS_PROJECT, gitlabAuditsState } from "@/sandbox/scenarios/gitlab-audits";
import { createClock, type AppContext } from "./context";
import { ISSUE_CLAIM_STALE_AFTER_MS, exportToIssue, previewIssueExport } from "./export";
import { openCurrentAudit, startAuditRun } from "./runs";
import type { GitLabTestContext, TestContext } from "@/lib/testing/app-context";
import { createGitLabTestContext, createTestContext, withSandboxGitLab } from "@/lib/testing/app-context";

const START = new Date("2026-11-24T12:00:00Z");
const kinds = await listTestDatabases();
let t: TestContext;
let gitlab: GitLabSandbox;
/** The test context with a `gitlab` config section pointing at the sandbox GitLab, and GL_TOKEN set. */
let ctx: AppContext;
/** The FY27-Q3 audit, opened by the first case; the cases run in order. */
let auditId: string;

beforeAll(async () => {
  t = await createTestContext(START);
  gitlab = await startGitLabSandbox(gitlabAuditsState(t.scenario));
  ctx = await withSandboxGitLab(t.ctx, gitlab, { config: LABELS_AND_ASSIGNEE });
});

const LABELS_AND_ASSIGNEE = { labels: ["Support Operations", "PagerDuty audit"], assignee: "sreyes" };

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
    expect(first).toMatchObject({ created: true, iid: 1, warnings: [] });
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

describe.each(kinds)("the first export from two app instances on $name", (kind) => {
  let place: TestDatabase | undefined;
  let shared: TestContext | undefined;
  let server: GitLabSandbox | undefined;
  /** Two app instances: separate database handles (so separate in-process locks) on one database. */
  let instances: AppContext[] = [];
  let audits = 0;

  beforeAll(async () => {
    place = await kind.create();
    shared = await createTestContext(START, { database: place.options });
    server = await startGitLabSandbox(gitlabAuditsState(shared.scenario));
    instances = [
      await withSandboxGitLab(shared.ctx, server, { config: LABELS_AND_ASSIGNEE }),
      await withSandboxGitLab(await shared.openInstance(), server, { config: LABELS_AND_ASSIGNEE }),
    ];
  });

  afterAll(async () => {
    await shared?.close();
    await server?.stop();
    await place?.drop();
  });

  function instance(index: number): AppContext {
    const found = instances[index];
    if (!found) throw new Error(`no app instance ${index}`);
    return found;
  }

  /** A new audit with one finished run, so it can be exported. */
  async function auditWithRun(): Promise<{ id: string; name: string }> {
    const ctx = instance(0);
    const audit = await createAudit(ctx.db, {
      name: `FY27-Q3-${++audits}`,
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-11-01",
      dueOn: "2026-11-30",
      createdBy: "Theo Marsh",
      now: ctx.clock.now(),
    });
    const run = await startAuditRun(ctx, { auditId: audit.id, actor: "Theo Marsh" });
    await ctx.backgroundRuns.get(run.id);
    return audit;
  }

  function issuesOf(auditName: string): SandboxGitLabIssue[] {
    const project = server?.state().projects.find((p) => p.path_with_namespace === AUDITS_PROJECT);
    return (project?.issues ?? []).filter((issue) => issue.title === issueTitle(auditName));
  }

  it("creates exactly one issue when both export at the same moment; the other is told to retry", async () => {
    for (let round = 0; round < 3; round++) {
      const audit = await auditWithRun();
      const results = await Promise.allSettled(
        instances.map((ctx) => exportToIssue(ctx, { auditId: audit.id, actor: "Theo Marsh" })),
      );

      const [issue, ...extra] = issuesOf(audit.name);
      expect(extra).toHaveLength(0);
      const created = results.flatMap((r) => (r.status === "fulfilled" && r.value.created ? [r.value] : []));
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ iid: issue?.iid, audit: { issueIid: issue?.iid } });
      // The other export either lost the claim while the issue was being created (and is told so), or
      // came after it was linked and updated it.
      for (const result of results) {
        if (result.status === "rejected") {
          expect(result.reason).toMatchObject({
            code: "conflict:export",
            message: "An export of this audit is already in progress; try again in a moment.",
          });
        } else if (!result.value.created) {
          expect(result.value.iid).toBe(issue?.iid);
        }
      }

      // Both instances see the link, and their next exports update that one issue.
      for (const ctx of instances) {
        expect((await getAuditById(ctx.db, audit.id)).issueIid).toBe(issue?.iid);
        expect(await exportToIssue(ctx, { auditId: audit.id, actor: "Sofia Reyes" })).toMatchObject({
          created: false,
          iid: issue?.iid,
        });
      }
      expect(issuesOf(audit.name)).toHaveLength(1);
    }
  });

  it("releases the claim when creating the issue fails, so the other instance's export creates it", async () => {
    const audit = await auditWithRun();
    server?.failNext(500);
    const failed = await rejectedAppError(
      exportToIssue(instance(0), { auditId: audit.id, actor: "Theo Marsh" }),
    );
    expect(failed.code).toBe("upstream:gitlab");
    expect(issuesOf(audit.name)).toHaveLength(0);

    const retried = await exportToIssue(instance(1), { auditId: audit.id, actor: "Theo Marsh" });
    expect(retried.created).toBe(true);
    expect(issuesOf(audit.name)).toHaveLength(1);
  });

  const STALE_PASSED_MS = ISSUE_CLAIM_STALE_AFTER_MS + 1_000;

  it("does not take over a live export's claim because the demo clock was moved forward", async () => {
    const audit = await auditWithRun();
    const ctx = instance(0);
    await claimAuditIssue(ctx.db, {
      auditId: audit.id,
      claimId: "instance-still-exporting",
      now: ctx.clock.wallNow(),
      staleAfterMs: ISSUE_CLAIM_STALE_AFTER_MS,
    });
    const moved = createClock({ adjustable: true, realNow: () => ctx.clock.wallNow().getTime() });
    moved.advance(30 * 24 * 3_600_000);
    const refused = await rejectedAppError(
      exportToIssue({ ...instance(1), clock: moved }, { auditId: audit.id, actor: "Theo Marsh" }),
    );
    expect(refused.code).toBe("conflict:export");
    expect(issuesOf(audit.name)).toHaveLength(0);
  });

  it("waits out the claim of an instance that died mid-export, then creates the issue", async () => {
    const audit = await auditWithRun();
    const ctx = instance(0);
    await claimAuditIssue(ctx.db, {
      auditId: audit.id,
      claimId: "instance-that-died",
      now: ctx.clock.wallNow(),
      staleAfterMs: ISSUE_CLAIM_STALE_AFTER_MS,
    });
    const blocked = await rejectedAppError(exportToIssue(ctx, { auditId: audit.id, actor: "Theo Marsh" }));
    expect(blocked.code).toBe("conflict:export");
    expect(issuesOf(audit.name)).toHaveLength(0);

    // Real time passes (the claim's staleness is judged on the wall clock, never on the demo clock).
    const later = await exportToIssue(
      {
        ...instance(1),
        clock: createClock({
          adjustable: true,
          realNow: () => ctx.clock.wallNow().getTime() + STALE_PASSED_MS,
        }),
      },
      { auditId: audit.id, actor: "Theo Marsh" },
    );
    expect(later).toMatchObject({ created: true, audit: { issueIid: later.iid } });
    expect(issuesOf(audit.name)).toHaveLength(1);
  });
});

describe("a first export whose create lost its answer", () => {
  let lost: GitLabTestContext;
  let audits = 0;
  /** The fault the next POST creating an issue meets; the reads before it go through. */
  let createFault: GitLabQueuedFault | null = null;
  /** `METHOD /path` of every GitLab request, in order. */
  const sent: string[] = [];

  beforeAll(async () => {
    lost = await createGitLabTestContext(START, {
      gitlab: {
        config: LABELS_AND_ASSIGNEE,
        client: {
          // A short timeout, so a held answer costs little.
          timeoutMs: 1_000,
          fetch: (input, init) => {
            const where = `${init?.method ?? "GET"} ${new URL(String(input)).pathname}`;
            sent.push(where);
            if (createFault !== null && /^POST .*\/issues$/.test(where)) {
              lost.gitlab.failNext(createFault);
              createFault = null;
            }
            return fetch(input, init);
          },
        },
      },
    });
  });

  afterAll(async () => {
    await lost.close();
  });

  async function auditWithRun(): Promise<{ id: string; name: string }> {
    const audit = await createAudit(lost.ctx.db, {
      name: `FY27-Q3-${++audits}`,
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-11-01",
      dueOn: "2026-11-30",
      createdBy: "Theo Marsh",
      now: lost.ctx.clock.now(),
    });
    const run = await startAuditRun(lost.ctx, { auditId: audit.id, actor: "Theo Marsh" });
    await lost.ctx.backgroundRuns.get(run.id);
    return audit;
  }

  function issuesTitled(title: string): SandboxGitLabIssue[] {
    const project = lost.gitlab.state().projects.find((p) => p.path_with_namespace === AUDITS_PROJECT);
    return (project?.issues ?? []).filter((issue) => issue.title === title);
  }

  it.each(["timeout", "reset"] as const)(
    "takes the issue it made after a %s as created, and the next export updates it",
    async (fault) => {
      const audit = await auditWithRun();
      createFault = fault;
      const first = await exportToIssue(lost.ctx, { auditId: audit.id, actor: "Theo Marsh" });
      expect(lost.gitlab.stats().byStatus[fault]).toBe(1);
      const [issue, ...extra] = issuesTitled(issueTitle(audit.name));
      expect(extra).toHaveLength(0);
      expect(first).toMatchObject({ created: true, iid: issue?.iid, audit: { issueIid: issue?.iid } });

      const again = await exportToIssue(lost.ctx, { auditId: audit.id, actor: "Theo Marsh" });
      expect(again).toMatchObject({ created: false, iid: issue?.iid });
      expect(issuesTitled(issueTitle(audit.name))).toHaveLength(1);
    },
  );

  it("does not take an issue of the same title that is linked to another audit", async () => {
    const audit = await auditWithRun();
    const client = lost.ctx.createGitLabClient(await lost.ctx.loadConfig());
    if (!client) throw new Error("no GitLab client");
    const other = await client.createIssue(AUDITS_PROJECT, {
      title: issueTitle(audit.name),
      description: "",
    });
    await createAudit(lost.ctx.db, {
      name: `${audit.name}-other`,
      fiscalYear: 2027,
      quarter: 2,
      opensOn: "2026-08-01",
      dueOn: "2026-08-31",
      createdBy: "Theo Marsh",
      now: lost.ctx.clock.now(),
      issueUrl: other.web_url,
      issueIid: other.iid,
    });

    // A 502 may come after GitLab made the issue; this one made nothing.
    createFault = 502;
    const failed = await rejectedAppError(
      exportToIssue(lost.ctx, { auditId: audit.id, actor: "Theo Marsh" }),
    );
    expect(failed.code).toBe("upstream:gitlab");
    expect((await getAuditById(lost.ctx.db, audit.id)).issueIid).toBeNull();
    expect(issuesTitled(issueTitle(audit.name))).toHaveLength(1);
  });

  it("does not look for the issue after a clear refusal", async () => {
    const audit = await auditWithRun();
    createFault = 422;
    sent.length = 0;
    const failed = await rejectedAppError(
      exportToIssue(lost.ctx, { auditId: audit.id, actor: "Theo Marsh" }),
    );
    expect(failed.code).toBe("invalid:gitlab");
    // The refused create is the last request: no look for what it made.
    expect(sent.at(-1)).toMatch(/^POST .*\/issues$/);
    expect((await getAuditById(lost.ctx.db, audit.id)).issueIid).toBeNull();
  });
});

describe.each(["blocked", "deactivated"] as const)(
  "a first export whose assignee is %s on GitLab",
  (state) => {
    let own: TestContext;
    let server: GitLabSandbox;

    beforeAll(async () => {
      own = await createTestContext(START);
      const seed = gitlabAuditsState(own.scenario);
      const sreyes = seed.users.find((u) => u.username === LABELS_AND_ASSIGNEE.assignee);
      if (!sreyes) throw new Error("no assignee in the sandbox GitLab");
      sreyes.state = state;
      server = await startGitLabSandbox(seed);
    });

    afterAll(async () => {
      await own.close();
      await server.stop();
    });

    it("creates the issue without the assignee and warns the person exporting", async () => {
      const ctx = await withSandboxGitLab(own.ctx, server, { config: LABELS_AND_ASSIGNEE });
      const audit = await openCurrentAudit(ctx, "Theo Marsh");
      const run = await startAuditRun(ctx, { auditId: audit.id, actor: "Theo Marsh" });
      await ctx.backgroundRuns.get(run.id);

      const first = await exportToIssue(ctx, { auditId: audit.id, actor: "Theo Marsh" });
      expect(first).toMatchObject({ created: true, iid: 1 });
      expect(first.warnings).toEqual([
        `The issue was created without an assignee: the config's gitlab.assignee (sreyes) is ${state} on ${server.url}, and GitLab cannot assign an issue to a ${state} user. Assign it by hand, or name an active user in the config.`,
      ]);
      const [issue] =
        server.state().projects.find((p) => p.path_with_namespace === AUDITS_PROJECT)?.issues ?? [];
      expect(issue).toMatchObject({ title: "PagerDuty audit FY27-Q3", assignee_ids: [] });

      // Only a create assigns; an update neither looks the assignee up nor warns again.
      const second = await exportToIssue(ctx, { auditId: audit.id, actor: "Theo Marsh" });
      expect(second).toMatchObject({ created: false, iid: 1, warnings: [] });
    });
  },
);
