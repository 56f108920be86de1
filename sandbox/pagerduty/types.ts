/**
 * The data a sandbox PagerDuty serves. Shapes follow PagerDuty's own field names where they reach the wire,
 * so the server can emit them with little mapping.
 */

export interface SandboxContactMethod {
  id: string;
  type:
    | "email_contact_method"
    | "phone_contact_method"
    | "sms_contact_method"
    | "push_notification_contact_method";
  summary: string;
  address: string;
}

export interface SandboxNotificationRule {
  id: string;
  type: "assignment_notification_rule";
  start_delay_in_minutes: number;
  urgency: "high" | "low";
  contact_method_id: string;
}

export interface SandboxUser {
  id: string;
  name: string;
  email: string;
  job_title?: string;
  time_zone?: string;
  role?: "admin" | "limited_user" | "observer" | "owner" | "read_only_user" | "user";
  invitation_sent: boolean;
  /** A deleted user is absent from `/users` and 404s on `/users/{id}`, but stays on schedules with `deleted_at`. */
  deleted_at: string | null;
  contact_methods: SandboxContactMethod[];
  notification_rules: SandboxNotificationRule[];
}

export interface SandboxLayer {
  id: string;
  name: string;
  start: string;
  /** null: the layer does not end. */
  end: string | null;
  user_ids: string[];
}

export interface SandboxScheduleV2 {
  kind: "v2";
  id: string;
  name: string;
  time_zone: string;
  layers: SandboxLayer[];
}

export interface SandboxEvent {
  id: string;
  name: string;
  effective_since: string;
  /** null: the event produces shifts indefinitely. */
  effective_until: string | null;
  /** `null` stands for an `empty_member` slot. */
  member_user_ids: (string | null)[];
}

export interface SandboxRotation {
  id: string;
  events: SandboxEvent[];
}

export interface SandboxScheduleV3 {
  kind: "v3";
  id: string;
  name: string;
  time_zone: string;
  rotations: SandboxRotation[];
}

export type SandboxSchedule = SandboxScheduleV2 | SandboxScheduleV3;

export interface PagerDutyState {
  users: SandboxUser[];
  schedules: SandboxSchedule[];
}

/** Fault injection. Rates are probabilities per request (0..1), drawn from a seeded generator. */
export interface FaultOptions {
  /** Answer 500/502/503/504 or 408 instead of the real response. */
  transientErrorRate?: number;
  /** Answer 429 with `ratelimit-reset` (and `retry-after`) headers. */
  rateLimitRate?: number;
  /** Hold the request without answering for this long (ms) at `timeoutRate`; the client should time out. */
  timeoutRate?: number;
  timeoutMs?: number;
  /** Destroy the socket mid-response. */
  connectionResetRate?: number;
  /** Send a 200 whose JSON body is cut short. */
  truncatedBodyRate?: number;
  /** After this many requests every further request gets 401 (token revoked mid-run). */
  revokeTokenAfter?: number;
}

/**
 * How the sandbox answers where PagerDuty's answers vary or where the OpenAPI description leaves a field
 * out. The defaults are PagerDuty's usual answers; the rest are answers a client must survive.
 */
export interface AnswerOptions {
  /**
   * `GET /schedules/{id}` of a shift-based schedule, and `GET /v3/schedules/{id}` of a layer-based one.
   * PagerDuty answers 400 "This is a shift-based schedule. Use the v3 Schedules API to access it." (and
   * "This is a layer-based schedule. Use the v2 Schedules API to access it." the other way); 404 is what a
   * schedule that exists in neither answers. Default 400.
   */
  crossNamespace?: 400 | 404;
  /** Pagination fields the `GET /v3/schedules` pages leave out (`more` is optional in the OpenAPI). */
  v3ListOmits?: readonly ("more" | "total")[];
  /** `GET /v3/schedules` answers this for every page: 403 (token without v3 access) or 500 (an outage). */
  v3ListStatus?: 403 | 500;
  /**
   * What `GET /v3/schedules/{id}` leaves out: each rotation's `events` (then read through
   * `GET /v3/schedules/{id}/rotations/{rotation_id}/events`), or `rotations` altogether, as the OpenAPI
   * example shows (then listed through `GET /v3/schedules/{id}/rotations`, whose items carry no events).
   */
  v3ScheduleOmits?: "events" | "rotations";
  /** `GET /v3/schedules/{id}/rotations/{rotation_id}/events` answers this status (an outage of that endpoint). */
  rotationEventsStatus?: 500;
}

export interface SandboxOptions {
  /** The accepted API token; requests must send `Authorization: Token token=<token>`. Default `sandbox-token`. */
  token?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Added to every response, in ms. */
  latencyMs?: number;
  /** Enforce PagerDuty's per-token limit (requests per rolling minute); 429 beyond it. Off when absent. */
  rateLimitPerMinute?: number;
  faults?: FaultOptions;
  answers?: AnswerOptions;
  /** Seed for fault draws, so a faulty run is repeatable. */
  seed?: number;
}

export interface SandboxStats {
  /** Every request received, refused ones included. */
  requests: number;
  /** Keyed by route template, e.g. `GET /users/{id}`; unknown paths count under `unknown`. */
  byRoute: Record<string, number>;
  /** Keyed by HTTP status (`"200"`, `"429"`), or `"reset"` / `"timeout"` for requests never answered. */
  byStatus: Record<string, number>;
  /**
   * Highest number of requests served in any rolling 60 s window, all tokens together. "Served" means not
   * refused by the enforced rate limit (`rateLimitPerMinute`): injected faults count, since they took a slot.
   * With a rate limit set, a client that paces itself correctly keeps this at or below the limit.
   */
  maxPerMinute: number;
  /** Like `maxPerMinute`, but counting every request, those the rate limit refused included. */
  maxAttemptedPerMinute: number;
  /** Requests answered 429 by the enforced rate limit (injected 429s are not counted here). */
  rateLimited: number;
  /** `performance.now()` of this process when the first request arrived, and when the last answer went out. */
  firstRequestAt: number | null;
  lastAnswerAt: number | null;
}

export interface PagerDutySandbox {
  url: string;
  token: string;
  stats(): SandboxStats;
  resetStats(): void;
  setFaults(faults: FaultOptions): void;
  /** Answer from now on as `answers` says (see `AnswerOptions`). */
  setAnswers(answers: AnswerOptions): void;
  /** Replace the served data (e.g. "someone fixed their PagerDuty account" in a test). */
  setState(state: PagerDutyState): void;
  stop(): Promise<void>;
}
