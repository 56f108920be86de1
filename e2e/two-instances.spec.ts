import { randomBytes } from "node:crypto";
import path from "node:path";
import type { APIResponse, Browser, BrowserContext, Locator, Page } from "@playwright/test";
import { FindingsPage } from "./pages/findings-page";
import { OverviewPage } from "./pages/overview-page";
import { PersonPage } from "./pages/person-page";
import { PEOPLE, expect, postFromPage, restoreSandboxes, signInWithDemo, test } from "./fixtures";
import {
  E2E_CONFIG_PATH,
  E2E_DATA_DIR,
  E2E_POSTGRES_URL,
  buildDemoAppEnv,
  createDatabase,
  dropDatabase,
  probePostgres,
  readServers,
  startDashboard,
  startGate,
  type Gate,
  type RunningDashboard,
} from "./servers";

/**
 * Issue #5: two app instances over one Postgres serve one audit, as two servers behind a load balancer
 * would. Besides the demo's dashboard (SQLite, port 3100) this file starts two more `next start` of the
 * same build on a fresh Postgres database, with the demo's sandboxes, config and one session secret. A is
 * used by Support Operations (Theo Marsh), B by their manager (Sofia Reyes).
 */

const DATABASE = "audit_e2e_instances";
const PORTS = { a: 3101, b: 3102 } as const;
const START_TIMEOUT_MS = 60_000;
const RUN_TIMEOUT_MS = 45_000;

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

interface Instance {
  server: RunningDashboard;
  /** The signed-in session of this instance's user. */
  session: StorageState;
}

const started: { a?: Instance; b?: Instance; database?: boolean; gate?: Gate } = {};

test.beforeAll(async ({ browser, playwright }) => {
  test.setTimeout(START_TIMEOUT_MS + 30_000);
  const unreachable = await probePostgres(E2E_POSTGRES_URL);
  if (unreachable) {
    const message = `Postgres is unreachable at ${redact(E2E_POSTGRES_URL)} (${unreachable.message})`;
    if (process.env.CI === "true")
      throw new Error(`${message}; CI=true requires it.`, { cause: unreachable });
    console.warn(`!! ${message}: the two-instances tests are SKIPPED. With CI=true they fail instead.`);
    test.skip(true, message);
    return;
  }
  const databaseUrl = await createDatabase(E2E_POSTGRES_URL, DATABASE);
  started.database = true;
  const servers = await readServers();
  // Both instances read the demo's sandbox PagerDuty through a gate the run test closes for a while.
  const pagerdutyGate = await startGate(servers.pagerduty);
  started.gate = pagerdutyGate;
  const sessionSecret = randomBytes(32).toString("hex");
  // Both instances look at autopilot's work every second, as two servers of one deployment do.
  const envFor = (port: number) => ({
    ...buildDemoAppEnv({
      appUrl: `http://127.0.0.1:${port}`,
      pagerdutyToken: servers.token,
      pagerdutyUrl: pagerdutyGate.url,
      gitlabToken: servers.gitlabToken,
      slack: { token: servers.slackToken, apiUrl: servers.slackApiUrl },
      configPath: path.resolve(E2E_CONFIG_PATH),
      dataDir: path.resolve(E2E_DATA_DIR),
      sessionSecret,
      databaseUrl,
    }),
    AUDIT_AUTOPILOT_TICK_SECONDS: "1",
  });
  // Both at once, as a deployment starts its servers: each migrates at start, under the migrator's lock.
  const [a, b] = await Promise.all(
    [PORTS.a, PORTS.b].map((port) =>
      startDashboard({ port, env: envFor(port), timeoutMs: START_TIMEOUT_MS }),
    ),
  );
  if (!a || !b) throw new Error("unreachable");
  started.a = { server: a, session: await signIn(browser, a.url, PEOPLE.ops) };
  started.b = { server: b, session: await signIn(browser, b.url, PEOPLE.opsManager) };
  // The sandboxes are the demo's, shared with the other specs: start from the data the demo started with.
  const request = await playwright.request.newContext();
  await restoreSandboxes(request);
  await request.dispose();
});

test.afterAll(async ({}, testInfo) => {
  const servers = [started.a?.server, started.b?.server].filter((s) => s !== undefined);
  await Promise.all(servers.map((server) => server.stop()));
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const server of servers) {
      await testInfo.attach(`server ${server.url}`, { body: server.output(), contentType: "text/plain" });
    }
  }
  await started.gate?.stop();
  if (started.database) await dropDatabase(E2E_POSTGRES_URL, DATABASE);
});

// A test that failed with the gate closed must not leave a run waiting for the next one.
test.afterEach(() => started.gate?.open());

async function signIn(browser: Browser, baseURL: string, person: string): Promise<StorageState> {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    await signInWithDemo(await context.newPage(), person);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

function gate(): Gate {
  if (!started.gate) throw new Error("the gate was not started");
  return started.gate;
}

function instance(name: "a" | "b"): Instance {
  const found = started[name];
  if (!found) throw new Error(`instance ${name.toUpperCase()} was not started`);
  return found;
}

/** A page on instance A (Theo Marsh, Support Operations) and one on B (Sofia Reyes, their manager). */
const it = test.extend<{ a: Page; b: Page }>({
  a: async ({ browser }, use) => {
    const context = await browser.newContext({
      baseURL: instance("a").server.url,
      storageState: instance("a").session,
    });
    await use(await context.newPage());
    await context.close();
  },
  b: async ({ browser }, use) => {
    const context = await browser.newContext({
      baseURL: instance("b").server.url,
      storageState: instance("b").session,
    });
    await use(await context.newPage());
    await context.close();
  },
});

async function expectStatus(response: APIResponse, status: number): Promise<void> {
  expect(response.status(), `${response.url()}: ${await response.text()}`).toBe(status);
}

/** Forgets every audit (through A; both read the same database) and opens the current one; returns its id. */
async function seedOpenAudit(a: Page): Promise<string> {
  await a.goto("/");
  await expectStatus(await postFromPage(a, "/api/demo/reset", {}), 200);
  const opened = await postFromPage(a, "/api/audits", {});
  await expectStatus(opened, 201);
  return ((await opened.json()) as { id: string }).id;
}

/** Waits until the audit's latest run, as `page`'s instance reads it, is complete. */
async function waitForRun(page: Page, auditId: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const response = await page.request.get(`/api/audits/${auditId}/runs/latest`);
        return ((await response.json()) as { status: string } | null)?.status;
      },
      { timeout: RUN_TIMEOUT_MS },
    )
    .toBe("complete");
}

/** An open audit with one complete run, started on A. */
async function seedRunAudit(a: Page): Promise<string> {
  const auditId = await seedOpenAudit(a);
  await expectStatus(await postFromPage(a, `/api/audits/${auditId}/runs`, {}), 202);
  await waitForRun(a, auditId);
  return auditId;
}

it.describe("two app instances on one Postgres", () => {
  it("a session signed on one instance is valid on the other", async ({ browser }) => {
    const context = await browser.newContext({
      baseURL: instance("b").server.url,
      storageState: instance("a").session,
    });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(page.getByText(PEOPLE.ops).first()).toBeVisible();
    await context.close();
  });

  it("an audit opened on A is the audit B shows", async ({ a, b }) => {
    await a.goto("/");
    await expectStatus(await postFromPage(a, "/api/demo/reset", {}), 200);
    const overviewA = new OverviewPage(a);
    await overviewA.goto();
    await b.goto("/");
    const openOnB = b.getByRole("button", { name: /^Open .* audit$/ });
    await expect(openOnB).toBeVisible();
    const name = (await openOnB.textContent())?.match(/^Open (.*) audit$/)?.[1];
    if (!name) throw new Error("the overview names no audit to open");

    await overviewA.openAudit(name);
    await b.reload();
    const card = auditCard(b, name);
    await expect(card.getByRole("heading")).toContainText("In progress");
    await expect(card.getByText(/^Not run yet/)).toBeVisible();
    await expect(card.getByRole("button", { name: "Run audit" })).toBeEnabled();
    await expect(openOnB).toBeHidden();
  });

  it("one run at a time across both, and B follows the run while it runs", async ({ a, b }) => {
    const auditId = await seedOpenAudit(a);
    await b.goto("/");
    await expect(auditCard(b).getByText(/^Not run yet\. Run the audit/)).toBeVisible();

    // PagerDuty does not answer until the gate opens: the run that starts stays running meanwhile.
    gate().close();
    const path = `/api/audits/${auditId}/runs`;
    const answers = await Promise.all([postFromPage(a, path, {}), postFromPage(b, path, {})]);
    expect(answers.map((r) => r.status()).sort()).toEqual([202, 409]);
    const refused = answers.find((r) => r.status() === 409);
    expect(((await refused?.json()) as { error: { code: string } }).error.code).toBe("conflict:run");
    const run = (await answers.find((r) => r.status() === 202)?.json()) as { startedBy: string };
    await expect.poll(() => gate().waiting()).toBeGreaterThan(0);

    // B finds the run in the database, whichever instance runs it, and shows its progress.
    await b.reload();
    const card = auditCard(b);
    await expect(card.getByRole("progressbar", { name: "Audit run progress" })).toBeVisible();
    await expect(card.getByText("Running", { exact: true })).toBeVisible();
    await expect(card.getByText(`by ${run.startedBy}`)).toBeVisible();
    await expect(card.getByRole("button", { name: "Run audit" })).toBeDisabled();
    // Still one at a time while it runs, whoever asks.
    for (const page of [a, b]) {
      const again = await postFromPage(page, path, {});
      await expectStatus(again, 409);
    }

    gate().open();
    // B polls the run it shows: it sees the run end without a reload.
    await expect(card.getByText(/Last run .*complete/i)).toBeVisible({ timeout: RUN_TIMEOUT_MS });
    await expect(card.getByRole("progressbar")).toBeHidden();
    await a.reload();
    await expect(auditCard(a).getByText(/Last run .*complete/i)).toBeVisible();
    const findingsOnB = await card.getByText(/^\d+ findings?$/).textContent();
    await expect(auditCard(a).getByText(/^\d+ findings?$/)).toHaveText(findingsOnB ?? "");
  });

  it("a ping sent on B is in A's ping history", async ({ a, b }) => {
    const auditId = await seedRunAudit(a);
    // Pings are comments on the audit's GitLab issue.
    await expectStatus(await postFromPage(a, `/api/audits/${auditId}/export`, {}), 200);
    await a.goto(`/audits/${auditId}/findings?q=Amara`);
    await new FindingsPage(a).openPerson("Amara Okafor");
    const pinged = new PersonPage(a).timelineEntry("Pinged");
    await expect(pinged).toHaveCount(0);

    await b.goto(new URL(a.url()).pathname);
    await new PersonPage(b).ping();

    await a.reload();
    await expect(pinged).toHaveCount(1);
    await expect(pinged).toContainText(PEOPLE.opsManager);
  });

  it("autopilot on both instances escalates a due finding once", async ({ a, b, request }) => {
    const auditId = await seedRunAudit(a);
    const exported = await postFromPage(a, `/api/audits/${auditId}/export`, {});
    await expectStatus(exported, 200);
    const { iid } = (await exported.json()) as { iid: number };
    await a.goto(`/audits/${auditId}/findings?q=Amara`);
    await new FindingsPage(a).openPerson("Amara Okafor");
    await new PersonPage(a).ping();
    await expectStatus(await postFromPage(a, `/api/audits/${auditId}/autopilot`, { on: true }), 200);

    // Each instance keeps its own demo clock: move both a week on, past the follow-up (72 hours of the
    // working week), and both tick every second.
    for (const page of [a, b]) {
      await page.goto("/");
      await expectStatus(await postFromPage(page, "/api/demo/clock", { hours: 7 * 24 }), 200);
    }
    const servers = await readServers();
    const escalations = async () => {
      const response = await request.get(`${servers.gitlab}/__sandbox/state`, {
        headers: { "private-token": servers.gitlabToken },
      });
      const state = (await response.json()) as {
        projects: { issues?: { iid: number; notes?: { body: string }[] }[] }[];
      };
      const issue = state.projects.flatMap((p) => p.issues ?? []).find((i) => i.iid === iid);
      return (issue?.notes ?? []).filter((n) => n.body.startsWith("No reply to the pings linked")).length;
    };
    await expect.poll(escalations, { timeout: 20_000 }).toBe(1);
    // Both instances have looked since (their pages show it escalated); still one comment.
    for (const page of [a, b]) {
      await page.goto(`/audits/${auditId}/findings?q=Amara`);
      await new FindingsPage(page).openPerson("Amara Okafor");
      await expect(
        new PersonPage(page).timelineEntry("Escalated to their manager and the Support Ops Manager"),
      ).toContainText("by Autopilot");
    }
    expect(await escalations()).toBe(1);
  });

  it("a finding marked intentional on A has that status on B's findings page", async ({ a, b }) => {
    const auditId = await seedRunAudit(a);
    await b.goto(`/audits/${auditId}/findings?q=Olivia`);
    const olivia = new FindingsPage(b).row("Olivia Grant");
    await expect(statusCell(olivia)).toHaveText("Open", { useInnerText: true });

    await a.goto(`/audits/${auditId}/findings?q=Olivia`);
    await new FindingsPage(a).openPerson("Olivia Grant");
    await new PersonPage(a).markIntentional(
      "Seat is moving to her new account this week; tracked in the access request.",
    );

    // Her only finding is resolved: the row has nothing left to address, and the finding says why.
    await b.reload();
    await expect(statusCell(olivia)).toHaveText("Addressed", { useInnerText: true });
    await expect(olivia.getByRole("cell").last()).toHaveText("Nothing due", { useInnerText: true });
    await new FindingsPage(b).openPerson("Olivia Grant");
    await expect(new PersonPage(b).status("Intentional")).toBeVisible();
  });
});

/** The overview's card of the current audit (named `name` when given). */
function auditCard(page: Page, name?: string): Locator {
  return page.locator("section").filter({
    has: page.getByRole("heading", { name: new RegExp(`^${name ?? "\\S+"} audit\\b`) }),
  });
}

/**
 * The Status cell of a findings table row (the fifth column). Read its text as shown (`useInnerText`): the
 * label a phone's card shows above the value is in the cell too, hidden at table width.
 */
function statusCell(row: Locator): Locator {
  return row.getByRole("cell").nth(4);
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
