import "server-only";
import type * as z from "zod";
import {
  assertCan,
  assertSignedIn,
  type Permission,
  type PermissionTarget,
  type SessionUser,
} from "@/lib/auth/roles";
import { getRosterPeople, getSessionUser } from "@/lib/auth/session";
import { getEnv, isDemoMode, publicOriginsOf } from "@/lib/env";
import { AppError, statusForError, type ErrorDetail } from "@/lib/errors";
import type { RosterPerson } from "@/lib/roster/schema";
import { getAppContext } from "@/lib/service/app-context";
import type { AppContext } from "@/lib/service/context";

/**
 * The one wrapper for route handlers, called in each `route.ts` under `app/api`: same-origin check for
 * state-changing methods, session, input validation and permission, all on the server, then `run` with the
 * server's context, then JSON. Every failure is an `{ error: { code, message, details } }` body with the
 * status `statusForError` gives; anything that is not an AppError is logged here and answered with a
 * generic 500.
 *
 * ```ts
 * // app/api/audits/[auditId]/bulk/route.ts
 * export const POST = apiHandler({
 *   params: AuditParamsSchema,
 *   input: BulkActionSchema,
 *   permission: ({ input }) => ({ permission: input.action === "ping" ? "item:ping" : "item:escalate" }),
 *   run: ({ app, user, input, params }) => bulkAct(app, { auditId: params.auditId, ... }),
 * });
 * ```
 */

type Awaitable<T> = T | Promise<T>;

/** Route segment values as Next passes them (`[id]` → string, `[...slug]` → string[]). */
export type RouteParams = Record<string, string | string[] | undefined>;

/** Next's second route-handler argument. */
export interface RouteContext {
  params: Promise<RouteParams>;
}

export type RouteHandler = (request: Request, context: RouteContext) => Promise<Response>;

type Parsed<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

export interface ApiContext<Input, Params> {
  user: SessionUser;
  input: Input;
  params: Params;
  request: Request;
  /** The server's context (database, clock, config, outside clients), read once the request is allowed. */
  app: AppContext;
}

/** What a permission function is given: the request's user, input and params, and the roster. */
export interface PermissionContext<Input, Params> {
  user: SessionUser;
  input: Input;
  params: Params;
  /** The roster that decides who manages whom (read only when asked for). */
  roster: () => Promise<readonly RosterPerson[]>;
}

/**
 * A fixed permission, checked before the input is read; or a function of the validated input and params
 * that names the permission and its target (an item's owner and their managers), checked after.
 */
export type PermissionRule<Input, Params> =
  | Permission
  | ((
      ctx: PermissionContext<Input, Params>,
    ) => Awaitable<{ permission: Permission; target?: PermissionTarget }>);

export interface ApiHandlerOptions<
  InputSchema extends z.ZodType | undefined,
  ParamsSchema extends z.ZodType | undefined,
> {
  /** Omitted: any signed-in roster person may call it (reads). */
  permission?: PermissionRule<Parsed<InputSchema, undefined>, Parsed<ParamsSchema, RouteParams>>;
  /** Validates the JSON body (POST, PUT, PATCH) or the query string (GET, HEAD, DELETE). */
  input?: InputSchema;
  /** Validates the route segments (`[id]`). */
  params?: ParamsSchema;
  /** A demo route: outside demo mode it does not exist (404 before anything else, signed in or not). */
  demoOnly?: boolean;
  /** The work. Its result is sent as JSON (`null` for undefined); a Response is sent as is (downloads). */
  run: (
    ctx: ApiContext<Parsed<InputSchema, undefined>, Parsed<ParamsSchema, RouteParams>>,
  ) => Promise<unknown>;
}

/**
 * What the wrapper reads from outside the request. The app's `apiHandler` below binds the server's; route
 * tests build the same wrapper with their own (`createApiHandler`), so they run the very `route.ts` code
 * the app serves.
 */
export interface ApiHandlerDeps {
  /** The signed-in user or null. Injected so route tests need no next-auth. */
  getSessionUser: () => Promise<SessionUser | null>;
  /** The server's context, handed to `run` as `app`. */
  getAppContext: () => Promise<AppContext>;
  /** The roster that decides who manages whom (cached by the app), for permission functions. */
  getRoster: () => Promise<readonly RosterPerson[]>;
  /** Whether the demo routes (`demoOnly`) exist. */
  isDemoMode: () => boolean;
  /**
   * The origins the dashboard's pages are served from (`publicOriginsOf(env)`: NEXTAUTH_URL's and
   * AUDIT_ALLOWED_HOSTS'). When there are any, a POST/PUT/PATCH/DELETE's `Origin` must be one of them,
   * whatever `Host` says; when there are none (no NEXTAUTH_URL: development), it must match `Host`.
   */
  publicOrigins?: () => readonly string[];
  /** Server-side log; never reaches the response. */
  logError?: (message: string, error: unknown) => void;
}

/** Larger JSON bodies are refused before parsing; the dashboard's requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

const STATE_CHANGING_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

const INTERNAL_ERROR_MESSAGE =
  "Something went wrong on the server. It has been logged; try again, and tell Support Operations if it keeps happening.";

/** Builds `apiHandler` around the given dependencies; `apiHandler` below is the app's. */
export function createApiHandler(deps: ApiHandlerDeps) {
  const logError = deps.logError ?? defaultLogError;

  return function apiHandler<
    InputSchema extends z.ZodType | undefined = undefined,
    ParamsSchema extends z.ZodType | undefined = undefined,
  >(options: ApiHandlerOptions<InputSchema, ParamsSchema>): RouteHandler {
    type Input = Parsed<InputSchema, undefined>;
    type Params = Parsed<ParamsSchema, RouteParams>;

    return async (request, context) => {
      if (options.demoOnly && !deps.isDemoMode()) {
        return appErrorResponse(new AppError("not_found:route", "There is no such API route."));
      }
      try {
        assertSameOrigin(request, deps.publicOrigins?.() ?? []);
        const user = assertSignedIn(await deps.getSessionUser());
        const rule = options.permission;
        if (typeof rule === "string") assertCan(user, rule);

        const params = (await parseParams(options.params, context)) as Params;
        const input = (await parseInput(options.input, request)) as Input;
        if (typeof rule === "function") {
          const { permission, target } = await rule({ user, input, params, roster: deps.getRoster });
          assertCan(user, permission, target);
        }

        const app = await deps.getAppContext();
        const result = await options.run({ user, input, params, request, app });
        return result instanceof Response ? result : jsonResponse(result ?? null, 200);
      } catch (error) {
        return errorResponse(error, request, logError);
      }
    };
  };
}

/**
 * The app's route-handler wrapper: the next-auth session, the server's context and the cached roster.
 * Nothing is read until a request arrives, so `next build` needs no secrets and no database.
 */
export const apiHandler = createApiHandler({
  getSessionUser,
  getAppContext,
  getRoster: getRosterPeople,
  isDemoMode: () => isDemoMode(getEnv()),
  publicOrigins: () => publicOriginsOf(getEnv()),
});

/**
 * CSRF protection for state-changing methods: the browser's `Origin` must be one of the dashboard's public
 * origins. Browsers always send `Origin` on such requests and a page on another site cannot forge it. The
 * request's own URL is never the measure: Next builds it on the address it listens on (`localhost`), which
 * is any page on the visitor's own machine. `Host`/`X-Forwarded-Host` count only when no public origin is
 * configured (development without NEXTAUTH_URL); in production proxy.ts refuses a `Host` that is not a
 * public name, so the configured names are the whole truth there. A missing or `null` Origin is refused.
 */
function assertSameOrigin(request: Request, publicOrigins: readonly string[]): void {
  if (!STATE_CHANGING_METHODS.has(request.method.toUpperCase())) return;
  const origin = request.headers.get("origin");
  const originUrl = origin && origin !== "null" ? parseUrl(origin) : null;
  if (originUrl && isSameSite(originUrl, request, publicOrigins)) return;
  throw new AppError(
    "forbidden:csrf",
    "This request did not come from the dashboard's own pages, so it was refused. Reload the page and try again.",
  );
}

function isSameSite(origin: URL, request: Request, publicOrigins: readonly string[]): boolean {
  if (publicOrigins.length > 0) return publicOrigins.includes(origin.origin);
  const hosts = [request.headers.get("x-forwarded-host")?.split(",")[0]?.trim(), request.headers.get("host")];
  return hosts.includes(origin.host);
}

async function parseParams(schema: z.ZodType | undefined, context: RouteContext): Promise<unknown> {
  const raw: RouteParams = (await context.params) ?? {};
  if (!schema) return raw;
  const result = await schema.safeParseAsync(raw);
  if (result.success) return result.data;
  throw invalidRequest(result.error.issues, "params.");
}

async function parseInput(schema: z.ZodType | undefined, request: Request): Promise<unknown> {
  if (!schema) return undefined;
  const raw = BODY_METHODS.has(request.method.toUpperCase())
    ? await readJsonBody(request)
    : readQuery(request);
  const result = await schema.safeParseAsync(raw);
  if (result.success) return result.data;
  throw invalidRequest(result.error.issues, "");
}

/** The query string as an object; a key given more than once becomes a list. */
function readQuery(request: Request): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  const searchParams = new URL(request.url).searchParams;
  for (const key of new Set(searchParams.keys())) {
    const values = searchParams.getAll(key);
    query[key] = values.length === 1 && values[0] !== undefined ? values[0] : values;
  }
  return query;
}

/** The JSON body; an empty body is `undefined` (the schema decides whether that is fine). */
async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw bodyTooLarge();
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) throw bodyTooLarge();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("invalid:request", "The request body is not valid JSON.", {
      details: [{ message: "expected a JSON body" }],
    });
  }
}

function bodyTooLarge(): AppError {
  return new AppError("invalid:request", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
}

function invalidRequest(issues: readonly z.core.$ZodIssue[], pathPrefix: string): AppError {
  const details: ErrorDetail[] = issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? { path: `${pathPrefix}${path}`, message: issue.message } : { message: issue.message };
  });
  const count = details.length === 1 ? "1 problem" : `${details.length} problems`;
  return new AppError("invalid:request", `The request has ${count}.`, { details });
}

function errorResponse(
  error: unknown,
  request: Request,
  logError: (message: string, error: unknown) => void,
) {
  const where = `${request.method} ${parseUrl(request.url)?.pathname ?? request.url}`;
  if (error instanceof AppError) {
    if (statusForError(error) >= 500) logError(`api: ${where} failed with ${error.code}`, error);
    return appErrorResponse(error);
  }
  logError(`api: ${where} failed`, error);
  return jsonResponse(
    { error: { code: "internal:unexpected", message: INTERNAL_ERROR_MESSAGE, details: [] } },
    500,
  );
}

/** The `{ error: { code, message, details } }` answer for an AppError, with the status its kind maps to. */
function appErrorResponse(error: AppError): Response {
  return jsonResponse(
    { error: { code: error.code, message: error.message, details: error.details } },
    statusForError(error),
  );
}

/** A JSON answer that no shared cache may keep; for `run` results that need a status other than 200. */
export function jsonResponse(body: unknown, status: number): Response {
  // Every answer depends on who asks; no shared cache may keep one.
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function defaultLogError(message: string, error: unknown): void {
  console.error(message, error);
}
