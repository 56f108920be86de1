import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAudit, listEvents, signOffAudit } from "@/lib/db/queries";
import { listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import { AppError } from "@/lib/errors";
import { rejectedAppError } from "@/lib/testing/errors";
import type { GitLabSandbox } from "@/sandbox/gitlab/types";
import { AUDITS_PROJECT } from "@/sandbox/scenarios/gitlab-audits";
import { sweepReplies, syncReplies } from "./replies";
import type { AppContext } from "../context";
import { exportToIssue } from "../export";
import { getPersonDetail, queryPeople } from "../findings";
import { actOnItems } from "../item-actions";
import { openCurrentAudit, startAuditRun } from "../runs";
import { createGitLabTestContext, type GitLabTestContext } from "@/lib/testing/app-context";

/** The periodic read of replies, against the sandbox GitLab over HTTP and a real SQLite database. */

const START = new Date("2026-11-24T12:00:00Z");
const kinds = await listTestDatabases();
let t: GitLabTestContext;
let gitlab: GitLabSandbox;
let ctx: AppContext;
let auditId: string;
let auditName: string;
const logged: { message: string; error: unknown }[] = [];

beforeAll(async () => {
  t = await createGitLabTestContext(START, { gitlab: { client: { timeoutMs: 500 } } });
  gitlab = t.gitlab;
  ctx = { ...t.ctx, log: (message, error) => logged.push({ message, error }) };
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
});

async function personKeyOf(name: string, on = { ctx, auditId }): Promise<string> {
  const row = (await queryPeople(on.ctx, on.auditId, { q: name })).rows[0];
  if (!row) throw new Error(`${name} has no findings`);
  return row.personKey;
}

async function ping(name: string, on = { ctx, auditId }): Promise<string> {
  const personKey = await personKeyOf(name, on);
  await actOnItems(on.ctx, { auditId: on.auditId, personKey, action: { type: "ping" }, actor: "Theo Marsh" });
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

describe.each(kinds)("replies read by two app instances on $name", (kind) => {
  let place: TestDatabase | undefined;
  let shared: GitLabTestContext | undefined;
  /** Two app instances: separate database handles (so separate in-process turns) on one database. */
  let instances: AppContext[] = [];
  let sharedAuditId = "";

  beforeAll(async () => {
    place = await kind.create();
    shared = await createGitLabTestContext(START, { database: place.options });
    instances = [shared.ctx, await shared.openInstance()];
    const [first] = instances;
    if (!first) throw new Error("no app instance");
    sharedAuditId = (await openCurrentAudit(first, "Theo Marsh")).id;
    const run = await startAuditRun(first, { auditId: sharedAuditId, actor: "Theo Marsh" });
    await first.backgroundRuns.get(run.id);
    await exportToIssue(first, { auditId: sharedAuditId, actor: "Theo Marsh" });
  });

  afterAll(async () => {
    await shared?.close();
    await place?.drop();
  });

  it("records a reply once when both read it at the same moment", async () => {
    const [first] = instances;
    if (!first || !shared) throw new Error("no app instance");
    const people = [
      { name: "Amara Okafor", username: "aokafor" },
      { name: "Olivia Grant", username: "ogrant" },
      { name: "Lukas Becker", username: "lbecker" },
    ];
    for (const { name, username } of people) {
      const personKey = await ping(name, { ctx: first, auditId: sharedAuditId });
      shared.gitlab.postNoteAs(AUDITS_PROJECT, 1, username, "Done.");

      const results = await Promise.all(instances.map((ctx) => syncReplies(ctx, sharedAuditId)));
      expect(results.reduce((sum, r) => sum + r.replies, 0)).toBe(1);
      const items = (await getPersonDetail(first, sharedAuditId, personKey)).items;
      const replies = (await listEvents(first.db, { auditId: sharedAuditId, personKey })).filter(
        (e) => e.action === "reply",
      );
      // One reply event per pinged item of the person, not one per instance.
      expect(replies.map((e) => e.itemId).sort()).toEqual(
        items
          .filter((i) => i.state === "pinged")
          .map((i) => i.id)
          .sort(),
      );
    }
  });
});
