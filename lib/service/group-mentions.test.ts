import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitLabSandbox, SandboxGitLabIssue } from "@/sandbox/gitlab/types";
import { rosterOfScenario } from "@/sandbox/scenarios/audit-scenario";
import { AUDITS_PROJECT } from "@/sandbox/scenarios/gitlab-audits";
import type { AppContext } from "./context";
import { exportToIssue } from "./export";
import { queryPeople } from "./findings";
import { actOnItems, bulkAct } from "./item-actions";
import { openCurrentAudit } from "./runs";
import { createGitLabTestContext, runAuditToEnd, type GitLabTestContext } from "@/lib/testing/app-context";

/**
 * A roster `gitlab.username` that is a group path (`gitlab-com`, the audits project's own top group) would
 * notify every member of the group when written `@gitlab-com`. Over the sandbox GitLab, which answers
 * `GET /users?username=` with `[]` for it as GitLab does, the export and the pings write it inert and say so.
 */
const START = new Date("2026-11-24T12:00:00Z");
const GROUP = "gitlab-com";
const PERSON = "Amara Okafor";
let t: GitLabTestContext;
let gitlab: GitLabSandbox;
let ctx: AppContext;
let auditId: string;
/** The usernames the dashboard looked up with `GET /users?username=`, in order. */
const lookups: string[] = [];

beforeAll(async () => {
  t = await createGitLabTestContext(START, {
    gitlab: {
      client: {
        fetch: (input, init) => {
          const url = new URL(input instanceof Request ? input.url : String(input));
          const username = url.pathname.endsWith("/users") ? url.searchParams.get("username") : null;
          if (username !== null) lookups.push(username);
          return fetch(input, init);
        },
      },
    },
  });
  gitlab = t.gitlab;
  const roster = rosterOfScenario(t.scenario);
  const entries = roster.entries.map((entry) =>
    entry.person.name === PERSON
      ? { ...entry, person: { ...entry.person, gitlab: { username: GROUP } } }
      : entry,
  );
  ctx = { ...t.ctx, loadRoster: async () => ({ ...roster, entries }) };
  auditId = (await openCurrentAudit(ctx, "Theo Marsh")).id;
  await runAuditToEnd(ctx, auditId);
});

afterAll(async () => {
  await t.close();
});

function issue(): SandboxGitLabIssue {
  const found = gitlab.state().projects.find((p) => p.path_with_namespace === AUDITS_PROJECT)?.issues?.[0];
  if (!found) throw new Error("no audit issue");
  return found;
}

const warningOf = () =>
  `${GROUP} (gitlab.username of ${PERSON}) is not a user on ${gitlab.url}: a group, or no one. ` +
  "It is written without a live @ so that it notifies no one; correct it in the roster.";

describe("a roster username that is a group path", () => {
  it("is no live mention in the exported issue, and the export warns, when it creates and updates", async () => {
    const created = await exportToIssue(ctx, { auditId, actor: "Theo Marsh" });
    const description = issue().description ?? "";
    expect(description).toContain(`##### ${PERSON} @\u200d${GROUP}\n`);
    expect(description).not.toContain(`@${GROUP}`);
    expect(description).toMatch(/##### Olivia Grant @ogrant\n/);
    expect(created.warnings).toEqual([warningOf()]);
    // One look-up per username, however many findings name it.
    expect(lookups.filter((name) => name === GROUP)).toHaveLength(1);
    expect(new Set(lookups).size).toBe(lookups.length);

    lookups.length = 0;
    const updated = await exportToIssue(ctx, { auditId, actor: "Theo Marsh" });
    expect(updated).toMatchObject({ created: false, warnings: [warningOf()] });
    expect(issue().description).not.toContain(`@${GROUP}`);
  });

  it("is no live mention in a ping, and the ping warns", async () => {
    const row = (await queryPeople(ctx, auditId, { q: PERSON })).rows[0];
    if (!row) throw new Error(`${PERSON} has no findings`);
    const outcome = await actOnItems(ctx, {
      auditId,
      personKey: row.personKey,
      action: { type: "ping" },
      actor: "Theo Marsh",
    });
    const body = issue().notes.at(-1)?.body ?? "";
    expect(body).toContain(`**${PERSON}** @\u200d${GROUP}`);
    expect(body).not.toContain(`@${GROUP}`);
    expect(outcome.warnings).toEqual([warningOf()]);
  });

  it("is looked up once for a bulk ping of many people, who are mentioned", async () => {
    lookups.length = 0;
    const outcome = await bulkAct(ctx, { auditId, action: "ping", actor: "Theo Marsh" });
    expect(outcome.applied).toBeGreaterThan(1);
    expect(new Set(lookups).size).toBe(lookups.length);
    expect(issue().notes.at(-1)?.body).toContain("@ogrant");
    expect(outcome.warnings).toEqual([]);
  });
});
