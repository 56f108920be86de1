import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { createSlidingWindowLimiter } from "@/lib/http/rate-limit";
import { parseRateLimitWaitMs } from "@/lib/http/request";
import { loadRoster } from "@/lib/roster/load";
import { startGitLabSandbox } from "@/sandbox/gitlab/server";
import type { GitLabSandbox, GitLabSandboxOptions, GitLabSandboxState } from "@/sandbox/gitlab/types";
import { createGitLabClient, mayHaveBeenApplied, type GitLabClientOptions } from "./client";
import { describeErrorBody } from "./request";
import { createGitLabRosterDeps } from "./roster-source";

/** The client against the sandbox GitLab over real HTTP. */

const GOOD = join(import.meta.dirname, "..", "roster", "fixtures", "good");
const PROJECT = "gitlab-com/support/team";
const TOKEN = "glpat-bot";
const READ_API_TOKEN = "glpat-read-api";
const READ_USER_TOKEN = "glpat-read-user";

async function seedState(): Promise<GitLabSandboxState> {
  const files: Record<string, string> = {
    "data/support-team.yaml": await readFile(join(GOOD, "support-team.yaml"), "utf8"),
  };
  for (const name of await readdir(join(GOOD, "agents"))) {
    files[`data/agents/${name}`] = await readFile(join(GOOD, "agents", name), "utf8");
  }
  // A directory long enough to need two pages of the tree API.
  for (let i = 0; i < 130; i++) files[`data/many/person-${String(i).padStart(3, "0")}.yaml`] = "x: 1\n";
  return {
    users: [
      { id: 1, username: "audit-bot", name: "Audit Bot", token: TOKEN },
      { id: 1001, username: "anakamura", name: "Alice Nakamura" },
      // Tokens made with fewer scopes than the export needs (`api`).
      { id: 2, username: "reader-bot", name: "Reader Bot", token: READ_API_TOKEN, scopes: ["read_api"] },
      { id: 3, username: "profile-bot", name: "Profile Bot", token: READ_USER_TOKEN, scopes: ["read_user"] },
    ],
    projects: [
      {
        id: 42,
        path_with_namespace: PROJECT,
        issue_templates: { Pagerduty: "## Notes\n\n<!-- audit output -->\n" },
        files,
        issues: [],
      },
    ],
  };
}

let sandbox: GitLabSandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function setup(
  clientOptions: Partial<GitLabClientOptions> = {},
  sandboxOptions: GitLabSandboxOptions = {},
) {
  sandbox = await startGitLabSandbox(await seedState(), sandboxOptions);
  const waits: number[] = [];
  const client = createGitLabClient({
    baseUrl: sandbox.url,
    token: TOKEN,
    timeoutMs: 5_000,
    maxRetries: 3,
    random: () => 0,
    sleep: async (ms) => {
      waits.push(ms);
    },
    notesLimiter: createSlidingWindowLimiter(),
    ...clientOptions,
  });
  return { sandbox, client, waits };
}

async function rejected(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("GitLab client: happy paths", () => {
  it("reads the issue template by project path and by id", async () => {
    const { client } = await setup();
    expect(await client.getIssueTemplate(PROJECT, "Pagerduty")).toMatchObject({
      name: "Pagerduty",
      content: expect.stringContaining("## Notes"),
    });
    expect((await client.getIssueTemplate(42, "Pagerduty")).name).toBe("Pagerduty");
  });

  it("creates, reads and updates an issue", async () => {
    const { client, sandbox } = await setup();
    const created = await client.createIssue(PROJECT, {
      title: "PagerDuty audit FY27 Q1",
      description: "## Notes\n",
      labels: ["Support Operations", "audit"],
      assigneeIds: [1001],
    });
    expect(created).toMatchObject({ iid: 1, state: "opened", labels: ["Support Operations", "audit"] });
    expect(created.web_url).toMatch(/\/gitlab-com\/support\/team\/-\/issues\/1$/);
    expect((await client.createIssue(42, { title: "second", description: "" })).iid).toBe(2);

    const updated = await client.updateIssue(PROJECT, 1, {
      description: "## Notes\n\nall good\n",
      stateEvent: "close",
      labels: ["done"],
    });
    expect(updated).toMatchObject({
      state: "closed",
      labels: ["done"],
      description: "## Notes\n\nall good\n",
    });
    expect(await client.getIssue(PROJECT, 1)).toMatchObject({ state: "closed" });
    expect(sandbox.state().projects[0]?.issues?.[0]?.assignee_ids).toEqual([1001]);
    expect((await client.updateIssue(PROJECT, 1, { stateEvent: "reopen" })).state).toBe("opened");
  });

  it("creates a note with its URL and lists notes across pages, replies from other users included", async () => {
    const { client, sandbox } = await setup();
    const issue = await client.createIssue(PROJECT, { title: "audit", description: "" });
    const note = await client.createNote(PROJECT, issue.iid, "@anakamura please join the EMEA schedule");
    expect(note).toMatchObject({
      body: "@anakamura please join the EMEA schedule",
      author: { username: "audit-bot" },
      system: false,
      url: `${issue.web_url}#note_${note.id}`,
    });
    expect(Number.isNaN(Date.parse(note.created_at))).toBe(false);

    // Earlier notes and a person's reply are posted by the sandbox itself, outside the notes limit.
    for (let i = 0; i < 130; i++) sandbox.postNoteAs(PROJECT, issue.iid, "audit-bot", `note ${i}`);
    sandbox.postNoteAs(PROJECT, issue.iid, "anakamura", "done!");

    const notes = await client.listNotes(PROJECT, issue.iid);
    expect(notes).toHaveLength(132);
    expect(notes[0]?.id).toBe(note.id);
    expect(notes.at(-1)).toMatchObject({ body: "done!", author: { username: "anakamura" } });
    expect(new Set(notes.map((n) => n.id)).size).toBe(132);
  });

  it("reads raw files as bytes and lists a tree across pages", async () => {
    const { client } = await setup();
    const bytes = await client.getRawFile(PROJECT, "data/support-team.yaml", "main");
    expect(Buffer.from(bytes).equals(await readFile(join(GOOD, "support-team.yaml")))).toBe(true);

    const many = await client.listTree(PROJECT, "data/many", "main");
    expect(many).toHaveLength(130);
    expect(many[0]).toMatchObject({ path: "data/many/person-000.yaml", type: "blob" });
    expect(many.at(-1)?.path).toBe("data/many/person-129.yaml");
    const data = await client.listTree(42, "data", "main");
    expect(data.map((item) => [item.name, item.type])).toEqual([
      ["agents", "tree"],
      ["many", "tree"],
      ["support-team.yaml", "blob"],
    ]);
  });

  it("stops reading a raw file after maxBytes + 1 bytes", async () => {
    const { client } = await setup();
    const bytes = await client.getRawFile(PROJECT, "data/support-team.yaml", "main", { maxBytes: 10 });
    expect(bytes.byteLength).toBe(11);
  });

  it("reads the current user and finds users by username", async () => {
    const { client } = await setup();
    expect(await client.getCurrentUser()).toMatchObject({ id: 1, username: "audit-bot" });
    expect(await client.findUserByUsername("anakamura")).toMatchObject({ id: 1001, name: "Alice Nakamura" });
    expect(await client.findUserByUsername("nobody")).toBeNull();
  });
});

describe("GitLab client: errors", () => {
  it("renders a string message and does not retry 404", async () => {
    const { client, sandbox } = await setup();
    const error = await rejected(client.getIssue("gitlab-com/nope", 1));
    expect(error.code).toBe("not_found:gitlab");
    expect(error.message).toMatch(/404 Project Not Found/);
    expect(sandbox.stats().requests).toBe(1);
    expect((await rejected(client.getRawFile(PROJECT, "data/missing.yaml", "main"))).message).toMatch(
      /404 File Not Found/,
    );
  });

  it("renders an object message as field and text", async () => {
    const { client } = await setup();
    const error = await rejected(client.createIssue(PROJECT, { title: "x".repeat(300), description: "" }));
    expect(error.code).toBe("invalid:gitlab");
    expect(error.message).toMatch(/title is too long \(maximum is 255 characters\)/);
    expect(
      describeErrorBody('{"message":{"base":["spam detected"],"labels":["is invalid","too many"]}}'),
    ).toBe("spam detected; labels is invalid; labels too many");
    expect(describeErrorBody('{"error":"title is missing"}')).toBe("title is missing");
    expect(describeErrorBody("<html>502</html>")).toBe("");
  });

  it("reads GitLab's validation errors as sentences", async () => {
    const { client } = await setup();
    // A title given but blank passes the parameter check; the model refuses it.
    const blank = await rejected(client.createIssue(PROJECT, { title: "   ", description: "" }));
    expect(blank.code).toBe("invalid:gitlab");
    expect(blank.message).toBe(
      "GitLab answered 400 to POST /projects/gitlab-com%2Fsupport%2Fteam/issues: title can't be blank.",
    );
    expect(describeErrorBody('{"message":{"title":["can\'t be blank"],"base":["spam detected"]}}')).toBe(
      "title can't be blank; spam detected",
    );
  });

  it("reads an application limit's object message as its sentence", async () => {
    const { client } = await setup({ maxRetries: 0, notesPerMinute: 100 }, { notesPerMinute: 1 });
    const issue = await client.createIssue(PROJECT, { title: "audit", description: "" });
    await client.createNote(PROJECT, issue.iid, "first");
    const error = await rejected(client.createNote(PROJECT, issue.iid, "second"));
    expect(error.code).toBe("rate_limited:gitlab");
    expect(error.message).toBe(
      `GitLab answered 429 to POST /projects/gitlab-com%2Fsupport%2Fteam/issues/${issue.iid}/notes: This endpoint has been requested too many times. Try again later.`,
    );
  });

  it("says which scope the token lacks when GitLab answers insufficient_scope", async () => {
    const reader = (await setup({ token: READ_API_TOKEN })).client;
    // read_api reads...
    expect((await reader.getIssueTemplate(PROJECT, "Pagerduty")).name).toBe("Pagerduty");
    // ...but writing needs api.
    const write = await rejected(reader.createIssue(PROJECT, { title: "audit", description: "" }));
    expect(write.code).toBe("forbidden:gitlab");
    expect(write.message).toBe(
      "GL_TOKEN lacks the `api` scope: GitLab answered 403 to POST /projects/gitlab-com%2Fsupport%2Fteam/issues: The request requires higher privileges than provided by the access token. Give GL_TOKEN that scope, or use a token that has it.",
    );
    expect(sandbox?.state().projects[0]?.issues).toEqual([]);

    const profile = createGitLabClient({ baseUrl: reader.baseUrl, token: READ_USER_TOKEN, maxRetries: 0 });
    expect((await profile.getCurrentUser()).username).toBe("profile-bot");
    const read = await rejected(profile.getIssueTemplate(PROJECT, "Pagerduty"));
    expect(read.code).toBe("forbidden:gitlab");
    expect(read.message).toMatch(
      /^GL_TOKEN lacks the `api` or `read_api` scope: GitLab answered 403 to GET /,
    );
    expect(read.message).not.toContain("insufficient_scope");
  });

  it("does not retry 401 and says what to check, without echoing the token", async () => {
    const { client, sandbox, waits } = await setup({ token: "glpat-wrong" });
    const error = await rejected(client.getCurrentUser());
    expect(error.code).toBe("upstream:gitlab_token");
    expect(error.message).toMatch(/^GitLab refused the dashboard's token \(GL_TOKEN\): GitLab answered 401 /);
    expect(error.message).not.toContain("glpat-wrong");
    expect(sandbox.stats().requests).toBe(1);
    expect(waits).toEqual([]);
  });

  it("waits what Retry-After asks on 429, then succeeds", async () => {
    const { client, sandbox, waits } = await setup();
    sandbox.failNext(429, 429);
    expect((await client.getCurrentUser()).username).toBe("audit-bot");
    expect(waits).toEqual([1_000, 1_000]);
    expect(sandbox.stats().requests).toBe(3);
  });

  it("honours RateLimit-Reset as an epoch time when there is no Retry-After", () => {
    const now = 1_800_000_000_000;
    expect(parseRateLimitWaitMs(new Headers({ "ratelimit-reset": "1800000007" }), now, "epoch")).toBe(7_000);
    expect(
      parseRateLimitWaitMs(
        new Headers({ "retry-after": "3", "ratelimit-reset": "1800000007" }),
        now,
        "epoch",
      ),
    ).toBe(3_000);
    expect(parseRateLimitWaitMs(new Headers(), now, "epoch")).toBeNull();
  });

  it("retries transient 5xx on reads with back-off, and gives up after maxRetries", async () => {
    const { client, sandbox, waits } = await setup();
    sandbox.failNext(502, 500);
    expect((await client.getIssueTemplate(PROJECT, "Pagerduty")).name).toBe("Pagerduty");
    // Equal jitter with random() = 0: half of 500 ms, then half of 1000 ms.
    expect(waits).toEqual([250, 500]);

    sandbox.failNext(503, 503, 503, 503);
    const error = await rejected(client.getCurrentUser());
    expect(error.code).toBe("upstream:gitlab");
    expect(error.message).toMatch(/503.*after 3 retries/);
  });

  it("does not retry a POST after a 5xx: the note may exist already", async () => {
    const { client, sandbox } = await setup();
    const issue = await client.createIssue(PROJECT, { title: "audit", description: "" });
    const before = sandbox.stats().requests;
    sandbox.failNext(502);
    const error = await rejected(client.createNote(PROJECT, issue.iid, "hello"));
    expect(error.code).toBe("upstream:gitlab");
    expect(sandbox.stats().requests - before).toBe(1);
  });

  it("gets through injected rate limits and server errors at a steady rate", async () => {
    const { client, sandbox } = await setup(
      { maxRetries: 8 },
      { faults: { rateLimitRate: 0.2, transientErrorRate: 0.1 }, seed: 7 },
    );
    for (let i = 0; i < 20; i++) expect((await client.getCurrentUser()).id).toBe(1);
    const byStatus = sandbox.stats().byStatus;
    expect(byStatus["429"]).toBeGreaterThan(0);
    // At least 20: on a loaded machine an answer can leave the sandbox after the client's 300 ms deadline;
    // the sandbox counts that 200, the client times out and reads again.
    expect(byStatus["200"]).toBeGreaterThanOrEqual(20);
  });
});

describe("GitLab client: timeouts and dropped connections", () => {
  // Short enough that a timeout costs little, long enough for a loopback answer on a busy machine.
  const TIMEOUT_MS = 300;

  it.each(["timeout", "reset"] as const)(
    "retries a read and an update after a %s, then succeeds",
    async (fault) => {
      const { client, sandbox, waits } = await setup({ timeoutMs: TIMEOUT_MS });
      sandbox.failNext(fault);
      expect((await client.getCurrentUser()).username).toBe("audit-bot");
      const issue = await client.createIssue(PROJECT, { title: "audit", description: "" });
      // An update says what the issue should be, so sending it twice is harmless.
      sandbox.failNext(fault);
      expect((await client.updateIssue(PROJECT, issue.iid, { stateEvent: "close" })).state).toBe("closed");
      expect(waits).toEqual([250, 250]);
      expect(sandbox.stats().byStatus[fault]).toBe(2);
      expect(sandbox.stats().requests).toBe(5);
    },
  );

  it.each([
    { fault: "timeout" as const, text: `timed out after ${TIMEOUT_MS} ms` },
    { fault: "reset" as const, text: "failed (network error)" },
  ])(
    "does not retry creating an issue or a note after a $fault: GitLab made it once",
    async ({ fault, text }) => {
      const { client, sandbox, waits } = await setup({ timeoutMs: TIMEOUT_MS });
      const issues = () => sandbox.state().projects[0]?.issues ?? [];

      sandbox.failNext(fault);
      const issueError = await rejected(client.createIssue(PROJECT, { title: "audit", description: "" }));
      expect(issueError.code).toBe("upstream:gitlab");
      expect(issueError.message).toContain(`POST /projects/${encodeURIComponent(PROJECT)}/issues ${text}`);
      expect(issueError.message).toMatch(/not retried, because GitLab may have applied it already/);
      // The answer was lost, not the request: the issue exists, once.
      expect(issues().map((i) => i.title)).toEqual(["audit"]);

      sandbox.failNext(fault);
      const noteError = await rejected(
        client.createNote(PROJECT, 1, "@anakamura please join the EMEA schedule"),
      );
      expect(noteError.code).toBe("upstream:gitlab");
      expect(noteError.message).toContain(`/issues/1/notes ${text}`);
      expect(issues()[0]?.notes.map((n) => n.body)).toEqual(["@anakamura please join the EMEA schedule"]);

      expect(sandbox.stats().requests).toBe(2);
      expect(waits).toEqual([]);
    },
  );

  it("gives up a read after maxRetries timeouts, saying so", async () => {
    const { client, sandbox } = await setup({ timeoutMs: TIMEOUT_MS, maxRetries: 2 });
    sandbox.failNext("timeout", "timeout", "timeout");
    const error = await rejected(client.getIssueTemplate(PROJECT, "Pagerduty"));
    expect(error.code).toBe("upstream:gitlab");
    expect(error.message).toMatch(new RegExp(`timed out after ${TIMEOUT_MS} ms, after 2 retries`));
    expect(sandbox.stats().requests).toBe(3);
  });

  it("reads through random timeouts and resets, and never repeats a create", async () => {
    const { client, sandbox } = await setup(
      { timeoutMs: TIMEOUT_MS, maxRetries: 8 },
      { faults: { timeoutRate: 0.1, connectionResetRate: 0.2, timeoutMs: 60_000 }, seed: 11 },
    );
    for (let i = 0; i < 20; i++) expect((await client.getCurrentUser()).id).toBe(1);
    const byStatus = sandbox.stats().byStatus;
    // At least 20: on a loaded machine an answer can leave the sandbox after the client's 300 ms deadline;
    // the sandbox counts that 200, the client times out and reads again.
    expect(byStatus["200"]).toBeGreaterThanOrEqual(20);
    expect(byStatus.timeout).toBeGreaterThan(0);
    expect(byStatus.reset).toBeGreaterThan(0);

    // Every create reaches GitLab once, whether or not its answer comes back.
    sandbox.setFaults({ connectionResetRate: 1 });
    const before = sandbox.stats().requests;
    for (let i = 0; i < 6; i++) {
      expect((await rejected(client.createIssue(PROJECT, { title: `t${i}`, description: "" }))).code).toBe(
        "upstream:gitlab",
      );
    }
    expect(sandbox.stats().requests - before).toBe(6);
    expect(sandbox.state().projects[0]?.issues?.map((i) => i.title)).toEqual([
      "t0",
      "t1",
      "t2",
      "t3",
      "t4",
      "t5",
    ]);
  });
});

describe("GitLab client: finding what a create whose answer was lost made", () => {
  const MINUTE = 60_000;

  it("finds the token user's open issue of exactly that title created lately, by GitLab's clock", async () => {
    // GitLab's clock is half a day away from ours: only its Date header tells what "lately" is.
    let gitlabNow = Date.now() - 12 * 60 * MINUTE;
    const { client, sandbox } = await setup({}, { now: () => gitlabNow });
    const title = "PagerDuty audit FY27-Q3";
    await client.createIssue(PROJECT, { title, description: "" });
    gitlabNow += 20 * MINUTE;
    const fresh = await client.createIssue(PROJECT, { title, description: "" });
    await client.createIssue(PROJECT, { title: `${title}-2`, description: "" });
    await client.createIssue(PROJECT, { title: title.toLowerCase(), description: "" });
    const closed = await client.createIssue(PROJECT, { title, description: "" });
    await client.updateIssue(PROJECT, closed.iid, { stateEvent: "close" });
    gitlabNow += 2 * MINUTE;

    const found = await client.findRecentIssues(PROJECT, {
      title,
      authorUsername: "audit-bot",
      withinMs: 10 * MINUTE,
    });
    expect(found.map((issue) => issue.iid)).toEqual([fresh.iid]);
    expect(found[0]).toMatchObject({ title, author: { username: "audit-bot" } });
    expect(
      await client.findRecentIssues(PROJECT, { title, authorUsername: "anakamura", withinMs: 10 * MINUTE }),
    ).toEqual([]);
    expect(sandbox.stats().requests).toBe(8);
  });

  it("finds the token user's notes holding a marker since a time, by GitLab's clock, a page at a time", async () => {
    let gitlabNow = Date.now() + 12 * 60 * MINUTE;
    const { client, sandbox } = await setup({}, { now: () => gitlabNow });
    const issue = await client.createIssue(PROJECT, { title: "audit", description: "" });
    const marker = "<!-- claim:abc -->";
    sandbox.postNoteAs(PROJECT, issue.iid, "audit-bot", `@anakamura please join\n\n${marker}`);
    gitlabNow += 20 * MINUTE;
    const since = gitlabNow;
    const fresh = sandbox.postNoteAs(PROJECT, issue.iid, "audit-bot", `@anakamura please join\n\n${marker}`);
    const other = sandbox.postNoteAs(PROJECT, issue.iid, "audit-bot", "<!-- claim:def -->");
    sandbox.postNoteAs(PROJECT, issue.iid, "audit-bot", "@anakamura please join");
    sandbox.postNoteAs(PROJECT, issue.iid, "anakamura", `quoting ${marker}`);
    // The note looked for is two pages back.
    for (let i = 0; i < 150; i++) sandbox.postNoteAs(PROJECT, issue.iid, "anakamura", `reply ${i}`);
    gitlabNow += 2 * MINUTE;

    const before = sandbox.stats().requests;
    const found = await client.findNotesContaining(PROJECT, issue.iid, {
      texts: [marker, "<!-- claim:def -->"],
      authorUsername: "audit-bot",
      since,
    });
    expect(found.map((note) => note.id)).toEqual([other.id, fresh.id]);
    // Two pages reach back past `since`; no third is read.
    expect(sandbox.stats().requests - before).toBe(2);
    expect(
      await client.findNotesContaining(PROJECT, issue.iid, {
        texts: ["<!-- claim:xyz -->"],
        authorUsername: "audit-bot",
        since,
      }),
    ).toEqual([]);
  });

  it.each([
    { fault: "timeout" as const, applied: true },
    { fault: "reset" as const, applied: true },
    { fault: 500, applied: true },
    { fault: 502, applied: true },
    { fault: 400, applied: false },
    { fault: 403, applied: false },
    { fault: 404, applied: false },
    { fault: 405, applied: false },
    { fault: 422, applied: false },
    { fault: 429, applied: false },
  ])(
    "says whether a create that failed with $fault may have been applied: $applied",
    async ({ fault, applied }) => {
      const { client, sandbox } = await setup({ timeoutMs: 300, maxRetries: 0 });
      const issue = await client.createIssue(PROJECT, { title: "audit", description: "" });
      sandbox.failNext(fault);
      const error = await rejected(client.createNote(PROJECT, issue.iid, "hello"));
      expect(mayHaveBeenApplied(error)).toBe(applied);
    },
  );

  it("takes only the GitLab client's errors for an unknown outcome", () => {
    expect(mayHaveBeenApplied(new Error("timed out"))).toBe(false);
    expect(mayHaveBeenApplied(new AppError("upstream:pagerduty", "PagerDuty answered 502"))).toBe(false);
  });
});

describe("GitLab client: notes limiter", () => {
  it("never lets more than 60 note creations through in a rolling minute", async () => {
    let t = Date.UTC(2026, 4, 1);
    const now = () => t;
    const sleep = async (ms: number) => {
      t += ms;
    };
    const posted: number[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      if (init?.method === "POST" && String(input).endsWith("/notes")) posted.push(t);
      return fetch(input, init);
    };
    const { client, sandbox } = await setup(
      { sleep, now, fetch: countingFetch, notesLimiter: createSlidingWindowLimiter({ now, sleep }) },
      { now },
    );
    const issue = await client.createIssue(PROJECT, { title: "audit", description: "" });
    for (let i = 0; i < 150; i++) await client.createNote(PROJECT, issue.iid, `note ${i}`);

    expect(posted).toHaveLength(150);
    for (const start of posted) {
      expect(posted.filter((at) => at >= start && at < start + 60_000).length).toBeLessThanOrEqual(60);
    }
    // 150 notes at 60 a minute take more than two minutes, and the server never had to refuse one.
    expect((posted.at(-1) ?? 0) - (posted[0] ?? 0)).toBeGreaterThanOrEqual(120_000);
    expect(sandbox.stats().notesRateLimited).toBe(0);
  });
});

describe("loadRoster through roster-source", () => {
  it("reads a single roster file, same digest as the local file", async () => {
    const { client } = await setup();
    const deps = createGitLabRosterDeps(client);
    const roster = await loadRoster(
      { gitlab: { project: PROJECT, path: "data/support-team.yaml", ref: "main" } },
      deps,
    );
    const local = await loadRoster({ path: join(GOOD, "support-team.yaml") });
    expect(roster.source).toBe(`gitlab:${PROJECT}@main:data/support-team.yaml`);
    expect(roster.entries.map((e) => e.person.name)).toEqual(local.entries.map((e) => e.person.name));
    expect(roster.sha256).toBe(local.sha256);
  });

  it("reads a directory of per-person files, same people and digest as the local directory", async () => {
    const { client } = await setup();
    const deps = createGitLabRosterDeps(client);
    const roster = await loadRoster({ gitlab: { project: 42, path: "data/agents", ref: "main" } }, deps);
    const local = await loadRoster({ path: join(GOOD, "agents") });
    expect(roster.entries.map((e) => e.person.name)).toEqual(local.entries.map((e) => e.person.name));
    expect(roster.entries.length).toBeGreaterThan(0);
    expect(roster.sha256).toBe(local.sha256);
  });

  it("reports a missing roster as not_found:roster", async () => {
    const { client } = await setup();
    const deps = createGitLabRosterDeps(client);
    const error = await rejected(
      loadRoster({ gitlab: { project: PROJECT, path: "data/nowhere.yaml", ref: "main" } }, deps),
    );
    expect(error.code).toBe("not_found:roster");
    const tree = await rejected(
      loadRoster({ gitlab: { project: PROJECT, path: "data/nowhere", ref: "main" } }, deps),
    );
    expect(tree.code).toBe("not_found:roster");
  });
});
