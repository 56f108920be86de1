import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import type { AuditReport, FindingCode, RotationCoverage } from "@/lib/audit/types";
import { FINDING_CODES } from "@/lib/audit/types";
import type { SessionUser } from "@/lib/auth/roles";
import { TEST_ROSTER, sessionUserOf } from "@/lib/auth/testing";
import { openDatabase, type OpenedDatabase } from "@/lib/db/client";
import {
  createAudit,
  deleteAllAudits,
  finishRun,
  listAudits,
  listEvents,
  listItems,
  listRuns,
  setAuditStatus,
  signOffAudit,
  startRun,
  type Audit,
  type NewItem,
} from "@/lib/db/queries";
import { AppError, statusForError } from "@/lib/errors";
import { buildRoster } from "@/lib/roster/parse";
import type { RosterPerson } from "@/lib/roster/schema";
import { rejectedAppError, thrownAppError } from "@/lib/testing/errors";
import { AuditConfigSchema, type AuditConfig } from "@/lib/config/schema";
import { createGitLabClient } from "@/lib/gitlab/client";
import { createClock, type AppContext } from "@/lib/service/context";
import { readDemoClock } from "@/lib/service/demo";
import { exportToIssue } from "@/lib/service/export";
import { getPersonDetail } from "@/lib/service/findings";
import { getScheduleCoverage } from "@/lib/service/schedules";
import { startGitLabSandbox } from "@/sandbox/gitlab/server";
import type { GitLabSandbox } from "@/sandbox/gitlab/types";
import { isPostedChaseAction } from "@/lib/workflow/chase";
import { DEFAULT_WORKFLOW_SETTINGS, type ItemState, type UserActionInput } from "@/lib/workflow/types";
import * as audits from "@/app/api/audits/route";
import * as bulk from "@/app/api/audits/[auditId]/bulk/route";
import * as issueExport from "@/app/api/audits/[auditId]/export/route";
import * as people from "@/app/api/audits/[auditId]/people/route";
import * as personActions from "@/app/api/audits/[auditId]/people/[personKey]/actions/route";
import * as personActionPreview from "@/app/api/audits/[auditId]/people/[personKey]/actions/preview/route";
import * as replies from "@/app/api/audits/[auditId]/replies/route";
import * as autopilot from "@/app/api/audits/[auditId]/autopilot/route";
import * as personAutopilot from "@/app/api/audits/[auditId]/people/[personKey]/autopilot/route";
import * as review from "@/app/api/audits/[auditId]/review/route";
import * as runs from "@/app/api/audits/[auditId]/runs/route";
import * as latestRun from "@/app/api/audits/[auditId]/runs/latest/route";
import * as sendBack from "@/app/api/audits/[auditId]/send-back/route";
import * as signOff from "@/app/api/audits/[auditId]/sign-off/route";
import * as demoClock from "@/app/api/demo/clock/route";
import * as demoReset from "@/app/api/demo/reset/route";
import * as overview from "@/app/api/overview/route";
import type { RouteHandler, RouteParams } from "./handler";

// `server-only` throws outside a React Server Components build.
vi.mock("server-only", () => ({}));

/**
 * Who is signed in and which roster is served, for one call (`routesAs`). Scoped to the call, as Next
 * scopes the session to its request, so calls made at once as different people cannot see each other's.
 */
const requestScope = new AsyncLocalStorage<{ user: SessionUser | null; roster: readonly RosterPerson[] }>();

// The `route.ts` files call the app's `apiHandler`; here it is the same wrapper built with this test's
// session, roster, database and demo switch.
vi.mock(import("./handler"), async (importOriginal) => {
  const handler = await importOriginal();
  return {
    ...handler,
    apiHandler: handler.createApiHandler({
      getSessionUser: async () => requestScope.getStore()?.user ?? null,
      getRoster: async () => requestScope.getStore()?.roster ?? [],
      getAppContext: async () => ctx,
      isDemoMode: () => demoMode,
      publicOrigins: () => [SITE],
      logError: (message: string, error: unknown) => logError(message, error),
    }),
  };
});

const SITE = "https://audit.example.com";
const NOW = Date.parse("2026-11-24T12:00:00Z");
const HOUR = 3_600_000;
/**
 * How long ago an item entered its state for its 72-hour timer to have passed: a week, since without a
 * `working_time` section the timers count on the working week (Monday to Friday, UTC).
 */
const TIMER_PASSED = 7 * 24;
const SAM = "sam@example.com";
/** A schedule member PagerDuty knows and the roster does not. */
const STRANGER = "pd:PSTRANGE";

const USERS = {
  anonymous: null,
  member: sessionUserOf("Ana Lima"),
  "the person (a member)": sessionUserOf("Sam Rivera"),
  "their manager": sessionUserOf("Lee Park"),
  "their manager's manager": sessionUserOf("Mia Chen"),
  "another manager": sessionUserOf("Yara Bell"),
  ops: sessionUserOf("Omar Haddad"),
  "ops manager": sessionUserOf("Olivia Grant"),
} satisfies Record<string, SessionUser | null>;
type UserName = keyof typeof USERS;
const USER_NAMES = Object.keys(USERS) as UserName[];

let dir: string;
let opened: OpenedDatabase;
let ctx: AppContext;
let demoMode = true;
/** What the background part of a run does first; a run started in a test fails here, or waits. */
const noConfig = async (): Promise<AuditConfig> => {
  throw new AppError("invalid:config", "No PagerDuty in these tests.");
};
let loadConfig: () => Promise<AuditConfig> = noConfig;
/** Whether the context serves TEST_ROSTER as the loaded roster (for a hand-over's mentions). */
let rosterLoaded = false;
const GITLAB_TOKEN = "glpat-routes-test";
/** The token the app's GitLab client sends; a test may put a revoked one here. */
let gitlabToken = GITLAB_TOKEN;
const AUDITS_PROJECT = "support/audits";
let gitlab: GitLabSandbox;

/** A config whose `gitlab` section points at the sandbox GitLab's audits project (`withGitLab`), or none. */
function exportConfig(withGitLab: boolean): AuditConfig {
  return AuditConfigSchema.parse({
    roster: { path: "team.yaml" },
    rotations: [{ id: "amer-east", name: "AMER East", schedules: ["PSCHE01"], members: { field: "x" } }],
    ...(withGitLab ? { gitlab: { url: gitlab.url, project: AUDITS_PROJECT } } : {}),
  });
}
const logError = vi.fn();

beforeAll(async () => {
  gitlab = await startGitLabSandbox({
    users: [
      { id: 1, username: "audit-bot", name: "Audit Bot", token: GITLAB_TOKEN },
      // Whom a ping or an escalation of Sam mentions: Sam and his manager (not Olivia Grant, the Support
      // Operations Manager, who is no user here: her mention is written inert, with a warning).
      ...["srivera", "lpark"].map((username, i) => ({ id: i + 2, username, name: username })),
    ],
    projects: [
      {
        id: 7,
        path_with_namespace: AUDITS_PROJECT,
        issue_templates: { Pagerduty: "## Checklist\n\n- [ ] Run\n\n## Notes\n\n## Sign-off\n" },
      },
    ],
  });
  dir = await mkdtemp(path.join(tmpdir(), "audit-api-"));
  opened = await openDatabase({ dataDir: dir, databaseUrl: null });
  ctx = {
    db: opened.db,
    clock: createClock({ adjustable: true, realNow: () => NOW }),
    workflow: DEFAULT_WORKFLOW_SETTINGS,
    loadConfig: () => loadConfig(),
    loadRoster: async () => {
      if (!rosterLoaded) throw new Error("not used");
      const entries = TEST_ROSTER.map((person, index) => ({
        person,
        location: { file: "team.yaml", index, line: index * 6 + 1 },
      }));
      return buildRoster("team.yaml", entries, "x");
    },
    createPagerDutyClient: () => {
      throw new Error("not used");
    },
    createGitLabClient: (config) =>
      config.gitlab
        ? createGitLabClient({ baseUrl: config.gitlab.url, token: gitlabToken, maxRetries: 0 })
        : null,
    staleRunAfterMs: 60_000,
    backgroundRuns: new Map(),
    log: () => {},
  };
});

afterEach(async () => {
  await Promise.all(ctx.backgroundRuns.values());
  demoMode = true;
  loadConfig = noConfig;
  rosterLoaded = false;
  gitlabToken = GITLAB_TOKEN;
  // Every answer in these tests is an expected one; none may have been a logged server error.
  expect(logError).not.toHaveBeenCalled();
});

afterAll(async () => {
  await gitlab.stop();
  await opened.close();
  await rm(dir, { recursive: true, force: true });
});

/** The `route.ts` modules under test, by the name the tests call them. */
const ROUTES = {
  overview,
  audits,
  runs,
  latestRun,
  people,
  personActions,
  personActionPreview,
  bulk,
  signOff,
  review,
  sendBack,
  replies,
  issueExport,
  demoClock,
  demoReset,
  autopilot,
  personAutopilot,
};
/** Each module's handlers (`GET`, `POST`), without its route segment config. */
type ApiRoutes = { [Name in keyof typeof ROUTES]: Omit<(typeof ROUTES)[Name], "dynamic"> };

/** The app's route handlers, with this test's database and the given signed-in user and roster. */
function routesAs(user: SessionUser | null, roster: readonly RosterPerson[] = TEST_ROSTER): ApiRoutes {
  const signedIn =
    (handler: RouteHandler): RouteHandler =>
    (request, context) =>
      requestScope.run({ user, roster }, () => handler(request, context));
  const routes = Object.entries(ROUTES).map(([name, route]) => [
    name,
    Object.fromEntries(
      Object.entries(route).flatMap(([method, handler]) =>
        typeof handler === "function" ? [[method, signedIn(handler)]] : [],
      ),
    ),
  ]);
  return Object.fromEntries(routes) as ApiRoutes;
}

function post(pathname: string, body?: unknown, origin: string | null = SITE): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (origin !== null) headers.origin = origin;
  return new Request(`${SITE}${pathname}`, {
    method: "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const get = (pathname: string) => new Request(`${SITE}${pathname}`);
const paramsOf = (params: RouteParams = {}) => ({ params: Promise.resolve(params) });

const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
  }),
});

async function errorOf(response: Response) {
  return ErrorBodySchema.parse(await response.json()).error;
}

// ---------------------------------------------------------------------------------------------------------
// Seeding: an audit with items in the states an action needs, written straight to the database.

function itemOf(
  personKey: string,
  state: ItemState,
  hoursAgo: number,
  code: FindingCode = "missing_from_schedule",
): NewItem {
  const inRoster = !personKey.startsWith("pd:");
  const name = TEST_ROSTER.find((p) => p.email === personKey)?.name ?? "Stranger Danger";
  return {
    key: `${code}|${personKey}|PSCHE01|amer-east`,
    code,
    severity: "error",
    personKey,
    personName: name,
    personEmail: inRoster ? personKey : null,
    gitlabUsername: inRoster ? "srivera" : null,
    managerName: inRoster ? "Lee Park" : null,
    region: "AMER-E",
    scheduleId: "PSCHE01",
    scheduleName: "AMER East",
    rotation: "amer-east",
    message: `${name} is on none of AMER East's schedules`,
    evidence: { roster: ["amer-east"] },
    state,
    stateChangedAt: new Date(NOW - hoursAgo * HOUR).toISOString(),
    justification: state === "intentional" ? "Parental leave until January." : null,
  };
}

const COVERAGE: RotationCoverage[] = [
  {
    rotation: "amer-east",
    name: "AMER East on-call",
    expected: [{ name: "Sam Rivera", email: SAM, pagerdutyId: "PSAM" }],
    schedules: [{ id: "PSCHE01", name: "AMER East", kind: "v2", status: "read", members: [] }],
  },
];

function reportWith(coverage: RotationCoverage[]): AuditReport {
  const byCode = Object.fromEntries(FINDING_CODES.map((code) => [code, 0])) as Record<FindingCode, number>;
  return {
    version: 1,
    complete: true,
    errors: [],
    generatedAt: new Date(NOW).toISOString(),
    findings: [],
    summary: {
      rosterPeople: TEST_ROSTER.length,
      exemptPeople: 1,
      auditedPeople: TEST_ROSTER.length - 1,
      peopleWithFindings: 2,
      findings: 2,
      byCode,
      bySeverity: { error: 2, warning: 0 },
      rotations: 1,
      schedules: { configured: 1, read: 1, missing: 0, failed: 0 },
    },
    coverage,
  };
}

/**
 * Forgets everything and puts the clock back; then, unless `audit: false`, one audit of FY27-Q3. With
 * `exported`, GitLab is configured, the roster loaded and the audit exported to its issue: ready to ping.
 */
async function seed(
  options: {
    audit?: boolean;
    state?: ItemState;
    hoursAgo?: number;
    people?: readonly string[];
    /** The finding of each person key's item; default `missing_from_schedule`. */
    codes?: Readonly<Record<string, FindingCode>>;
    exported?: boolean;
  } = {},
): Promise<Audit | null> {
  await deleteAllAudits(ctx.db);
  ctx.clock.advance(-ctx.clock.offsetMs());
  if (options.audit === false) return null;
  // An hour before the clock's now, so a run a test starts is the latest by start time.
  const now = new Date(NOW - HOUR);
  const audit = await createAudit(ctx.db, {
    name: "FY27-Q3",
    fiscalYear: 2027,
    quarter: 3,
    opensOn: "2026-08-01",
    dueOn: "2026-10-31",
    createdBy: "Omar Haddad",
    now,
  });
  const run = await startRun(ctx.db, {
    auditId: audit.id,
    startedBy: "Omar Haddad",
    now,
    wallNow: now,
    staleAfterMs: HOUR,
  });
  const state = options.state ?? "open";
  const hoursAgo = options.hoursAgo ?? 1;
  await finishRun(ctx.db, {
    runId: run.id,
    status: "complete",
    report: reportWith(COVERAGE),
    inputs: null,
    error: null,
    now,
    items: {
      insert: (options.people ?? [SAM, STRANGER]).map((key) =>
        itemOf(key, state, hoursAgo, options.codes?.[key]),
      ),
      update: [],
    },
    events: [],
  });
  if (!options.exported) return audit;
  loadConfig = async () => exportConfig(true);
  rosterLoaded = true;
  return (await exportToIssue(ctx, { auditId: audit.id, actor: "Omar Haddad" })).audit;
}

function requireAudit(audit: Audit | null): Audit {
  if (!audit) throw new Error("this case needs an audit");
  return audit;
}

/** What a refused request must leave as it was. */
async function snapshot() {
  const audits = await listAudits(ctx.db);
  const perAudit = await Promise.all(
    audits.map(async (audit) => ({
      audit,
      runs: await listRuns(ctx.db, audit.id),
      items: (await listItems(ctx.db, audit.id)).map((i) => [i.key, i.state, i.stateChangedAt]),
      events: (await listEvents(ctx.db, { auditId: audit.id })).length,
    })),
  );
  return { perAudit, clockOffset: ctx.clock.offsetMs() };
}

const personPath = (auditId: string, personKey: string) =>
  `/api/audits/${encodeURIComponent(auditId)}/people/${encodeURIComponent(personKey)}`;

function personAction(auditId: string, personKey: string, action: UserActionInput) {
  return (routes: ApiRoutes) =>
    routes.personActions.POST(
      post(`${personPath(auditId, personKey)}/actions`, { action }),
      paramsOf({ auditId, personKey }),
    );
}

// ---------------------------------------------------------------------------------------------------------
// The permission matrix: every mutating route × every kind of user.

type Expected = Record<UserName, number>;

/** Audit-level work (open, run, bulk, demo clock): Support Operations only. */
const opsOnly = (ok: number): Expected => ({
  anonymous: 401,
  member: 403,
  "the person (a member)": 403,
  "their manager": 403,
  "their manager's manager": 403,
  "another manager": 403,
  ops: ok,
  "ops manager": ok,
});

/** One person's items: Support Operations and the person's managers, direct or not; not the person. */
const opsAndTheirManagers = (ok: number): Expected => ({
  ...opsOnly(ok),
  "their manager": ok,
  "their manager's manager": ok,
});

interface MutationCase {
  route: string;
  /** The state the request starts from. */
  seed: () => Promise<Audit | null>;
  send: (audit: Audit | null) => (routes: ApiRoutes) => Promise<Response>;
  expected: Expected;
  /** What a successful answer holds. */
  body: (audit: Audit | null) => Record<string, unknown>;
}

const IN_A_MONTH = "2026-12-24";

const MUTATIONS: MutationCase[] = [
  {
    route: "POST /api/audits",
    seed: () => seed({ audit: false }),
    send: () => (routes) => routes.audits.POST(post("/api/audits"), paramsOf()),
    expected: opsOnly(201),
    body: () => ({ name: "FY27-Q3", status: "open" }),
  },
  {
    route: "POST …/runs",
    seed: () => seed(),
    send: (audit) => (routes) => {
      const auditId = requireAudit(audit).id;
      return routes.runs.POST(post(`/api/audits/${auditId}/runs`), paramsOf({ auditId }));
    },
    expected: opsOnly(202),
    body: (audit) => ({ auditId: audit?.id, status: "running" }),
  },
  ...(
    [
      [{ type: "ping" }, "open", 1],
      [{ type: "escalate" }, "pinged", TIMER_PASSED],
      [{ type: "record_dm" }, "escalated", TIMER_PASSED],
      [{ type: "mark_intentional", justification: "Covers AMER East from the EMEA schedule." }, "open", 1],
      [{ type: "waive", until: IN_A_MONTH, justification: "On leave until the new year." }, "pinged", 1],
      [{ type: "reopen" }, "intentional", 1],
    ] satisfies [UserActionInput, ItemState, number][]
  ).map(([action, state, hoursAgo]): MutationCase => ({
    route: `POST …/actions ${action.type}`,
    // A ping or an escalation is posted on the audit's issue.
    seed: () => seed({ state, hoursAgo, exported: isPostedChaseAction(action.type) }),
    send: (audit) => personAction(requireAudit(audit).id, SAM, action),
    expected: opsAndTheirManagers(200),
    body: () => ({
      applied: 1,
      skipped: [],
      conflicts: 0,
      warnings: action.type === "escalate" ? [expect.stringMatching(/^ogrant is not a user/)] : [],
    }),
  })),
  {
    route: "POST …/bulk ping",
    seed: () => seed({ state: "open", exported: true }),
    send: (audit) => (routes) => {
      const auditId = requireAudit(audit).id;
      return routes.bulk.POST(post(`/api/audits/${auditId}/bulk`, { action: "ping" }), paramsOf({ auditId }));
    },
    expected: opsOnly(200),
    body: () => ({ applied: 2 }),
  },
  {
    route: "POST …/bulk escalate",
    seed: () => seed({ state: "pinged", hoursAgo: TIMER_PASSED, exported: true }),
    send: (audit) => (routes) => {
      const auditId = requireAudit(audit).id;
      return routes.bulk.POST(
        post(`/api/audits/${auditId}/bulk`, { action: "escalate" }),
        paramsOf({ auditId }),
      );
    },
    expected: opsOnly(200),
    body: () => ({ applied: 2 }),
  },
  {
    route: "POST …/export",
    seed: () => {
      loadConfig = async () => exportConfig(true);
      return seed();
    },
    send: (audit) => (routes) => {
      const auditId = requireAudit(audit).id;
      return routes.issueExport.POST(post(`/api/audits/${auditId}/export`), paramsOf({ auditId }));
    },
    expected: opsOnly(200),
    body: () => ({
      created: true,
      audit: { issueUrl: expect.stringContaining(`${AUDITS_PROJECT}/-/issues/`) },
    }),
  },
  {
    route: "POST …/review",
    seed: () => seed(),
    send: (audit) => (routes) => {
      const auditId = requireAudit(audit).id;
      return routes.review.POST(post(`/api/audits/${auditId}/review`), paramsOf({ auditId }));
    },
    expected: opsOnly(200),
    body: () => ({ status: "in_review" }),
  },
  {
    route: "POST …/autopilot",
    seed: () => seed(),
    send: (audit) => (routes) => {
      const auditId = requireAudit(audit).id;
      return routes.autopilot.POST(
        post(`/api/audits/${auditId}/autopilot`, { on: true }),
        paramsOf({ auditId }),
      );
    },
    expected: opsOnly(200),
    body: () => ({ autopilot: true }),
  },
  {
    route: "POST …/people/…/autopilot",
    seed: () => seed(),
    send: (audit) => (routes) => {
      const auditId = requireAudit(audit).id;
      return routes.personAutopilot.POST(
        post(`${personPath(auditId, SAM)}/autopilot`, { paused: true }),
        paramsOf({ auditId, personKey: SAM }),
      );
    },
    expected: opsOnly(200),
    body: () => ({ paused: true }),
  },
  {
    route: "POST …/send-back",
    seed: async () => {
      const audit = await seed();
      await setAuditStatus(ctx.db, {
        auditId: requireAudit(audit).id,
        expectedStatus: "open",
        status: "in_review",
        actor: "Omar Haddad",
        now: new Date(NOW),
      });
      return audit;
    },
    send: (audit) => (routes) => {
      const auditId = requireAudit(audit).id;
      return routes.sendBack.POST(
        post(`/api/audits/${auditId}/send-back`, { comment: "Chase the two people in APAC first." }),
        paramsOf({ auditId }),
      );
    },
    expected: { ...opsOnly(403), "ops manager": 200 },
    body: () => ({ status: "open" }),
  },
  {
    route: "POST …/sign-off",
    seed: () => seed({ state: "intentional" }),
    send: (audit) => (routes) => {
      const auditId = requireAudit(audit).id;
      return routes.signOff.POST(post(`/api/audits/${auditId}/sign-off`, {}), paramsOf({ auditId }));
    },
    expected: { ...opsOnly(403), "ops manager": 200 },
    body: () => ({ status: "signed_off", signedOffBy: "Olivia Grant" }),
  },
  {
    route: "POST /api/demo/clock",
    seed: () => seed(),
    send: () => (routes) => routes.demoClock.POST(post("/api/demo/clock", { hours: 24 }), paramsOf()),
    expected: opsOnly(200),
    body: () => ({ offsetHours: 24, now: "2026-11-25T12:00:00.000Z" }),
  },
  {
    route: "POST /api/demo/reset",
    seed: () => seed(),
    send: () => (routes) => routes.demoReset.POST(post("/api/demo/reset"), paramsOf()),
    // Forgetting every audit is Support Operations' call, as moving the clock is.
    expected: opsOnly(200),
    body: () => ({ offsetHours: 0 }),
  },
];

describe("the permission matrix of the mutating routes", () => {
  describe.each(MUTATIONS)("$route", (mutation) => {
    it.each(USER_NAMES.map((user) => ({ user, status: mutation.expected[user] })))(
      "$user → $status",
      async ({ user, status }) => {
        const audit = await mutation.seed();
        const before = await snapshot();
        const response = await mutation.send(audit)(routesAs(USERS[user]));
        expect(response.status).toBe(status);
        if (status < 300) {
          expect(await response.json()).toMatchObject(mutation.body(audit));
          expect(await snapshot()).not.toEqual(before);
        } else {
          const error = await errorOf(response);
          expect(error.code).toBe(status === 401 ? "unauthorized:session" : "forbidden:role");
          expect(await snapshot()).toEqual(before);
        }
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------

describe("conflicts", () => {
  const ops = () => routesAs(USERS.ops);

  it("reading replies: refused to members, and 409 until the audit has an issue", async () => {
    const auditId = requireAudit(await seed()).id;
    const path = `/api/audits/${auditId}/replies`;
    expect((await routesAs(USERS.member).replies.POST(post(path), paramsOf({ auditId }))).status).toBe(403);
    const response = await ops().replies.POST(post(path), paramsOf({ auditId }));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).message).toMatch(/Export the audit to its GitLab issue first/);
  });

  it("409 conflict:audit_issue for a ping or an escalation, single or bulk, before the audit has an issue", async () => {
    for (const [type, state, hoursAgo] of [
      ["ping", "open", 1],
      ["escalate", "pinged", TIMER_PASSED],
    ] as const) {
      const auditId = requireAudit(await seed({ state, hoursAgo })).id;
      loadConfig = async () => exportConfig(true);
      const before = await snapshot();
      const single = await personAction(auditId, SAM, { type })(ops());
      const all = await ops().bulk.POST(
        post(`/api/audits/${auditId}/bulk`, { action: type }),
        paramsOf({ auditId }),
      );
      for (const response of [single, all]) {
        expect(response.status).toBe(409);
        expect(await errorOf(response)).toMatchObject({
          code: "conflict:audit_issue",
          message: "Export the audit to its GitLab issue first: pings are posted there.",
        });
      }
      expect(await snapshot()).toEqual(before);
    }
  });

  it("409 when the current period's audit is open already", async () => {
    await seed();
    const response = await ops().audits.POST(post("/api/audits"), paramsOf());
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe("conflict:audit");
  });

  it("409 conflict:run while a run is in progress, and the latest run is what a poller sees", async () => {
    const auditId = requireAudit(await seed()).id;
    let release = () => {};
    loadConfig = () =>
      new Promise((_resolve, reject) => {
        release = () => reject(new AppError("invalid:config", "No PagerDuty in these tests."));
      });
    try {
      const first = await ops().runs.POST(post(`/api/audits/${auditId}/runs`), paramsOf({ auditId }));
      expect(first.status).toBe(202);
      const run = z.object({ id: z.string(), status: z.literal("running") }).parse(await first.json());

      const second = await ops().runs.POST(post(`/api/audits/${auditId}/runs`), paramsOf({ auditId }));
      expect(second.status).toBe(409);
      expect((await errorOf(second)).code).toBe("conflict:run");

      const latest = await routesAs(USERS.member).latestRun.GET(
        get(`/api/audits/${auditId}/runs/latest`),
        paramsOf({ auditId }),
      );
      expect(await latest.json()).toMatchObject({ id: run.id, status: "running" });

      // Meanwhile the schedules page still shows what the previous run read.
      const schedules = await getScheduleCoverage(ctx, auditId);
      expect(schedules).toMatchObject({
        run: { status: "complete" },
        coverage: COVERAGE,
        rosterPeople: TEST_ROSTER.length,
      });
    } finally {
      release();
      await Promise.all(ctx.backgroundRuns.values());
      loadConfig = noConfig;
    }
  });

  it("a run whose server was killed answers no 409 and shows as failed once its heartbeat is stale, whatever the demo clock says", async () => {
    const auditId = requireAudit(await seed()).id;
    const serverCtx = ctx;
    let wall = NOW;
    const demoClock = createClock({ adjustable: true, realNow: () => wall });
    demoClock.advance(30 * 24 * HOUR);
    const killed: (() => void)[] = [];
    loadConfig = () =>
      new Promise((_resolve, reject) => {
        killed.push(() => reject(new AppError("invalid:config", "No PagerDuty in these tests.")));
      });
    try {
      // Started with the demo clock a month ahead; then the server is killed and started again.
      ctx = { ...serverCtx, clock: demoClock };
      const first = await ops().runs.POST(post(`/api/audits/${auditId}/runs`), paramsOf({ auditId }));
      expect(first.status).toBe(202);
      const run = z.object({ id: z.string() }).parse(await first.json());
      ctx = { ...serverCtx, clock: createClock({ adjustable: true, realNow: () => wall }) };

      wall += ctx.staleRunAfterMs + 1_000;
      const latest = await routesAs(USERS.member).latestRun.GET(
        get(`/api/audits/${auditId}/runs/latest`),
        paramsOf({ auditId }),
      );
      expect(await latest.json()).toMatchObject({ id: run.id, status: "failed" });
      const again = await ops().runs.POST(post(`/api/audits/${auditId}/runs`), paramsOf({ auditId }));
      expect(again.status).toBe(202);
    } finally {
      for (const kill of killed) kill();
      await Promise.all(ctx.backgroundRuns.values());
      ctx = serverCtx;
      loadConfig = noConfig;
    }
  });

  it("409 for a person action on a signed-off audit, even for the ops manager", async () => {
    const auditId = requireAudit(await seed()).id;
    await signOffAudit(ctx.db, {
      auditId,
      expectedStatus: "open",
      signedOffBy: "Olivia Grant",
      now: new Date(NOW),
      reportSha256: "0".repeat(64),
      overrideReason: "Findings accepted for the record.",
    });
    const before = await snapshot();
    const response = await personAction(auditId, SAM, { type: "ping" })(routesAs(USERS["ops manager"]));
    expect(response.status).toBe(409);
    const error = await errorOf(response);
    expect(error.code).toBe("conflict:audit");
    expect(error.message).toBe("FY27-Q3 was signed off; it can no longer be changed.");
    expect(await snapshot()).toEqual(before);
  });

  it("409 with the workflow's reason when the action fits none of the person's items", async () => {
    const auditId = requireAudit(await seed({ state: "pinged", hoursAgo: 1 })).id;
    const response = await personAction(auditId, SAM, { type: "escalate" })(routesAs(USERS.ops));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).message).toMatch(
      /^Follow-up is due at 2026-11-27 11:00 UTC \(in 71 h\)/,
    );
  });
});

describe("who a person action is checked against", () => {
  it("a person the roster does not hold has no managers: Support Operations only", async () => {
    const auditId = requireAudit(await seed({ exported: true })).id;
    const manager = await personAction(auditId, STRANGER, { type: "ping" })(routesAs(USERS["their manager"]));
    expect(manager.status).toBe(403);
    const ops = await personAction(auditId, STRANGER, { type: "ping" })(routesAs(USERS.ops));
    expect(ops.status).toBe(200);
    expect(await ops.json()).toMatchObject({ applied: 1 });
  });

  it("only the chosen items when itemIds are given; unknown ids are 404", async () => {
    const auditId = requireAudit(await seed({ exported: true })).id;
    const [item] = await listItems(ctx.db, auditId, { personKey: SAM });
    if (!item) throw new Error("seed wrote no item");
    const send = (itemIds: string[]) =>
      routesAs(USERS["their manager"]).personActions.POST(
        post(`${personPath(auditId, SAM)}/actions`, { action: { type: "ping" }, itemIds }),
        paramsOf({ auditId, personKey: SAM }),
      );
    expect((await send(["no-such-item"])).status).toBe(404);
    expect((await send([item.id])).status).toBe(200);
    expect((await listItems(ctx.db, auditId, { personKey: SAM }))[0]?.state).toBe("pinged");
  });
});

describe("a finding the schedule's owner fixes", () => {
  const strangerNotInRoster = () => seed({ codes: { [STRANGER]: "not_in_roster" }, exported: true });
  const reason =
    "Cannot ping the person about this finding: it is fixed in PagerDuty by the schedule's owner, not " +
    "chased; the next run confirms the fix.";

  it("a ping is refused with 409 and the reason, and nothing changes", async () => {
    const auditId = requireAudit(await strangerNotInRoster()).id;
    const before = await snapshot();
    const response = await personAction(auditId, STRANGER, { type: "ping" })(routesAs(USERS.ops));
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatchObject({ code: "conflict:item", message: reason });
    expect(await snapshot()).toEqual(before);
  });

  it("an escalation long after an old ping is refused too: no follow-up is ever due", async () => {
    const auditId = requireAudit(
      await seed({ state: "pinged", hoursAgo: 200, codes: { [STRANGER]: "deleted_user_in_schedule" } }),
    ).id;
    const response = await personAction(auditId, STRANGER, { type: "escalate" })(routesAs(USERS.ops));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).message).toBe(reason.replace("ping the person about", "escalate"));
  });

  it("Ping all open leaves it alone", async () => {
    const auditId = requireAudit(await strangerNotInRoster()).id;
    const response = await routesAs(USERS.ops).bulk.POST(
      post(`/api/audits/${auditId}/bulk`, { action: "ping" }),
      paramsOf({ auditId }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ applied: 1 });
    const states = (await listItems(ctx.db, auditId)).map((i) => [i.personKey, i.state]);
    expect(states).toEqual(
      expect.arrayContaining([
        [SAM, "pinged"],
        [STRANGER, "open"],
      ]),
    );
  });

  it("Support Operations may mark it intentional with a justification", async () => {
    const auditId = requireAudit(await strangerNotInRoster()).id;
    const response = await personAction(auditId, STRANGER, {
      type: "mark_intentional",
      justification: "A contractor covering nights until March.",
    })(routesAs(USERS.ops));
    expect(response.status).toBe(200);
    expect((await listItems(ctx.db, auditId, { personKey: STRANGER }))[0]?.state).toBe("intentional");
  });
});

describe("identity is the person key, never the display name", () => {
  // Sam's manager is Lee Park. A second "lee  PARK", a member, joins the roster.
  const NAMESAKE: RosterPerson = {
    name: "lee  PARK",
    email: "lee.p@example.com",
    title: "Support Engineer",
    reports_to: "Mia Chen",
    gitlab: { username: "leep" },
  };
  /** The session a name match once gave the namesake: Lee's role, on the namesake's own key. */
  const namesakeSession: SessionUser = {
    name: NAMESAKE.name,
    email: NAMESAKE.email,
    gitlabUsername: "leep",
    role: "manager",
    personKey: "lee.p@example.com",
  };
  const intentional: UserActionInput = {
    type: "mark_intentional",
    justification: "He is on leave, trust me.",
  };

  it("a roster with both is refused at load, naming both entries", () => {
    const entries = [...TEST_ROSTER, NAMESAKE].map((person, index) => ({
      person,
      location: { file: "team.yaml", index, line: index * 6 + 1 },
    }));
    expect(thrownAppError(() => buildRoster("team.yaml", entries, "x")).details).toEqual([
      expect.objectContaining({
        entry: "lee  PARK",
        path: "name",
        message: expect.stringContaining("also used by Lee Park (team.yaml:13)"),
      }),
    ]);
  });

  it("the namesake cannot mark Lee's report's finding intentional, with or without a refused roster", async () => {
    const auditId = requireAudit(await seed()).id;
    const before = await snapshot();

    const served = await personAction(
      auditId,
      SAM,
      intentional,
    )(routesAs(namesakeSession, [...TEST_ROSTER, NAMESAKE]));
    expect(served.status).toBe(400);
    expect((await errorOf(served)).code).toBe("invalid:roster");

    const fixed = await personAction(auditId, SAM, intentional)(routesAs(namesakeSession));
    expect(fixed.status).toBe(403);
    expect(await snapshot()).toEqual(before);

    // Lee himself still may.
    const lee = await personAction(auditId, SAM, intentional)(routesAs(sessionUserOf("Lee Park")));
    expect(lee.status).toBe(200);
  });
});

describe("who acted is stored by person key as well as by name", () => {
  it("an item action, the hand-over, the send-back and the sign-off record the actor's person key", async () => {
    const auditId = requireAudit(await seed({ state: "intentional", exported: true })).id;
    const lee = sessionUserOf("Lee Park");
    const omar = sessionUserOf("Omar Haddad");
    const olivia = sessionUserOf("Olivia Grant");
    const ok = async (response: Response) => {
      expect(response.status).toBe(200);
      return response;
    };
    await ok(await personAction(auditId, SAM, { type: "reopen" })(routesAs(lee)));
    await ok(await personAction(auditId, SAM, { type: "ping" })(routesAs(lee)));
    await ok(
      await personAction(auditId, SAM, {
        type: "mark_intentional",
        justification: "Covers AMER East from the EMEA schedule.",
      })(routesAs(lee)),
    );
    await ok(await routesAs(omar).review.POST(post(`/api/audits/${auditId}/review`), paramsOf({ auditId })));
    await ok(
      await routesAs(olivia).sendBack.POST(
        post(`/api/audits/${auditId}/send-back`, { comment: "Chase the two people in APAC first." }),
        paramsOf({ auditId }),
      ),
    );
    const signed = await ok(
      await routesAs(olivia).signOff.POST(post(`/api/audits/${auditId}/sign-off`, {}), paramsOf({ auditId })),
    );
    expect(await signed.json()).toMatchObject({
      signedOffBy: "Olivia Grant",
      signedOffByKey: "olivia@example.com",
    });

    const events = await listEvents(ctx.db, { auditId });
    expect(events.map((e) => [e.action, e.actor, e.actorKey])).toEqual([
      ["export_issue", "Omar Haddad", null],
      ["reopen", "Lee Park", "lee@example.com"],
      ["ping", "Lee Park", "lee@example.com"],
      ["mark_intentional", "Lee Park", "lee@example.com"],
      ["set_audit_status", "Omar Haddad", "omar@example.com"],
      ["set_audit_status", "Olivia Grant", "olivia@example.com"],
      ["sign_off", "Olivia Grant", "olivia@example.com"],
    ]);
    const person = await getPersonDetail(ctx, auditId, SAM);
    expect(person.history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "ping", actor: "Lee Park", actorKey: "lee@example.com" }),
      ]),
    );
  });
});

describe("one's own finding", () => {
  const OMAR = "omar@example.com";
  const OLIVIA = "olivia@example.com";
  const LEE = "lee@example.com";
  const INTENTIONAL = { type: "mark_intentional", justification: "Covers AMER East from the EMEA schedule." };
  const WAIVE = { type: "waive", until: IN_A_MONTH, justification: "On leave until the new year." };

  function act(auditId: string, personKey: string, action: Record<string, unknown>, user: SessionUser) {
    return routesAs(user).personActions.POST(
      post(`${personPath(auditId, personKey)}/actions`, { action }),
      paramsOf({ auditId, personKey }),
    );
  }

  it.each([
    { who: "ops", key: OMAR, action: INTENTIONAL, message: /nobody marks their own finding intentional/ },
    { who: "ops", key: OMAR, action: WAIVE, message: /nobody marks their own finding intentional/ },
    { who: "their manager", key: LEE, action: INTENTIONAL, message: /nobody marks their own finding/ },
    { who: "ops manager", key: OLIVIA, action: INTENTIONAL, message: /resolve it as a recorded override/ },
    { who: "ops manager", key: OLIVIA, action: WAIVE, message: /resolve it as a recorded override/ },
  ] as const)("$who may not $action.type their own finding", async ({ who, key, action, message }) => {
    const auditId = requireAudit(await seed({ people: [key, SAM] })).id;
    const before = await snapshot();
    const response = await act(auditId, key, action, USERS[who]);
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error.code).toBe("forbidden:role");
    expect(error.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it("Support Operations reopen their own finding: putting it back into the chase hides nothing", async () => {
    const auditId = requireAudit(await seed({ state: "intentional", people: [OMAR] })).id;
    const response = await act(auditId, OMAR, { type: "reopen" }, USERS.ops);
    expect(response.status).toBe(200);
    expect((await listItems(ctx.db, auditId, { personKey: OMAR }))[0]?.state).toBe("open");
  });

  it.each([INTENTIONAL, WAIVE])(
    "the ops manager may $type their own finding as an override, recorded and shown in their history",
    async (action) => {
      const auditId = requireAudit(await seed({ people: [OLIVIA] })).id;
      const response = await act(auditId, OLIVIA, { ...action, override: true }, USERS["ops manager"]);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ applied: 1 });
      const [event] = await listEvents(ctx.db, { auditId, personKey: OLIVIA });
      expect(event).toMatchObject({ action: action.type, detail: { override: true } });
      const person = await getPersonDetail(ctx, auditId, OLIVIA);
      expect(person).toMatchObject({
        history: [{ action: action.type, actor: "Olivia Grant", detail: { override: true } }],
      });
    },
  );

  it.each([
    { who: "ops manager", key: SAM, why: "someone else's finding" },
    { who: "ops", key: OMAR, why: "not the ops manager" },
    { who: "their manager", key: SAM, why: "not the ops manager" },
  ] as const)("an override by the $who on $key is refused ($why)", async ({ who, key }) => {
    const auditId = requireAudit(await seed({ people: [key] })).id;
    const before = await snapshot();
    const response = await act(auditId, key, { ...INTENTIONAL, override: true }, USERS[who]);
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toMatch(
      /an override is only for the Support Operations Manager's own findings/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it("an override flag on an action that is not a resolution is bad input", async () => {
    const auditId = requireAudit(await seed({ people: [OLIVIA] })).id;
    const response = await act(auditId, OLIVIA, { type: "ping", override: true }, USERS["ops manager"]);
    expect(response.status).toBe(400);
  });
});

describe("CSRF", () => {
  it.each([
    { name: "another site", origin: "https://evil.example" },
    { name: "a look-alike host", origin: "https://audit.example.com.evil.example" },
    { name: "no Origin header", origin: null },
    { name: "an opaque origin", origin: "null" },
  ])("refuses a POST from $name, before anything changes", async ({ origin }) => {
    const auditId = requireAudit(await seed()).id;
    const before = await snapshot();
    const response = await routesAs(USERS["ops manager"]).personActions.POST(
      post(`${personPath(auditId, SAM)}/actions`, { action: { type: "ping" } }, origin),
      paramsOf({ auditId, personKey: SAM }),
    );
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe("forbidden:csrf");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a cross-origin open, run, bulk and clock move too", async () => {
    const auditId = requireAudit(await seed()).id;
    const routes = routesAs(USERS["ops manager"]);
    const evil = "https://evil.example";
    const responses = await Promise.all([
      routes.audits.POST(post("/api/audits", undefined, evil), paramsOf()),
      routes.runs.POST(post(`/api/audits/${auditId}/runs`, undefined, evil), paramsOf({ auditId })),
      routes.bulk.POST(post(`/api/audits/${auditId}/bulk`, { action: "ping" }, evil), paramsOf({ auditId })),
      routes.demoClock.POST(post("/api/demo/clock", { hours: 24 }, evil), paramsOf()),
    ]);
    expect(responses.map((r) => r.status)).toEqual([403, 403, 403, 403]);
  });
});

describe("bad input", () => {
  const ops = () => routesAs(USERS.ops);

  it.each([
    {
      name: "an unknown action",
      body: { action: { type: "shout" } },
      paths: ["action.type"],
    },
    {
      name: "a justification too short to explain anything",
      body: { action: { type: "mark_intentional", justification: "ok" } },
      paths: ["action.justification"],
    },
    {
      name: "a justification of ten zero-width spaces",
      body: { action: { type: "mark_intentional", justification: "\u200b".repeat(10) } },
      paths: ["action.justification"],
    },
    {
      name: "a waiver reason of three letters padded with spaces, joiners and bidi marks",
      body: {
        action: {
          type: "waive",
          until: IN_A_MONTH,
          justification: "a \u00a0\u2003 \u200d\u2060b\u202e\ufeff     \u3000c",
        },
      },
      paths: ["action.justification"],
    },
    {
      name: "a waiver without an end day and with a stray field",
      body: {
        action: { type: "waive", until: "next week", justification: "On leave until the new year." },
        x: 1,
      },
      paths: ["action.until", ""],
    },
    { name: "no body", body: undefined, paths: [""] },
    { name: "empty item ids", body: { action: { type: "ping" }, itemIds: [] }, paths: ["itemIds"] },
  ])("400 with details for $name", async ({ body, paths }) => {
    const auditId = requireAudit(await seed()).id;
    const response = await ops().personActions.POST(
      post(`${personPath(auditId, SAM)}/actions`, body),
      paramsOf({ auditId, personKey: SAM }),
    );
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe("invalid:request");
    expect(error.details.map((d) => d.path ?? "")).toEqual(paths);
  });

  it("400 for an override reason or a send-back comment of invisible characters; nothing changes", async () => {
    const auditId = requireAudit(await seed()).id;
    const invisible = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u2066";
    const opsManager = routesAs(USERS["ops manager"]);
    const before = await snapshot();
    const signOff = await opsManager.signOff.POST(
      post(`/api/audits/${auditId}/sign-off`, { overrideReason: invisible }),
      paramsOf({ auditId }),
    );
    expect(signOff.status).toBe(400);
    expect((await errorOf(signOff)).details.map((d) => d.path)).toEqual(["overrideReason"]);
    await setAuditStatus(ctx.db, {
      auditId,
      expectedStatus: "open",
      status: "in_review",
      actor: "Omar Haddad",
      now: new Date(NOW),
    });
    const inReview = await snapshot();
    const sendBack = await opsManager.sendBack.POST(
      post(`/api/audits/${auditId}/send-back`, { comment: `  ${invisible}  x  ` }),
      paramsOf({ auditId }),
    );
    expect(sendBack.status).toBe(400);
    expect((await errorOf(sendBack)).details.map((d) => d.path)).toEqual(["comment"]);
    expect(await snapshot()).toEqual(inReview);
    expect(inReview).not.toEqual(before);
  });

  it.each([
    { until: "2027-11-24", status: 200 },
    { until: "2027-11-25", status: 409 },
    { until: "2099-01-01", status: 409 },
  ])("a waiver until $until (12 months from 2026-11-24 at most) → $status", async ({ until, status }) => {
    const auditId = requireAudit(await seed()).id;
    const response = await personAction(auditId, SAM, {
      type: "waive",
      until,
      justification: "On leave until the new year.",
    })(ops());
    expect(response.status).toBe(status);
    if (status !== 200) {
      expect((await errorOf(response)).message).toBe(
        `A waiver may end at most 12 months ahead, on 2027-11-24 at the latest; ${until} is later.`,
      );
    }
  });

  it("400 for a body that is not JSON", async () => {
    const auditId = requireAudit(await seed()).id;
    const request = new Request(`${SITE}${personPath(auditId, SAM)}/actions`, {
      method: "POST",
      headers: { origin: SITE, "content-type": "application/json" },
      body: "{action: ping}",
    });
    const response = await ops().personActions.POST(request, paramsOf({ auditId, personKey: SAM }));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).details).toEqual([{ message: "expected a JSON body" }]);
  });

  it.each([
    { body: { hours: 0 }, path: "hours" },
    { body: { hours: 1001 }, path: "hours" },
    { body: { hours: "24" }, path: "hours" },
  ])("400 for a clock move of $body.hours hours", async ({ body, path: detailPath }) => {
    await seed();
    const response = await ops().demoClock.POST(post("/api/demo/clock", body), paramsOf());
    expect(response.status).toBe(400);
    expect((await errorOf(response)).details.map((d) => d.path)).toEqual([detailPath]);
    expect(ctx.clock.offsetMs()).toBe(0);
  });

  it("400 for a bulk action that is not ping or escalate", async () => {
    const auditId = requireAudit(await seed()).id;
    const response = await ops().bulk.POST(
      post(`/api/audits/${auditId}/bulk`, { action: "record_dm" }),
      paramsOf({ auditId }),
    );
    expect(response.status).toBe(400);
    expect((await errorOf(response)).details.map((d) => d.path)).toEqual(["action"]);
  });

  it("400 naming each bad query parameter of the findings table", async () => {
    const auditId = requireAudit(await seed()).id;
    const response = await routesAs(USERS.member).people.GET(
      get(`/api/audits/${auditId}/people?overdue=maybe&page=0&pageSize=x&sort=age&dir=up&status=lost`),
      paramsOf({ auditId }),
    );
    expect(response.status).toBe(400);
    const paths = (await errorOf(response)).details.map((d) => d.path);
    expect(paths.sort()).toEqual(["dir", "overdue", "page", "pageSize", "sort", "status"]);
  });
});

describe("the comment a ping or an escalation posts: preview and note", () => {
  const previewOf = (auditId: string, body: unknown, user: SessionUser | null = USERS.ops) =>
    routesAs(user).personActionPreview.POST(
      post(`${personPath(auditId, SAM)}/actions/preview`, body),
      paramsOf({ auditId, personKey: SAM }),
    );
  const actOn = (auditId: string, body: unknown) =>
    routesAs(USERS.ops).personActions.POST(
      post(`${personPath(auditId, SAM)}/actions`, body),
      paramsOf({ auditId, personKey: SAM }),
    );
  const notes = () =>
    gitlab
      .state()
      .projects.flatMap((p) => p.issues ?? [])
      .flatMap((i) => i.notes ?? []);
  const NOTE = "Sam, this blocks the @all <b>APAC</b> hand-over [x](javascript:alert(1)).\nThanks!";

  it.each(USER_NAMES.map((user) => ({ user, status: opsAndTheirManagers(200)[user] })))(
    "is checked as the action is: $user → $status, and changes nothing",
    async ({ user, status }) => {
      const auditId = requireAudit(await seed({ exported: true })).id;
      const before = await snapshot();
      const posted = notes().length;
      const response = await previewOf(auditId, { action: { type: "ping" } }, USERS[user]);
      expect(response.status).toBe(status);
      if (status === 200)
        expect(await response.json()).toMatchObject({ body: expect.stringContaining("@srivera") });
      expect(await snapshot()).toEqual(before);
      expect(notes()).toHaveLength(posted);
    },
  );

  it.each([
    { type: "ping", state: "open", hoursAgo: 1 },
    { type: "escalate", state: "pinged", hoursAgo: TIMER_PASSED },
  ] as const)(
    "previews exactly the $type comment that is then posted, with the note quoted and inert",
    async ({ type, state, hoursAgo }) => {
      const auditId = requireAudit(await seed({ state, hoursAgo, exported: true })).id;
      const body = { action: { type, note: NOTE } };
      const preview = await previewOf(auditId, body);
      expect(preview.status).toBe(200);
      const { body: text } = z.object({ body: z.string() }).parse(await preview.json());
      expect(text).toContain("> Note from Omar Haddad:");
      expect(text).toContain("Sam, this blocks the");
      expect(text).not.toContain("@all");
      expect(text).not.toContain("<b>");
      expect(text).not.toContain("](javascript:");
      expect(text).toContain("> Thanks\\!");

      expect((await actOn(auditId, body)).status).toBe(200);
      // What readers see is the preview; after it, the claim's marker, an HTML comment GitLab does not render.
      const posted = notes().at(-1)?.body ?? "";
      expect(posted).toMatch(/\n\n<!-- pagerduty-audit:claim:[0-9a-f]{64} -->$/);
      expect(posted.replace(/\n\n<!-- pagerduty-audit:claim:[0-9a-f]{64} -->/g, "")).toBe(text);
      const event = (await listEvents(ctx.db, { auditId })).at(-1);
      expect(event).toMatchObject({ action: type, detail: { note: NOTE } });
    },
  );

  it("409 before the audit has an issue, and with the workflow's reason when nothing is due", async () => {
    const bare = requireAudit(await seed()).id;
    loadConfig = async () => exportConfig(true);
    const early = await previewOf(bare, { action: { type: "ping" } });
    expect(early.status).toBe(409);
    expect((await errorOf(early)).code).toBe("conflict:audit_issue");

    const exported = requireAudit(await seed({ state: "pinged", hoursAgo: 1, exported: true })).id;
    const notDue = await previewOf(exported, { action: { type: "escalate" } });
    expect(notDue.status).toBe(409);
    expect((await errorOf(notDue)).message).toMatch(/^Follow-up is due at/);
  });

  it.each([
    { name: "a note too long", action: { type: "ping", note: "x".repeat(1001) }, paths: ["action.note"] },
    {
      name: "a note of invisible characters",
      action: { type: "ping", note: "\u200b\u2060\ufeff" },
      paths: ["action.note"],
    },
    // A Slack DM is sent by hand: it has no comment, so no note, and nothing to preview.
    {
      name: "a note on a Slack DM",
      action: { type: "record_dm", note: "Sent on Slack." },
      paths: ["action"],
      previewPaths: ["action.type"],
    },
  ])("400 for $name, to the action and to its preview", async ({ action, paths, previewPaths }) => {
    const auditId = requireAudit(await seed({ exported: true })).id;
    const acted = await actOn(auditId, { action });
    const previewed = await previewOf(auditId, { action });
    for (const [response, expected] of [
      [acted, paths],
      [previewed, previewPaths ?? paths],
    ] as const) {
      expect(response.status).toBe(400);
      expect((await errorOf(response)).details.map((d) => d.path ?? "")).toEqual(expected);
    }
  });

  it("a blank note is no note", async () => {
    const auditId = requireAudit(await seed({ exported: true })).id;
    const response = await previewOf(auditId, { action: { type: "ping", note: "  \n " } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { body: string }).body).not.toContain("Note from");
  });
});

describe("submitting for review", () => {
  it("posts on the audit issue for the Support Operations Manager with the counts, and says what it posted", async () => {
    const auditId = requireAudit(await seed()).id;
    loadConfig = async () => exportConfig(true);
    rosterLoaded = true;
    const ops = routesAs(USERS.ops);
    const exported = await ops.issueExport.POST(post(`/api/audits/${auditId}/export`), paramsOf({ auditId }));
    const { url } = z.object({ url: z.string() }).parse(await exported.json());
    const notesOf = () =>
      gitlab.state().projects[0]?.issues?.find((i) => url.endsWith(`/${i.iid}`))?.notes ?? [];
    const before = notesOf().length;

    const response = await ops.review.POST(post(`/api/audits/${auditId}/review`), paramsOf({ auditId }));
    expect(response.status).toBe(200);
    const posted = notesOf().slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body).toMatch(/^\*\*Submitted for review\*\* \(submission 1\) by Omar Haddad on /);
    expect(posted[0]?.body).toContain("0 of 2 finding(s) addressed; 2 not yet.");
    // Olivia is the roster's Support Operations Manager; GitLab does not know "ogrant", so her mention is
    // written inert (as a ping's would be) and the person submitting is told.
    expect(posted[0]?.body).toContain("ogrant");
    expect(posted[0]?.body).not.toContain(" @ogrant");
    expect(await response.json()).toMatchObject({
      status: "in_review",
      commentUrl: `${url}#note_${posted[0]?.id}`,
      warnings: [expect.stringMatching(/^ogrant \(gitlab.username of Olivia Grant\) is not a user on /)],
    });
  });

  it("still hands over an audit without an issue, and says that nothing was posted", async () => {
    const auditId = requireAudit(await seed()).id;
    const response = await routesAs(USERS.ops).review.POST(
      post(`/api/audits/${auditId}/review`),
      paramsOf({ auditId }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "in_review", commentUrl: null, warnings: [] });
  });
});

describe("signing off", () => {
  it("409 for the second of two sign-offs at the same moment; the issue is commented on and closed once", async () => {
    const auditId = requireAudit(await seed({ state: "intentional" })).id;
    loadConfig = async () => exportConfig(true);
    const exported = await routesAs(USERS.ops).issueExport.POST(
      post(`/api/audits/${auditId}/export`),
      paramsOf({ auditId }),
    );
    const { url } = z.object({ url: z.string() }).parse(await exported.json());
    const issue = () => gitlab.state().projects[0]?.issues?.find((i) => url.endsWith(`/${i.iid}`));

    const olivia = routesAs(sessionUserOf("Olivia Grant"));
    const responses = await Promise.all(
      [1, 2].map(() =>
        olivia.signOff.POST(post(`/api/audits/${auditId}/sign-off`, {}), paramsOf({ auditId })),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const refused = responses.find((r) => r.status === 409);
    if (!refused) throw new Error("one sign-off is refused");
    expect(await errorOf(refused)).toMatchObject({
      code: "conflict:audit",
      message: "FY27-Q3 was already signed off by Olivia Grant.",
    });
    expect(issue()?.state).toBe("closed");
    expect(issue()?.notes.filter((n) => n.body.startsWith("**Signed off**"))).toHaveLength(1);
  });
});

describe("export to the audit issue", () => {
  const exportPath = (auditId: string) => `/api/audits/${auditId}/export`;

  it("ops preview, then create, then update the same issue; a member may do neither", async () => {
    const auditId = requireAudit(await seed()).id;
    loadConfig = async () => exportConfig(true);
    const ops = routesAs(USERS.ops);

    const preview = await ops.issueExport.GET(get(exportPath(auditId)), paramsOf({ auditId }));
    expect(preview.status).toBe(200);
    const previewed = z
      .object({ title: z.string(), description: z.string(), existing: z.null() })
      .parse(await preview.json());
    expect(previewed.title).toBe("PagerDuty audit FY27-Q3");
    expect(previewed.description).toMatch(
      /^## Checklist[\s\S]*## Notes\n\n<!-- pagerduty-audit:notes:start -->/,
    );
    expect(previewed.description).toMatch(/<!-- pagerduty-audit:notes:end -->\n\n## Sign-off\n$/);

    for (const method of ["GET", "POST"] as const) {
      const member = routesAs(USERS.member).issueExport[method];
      const request = method === "GET" ? get(exportPath(auditId)) : post(exportPath(auditId));
      const refused = await member(request, paramsOf({ auditId }));
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).code).toBe("forbidden:role");
    }

    const issuesBefore = gitlab.state().projects[0]?.issues?.length ?? 0;
    const first = await ops.issueExport.POST(post(exportPath(auditId)), paramsOf({ auditId }));
    expect(first.status).toBe(200);
    const created = z.object({ url: z.string(), created: z.boolean() }).parse(await first.json());
    expect(created.created).toBe(true);

    const second = await ops.issueExport.POST(post(exportPath(auditId)), paramsOf({ auditId }));
    expect(await second.json()).toMatchObject({ url: created.url, created: false });
    expect(gitlab.state().projects[0]?.issues).toHaveLength(issuesBefore + 1);

    const again = await ops.issueExport.GET(get(exportPath(auditId)), paramsOf({ auditId }));
    expect(await again.json()).toMatchObject({ existing: { url: created.url } });
  });

  it("400 with the reason when the config has no gitlab section; nothing is written", async () => {
    const auditId = requireAudit(await seed()).id;
    loadConfig = async () => exportConfig(false);
    const before = await snapshot();
    for (const response of [
      await routesAs(USERS.ops).issueExport.GET(get(exportPath(auditId)), paramsOf({ auditId })),
      await routesAs(USERS.ops).issueExport.POST(post(exportPath(auditId)), paramsOf({ auditId })),
    ]) {
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe("invalid:config");
      expect(error.message).toMatch(/no `gitlab` section/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("502, not 401, when GitLab refuses the dashboard's own token: the person is signed in", async () => {
    const auditId = requireAudit(await seed()).id;
    loadConfig = async () => exportConfig(true);
    gitlabToken = "glpat-revoked-routes-test";
    const before = await snapshot();
    const response = await routesAs(USERS.ops).issueExport.POST(
      post(exportPath(auditId)),
      paramsOf({ auditId }),
    );
    expect(response.status).toBe(502);
    const error = await errorOf(response);
    expect(error.code).toBe("upstream:gitlab_token");
    expect(error.message).toMatch(/^GitLab refused the dashboard's token \(GL_TOKEN\): GitLab answered 401 /);
    expect(JSON.stringify(error)).not.toContain(gitlabToken);
    expect(await snapshot()).toEqual(before);
    // A 5xx is logged for whoever runs the dashboard; nothing else was.
    expect(logError).toHaveBeenCalledTimes(1);
    logError.mockClear();
  });

  it("409 before the audit has a finished run", async () => {
    await seed({ audit: false });
    const audit = await createAudit(ctx.db, {
      name: "FY27-Q3",
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-08-01",
      dueOn: "2026-10-31",
      createdBy: "Omar Haddad",
      now: new Date(NOW),
    });
    loadConfig = async () => exportConfig(true);
    const response = await routesAs(USERS.ops).issueExport.POST(
      post(exportPath(audit.id)),
      paramsOf({ auditId: audit.id }),
    );
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatchObject({
      code: "conflict:export",
      message: expect.stringMatching(/no finished run/),
    });
  });
});

describe("reads", () => {
  it("any signed-in person reads the overview; nobody else", async () => {
    await seed();
    const member = await routesAs(USERS.member).overview.GET(get("/api/overview"), paramsOf());
    expect(member.status).toBe(200);
    expect(member.headers.get("cache-control")).toBe("no-store");
    expect(await member.json()).toMatchObject({ current: { audit: { name: "FY27-Q3" }, people: 2 } });
    const anonymous = await routesAs(null).overview.GET(get("/api/overview"), paramsOf());
    expect(anonymous.status).toBe(401);
  });

  it("the findings table coerces its query: numbers, booleans, blanks", async () => {
    const auditId = requireAudit(await seed({ state: "pinged", hoursAgo: TIMER_PASSED })).id;
    const read = async (query: string) => {
      const response = await routesAs(USERS.member).people.GET(
        get(`/api/audits/${auditId}/people?${query}`),
        paramsOf({ auditId }),
      );
      expect(response.status).toBe(200);
      return z
        .object({
          total: z.number(),
          pageSize: z.number(),
          rows: z.array(z.object({ personKey: z.string() })),
        })
        .parse(await response.json());
    };
    expect(await read("overdue=true&pageSize=10&page=1&sort=due&region=")).toMatchObject({
      total: 2,
      pageSize: 10,
    });
    expect((await read("overdue=false")).total).toBe(0);
    expect((await read("q=sam")).rows.map((r) => r.personKey)).toEqual([SAM]);
    expect((await read("status=follow_up_due&code=missing_from_schedule")).total).toBe(2);
  });

  it("a person by key, with @ and : in it; 404 for someone without findings or an unknown audit", async () => {
    const auditId = requireAudit(await seed()).id;
    const routes = routesAs(USERS.member);
    for (const personKey of [SAM, STRANGER]) {
      const person = await getPersonDetail(ctx, auditId, personKey);
      expect(person).toMatchObject({ row: { personKey }, items: [{ state: "open" }] });
    }
    const nobody = await rejectedAppError(getPersonDetail(ctx, auditId, "nobody@example.com"));
    expect(statusForError(nobody)).toBe(404);
    expect(nobody.code).toBe("not_found:person");
    const people = await routes.people.GET(get("/api/audits/nope/people"), paramsOf({ auditId: "nope" }));
    expect(people.status).toBe(404);
    expect((await errorOf(people)).code).toBe("not_found:audit");
  });

  it("latest run and schedules: null and empty before the first run, 404 for an unknown audit", async () => {
    await seed({ audit: false });
    const audit = await createAudit(ctx.db, {
      name: "FY27-Q3",
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-08-01",
      dueOn: "2026-10-31",
      createdBy: "Omar Haddad",
      now: new Date(NOW),
    });
    const routes = routesAs(USERS.member);
    const auditId = audit.id;
    const latest = await routes.latestRun.GET(
      get(`/api/audits/${auditId}/runs/latest`),
      paramsOf({ auditId }),
    );
    expect(await latest.json()).toBeNull();
    expect(await getScheduleCoverage(ctx, auditId)).toEqual({
      run: null,
      coverage: [],
      errors: [],
      rosterPeople: 0,
      withFindings: new Set(),
    });
    const unknown = await routes.latestRun.GET(
      get("/api/audits/nope/runs/latest"),
      paramsOf({ auditId: "nope" }),
    );
    expect(unknown.status).toBe(404);
  });
});

describe("the demo routes", () => {
  it("read the clock; move it forward with the next reads seeing the new time", async () => {
    const auditId = requireAudit(await seed({ state: "pinged", hoursAgo: 1 })).id;
    const ops = routesAs(USERS.ops);
    expect(readDemoClock(ctx)).toEqual({
      now: "2026-11-24T12:00:00.000Z",
      offsetHours: 0,
    });
    await ops.demoClock.POST(post("/api/demo/clock", { hours: 72 }), paramsOf());
    const people = await ops.people.GET(
      get(`/api/audits/${auditId}/people?overdue=true`),
      paramsOf({ auditId }),
    );
    expect(await people.json()).toMatchObject({ total: 2 });
  });

  it.each(USER_NAMES)("do not exist outside demo mode, for %s either", async (user) => {
    await seed();
    demoMode = false;
    const routes = routesAs(USERS[user]);
    const responses = await Promise.all([
      routes.demoClock.POST(post("/api/demo/clock", { hours: 24 }), paramsOf()),
      routes.demoReset.POST(post("/api/demo/reset"), paramsOf()),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe("not_found:route");
    }
    expect(ctx.clock.offsetMs()).toBe(0);
    expect(await listAudits(ctx.db)).toHaveLength(1);
  });
});
