import {
  test as base,
  expect,
  type APIRequestContext,
  type APIResponse,
  type BrowserContext,
  type Page,
} from "@playwright/test";
import type { GitLabSandboxState, SandboxGitLabIssue } from "../sandbox/gitlab/types";
import { AUDITS_PROJECT } from "../sandbox/scenarios/gitlab-audits";
import { OverviewPage } from "./pages/overview-page";
import { readInitialPagerDutyState, readServers, type Servers } from "./servers";

/** The audit the demo's date falls in (fiscal year from 1 February). */
export const CURRENT_AUDIT = "FY27-Q3";

/** Demo-org people per role (see sandbox/scenarios/demo-org.ts). */
export const PEOPLE = {
  opsManager: "Sofia Reyes",
  ops: "Theo Marsh",
  member: "Jamal Carter",
  /** A team member the demo audit finds something to fix for. */
  chased: "Chloe Park",
  /** Chloe's manager. */
  manager: "Hannah Lindqvist",
} as const;

export type Role = keyof typeof PEOPLE;

export function storageStateOf(role: Role): string {
  return `e2e/.auth/${role}.json`;
}

/** Control of the demo: reset the dashboard, move its clock, change what the sandbox PagerDuty serves. */
export interface Demo {
  /**
   * Forgets every audit, puts the clock back, and restores the sandbox PagerDuty's and GitLab's seed data.
   * The dashboard takes the reset from Support Operations only: `on` (default: the test's page) must be
   * signed in as ops or the ops manager.
   */
  reset(on?: Page): Promise<void>;
  /** `reset`, then opens the current period's audit on `on` (default: the test's page) and runs it. */
  freshAudit(on?: Page): Promise<OverviewPage>;
  advanceClock(hours: number): Promise<void>;
  /** Applies a change to the sandbox's data (as someone fixing their PagerDuty account would). */
  changePagerDuty(change: (state: SandboxState) => void): Promise<void>;
}

/** The sandbox GitLab's audits project, where "Export to issue" writes: read it, and act in it as people do. */
export interface GitLab {
  /** The audits project's issues as the sandbox holds them now, oldest first, with their comments. */
  auditIssues(): Promise<SandboxGitLabIssue[]>;
  /** Comments on an audit issue as `username` (someone replying to a ping); returns the comment's id. */
  reply(iid: number, username: string, body: string): Promise<number>;
  /** Rewrites an audit issue's description through GitLab's API, as someone editing the issue would. */
  editDescription(iid: number, description: string): Promise<void>;
}

export interface SandboxState {
  users: { id: string; name: string; email: string }[];
  schedules: (
    | { kind: "v2"; id: string; name: string; layers: { end: string | null; user_ids: string[] }[] }
    | {
        kind: "v3";
        id: string;
        name: string;
        rotations: { events: { effective_until: string | null; member_user_ids: (string | null)[] }[] }[];
      }
  )[];
}

/** A PagerDuty change: `name` joins the current event of the Customer Emergencies - APAC schedule. */
export function addToApacSchedule(name: string): (state: SandboxState) => void {
  return (state) => {
    const user = state.users.find((u) => u.name === name);
    const apac = state.schedules.find((s) => s.kind === "v3" && s.name.includes("APAC"));
    if (!user || apac?.kind !== "v3") throw new Error("the demo org changed");
    apac.rotations[0]?.events.find((e) => e.effective_until === null)?.member_user_ids.push(user.id);
  };
}

/** A POST from the signed-in page, with its origin, as the dashboard's own forms send it. */
export async function postFromPage(page: Page, path: string, body: unknown): Promise<APIResponse> {
  return page.request.post(path, {
    data: body,
    headers: { origin: new URL(page.url() || "http://127.0.0.1").origin },
  });
}

async function post(page: Page, path: string, body: unknown): Promise<void> {
  const response = await postFromPage(page, path, body);
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
}

async function expectOk(response: APIResponse): Promise<void> {
  expect(response.ok(), `${response.url()}: ${response.status()} ${await response.text()}`).toBe(true);
}

/**
 * The demo's controls acting through `page` (signed in as ops or the ops manager for `reset`) against the
 * dashboard at `baseURL`; the `demo` fixture is this for the test's page.
 */
export function demoOn(page: Page, baseURL: string): Demo {
  const sandboxHeaders = (servers: Servers) => ({ authorization: `Token token=${servers.token}` });
  const demo: Demo = {
    async reset(on = page) {
      const servers = await readServers();
      await on.goto("/");
      await post(on, `${baseURL}/api/demo/reset`, {});
      const initial = await readInitialPagerDutyState();
      await expectOk(
        await page.request.put(`${servers.pagerduty}/__sandbox/state`, {
          data: initial,
          headers: sandboxHeaders(servers),
        }),
      );
      await expectOk(
        await page.request.post(`${servers.gitlab}/__sandbox/reset`, {
          headers: { "private-token": servers.gitlabToken },
        }),
      );
      await expectOk(await page.request.post(`${servers.slack}/__sandbox/reset`));
    },
    async freshAudit(on = page) {
      await demo.reset(on);
      const overview = new OverviewPage(on);
      await overview.openAndRunAudit(CURRENT_AUDIT);
      return overview;
    },
    async advanceClock(hours) {
      await post(page, `${baseURL}/api/demo/clock`, { hours });
    },
    async changePagerDuty(change) {
      const servers = await readServers();
      const state = (await (
        await page.request.get(`${servers.pagerduty}/__sandbox/state`, { headers: sandboxHeaders(servers) })
      ).json()) as SandboxState;
      change(state);
      await expectOk(
        await page.request.put(`${servers.pagerduty}/__sandbox/state`, {
          data: state,
          headers: sandboxHeaders(servers),
        }),
      );
    },
  };
  return demo;
}

export const test = base.extend<{
  demo: Demo;
  gitlab: GitLab;
  role: Role;
  /** A page signed in as another role, in its own browser context (closed after the test). */
  pageAs: (role: Role) => Promise<Page>;
}>({
  role: ["ops", { option: true }],
  storageState: async ({ role }, use) => {
    await use(storageStateOf(role));
  },
  demo: async ({ page, baseURL }, use) => {
    await use(demoOn(page, baseURL ?? ""));
  },
  gitlab: async ({ request }, use) => {
    const servers = await readServers();
    const headers = { "private-token": servers.gitlabToken };
    const project = encodeURIComponent(AUDITS_PROJECT);
    const gitlab: GitLab = {
      async auditIssues() {
        const response = await request.get(`${servers.gitlab}/__sandbox/state`, { headers });
        await expectOk(response);
        const state = (await response.json()) as GitLabSandboxState;
        const audits = state.projects.find((p) => p.path_with_namespace === AUDITS_PROJECT);
        if (!audits) throw new Error(`the sandbox GitLab has no ${AUDITS_PROJECT} project`);
        return audits.issues ?? [];
      },
      async reply(iid, username, body) {
        const response = await request.post(
          `${servers.gitlab}/__sandbox/projects/${project}/issues/${iid}/notes`,
          { data: { username, body }, headers },
        );
        await expectOk(response);
        return ((await response.json()) as { id: number }).id;
      },
      async editDescription(iid, description) {
        await expectOk(
          await request.put(`${servers.gitlab}/api/v4/projects/${project}/issues/${iid}`, {
            data: { description },
            headers,
          }),
        );
      },
    };
    await use(gitlab);
  },
  pageAs: async ({ browser, baseURL }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (role) => {
      const context = await browser.newContext({ storageState: storageStateOf(role), baseURL });
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

export { expect };

/** Signs `page` in as `person` through the demo sign-in page of its context's dashboard. */
export async function signInWithDemo(page: Page, person: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: new RegExp(`^Sign in as ${person}`) }).click();
  await expect(page.getByRole("navigation")).toBeVisible();
  await expect(page.getByText(person).first()).toBeVisible();
}

/** Puts the sandbox PagerDuty and GitLab back to the data the demo started with (another spec may have changed it). */
export async function restoreSandboxes(request: APIRequestContext): Promise<void> {
  const servers = await readServers();
  await expectOk(
    await request.put(`${servers.pagerduty}/__sandbox/state`, {
      data: await readInitialPagerDutyState(),
      headers: { authorization: `Token token=${servers.token}` },
    }),
  );
  await expectOk(
    await request.post(`${servers.gitlab}/__sandbox/reset`, {
      headers: { "private-token": servers.gitlabToken },
    }),
  );
}
