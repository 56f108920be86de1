import { afterEach, describe, expect, it } from "vitest";
import { startGitLabSandbox } from "./server";
import type { GitLabSandbox, GitLabSandboxOptions, GitLabSandboxState } from "./types";

/** The sandbox GitLab over real HTTP: what a GitLab client would see. */

const TOKEN = "glpat-bot";
const STATE: GitLabSandboxState = {
  users: [
    { id: 1, username: "audit-bot", name: "Audit Bot", token: TOKEN },
    { id: 2, username: "anakamura", name: "Alice Nakamura" },
  ],
  projects: [
    {
      id: 42,
      path_with_namespace: "gitlab-com/support/team",
      files: { "data/agents/a.yaml": "name: A\n", "data/agents/b.yaml": "name: B\n" },
      issues: [
        {
          id: 7,
          iid: 1,
          title: "audit",
          description: null,
          state: "opened",
          labels: [],
          assignee_ids: [],
          author: "audit-bot",
          created_at: "2026-05-01T00:00:00.000Z",
          updated_at: "2026-05-01T00:00:00.000Z",
          notes: [],
        },
      ],
    },
  ],
};

let sandbox: GitLabSandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function start(options: GitLabSandboxOptions = {}): Promise<GitLabSandbox> {
  sandbox = await startGitLabSandbox(STATE, options);
  return sandbox;
}

function call(s: GitLabSandbox, path: string, init: RequestInit & { token?: string | null } = {}) {
  const { token = TOKEN, ...rest } = init;
  return fetch(`${s.url}${path}`, {
    ...rest,
    headers: {
      ...(token === null ? {} : { "PRIVATE-TOKEN": token }),
      ...(rest.body ? { "Content-Type": "application/json" } : {}),
    },
  });
}

describe("sandbox GitLab", () => {
  it("answers 401 with GitLab's body without a valid token", async () => {
    const s = await start();
    for (const token of [null, "wrong"]) {
      const response = await call(s, "/api/v4/user", { token });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: "401 Unauthorized" });
    }
  });

  it("finds a user by username as GitLab does: [] for a group path or an unknown name", async () => {
    const s = await start();
    const user = await call(s, "/api/v4/users?username=ANakamura");
    expect(await user.json()).toEqual([
      expect.objectContaining({ id: 2, username: "anakamura", state: "active" }),
    ]);
    for (const name of ["gitlab-com", "gitlab-com/support", "nobody"]) {
      const none = await call(s, `/api/v4/users?username=${encodeURIComponent(name)}`);
      expect(none.status).toBe(200);
      expect(await none.json()).toEqual([]);
    }
  });

  it("finds projects by id and by URL-encoded path, and answers 404 bodies", async () => {
    const s = await start();
    expect((await call(s, "/api/v4/projects/42/issues/1")).status).toBe(200);
    const byPath = await call(
      s,
      `/api/v4/projects/${encodeURIComponent("gitlab-com/support/team")}/issues/1`,
    );
    expect(await byPath.json()).toMatchObject({ iid: 1, project_id: 42, description: null, state: "opened" });
    const missing = await call(s, "/api/v4/projects/99/issues/1");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "404 Project Not Found" });
    expect(await (await call(s, "/api/v4/projects/42/issues/9")).json()).toEqual({
      message: "404 Issue Not Found",
    });
  });

  it("paginates with x-next-page and x-total", async () => {
    const s = await start();
    const first = await call(s, "/api/v4/projects/42/repository/tree?path=data/agents&ref=main&per_page=1");
    expect(first.headers.get("x-total")).toBe("2");
    expect(first.headers.get("x-next-page")).toBe("2");
    expect(await first.json()).toEqual([expect.objectContaining({ name: "a.yaml", type: "blob" })]);
    const last = await call(
      s,
      "/api/v4/projects/42/repository/tree?path=data/agents&ref=main&per_page=1&page=2",
    );
    expect(last.headers.get("x-next-page")).toBe("");
  });

  it("refuses the 61st note in a minute with 429 and Retry-After, and takes notes again after it", async () => {
    let t = Date.UTC(2026, 4, 1);
    const s = await start({ now: () => t });
    const post = () =>
      call(s, "/api/v4/projects/42/issues/1/notes", { method: "POST", body: JSON.stringify({ body: "hi" }) });
    for (let i = 0; i < 60; i++) {
      expect((await post()).status).toBe(201);
      t += 500;
    }
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBe(30);
    expect(await refused.json()).toEqual({
      message: { error: "This endpoint has been requested too many times. Try again later." },
    });
    t += 30_000;
    expect((await post()).status).toBe(201);
    expect(s.stats().notesRateLimited).toBe(1);
  });

  it("injects 429s with Retry-After at the configured rate", async () => {
    const s = await start({ faults: { rateLimitRate: 0.5 }, seed: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await call(s, "/api/v4/user");
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers.get("retry-after")).toBe("1");
    }
    const limited = statuses.filter((status) => status === 429).length;
    expect(limited).toBeGreaterThan(8);
    expect(limited).toBeLessThan(32);
  });

  it("holds a queued timeout without answering, having applied the request, and drops it after timeoutMs", async () => {
    const s = await start({ faults: { timeoutMs: 200 } });
    s.failNext("timeout");
    const started = Date.now();
    const held = await call(s, "/api/v4/projects/42/issues", {
      method: "POST",
      body: JSON.stringify({ title: "second" }),
    }).then(
      () => "answered",
      () => "dropped",
    );
    expect(held).toBe("dropped");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(s.state().projects[0]?.issues?.map((i) => i.title)).toEqual(["audit", "second"]);
    expect(s.stats().byStatus).toEqual({ timeout: 1 });
    expect((await call(s, "/api/v4/user")).status).toBe(200);
  });

  it("drops the connection on a queued reset after applying the request, and a queued status applies nothing", async () => {
    const s = await start();
    s.failNext("pass", "reset", 502);
    const note = () =>
      call(s, "/api/v4/projects/42/issues/1/notes", { method: "POST", body: JSON.stringify({ body: "hi" }) });
    // `pass` lets one request through as usual, so a fault can be aimed at the request after it.
    expect((await call(s, "/api/v4/user")).status).toBe(200);
    await expect(note()).rejects.toThrow();
    expect((await note()).status).toBe(502);
    expect(s.state().projects[0]?.issues?.[0]?.notes.map((n) => n.body)).toEqual(["hi"]);
    expect(s.stats().byStatus).toEqual({ "200": 1, reset: 1, "502": 1 });
  });

  it("injects resets both before any byte and midway through the body, and timeouts at their rates", async () => {
    const s = await start({ faults: { connectionResetRate: 1 }, seed: 5 });
    const seen = { early: 0, midway: 0 };
    for (let i = 0; i < 20; i++) {
      const response = await call(s, "/api/v4/projects/42/issues/1").catch(() => null);
      if (response === null) {
        seen.early++;
        continue;
      }
      // The headers promise a whole issue; the body stops halfway.
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
      seen.midway++;
    }
    expect(seen.early).toBeGreaterThan(0);
    expect(seen.midway).toBeGreaterThan(0);
    expect(s.stats().byStatus).toEqual({ reset: 20 });

    s.setFaults({ timeoutRate: 0.5, timeoutMs: 60_000 });
    let timedOut = 0;
    for (let i = 0; i < 12; i++) {
      const response = await call(s, "/api/v4/user", { signal: AbortSignal.timeout(300) }).catch(() => null);
      if (response === null) timedOut++;
    }
    expect(timedOut).toBeGreaterThan(1);
    expect(timedOut).toBeLessThan(11);
    expect(s.stats().byStatus.timeout).toBe(timedOut);
  });

  it("lists issues newest first, filtered by state, author and words of the title as GitLab does", async () => {
    let t = Date.UTC(2026, 10, 24, 12);
    const s = await start({ now: () => t });
    const create = async (title: string) => {
      t += 1_000;
      const response = await call(s, "/api/v4/projects/42/issues", {
        method: "POST",
        body: JSON.stringify({ title, description: "PagerDuty audit notes" }),
      });
      return ((await response.json()) as { iid: number }).iid;
    };
    const q3 = await create("PagerDuty audit FY27-Q3");
    const q3b = await create("pagerduty AUDIT fy27-q3 (copy)");
    const q1 = await create("PagerDuty audit FY27-Q1");
    await call(s, `/api/v4/projects/42/issues/${q3b}`, {
      method: "PUT",
      body: JSON.stringify({ state_event: "close" }),
    });
    const iids = async (query: string) =>
      ((await (await call(s, `/api/v4/projects/42/issues?${query}`)).json()) as { iid: number }[]).map(
        (issue) => issue.iid,
      );

    expect(await iids("")).toEqual([q1, q3b, q3, 1]);
    expect(await iids("sort=asc")).toEqual([1, q3, q3b, q1]);
    expect(await iids("search=PagerDuty%20FY27-Q3&in=title")).toEqual([q3b, q3]);
    expect(await iids("search=PagerDuty%20FY27-Q3&in=title&state=opened")).toEqual([q3]);
    // Without `in`, the description is searched too.
    expect(await iids("search=notes")).toEqual([q1, q3b, q3]);
    expect(await iids("search=notes&in=title")).toEqual([]);
    expect(await iids("author_username=AUDIT-BOT&state=opened")).toEqual([q1, q3, 1]);
    expect(await iids("author_username=anakamura")).toEqual([]);
  });

  it("dates its answers by its own clock, the one it stamps created_at with", async () => {
    const t = Date.UTC(2026, 4, 1, 9, 30, 15, 250);
    const s = await start({ now: () => t });
    const response = await call(s, "/api/v4/projects/42/issues/1/notes", {
      method: "POST",
      body: JSON.stringify({ body: "hi" }),
    });
    expect(response.headers.get("date")).toBe("Fri, 01 May 2026 09:30:15 GMT");
    expect(await response.json()).toMatchObject({ created_at: "2026-05-01T09:30:15.250Z" });
  });

  it("reads state and posts a note as another user through the control route", async () => {
    const s = await start();
    const posted = await call(s, "/__sandbox/projects/42/issues/1/notes", {
      method: "POST",
      body: JSON.stringify({ username: "anakamura", body: "fixed" }),
    });
    expect(await posted.json()).toMatchObject({
      body: "fixed",
      author: { username: "anakamura" },
      system: false,
    });
    const state = (await (await call(s, "/__sandbox/state")).json()) as GitLabSandboxState;
    expect(state.projects[0]?.issues?.[0]?.notes).toEqual([expect.objectContaining({ author: "anakamura" })]);
    // The seed object is not changed.
    expect(STATE.projects[0]?.issues?.[0]?.notes).toEqual([]);

    expect(s.postNoteAs("gitlab-com/support/team", 1, "audit-bot", "thanks")).toMatchObject({
      author: "audit-bot",
    });
    expect(s.state().projects[0]?.issues?.[0]?.notes.map((n) => n.body)).toEqual(["fixed", "thanks"]);
    expect(() => s.postNoteAs(42, 9, "anakamura", "x")).toThrow(/404 Issue Not Found/);
    expect(() => s.postNoteAs(42, 1, "nobody", "x")).toThrow(/404 User Not Found/);
  });

  it("puts back the seed data on reset, numbering new issues from the seed again", async () => {
    const s = await start();
    await call(s, "/__sandbox/projects/42/issues/1/notes", {
      method: "POST",
      body: JSON.stringify({ username: "anakamura", body: "fixed" }),
    });
    const created = await call(s, "/api/v4/projects/42/issues", {
      method: "POST",
      body: JSON.stringify({ title: "second" }),
    });
    expect(await created.json()).toMatchObject({ iid: 2 });
    const reset = await call(s, "/__sandbox/reset", { method: "POST" });
    expect(reset.status).toBe(200);
    expect(s.state()).toEqual(STATE);
    const again = await call(s, "/api/v4/projects/42/issues", {
      method: "POST",
      body: JSON.stringify({ title: "second" }),
    });
    expect(await again.json()).toMatchObject({ iid: 2 });
  });
});
