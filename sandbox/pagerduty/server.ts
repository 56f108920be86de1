/**
 * A sandbox PagerDuty: a real HTTP server on loopback that answers the read endpoints the audit uses
 * (`/users`, `/schedules`, `/v3/schedules`) the way PagerDuty's REST API does — same envelopes, references,
 * pagination rules, error bodies and rate-limit headers — plus seeded fault injection, so the client can be
 * tested, demonstrated and benchmarked without a PagerDuty account.
 *
 * Shapes follow the official OpenAPI description (checked by `contract.test.ts`). Where the sandbox has to
 * pick something the description leaves open, the choice is commented where it is made.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import * as z from "zod";
import { mulberry32 } from "../random";
import type {
  AnswerOptions,
  FaultOptions,
  PagerDutySandbox,
  PagerDutyState,
  SandboxContactMethod,
  SandboxOptions,
  SandboxRotation,
  SandboxScheduleV2,
  SandboxEvent,
  SandboxScheduleV3,
  SandboxStats,
  SandboxUser,
} from "./types";
import { listenOnLoopback } from "../loopback";

/** The served data as the control route accepts it: the `PagerDutyState` types, checked. */
const PagerDutyStateSchema = z.object({
  users: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      job_title: z.string().optional(),
      time_zone: z.string().optional(),
      role: z.enum(["admin", "limited_user", "observer", "owner", "read_only_user", "user"]).optional(),
      invitation_sent: z.boolean(),
      deleted_at: z.string().nullable(),
      contact_methods: z.array(
        z.object({
          id: z.string(),
          type: z.enum([
            "email_contact_method",
            "phone_contact_method",
            "sms_contact_method",
            "push_notification_contact_method",
          ]),
          summary: z.string(),
          address: z.string(),
        }),
      ),
      notification_rules: z.array(
        z.object({
          id: z.string(),
          type: z.literal("assignment_notification_rule"),
          start_delay_in_minutes: z.number(),
          urgency: z.enum(["high", "low"]),
          contact_method_id: z.string(),
        }),
      ),
    }),
  ),
  schedules: z.array(
    z.discriminatedUnion("kind", [
      z.object({
        kind: z.literal("v2"),
        id: z.string(),
        name: z.string(),
        time_zone: z.string(),
        layers: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            start: z.string(),
            end: z.string().nullable(),
            user_ids: z.array(z.string()),
          }),
        ),
      }),
      z.object({
        kind: z.literal("v3"),
        id: z.string(),
        name: z.string(),
        time_zone: z.string(),
        rotations: z.array(
          z.object({
            id: z.string(),
            events: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                effective_since: z.string(),
                effective_until: z.string().nullable(),
                member_user_ids: z.array(z.string().nullable()),
              }),
            ),
          }),
        ),
      }),
    ]),
  ),
}) satisfies z.ZodType<PagerDutyState>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const DEFAULT_SANDBOX_TOKEN = "sandbox-token";
/** PagerDuty's REST limit per token; advertised in the headers even when the sandbox does not enforce one. */
export const NOMINAL_RATE_LIMIT_PER_MINUTE = 960;
/** Web-app links (`html_url`) use a reserved domain: nothing serves them, nobody mistakes them for real. */
export const SANDBOX_HTML_BASE = "https://sandbox.pagerduty.example";

const WINDOW_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Classic (offset) pagination: default 25, capped at 100, and nothing past offset + limit = 10,000. */
const CLASSIC_PAGING: PagingRules = { defaultLimit: 25, maxLimit: 100, errorStyle: "classic" };
/**
 * `/v3/schedules` documents its own limit (default 100, maximum 1000) and its own 400 body, whose `errors`
 * maps a field to messages instead of listing strings.
 */
const V3_PAGING: PagingRules = { defaultLimit: 100, maxLimit: 1000, errorStyle: "v3" };
/** A v3 schedule's rotations and a rotation's events: default 25, maximum 100 (`schedule_v3_limit`). */
const V3_PART_PAGING: PagingRules = { defaultLimit: 25, maxLimit: 100, errorStyle: "v3" };
const MAX_PAGINATION_WINDOW = 10_000;
/** Sandbox v3 events carry no shift times; each covers one week, repeating weekly. */
const V3_SHIFT_MS = 7 * 24 * 3600 * 1000;

/**
 * PagerDuty's error codes for the cases the sandbox produces (from PagerDuty's error-code table; the OpenAPI
 * description itself only shows 2001 and 2100 in examples).
 */
const ERROR_CODES = {
  internal: 2000,
  invalidInput: 2001,
  authentication: 2006,
  accessDenied: 2010,
  rateLimit: 2020,
  notFound: 2100,
} as const;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type FaultKind = "none" | "reset" | "timeout" | "transient" | "rate_limit" | "truncated";

interface FaultDraw {
  kind: FaultKind;
  /** Two more uniform draws in [0, 1) that pick a variant (status, header presence, burst length). */
  variant: number;
  variant2: number;
}

interface Route {
  key: string;
  /** Handler for GET; other methods on a known path get 405. */
  get: (url: URL) => Reply;
}

/**
 * Counts events in a rolling window. Timestamps are appended in order, so expired ones are dropped from the
 * front; `head` avoids shifting a large array on every request.
 */
class RollingWindow {
  private times: number[] = [];
  private head = 0;

  add(now: number): void {
    this.times.push(now);
  }

  count(now: number): number {
    this.prune(now);
    return this.times.length - this.head;
  }

  /** Time of the oldest event still in the window, or null when it is empty. */
  oldest(now: number): number | null {
    this.prune(now);
    return this.times[this.head] ?? null;
  }

  private prune(now: number): void {
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - WINDOW_MS) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

function textReply(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers }, body };
}

/** PagerDuty's error envelope: `{ error: { message, code, errors? } }`. */
function errorReply(status: number, message: string, code: number, errors?: string[]): Reply {
  return jsonReply(status, { error: errors ? { message, code, errors } : { message, code } });
}

const notFound = (): Reply => errorReply(404, "Not Found", ERROR_CODES.notFound);

function emptyStats(): SandboxStats {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    maxPerMinute: 0,
    maxAttemptedPerMinute: 0,
    rateLimited: 0,
    firstRequestAt: null,
    lastAnswerAt: null,
  };
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

interface Paging {
  limit: number;
  offset: number;
  total: boolean;
}

interface PagingRules {
  defaultLimit: number;
  maxLimit: number;
  errorStyle: "classic" | "v3";
}

function invalidInput(rules: PagingRules, field: string, message: string): Reply {
  if (rules.errorStyle === "v3") {
    return jsonReply(400, {
      error: {
        message: "Invalid Input Provided",
        code: ERROR_CODES.invalidInput,
        errors: { [field]: [message] },
      },
    });
  }
  return errorReply(400, "Invalid Input Provided", ERROR_CODES.invalidInput, [`${field} ${message}`]);
}

/**
 * Reads `limit`, `offset` and `total`. A limit above the maximum is capped, as PagerDuty does; a malformed
 * number or a window past 10,000 records is a 400 (PagerDuty refuses offset pagination beyond that).
 */
function parsePaging(url: URL, rules: PagingRules): Paging | Reply {
  const limitText = url.searchParams.get("limit");
  const offsetText = url.searchParams.get("offset");
  const limit = limitText === null ? rules.defaultLimit : Number(limitText);
  const offset = offsetText === null ? 0 : Number(offsetText);
  if (!Number.isInteger(limit) || limit < 1)
    return invalidInput(rules, "limit", "must be a positive integer");
  if (!Number.isInteger(offset) || offset < 0) {
    return invalidInput(rules, "offset", "must be a non-negative integer");
  }
  const capped = Math.min(limit, rules.maxLimit);
  if (offset + capped > MAX_PAGINATION_WINDOW) {
    return invalidInput(
      rules,
      "offset",
      `+ limit must not exceed ${MAX_PAGINATION_WINDOW}; narrow the query instead of paging further`,
    );
  }
  return { limit: capped, offset, total: url.searchParams.get("total") === "true" };
}

function page<T>(items: readonly T[], paging: Paging): { slice: T[]; meta: Record<string, unknown> } {
  const slice = items.slice(paging.offset, paging.offset + paging.limit);
  return {
    slice,
    meta: {
      limit: paging.limit,
      offset: paging.offset,
      total: paging.total ? items.length : null,
      more: paging.offset + slice.length < items.length,
    },
  };
}

function matchesQuery(query: string | null, ...fields: string[]): boolean {
  if (!query) return true;
  const needle = query.toLowerCase();
  return fields.some((field) => field.toLowerCase().includes(needle));
}

/** Indexes over the served state, rebuilt on `setState`. */
interface Indexed {
  state: PagerDutyState;
  usersById: Map<string, SandboxUser>;
  /** Users `/users` lists: everyone not deleted, in state order. */
  activeUsers: SandboxUser[];
  v2: SandboxScheduleV2[];
  v3: SandboxScheduleV3[];
}

function indexState(state: PagerDutyState): Indexed {
  return {
    state,
    usersById: new Map(state.users.map((user) => [user.id, user])),
    activeUsers: state.users.filter((user) => user.deleted_at === null),
    v2: state.schedules.filter((s): s is SandboxScheduleV2 => s.kind === "v2"),
    v3: state.schedules.filter((s): s is SandboxScheduleV3 => s.kind === "v3"),
  };
}

/** Renders the wire shapes. `base` is the sandbox's own URL, used for `self` links. */
function createRenderer(base: () => string) {
  const contactMethodReference = (userId: string, method: SandboxContactMethod | undefined, id: string) => ({
    id,
    type: `${method?.type ?? "email_contact_method"}_reference`,
    summary: method?.summary ?? null,
    self: `${base()}/users/${userId}/contact_methods/${id}`,
    html_url: null,
  });

  function user(u: SandboxUser, include: ReadonlySet<string>) {
    const methodsById = new Map(u.contact_methods.map((m) => [m.id, m]));
    // Without include[], PagerDuty answers references; with it, the full objects (shapes of ContactMethod
    // and NotificationRule in the OpenAPI description).
    const contactMethods = include.has("contact_methods")
      ? u.contact_methods.map((m) => ({
          id: m.id,
          type: m.type,
          summary: m.summary,
          self: `${base()}/users/${u.id}/contact_methods/${m.id}`,
          html_url: null,
          label: m.summary,
          address: m.address,
          ...(m.type === "email_contact_method" ? { send_short_email: false } : {}),
        }))
      : u.contact_methods.map((m) => contactMethodReference(u.id, m, m.id));
    const notificationRules = u.notification_rules.map((rule) =>
      include.has("notification_rules")
        ? {
            id: rule.id,
            type: rule.type,
            summary: `${rule.start_delay_in_minutes} minutes: channel ${rule.contact_method_id}`,
            self: `${base()}/users/${u.id}/notification_rules/${rule.id}`,
            html_url: null,
            start_delay_in_minutes: rule.start_delay_in_minutes,
            urgency: rule.urgency,
            contact_method: contactMethodReference(
              u.id,
              methodsById.get(rule.contact_method_id),
              rule.contact_method_id,
            ),
          }
        : {
            id: rule.id,
            type: "assignment_notification_rule_reference",
            summary: "Default",
            self: `${base()}/users/${u.id}/notification_rules/${rule.id}`,
            html_url: null,
          },
    );
    return {
      id: u.id,
      type: "user",
      summary: u.name,
      self: `${base()}/users/${u.id}`,
      html_url: `${SANDBOX_HTML_BASE}/users/${u.id}`,
      name: u.name,
      email: u.email,
      // PagerDuty falls back to the account's zone; the sandbox account's zone is UTC.
      time_zone: u.time_zone ?? "Etc/UTC",
      color: "purple",
      role: u.role ?? "user",
      avatar_url: `${SANDBOX_HTML_BASE}/avatars/${u.id}.png`,
      description: null,
      invitation_sent: u.invitation_sent,
      created_via_sso: false,
      ...(u.job_title !== undefined ? { job_title: u.job_title } : {}),
      teams: [],
      contact_methods: contactMethods,
      notification_rules: notificationRules,
    };
  }

  /**
   * A user reference as schedules show it. Deleted users keep their name as summary and gain `deleted_at`;
   * an ID the state does not know at all is rendered with a null summary rather than dropped.
   */
  function userReference(id: string, users: Map<string, SandboxUser>) {
    const u = users.get(id);
    return {
      id,
      type: "user_reference",
      summary: u?.name ?? null,
      self: `${base()}/users/${id}`,
      html_url: `${SANDBOX_HTML_BASE}/users/${id}`,
      ...(u?.deleted_at ? { deleted_at: u.deleted_at } : {}),
    };
  }

  function scheduleV2(s: SandboxScheduleV2, users: Map<string, SandboxUser>, withLayers: boolean) {
    const everyone = [...new Set(s.layers.flatMap((layer) => layer.user_ids))];
    return {
      id: s.id,
      type: "schedule",
      summary: s.name,
      self: `${base()}/schedules/${s.id}`,
      html_url: `${SANDBOX_HTML_BASE}/schedules/${s.id}`,
      name: s.name,
      time_zone: s.time_zone,
      description: "",
      escalation_policies: [],
      teams: [],
      users: everyone.map((id) => userReference(id, users)),
      ...(withLayers
        ? {
            schedule_layers: s.layers.map((layer) => ({
              id: layer.id,
              name: layer.name,
              start: layer.start,
              end: layer.end,
              rotation_virtual_start: layer.start,
              rotation_turn_length_seconds: 7 * 24 * 3600,
              users: layer.user_ids.map((id) => ({ user: userReference(id, users) })),
              restrictions: [],
            })),
          }
        : {}),
    };
  }

  function scheduleV3Reference(s: SandboxScheduleV3) {
    return {
      id: s.id,
      type: "schedule_v3_reference",
      summary: s.name,
      self: `${base()}/v3/schedules/${s.id}`,
      html_url: `${SANDBOX_HTML_BASE}/schedules/${s.id}`,
    };
  }

  function eventV3(s: SandboxScheduleV3, rotationId: string, event: SandboxEvent) {
    return {
      id: event.id,
      type: "schedule_event",
      name: event.name,
      // start_time/end_time are ZonedDateTime objects: the recurring window, here one whole week.
      start_time: { date_time: event.effective_since, time_zone: s.time_zone },
      end_time: {
        date_time: new Date(Date.parse(event.effective_since) + V3_SHIFT_MS).toISOString(),
        time_zone: s.time_zone,
      },
      effective_since: event.effective_since,
      effective_until: event.effective_until,
      recurrence: ["RRULE:FREQ=WEEKLY"],
      assignment_strategy: {
        type: "rotating_member_assignment_strategy",
        shifts_per_member: 1,
        // PagerDuty requires at least one member; a slot nobody fills is an `empty_member`.
        members: (event.member_user_ids.length > 0 ? event.member_user_ids : [null]).map((id) =>
          id === null ? { type: "empty_member" } : { type: "user_member", user_id: id },
        ),
      },
      self: `${base()}/v3/schedules/${s.id}/rotations/${rotationId}/events/${event.id}`,
    };
  }

  /** A rotation, with its events inline unless `withEvents` is false (`events` is optional in `Rotation`). */
  function rotationV3(s: SandboxScheduleV3, rotation: SandboxRotation, withEvents: boolean) {
    return {
      id: rotation.id,
      type: "schedule_rotation",
      self: `${base()}/v3/schedules/${s.id}/rotations/${rotation.id}`,
      ...(withEvents
        ? { events: eventsByStart(rotation).map((event) => eventV3(s, rotation.id, event)) }
        : {}),
    };
  }

  /** `omit`: what the answer leaves out (see `AnswerOptions.v3ScheduleOmits`). */
  function scheduleV3(s: SandboxScheduleV3, omit?: "events" | "rotations") {
    return {
      id: s.id,
      type: "schedule_v3",
      name: s.name,
      time_zone: s.time_zone,
      description: "",
      self: `${base()}/v3/schedules/${s.id}`,
      html_url: `${SANDBOX_HTML_BASE}/schedules/${s.id}`,
      ...(omit === "rotations"
        ? {}
        : { rotations: s.rotations.map((rotation) => rotationV3(s, rotation, omit !== "events")) }),
    };
  }

  return { user, scheduleV2, scheduleV3, scheduleV3Reference, rotationV3, eventV3 };
}

/** A rotation's events "ordered by start time", as the events endpoint documents; inline too, so both agree. */
function eventsByStart(rotation: SandboxRotation): SandboxEvent[] {
  return [...rotation.events].sort((a, b) => Date.parse(a.effective_since) - Date.parse(b.effective_since));
}

function readIncludes(url: URL): Set<string> {
  return new Set(url.searchParams.getAll("include[]"));
}

function createRoutes(
  data: () => Indexed,
  render: ReturnType<typeof createRenderer>,
  answers: () => AnswerOptions,
) {
  const users = (url: URL): Reply => {
    const paging = parsePaging(url, CLASSIC_PAGING);
    if ("status" in paging) return paging;
    const query = url.searchParams.get("query");
    const include = readIncludes(url);
    const matching = data().activeUsers.filter((u) => matchesQuery(query, u.name, u.email));
    const { slice, meta } = page(matching, paging);
    return jsonReply(200, { users: slice.map((u) => render.user(u, include)), ...meta });
  };

  const user = (id: string, url: URL): Reply => {
    const found = data().usersById.get(id);
    if (!found || found.deleted_at !== null) return notFound();
    return jsonReply(200, { user: render.user(found, readIncludes(url)) });
  };

  const schedules = (url: URL): Reply => {
    const paging = parsePaging(url, CLASSIC_PAGING);
    if ("status" in paging) return paging;
    const query = url.searchParams.get("query");
    const { slice, meta } = page(
      data().v2.filter((s) => matchesQuery(query, s.name)),
      paging,
    );
    return jsonReply(200, {
      schedules: slice.map((s) => render.scheduleV2(s, data().usersById, false)),
      ...meta,
    });
  };

  /**
   * The two APIs do not serve each other's schedules. PagerDuty says so with a 400 naming the other API
   * (the body is the classic envelope on v2, the v3 one without `errors` on v3); `crossNamespace: 404`
   * answers as if the schedule did not exist.
   */
  const otherNamespace = (serves: "v2" | "v3"): Reply => {
    if (answers().crossNamespace === 404) return notFound();
    return serves === "v2"
      ? errorReply(
          400,
          "This is a shift-based schedule. Use the v3 Schedules API to access it.",
          ERROR_CODES.invalidInput,
        )
      : jsonReply(400, {
          error: {
            message: "This is a layer-based schedule. Use the v2 Schedules API to access it.",
            code: ERROR_CODES.invalidInput,
          },
        });
  };

  const schedule = (id: string): Reply => {
    const found = data().v2.find((s) => s.id === id);
    if (found) return jsonReply(200, { schedule: render.scheduleV2(found, data().usersById, true) });
    return data().v3.some((s) => s.id === id) ? otherNamespace("v2") : notFound();
  };

  const schedulesV3 = (url: URL): Reply => {
    const { v3ListStatus, v3ListOmits = [] } = answers();
    if (v3ListStatus === 403) return errorReply(403, "Access Denied", ERROR_CODES.accessDenied);
    if (v3ListStatus === 500) return errorReply(500, "Internal Server Error", ERROR_CODES.internal);
    const paging = parsePaging(url, V3_PAGING);
    if ("status" in paging) return paging;
    const query = url.searchParams.get("query");
    const { slice, meta } = page(
      data().v3.filter((s) => matchesQuery(query, s.name)),
      paging,
    );
    for (const field of v3ListOmits) delete meta[field];
    return jsonReply(200, { schedules: slice.map((s) => render.scheduleV3Reference(s)), ...meta });
  };

  const scheduleV3 = (id: string): Reply => {
    const found = data().v3.find((s) => s.id === id);
    if (found) return jsonReply(200, { schedule: render.scheduleV3(found, answers().v3ScheduleOmits) });
    return data().v2.some((s) => s.id === id) ? otherNamespace("v3") : notFound();
  };

  // The rotation list's items carry their events unless the schedule itself is answered without rotations:
  // the OpenAPI example of this list shows bare `{ id, type }` rotations.
  const rotationsV3 = (id: string, url: URL): Reply => {
    const found = data().v3.find((s) => s.id === id);
    if (!found) return notFound();
    const paging = parsePaging(url, V3_PART_PAGING);
    if ("status" in paging) return paging;
    const withEvents = answers().v3ScheduleOmits !== "rotations";
    const { slice, meta } = page(found.rotations, paging);
    return jsonReply(200, {
      rotations: slice.map((rotation) => render.rotationV3(found, rotation, withEvents)),
      ...meta,
    });
  };

  const rotationEventsV3 = (id: string, rotationId: string, url: URL): Reply => {
    if (answers().rotationEventsStatus === 500) {
      return errorReply(500, "Internal Server Error", ERROR_CODES.internal);
    }
    const found = data().v3.find((s) => s.id === id);
    const rotation = found?.rotations.find((r) => r.id === rotationId);
    if (!found || !rotation) return notFound();
    const paging = parsePaging(url, V3_PART_PAGING);
    if ("status" in paging) return paging;
    const { slice, meta } = page(eventsByStart(rotation), paging);
    return jsonReply(200, {
      events: slice.map((event) => render.eventV3(found, rotationId, event)),
      ...meta,
    });
  };

  /** Maps a path to its route; IDs are one path segment. */
  return function match(pathname: string): Route | null {
    let parts: string[];
    try {
      parts = pathname.split("/").slice(1).map(decodeURIComponent);
    } catch {
      return null;
    }
    const [a, b, c, d, e, f, extra] = parts;
    if (a === "users" && b === undefined) return { key: "GET /users", get: users };
    if (a === "users" && b && c === undefined) return { key: "GET /users/{id}", get: (url) => user(b, url) };
    if (a === "schedules" && b === undefined) return { key: "GET /schedules", get: schedules };
    if (a === "schedules" && b && c === undefined)
      return { key: "GET /schedules/{id}", get: () => schedule(b) };
    if (a === "v3" && b === "schedules" && c === undefined)
      return { key: "GET /v3/schedules", get: schedulesV3 };
    if (a === "v3" && b === "schedules" && c && d === undefined) {
      return { key: "GET /v3/schedules/{id}", get: () => scheduleV3(c) };
    }
    if (a === "v3" && b === "schedules" && c && d === "rotations" && e === undefined) {
      return { key: "GET /v3/schedules/{id}/rotations", get: (url) => rotationsV3(c, url) };
    }
    if (
      a === "v3" &&
      b === "schedules" &&
      c &&
      d === "rotations" &&
      e &&
      f === "events" &&
      extra === undefined
    ) {
      return {
        key: "GET /v3/schedules/{id}/rotations/{rotation_id}/events",
        get: (url) => rotationEventsV3(c, e, url),
      };
    }
    return null;
  };
}

/** Reads `Authorization: Token token=<token>`; anything else yields null. */
function readToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  const match = header ? /^Token token=(\S+)$/i.exec(header.trim()) : null;
  return match?.[1] ?? null;
}

/**
 * Starts a sandbox PagerDuty on loopback. Resolves once it listens; `url` then holds the real port.
 *
 * Request handling order: token revocation fault → authentication → enforced rate limit → unknown path
 * (404) or method (405) → random faults → the route itself. Fault draws come from a generator seeded with
 * `options.seed`, three draws per request that reaches the fault stage, so the same request sequence meets
 * the same faults. An injected 429 starts a burst of 1–3 refusals, half of them without rate-limit headers.
 */
export async function startPagerDutySandbox(
  state: PagerDutyState,
  options: SandboxOptions = {},
): Promise<PagerDutySandbox> {
  const token = options.token ?? DEFAULT_SANDBOX_TOKEN;
  const host = options.host ?? "127.0.0.1";
  const latencyMs = options.latencyMs ?? 0;
  const enforcedLimit = options.rateLimitPerMinute;
  const advertisedLimit = enforcedLimit ?? NOMINAL_RATE_LIMIT_PER_MINUTE;

  let data = indexState(state);
  let served = state;
  let faults: FaultOptions = options.faults ?? {};
  const draw = mulberry32(options.seed ?? 1);
  /** Requests carrying the valid token since the faults were last set; drives `revokeTokenAfter`. */
  let authorizedSinceFaults = 0;
  /** An injected 429 burst in progress: how many more requests it refuses, and whether it sends headers. */
  let burst = { left: 0, withReset: true };

  let stats = emptyStats();
  let servedWindow = new RollingWindow();
  let attemptWindow = new RollingWindow();
  const tokenWindows = new Map<string, RollingWindow>();

  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let baseUrl = "";

  const render = createRenderer(() => baseUrl);
  let answers = options.answers ?? {};
  const match = createRoutes(
    () => data,
    render,
    () => answers,
  );

  function later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
    return timer;
  }

  function drawFault(): FaultDraw {
    const [roll, variant, variant2] = [draw(), draw(), draw()];
    if (burst.left > 0) {
      burst.left--;
      return { kind: "rate_limit", variant, variant2 };
    }
    // One roll against cumulative bands keeps the draws per request fixed whatever rates are set.
    const bands: [Exclude<FaultKind, "none">, number | undefined][] = [
      ["reset", faults.connectionResetRate],
      ["timeout", faults.timeoutRate],
      ["transient", faults.transientErrorRate],
      ["rate_limit", faults.rateLimitRate],
      ["truncated", faults.truncatedBodyRate],
    ];
    let edge = 0;
    for (const [kind, rate] of bands) {
      edge += rate ?? 0;
      if (roll < edge) {
        if (kind === "rate_limit") burst = { left: Math.floor(variant * 3), withReset: variant2 < 0.5 };
        return { kind, variant, variant2 };
      }
    }
    return { kind: "none", variant, variant2 };
  }

  function rateLimitHeaders(window: RollingWindow, now: number): Record<string, string> {
    const used = window.count(now);
    const oldest = window.oldest(now);
    // Seconds until the oldest counted request leaves the window, i.e. until a slot frees.
    const reset = oldest === null ? 0 : Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000));
    return {
      "ratelimit-limit": String(advertisedLimit),
      "ratelimit-remaining": String(Math.max(0, advertisedLimit - used)),
      "ratelimit-reset": String(reset),
    };
  }

  function send(
    res: ServerResponse,
    reply: Reply,
    how: { truncate?: boolean; resetMidway?: boolean } = {},
  ): void {
    const finish = () => {
      if (res.destroyed || res.writableEnded) return;
      let body = reply.body;
      if (how.truncate) body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
      if (how.resetMidway) {
        // Promise the whole body, send half, then drop the connection.
        res.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(reply.body) });
        res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        return;
      }
      res.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(body) });
      res.end(body);
      stats.lastAnswerAt = performance.now();
    };
    if (latencyMs > 0) later(latencyMs, finish);
    else finish();
  }

  function record(status: number | "reset" | "timeout"): void {
    increment(stats.byStatus, String(status));
  }

  /**
   * Control routes for tests and demos running in another process (not part of PagerDuty's API, not
   * counted in stats): `GET /__sandbox/state` returns the served data, `PUT /__sandbox/state` replaces it
   * ("someone fixed their PagerDuty account"). Same token as the API.
   */
  function handleControl(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (readToken(req) !== token)
      return send(res, errorReply(401, "Authentication failed", ERROR_CODES.authentication));
    if (url.pathname !== "/__sandbox/state") return send(res, notFound());
    if (req.method === "GET") return send(res, jsonReply(200, served));
    if (req.method !== "PUT")
      return send(res, errorReply(405, "Method Not Allowed", ERROR_CODES.invalidInput));
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const parsed = PagerDutyStateSchema.safeParse(safeJson(Buffer.concat(chunks).toString("utf8")));
      if (!parsed.success) {
        return send(
          res,
          errorReply(400, "Invalid Input Provided", ERROR_CODES.invalidInput, [parsed.error.message]),
        );
      }
      served = parsed.data;
      data = indexState(served);
      send(res, jsonReply(200, { users: served.users.length, schedules: served.schedules.length }));
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const now = Date.now();
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    if (url.pathname.startsWith("/__sandbox/")) return handleControl(req, res, url);
    const route = match(url.pathname);
    stats.firstRequestAt ??= performance.now();
    stats.requests++;
    increment(stats.byRoute, route?.key ?? "unknown");
    attemptWindow.add(now);
    stats.maxAttemptedPerMinute = Math.max(stats.maxAttemptedPerMinute, attemptWindow.count(now));

    const presented = readToken(req);
    if (presented === token) authorizedSinceFaults++;
    if (
      presented === token &&
      faults.revokeTokenAfter !== undefined &&
      authorizedSinceFaults > faults.revokeTokenAfter
    ) {
      // A revoked token's 401 often comes from a proxy layer, not the API: plain text, not the JSON envelope.
      record(401);
      return send(res, textReply(401, "401 Unauthorized: this API token has been revoked.\n"));
    }
    if (presented !== token) {
      record(401);
      return send(res, errorReply(401, "Authentication failed", ERROR_CODES.authentication));
    }

    let window = tokenWindows.get(presented);
    if (!window) tokenWindows.set(presented, (window = new RollingWindow()));
    if (enforcedLimit !== undefined && window.count(now) >= enforcedLimit) {
      // Refused requests do not take a slot, so a client that waits `ratelimit-reset` seconds gets through.
      stats.rateLimited++;
      record(429);
      const headers = rateLimitHeaders(window, now);
      const reply = errorReply(429, "Rate Limit Exceeded", ERROR_CODES.rateLimit);
      return send(res, {
        ...reply,
        headers: { ...reply.headers, ...headers, "retry-after": headers["ratelimit-reset"] ?? "1" },
      });
    }
    window.add(now);
    servedWindow.add(now);
    stats.maxPerMinute = Math.max(stats.maxPerMinute, servedWindow.count(now));
    const limitHeaders = rateLimitHeaders(window, now);

    if (!route) {
      record(404);
      return send(res, withHeaders(notFound(), limitHeaders));
    }
    if (req.method !== "GET") {
      record(405);
      const reply = errorReply(405, "Method Not Allowed", ERROR_CODES.invalidInput, [
        `${req.method ?? "?"} is not supported by the sandbox; only GET is`,
      ]);
      return send(res, withHeaders(reply, { ...limitHeaders, allow: "GET" }));
    }

    const fault = drawFault();
    switch (fault.kind) {
      case "reset":
        record("reset");
        // Half the resets happen before any byte, half mid-body after the headers.
        if (fault.variant < 0.5) {
          if (latencyMs > 0) later(latencyMs, () => req.socket.destroy());
          else req.socket.destroy();
          return;
        }
        return send(res, withHeaders(route.get(url), limitHeaders), { resetMidway: true });
      case "timeout": {
        record("timeout");
        const timer = later(faults.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => req.socket.destroy());
        req.socket.once("close", () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
      case "transient": {
        const status = [500, 502, 503, 504, 408][Math.floor(fault.variant * 5)] ?? 500;
        record(status);
        // A 500 comes from the API (JSON envelope); gateway errors and 408 come from the edge, as plain text.
        return send(
          res,
          status === 500
            ? errorReply(500, "Internal Server Error", ERROR_CODES.internal)
            : textReply(status, `${status} ${status === 408 ? "Request Timeout" : "Bad Gateway"}\n`),
        );
      }
      case "rate_limit": {
        record(429);
        const reply = errorReply(429, "Rate Limit Exceeded", ERROR_CODES.rateLimit);
        // Without the headers the client has only its own back-off to go by.
        const headers: Record<string, string> = burst.withReset
          ? { ...limitHeaders, "ratelimit-reset": "1", "retry-after": "1" }
          : {};
        return send(res, withHeaders(reply, headers));
      }
      case "truncated":
      case "none": {
        const reply = withHeaders(route.get(url), limitHeaders);
        record(reply.status);
        return send(res, reply, { truncate: fault.kind === "truncated" && reply.status === 200 });
      }
    }
  }

  const server = createServer((req, res) => {
    if (stopped) {
      req.socket.destroy();
      return;
    }
    handle(req, res);
  });
  const listening = await listenOnLoopback(server, { host, port: options.port });
  baseUrl = listening.url;

  return {
    url: baseUrl,
    token,
    stats: () => ({ ...stats, byRoute: { ...stats.byRoute }, byStatus: { ...stats.byStatus } }),
    resetStats: () => {
      stats = emptyStats();
      servedWindow = new RollingWindow();
      attemptWindow = new RollingWindow();
    },
    setFaults: (next) => {
      faults = next;
      authorizedSinceFaults = 0;
      burst = { left: 0, withReset: true };
    },
    setAnswers: (next) => {
      answers = next;
    },
    setState: (next) => {
      served = next;
      data = indexState(next);
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await listening.close();
    },
  };
}

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
  return { ...reply, headers: { ...reply.headers, ...headers } };
}
