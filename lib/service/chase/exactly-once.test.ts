/**
 * Every chase comment is posted exactly once: two people clicking at the same moment (through one app
 * instance on SQLite, two on Postgres), a GitLab that hangs past the client's timeout, and an instance that
 * dies between posting a comment and recording it. Against the sandbox GitLab over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEvents, listItems } from "@/lib/db/queries";
import { listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import type { AppError } from "@/lib/errors";
import {
  createGitLabTestContext,
  withSandboxGitLab,
  type GitLabTestContext,
} from "@/lib/testing/app-context";
import type { SandboxGitLabNote } from "@/sandbox/gitlab/types";
import { AUDITS_PROJECT } from "@/sandbox/scenarios/gitlab-audits";
import { createClock, type AppContext } from "../context";
import { exportToIssue } from "../export";
import { getPersonDetail } from "../findings";
import { actOnItems, bulkAct } from "../item-actions";
import { openCurrentAudit, startAuditRun } from "../runs";

const START = new Date("2026-11-24T12:00:00Z");
const HOUR = 3_600_000;
/** Real time that passes before a retry: well past the staleness of a claim whose holder died. */
const LATER_MS = 10 * 60_000;

const kinds = await listTestDatabases();

describe.each(kinds)("chase comments posted exactly once ($name)", (kind) => {
  // SQLite serves one app instance; on Postgres every race is split across two.
  const twoInstances = kind.name === "postgres";
  let place: TestDatabase | undefined;
  let t: GitLabTestContext;
  let instances: AppContext[];
  let auditId: string;
  /** People with open findings and a GitLab username: each case chases its own. */
  let people: string[];
  /** `METHOD /path` of every GitLab request the app sent, and what to do when one is sent. */
  let onRequest: (where: string) => void = () => {};

  beforeAll(async () => {
    place = await kind.create();
    t = await createGitLabTestContext(START, {
      database: place.options,
      gitlab: {
        client: {
          // A short timeout, so a held answer costs little.
          timeoutMs: 1_000,
          fetch: (input, init) => {
            onRequest(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
            return fetch(input, init);
          },
        },
      },
    });
    instances = [t.ctx, twoInstances ? await t.openInstance() : t.ctx];
    const id = (await openCurrentAudit(t.ctx, "Theo Marsh")).id;
    const run = await startAuditRun(t.ctx, { auditId: id, actor: "Theo Marsh" });
    await t.ctx.backgroundRuns.get(run.id);
    await exportToIssue(t.ctx, { auditId: id, actor: "Theo Marsh" });
    auditId = id;
    people = [
      ...new Set(
        (await listItems(t.ctx.db, id)).flatMap((i) =>
          i.personKey !== null && i.gitlabUsername !== null && i.state === "open" ? [i.personKey] : [],
        ),
      ),
    ];
    expect(people.length).toBeGreaterThan(10);
  });

  afterAll(async () => {
    onRequest = () => {};
    t.gitlab.setFaults({});
    await t?.close();
    await place?.drop();
  });

  function notes(): SandboxGitLabNote[] {
    const project = t.gitlab.state().projects.find((p) => p.path_with_namespace === AUDITS_PROJECT);
    return project?.issues?.[0]?.notes ?? [];
  }

  function person(index: number): string {
    const found = people[index];
    if (found === undefined) throw new Error(`no person ${index}`);
    return found;
  }

  /** `on` with its wall clock `ms` ahead: real time passed (the demo clock keeps its offset). */
  function later(on: AppContext, ms: number): AppContext {
    const clock = createClock({ adjustable: true, realNow: () => on.clock.wallNow().getTime() + ms });
    clock.advance(on.clock.offsetMs());
    return { ...on, clock };
  }

  const ping = (on: AppContext, personKey: string) =>
    actOnItems(on, { auditId, personKey, action: { type: "ping" }, actor: "Theo Marsh" });

  /** The item events of `action` for the person, and the one comment they all link to. */
  async function chaseEvents(personKey: string, action: string) {
    const events = (await listEvents(t.ctx.db, { auditId })).filter(
      (e) => e.personKey === personKey && e.action === action,
    );
    return { events, urls: new Set(events.map((e) => e.detail?.commentUrl)) };
  }

  it("posts one comment when two people ping the same person at the same moment", async () => {
    for (const personKey of [person(0), person(1)]) {
      const before = notes().length;
      const results = await Promise.allSettled(instances.map((on) => ping(on, personKey)));

      const posted = notes().slice(before);
      expect(posted, `comments posted for ${personKey}`).toHaveLength(1);
      const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      expect(won).toHaveLength(1);
      expect(won[0]?.applied).toBeGreaterThan(0);
      const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason as AppError] : []));
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({
        code: "conflict:item",
        message: expect.stringMatching(/someone else is pinging them right now/i),
      });
      const { events, urls } = await chaseEvents(personKey, "ping");
      expect(events).toHaveLength(won[0]?.applied ?? -1);
      expect([...urls]).toEqual([expect.stringMatching(new RegExp(`#note_${posted[0]?.id}$`))]);
    }
  });

  it("does not post again after GitLab hung past the client's timeout: the retry finds the comment", async () => {
    const personKey = person(2);
    const before = notes().length;
    // GitLab takes the comment, then hangs: every answer from then on is held past the client's timeout.
    onRequest = (where) => {
      if (/^POST .*\/notes$/.test(where)) t.gitlab.setFaults({ timeoutRate: 1, timeoutMs: 5_000 });
    };
    const failed = await ping(instances[0] as AppContext, personKey).then(
      () => null,
      (e: unknown) => e as AppError,
    );
    onRequest = () => {};
    t.gitlab.setFaults({});
    expect(failed?.code).toBe("upstream:gitlab");
    expect(failed?.message).toMatch(/answer to the comment .* was lost, so it may be there/);
    expect(notes().slice(before)).toHaveLength(1);
    expect((await getPersonDetail(t.ctx, auditId, personKey)).items[0]?.state).toBe("open");

    // GitLab answers again. Trying at once may not post a second comment.
    const again = await ping(instances[1] as AppContext, personKey).then(
      () => null,
      (e: unknown) => e as AppError,
    );
    expect(again?.code).toBe("conflict:item");
    expect(notes().slice(before)).toHaveLength(1);

    // Later the retry finds the comment and records it, without posting.
    const outcome = await ping(later(instances[1] as AppContext, LATER_MS), personKey);
    expect(outcome.applied).toBeGreaterThan(0);
    const posted = notes().slice(before);
    expect(posted).toHaveLength(1);
    const { urls } = await chaseEvents(personKey, "ping");
    expect([...urls]).toEqual([expect.stringMatching(new RegExp(`#note_${posted[0]?.id}$`))]);
  });

  it("does not post again after an instance died between posting a comment and recording it", async () => {
    const personKey = person(3);
    const before = notes().length;
    let posted: () => void = () => {};
    const commentPosted = new Promise<void>((resolve) => (posted = resolve));
    // The dying instance: once GitLab has answered its comment, the process is gone (nothing after runs).
    const dying = await withSandboxGitLab(await t.openInstance(), t.gitlab, {
      client: {
        timeoutMs: 1_000,
        fetch: async (input, init) => {
          const answer = await fetch(input, init);
          if (init?.method === "POST" && /\/notes$/.test(new URL(String(input)).pathname)) {
            posted();
            return new Promise<Response>(() => {});
          }
          return answer;
        },
      },
    });
    void ping(dying, personKey).catch(() => {});
    await commentPosted;
    expect(notes().slice(before)).toHaveLength(1);

    // At once, another instance may not post a second one while the dead one's claim looks alive.
    const again = await ping(instances[1] as AppContext, personKey).then(
      () => null,
      (e: unknown) => e as AppError,
    );
    expect(again?.code).toBe("conflict:item");
    expect(notes().slice(before)).toHaveLength(1);

    // Once the claim is stale, the next ping finds the dead instance's comment and records it.
    const outcome = await ping(later(instances[1] as AppContext, LATER_MS), personKey);
    expect(outcome.applied).toBeGreaterThan(0);
    const comments = notes().slice(before);
    expect(comments).toHaveLength(1);
    const { urls } = await chaseEvents(personKey, "ping");
    expect([...urls]).toEqual([expect.stringMatching(new RegExp(`#note_${comments[0]?.id}$`))]);
  });

  it("posts each batch once when two people click Ping all open, and Escalate all due, at the same moment", async () => {
    for (const action of ["ping", "escalate"] as const) {
      if (action === "escalate") t.ctx.clock.advance(73 * HOUR);
      const before = notes().length;
      const results = await Promise.all(
        instances.map((on) => bulkAct(on, { auditId, action, actor: "Theo Marsh" })),
      );

      const posted = notes().slice(before);
      expect(posted, `comments posted by two "${action} all"`).toHaveLength(1);
      const applied = results.map((r) => r.applied);
      expect(Math.min(...applied)).toBe(0);
      expect(Math.max(...applied)).toBeGreaterThan(5);
      const loser = results.find((r) => r.applied === 0);
      expect(loser?.skipped.length).toBe(Math.max(...applied));
      expect(loser?.skipped[0]?.reason).toMatch(/someone else is (pinging|escalating) them right now/i);
      // Each item was chased once, by the one comment.
      const events = (await listEvents(t.ctx.db, { auditId })).filter(
        (e) => e.action === action && String(e.detail?.commentUrl).endsWith(`#note_${posted[0]?.id}`),
      );
      expect(events).toHaveLength(Math.max(...applied));
      expect(new Set(events.map((e) => e.itemId)).size).toBe(events.length);
    }
  });
});
