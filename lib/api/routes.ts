/**
 * The dashboard's HTTP API, built from its dependencies so tests can run the very handlers the app serves
 * with their own database, clock, roster and session. Each handler: parse → session and role → one lib
 * call → JSON. The `route.ts` files under `app/api` export them, built with the app's dependencies
 * (`app-routes.ts`).
 */
import type { Run } from "@/lib/db/queries";
import { getAuditById, getLatestRun } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import type { RosterPerson } from "@/lib/roster/schema";
import type { AppContext } from "@/lib/service/context";
import { resetDemo } from "@/lib/service/demo";
import { syncReplies } from "@/lib/service/chase/replies";
import { exportToIssue, previewIssueExport } from "@/lib/service/export";
import { auditIssueOf, getSignOffReview, sendBack, signOff, submitForReview } from "@/lib/service/sign-off";
import { getOverview } from "@/lib/service/overview";
import { getPersonDetail, queryPeople } from "@/lib/service/findings";
import { actOnItems, bulkAct } from "@/lib/service/item-actions";
import { openCurrentAudit, startAuditRun } from "@/lib/service/runs";
import { permissionTargetFor } from "@/lib/service/targets";
import { appErrorResponse, jsonResponse, type ApiHandler, type RouteHandler } from "./handler";
import {
  AuditParamsSchema,
  BulkActionSchema,
  ClockAdvanceSchema,
  PeopleQuerySchema,
  PersonActionSchema,
  PersonParamsSchema,
  SendBackSchema,
  SignOffSchema,
  permissionForAction,
} from "./schemas";
import { getScheduleCoverage } from "@/lib/service/schedules";

export interface ApiRouteDeps {
  /** The route wrapper: same-origin check, session, permission, input, errors. */
  apiHandler: ApiHandler;
  getAppContext: () => Promise<AppContext>;
  /** The roster that decides who manages whom (cached by the app). */
  getRoster: () => Promise<readonly RosterPerson[]>;
  /** Whether the demo routes (clock, reset) exist; they answer 404 otherwise. */
  isDemoMode: () => boolean;
}

/** `GET`/`POST /api/demo/clock`. */
export interface DemoClockState {
  /** The app's now, ISO 8601 UTC. */
  now: string;
  /** How far the app's clock runs ahead of real time. */
  offsetHours: number;
}

const HOUR_MS = 3_600_000;

/** Every route handler of the API, by route. */
export function createApiRoutes(deps: ApiRouteDeps) {
  const { apiHandler } = deps;
  const context = () => deps.getAppContext();

  /** Demo routes do not exist outside demo mode: 404 before anything else, signed in or not. */
  const demoOnly =
    (handler: RouteHandler): RouteHandler =>
    async (request, routeContext) =>
      deps.isDemoMode()
        ? handler(request, routeContext)
        : appErrorResponse(new AppError("not_found:route", "There is no such API route."));

  return {
    /** `GET /api/overview`: the due audit, the current audit's counts, the history. */
    overview: {
      GET: apiHandler({ run: async () => getOverview(await context()) }),
    },

    /** `POST /api/audits`: opens the current period's audit → 201 Audit; 409 `conflict:audit` if it exists. */
    audits: {
      POST: apiHandler({
        permission: "audit:open",
        run: async ({ user }) => jsonResponse(await openCurrentAudit(await context(), user.name), 201),
      }),
    },

    /** `POST /api/audits/[auditId]/runs`: starts a run → 202 Run; 409 `conflict:run` while one runs. */
    runs: {
      POST: apiHandler({
        permission: "audit:run",
        params: AuditParamsSchema,
        run: async ({ user, params }) =>
          jsonResponse(
            await startAuditRun(await context(), { auditId: params.auditId, actor: user.name }),
            202,
          ),
      }),
    },

    /** `GET /api/audits/[auditId]/runs/latest`: the newest run (polled while it runs), or null. */
    latestRun: {
      GET: apiHandler({
        params: AuditParamsSchema,
        run: async ({ params }) => readLatestRun(await context(), params.auditId),
      }),
    },

    /** `GET /api/audits/[auditId]/people?…`: one page of the findings table. */
    people: {
      GET: apiHandler({
        params: AuditParamsSchema,
        input: PeopleQuerySchema,
        run: async ({ params, input }) => {
          const ctx = await context();
          await getAuditById(ctx.db, params.auditId);
          return queryPeople(ctx, params.auditId, input);
        },
      }),
    },

    /** `GET /api/audits/[auditId]/people/[personKey]`: a person's items, timers and ping history. */
    person: {
      GET: apiHandler({
        params: PersonParamsSchema,
        run: async ({ params }) => getPersonDetail(await context(), params.auditId, params.personKey),
      }),
    },

    /**
     * `POST /api/audits/[auditId]/people/[personKey]/actions` `{ action, itemIds? }` → ActionOutcome. Allowed
     * to Support Operations and to the person's managers (not to the person); nobody marks their own
     * finding intentional or waives it, except the Support Operations Manager with `override: true`,
     * which the event records. 409 on a signed-off audit or when the action fits none of the items.
     */
    personActions: {
      POST: apiHandler({
        params: PersonParamsSchema,
        input: PersonActionSchema,
        permission: async ({ input, params }) => ({
          permission: permissionForAction(input.action),
          target: permissionTargetFor(params.personKey, await deps.getRoster()),
        }),
        run: async ({ user, input, params }) =>
          actOnItems(await context(), {
            auditId: params.auditId,
            personKey: params.personKey,
            itemIds: input.itemIds,
            action: input.action,
            actor: user.name,
            actorKey: user.personKey,
          }),
      }),
    },

    /**
     * `POST /api/audits/[auditId]/bulk` `{ action: "ping" | "escalate" }` → ActionOutcome. Checked with no
     * target: it reaches everyone's items, so only Support Operations may.
     */
    bulk: {
      POST: apiHandler({
        params: AuditParamsSchema,
        input: BulkActionSchema,
        permission: ({ input }) => ({ permission: input.action === "ping" ? "item:ping" : "item:escalate" }),
        run: async ({ user, input, params }) =>
          bulkAct(await context(), {
            auditId: params.auditId,
            action: input.action,
            actor: user.name,
            actorKey: user.personKey,
          }),
      }),
    },

    /** `GET /api/audits/[auditId]/sign-off`: the review; `POST`: sign off (Support Operations Manager). */
    signOff: {
      GET: apiHandler({
        params: AuditParamsSchema,
        run: async ({ params }) => getSignOffReview(await context(), params.auditId),
      }),
      POST: apiHandler({
        permission: "audit:sign_off",
        params: AuditParamsSchema,
        input: SignOffSchema,
        run: async ({ user, params, input }) => {
          const ctx = await context();
          const issue = await auditIssueOf(ctx, params.auditId);
          return signOff(ctx, {
            auditId: params.auditId,
            actor: user.name,
            actorKey: user.personKey,
            overrideReason: input.overrideReason,
            issue,
          });
        },
      }),
    },

    /** `POST /api/audits/[auditId]/review`: Support Operations hand the audit over for review. */
    review: {
      POST: apiHandler({
        permission: "audit:run",
        params: AuditParamsSchema,
        run: async ({ user, params }) =>
          submitForReview(await context(), {
            auditId: params.auditId,
            actor: user.name,
            actorKey: user.personKey,
          }),
      }),
    },

    /** `POST /api/audits/[auditId]/send-back`: the reviewer sends it back with a comment. */
    sendBack: {
      POST: apiHandler({
        permission: "audit:send_back",
        params: AuditParamsSchema,
        input: SendBackSchema,
        run: async ({ user, params, input }) => {
          const ctx = await context();
          const issue = await auditIssueOf(ctx, params.auditId);
          return sendBack(ctx, {
            auditId: params.auditId,
            actor: user.name,
            actorKey: user.personKey,
            comment: input.comment,
            issue,
          });
        },
      }),
    },

    /** `POST /api/audits/[auditId]/replies`: reads replies from the audit issue (stops their follow-up clocks). */
    replies: {
      POST: apiHandler({
        permission: "item:ping",
        params: AuditParamsSchema,
        run: async ({ params }) => syncReplies(await context(), params.auditId),
      }),
    },

    /**
     * `/api/audits/[auditId]/export`: `GET` → IssueExportPreview (what would be written, nothing written);
     * `POST` → IssueExportResult (creates the audit's GitLab issue the first time, then updates it). 400
     * without a `gitlab` config section or GL_TOKEN, 409 before the first finished run or once signed off.
     */
    issueExport: {
      GET: apiHandler({
        permission: "audit:export",
        params: AuditParamsSchema,
        run: async ({ params }) => previewIssueExport(await context(), params.auditId),
      }),
      POST: apiHandler({
        permission: "audit:export",
        params: AuditParamsSchema,
        run: async ({ user, params }) =>
          exportToIssue(await context(), {
            auditId: params.auditId,
            actor: user.name,
            actorKey: user.personKey,
          }),
      }),
    },

    /** `GET /api/audits/[auditId]/schedules`: who is on each rotation's schedules and who should be. */
    schedules: {
      GET: apiHandler({
        params: AuditParamsSchema,
        run: async ({ params }) => getScheduleCoverage(await context(), params.auditId),
      }),
    },

    /** Demo only. `GET` reads the app's clock; `POST { hours }` moves it forward (`audit:run`). */
    demoClock: {
      GET: demoOnly(apiHandler({ run: async () => readClock(await context()) })),
      POST: demoOnly(
        apiHandler({
          permission: "audit:run",
          input: ClockAdvanceSchema,
          run: async ({ input }) => {
            const ctx = await context();
            ctx.clock.advance(input.hours * HOUR_MS);
            return readClock(ctx);
          },
        }),
      ),
    },

    /**
     * Demo only. `POST`: forgets every audit and returns the clock to real time, so each e2e spec starts
     * from the same state. Support Operations only (`audit:run`, as moving the clock): a member of a
     * shared demo must not wipe what the others are looking at.
     */
    demoReset: {
      POST: demoOnly(
        apiHandler({
          permission: "audit:run",
          run: async () => {
            const ctx = await context();
            await resetDemo(ctx);
            return readClock(ctx);
          },
        }),
      ),
    },
  } satisfies Record<string, Partial<Record<"GET" | "POST", RouteHandler>>>;
}

export type ApiRoutes = ReturnType<typeof createApiRoutes>;

function readClock(ctx: AppContext): DemoClockState {
  return { now: ctx.clock.now().toISOString(), offsetHours: ctx.clock.offsetMs() / HOUR_MS };
}

/** Throws `not_found:audit` for an unknown audit rather than answering null forever to a poller. */
async function readLatestRun(ctx: AppContext, auditId: string): Promise<Run | null> {
  await getAuditById(ctx.db, auditId);
  return getLatestRun(ctx.db, auditId);
}
