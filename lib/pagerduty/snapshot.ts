import type {
  FetchFailure,
  PagerDutySnapshot,
  PdSchedule,
  PdSchedulePeriod,
  PdUser,
} from "@/lib/audit/types";
import { AppError } from "@/lib/errors";
import type { PagerDutyClient } from "@/lib/pagerduty/client";
import { UNREACHABLE_CODE } from "@/lib/pagerduty/request";
import { MAX_PAGINATION_RECORDS, PAGE_LIMIT } from "@/lib/pagerduty/paginate";
import {
  ScheduleResponseSchema,
  UserResponseSchema,
  UsersPageSchema,
  V3EventsPageSchema,
  V3RotationsPageSchema,
  V3ScheduleResponseSchema,
  V3SchedulesPageSchema,
  type Schedule,
  type User,
  type V3Event,
  type V3Schedule,
} from "@/lib/pagerduty/schemas";

export type { PagerDutyClient } from "@/lib/pagerduty/client";

export interface SnapshotProgress {
  /** `users`: the user list (done/total in users); `schedules` and `user_lookups`: one per item. */
  phase: "users" | "schedules" | "user_lookups";
  done: number;
  total: number;
}

export interface FetchSnapshotOptions {
  /** Configured schedule IDs, layer-based or shift-based; duplicates are read once. */
  scheduleIds: readonly string[];
  /**
   * PagerDuty user IDs the roster names; looked up one by one when the user list lacks them. With the
   * roster still being read, a promise: the reads that need no roster (the user list, the schedules) start
   * at once, and the roster is awaited where it is needed.
   */
  rosterUserIds: readonly string[] | Promise<readonly string[]>;
  /**
   * Every roster person's email and the PagerDuty ID they give (null for none). Used only for accounts
   * past PagerDuty's 10,000-record pagination limit, whose user list cannot be read whole: the users the
   * checker matches by email are then looked up by email.
   */
  rosterPeople: RosterPeople | Promise<RosterPeople>;
  /**
   * How many requests the client keeps in flight (the config's `pagerduty.concurrency`). The first round
   * holds only the user list's first page and the v3 list's; the places left are filled with the user
   * list's next pages, asked before the first page tells how many there are. An account of fewer than
   * `100 × (inFlight − 1)` users pays the pages past its end, which answer empty. Default: none ahead.
   */
  inFlight?: number;
  /** Stamped as `fetchedAt`; default the current time. */
  now?: Date;
  onProgress?: (progress: SnapshotProgress) => void;
  /** Stops every read, those in flight too (the roster read alongside failed); the snapshot rejects. */
  signal?: AbortSignal;
}

type RosterPeople = readonly { email: string; pagerdutyId: string | null }[];

const USER_INCLUDES = { "include[]": ["contact_methods", "notification_rules"] } as const;

function toPdUser(user: User): PdUser {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    deletedAt: user.deleted_at ?? null,
    invitationSent: user.invitation_sent,
    contactMethodCount: user.contact_methods.length,
    notificationRuleCount: user.notification_rules.length,
  };
}

function toV2Schedule(schedule: Schedule): PdSchedule {
  return {
    id: schedule.id,
    name: schedule.name ?? schedule.summary ?? schedule.id,
    kind: "v2",
    htmlUrl: schedule.html_url ?? null,
    periods: schedule.schedule_layers.map((layer): PdSchedulePeriod => ({
      id: layer.id ?? null,
      name: layer.name ?? null,
      start: layer.start,
      end: layer.end ?? null,
      members: layer.users.map(({ user }) => ({
        userId: user.id,
        name: user.summary ?? null,
        deletedAt: user.deleted_at ?? null,
      })),
    })),
  };
}

/** A v3 schedule with every rotation's events read, inline or through their own endpoints. */
function toV3Schedule(schedule: V3Schedule, rotations: { events: V3Event[] }[]): PdSchedule {
  return {
    id: schedule.id,
    name: schedule.name,
    kind: "v3",
    htmlUrl: schedule.html_url ?? null,
    periods: rotations.flatMap((rotation) =>
      rotation.events.map((event): PdSchedulePeriod => ({
        id: event.id,
        name: event.name ?? null,
        start: event.effective_since,
        end: event.effective_until ?? null,
        members: event.assignment_strategy.members.flatMap((member) =>
          member.type === "user_member" ? [{ userId: member.user_id, name: null, deletedAt: null }] : [],
        ),
      })),
    ),
  };
}

/** An email as the checker compares emails: trimmed and lower-cased. */
function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** Pages of `GET /users` after the first that reading up to PagerDuty's 10,000-record limit takes. */
const PAGES_TO_LIMIT = MAX_PAGINATION_RECORDS / PAGE_LIMIT - 1;

/**
 * How many users to list of an account with more than offset pagination reaches (`total` users), when the
 * roster gives `rosterIds` distinct IDs. Past the limit the users the checker needs are read on their own
 * (see `readUsers`): one request per roster ID and schedule member the list lacks, and per roster email
 * no user read has. Listing up to the limit costs 99 more pages, and spares the reads of the users it
 * holds: about `rosterIds × 10,000 / total` roster IDs, the roster being spread through a list ordered by
 * name (schedule members are nearly all roster people, and the email lookups are few either way). So the
 * list is read up to the limit when that spares more reads than its pages cost (for 12,000 users, a
 * roster of more than 119 IDs), and otherwise no further than its first page, read anyway for the total.
 * Both give the checker the same users it needs, so the same findings: only the request count differs.
 */
export function usersToListPastLimit(total: number, rosterIds: number): number {
  return (rosterIds * MAX_PAGINATION_RECORDS) / total > PAGES_TO_LIMIT ? MAX_PAGINATION_RECORDS : 0;
}

function isCode(error: unknown, ...codes: string[]): error is AppError {
  return error instanceof AppError && codes.includes(error.code);
}

/**
 * An underprivileged token (403 where the audit cannot do without the data) stops the audit, as does a bug;
 * a refused token (401) is handled apart (see `fetchPagerDutySnapshot`); every other failure is recorded
 * and the audit goes on.
 */
function isFatal(error: unknown): boolean {
  return !(error instanceof AppError) || isCode(error, "forbidden:pagerduty");
}

/** The message of every read that a token refused mid-run kept from being sent or answered. */
function describeTokenRefusal(succeeded: number): string {
  return `PagerDuty refused the token after ${succeeded} successful request${succeeded === 1 ? "" : "s"} (revoked or rotated during the audit?).`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The client, watched: `unreachable()` gives the first "cannot reach the host" error (connection refused,
 * no such host) when no response at all has come back, null otherwise.
 */
function watchReachability(inner: PagerDutyClient): {
  client: PagerDutyClient;
  unreachable: () => AppError | null;
} {
  let firstUnreachable: AppError | null = null;
  const watch = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (error) {
      if (isCode(error, UNREACHABLE_CODE)) firstUnreachable ??= error;
      throw error;
    }
  };
  return {
    client: {
      get: (path, options) => watch(inner.get(path, options)),
      list: (path, options) => watch(inner.list(path, options)),
      requestCount: () => inner.requestCount(),
      answeredCount: () => inner.answeredCount(),
    },
    unreachable: () => (inner.answeredCount() === 0 ? firstUnreachable : null),
  };
}

/** The account's user list as read: by ID, and whether it stops at the pagination limit. */
interface UserList {
  users: Map<string, PdUser>;
  pastLimit: boolean;
}

type ScheduleOutcome =
  | { kind: "found"; schedule: PdSchedule }
  | { kind: "missing" }
  | { kind: "failed"; message: string }
  | { kind: "refused" };

/**
 * Reads what the audit needs from PagerDuty: every user (one list, plus single lookups for roster and
 * schedule-member IDs the list lacks; past 10,000 users, every user the checker needs, see `readUsers`)
 * and the configured schedules, v2 and v3, concurrently. Data failures
 * land in `failures` (never as "missing"). Once PagerDuty refuses the token (401) the client sends nothing
 * more, and what was in flight finishes. If no read had succeeded with the token, it was wrong from the
 * start and the 401 is thrown: a setup mistake, not a partial audit. Otherwise it was revoked or rotated
 * mid-run: what was read is kept, and each read the refusal kept from happening is a failure that says so.
 * An underprivileged token (403 where the audit cannot do without the data) throws. All periods are kept:
 * who is on call when is the checker's job.
 * Request count with nothing failing: P user pages + ⌈V3/100⌉ v3-list pages + one per schedule + one per
 * looked-up ID (roster and schedule-member IDs the user pages lack) + E email queries, for U users and V3
 * shift-based schedules in the account (each list at least 1 page). Up to 10,000 users P = ⌈U/100⌉ and
 * E = 0. Past that (PagerDuty's pagination limit) P = 100 or 1, as `usersToListPastLimit` decides, and E
 * is one per distinct roster email that no user read has (more should one match over 100 users). With
 * `inFlight`, P is at least `inFlight − 1`: the pages asked ahead of the first page's total.
 */
export async function fetchPagerDutySnapshot(
  pagerDuty: PagerDutyClient,
  options: FetchSnapshotOptions,
): Promise<PagerDutySnapshot> {
  const { client, unreachable } = watchReachability(pagerDuty);
  const fetchedAt = (options.now ?? new Date()).toISOString();
  const scheduleIds = [...new Set(options.scheduleIds)];
  const rosterUserIds = Promise.resolve(options.rosterUserIds).then((ids) => [...new Set(ids)]);
  const rosterPeople = Promise.resolve(options.rosterPeople);
  // A roster that fails to load is the caller's error to report; here it only means the reads stop.
  rosterUserIds.catch(() => undefined);
  rosterPeople.catch(() => undefined);
  const progress = options.onProgress ?? (() => undefined);
  // A fatal error cancels everything at once, requests in flight included.
  const abort = new AbortController();
  const signal = abort.signal;
  const outer = options.signal;
  if (outer?.aborted) abort.abort(outer.reason);
  outer?.addEventListener("abort", () => abort.abort(outer.reason), { once: true });
  // A refused token (401) is not fatal at once: an answer still in flight may show it did work.
  let refusal: unknown = null;
  /** Reads answered with the token accepted (data or a 404). */
  let succeeded = 0;
  /** Reads the refused token kept from happening; their message is set once `succeeded` is final. */
  const refused: FetchFailure[] = [];
  const isRefusal = (error: unknown): boolean => {
    if (!isCode(error, "unauthorized:pagerduty")) return false;
    refusal ??= error;
    return true;
  };
  const guard = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (error) {
      if (isFatal(error) && !signal.aborted) abort.abort(error);
      throw signal.aborted ? signal.reason : error;
    }
  };

  const failures: FetchFailure[] = [];
  const lookedUp = new Map<string, PdUser | "unknown">();
  // Each ID is looked up once, failed or not: a second try could answer where the first failed, and the
  // snapshot would then hold the user and a failure for it at once.
  const attempted = new Set<string>();
  let lookupsDone = 0;
  let lookupsTotal = 0;

  /**
   * Lookups go ahead of reads waiting for a place in flight. Roster IDs and emails are looked up once the
   * whole user list is read, by when every schedule read is waiting: behind them, the lookups would be the
   * audit's last round. A schedule's members are looked up as it is read (once the list is in), ahead of
   * the schedule reads still waiting, for the same reason.
   */
  const LOOKUP_PRIORITY = 1;
  const lookUpUsers = async (ids: string[]) => {
    const fresh = ids.filter((id) => !attempted.has(id));
    for (const id of fresh) attempted.add(id);
    lookupsTotal += fresh.length;
    await Promise.all(
      fresh.map(async (id) => {
        try {
          const { user } = await client.get(`/users/${encodeURIComponent(id)}`, {
            query: USER_INCLUDES,
            schema: UserResponseSchema,
            signal,
            priority: LOOKUP_PRIORITY,
          });
          succeeded++;
          lookedUp.set(id, toPdUser(user));
        } catch (error) {
          if (isCode(error, "not_found:pagerduty")) {
            succeeded++;
            lookedUp.set(id, "unknown");
          } else if (isRefusal(error)) refused.push({ kind: "user", userId: id, message: "" });
          else if (isFatal(error)) throw error;
          else failures.push({ kind: "user", userId: id, message: messageOf(error) });
        } finally {
          lookupsDone++;
          progress({ phase: "user_lookups", done: lookupsDone, total: lookupsTotal });
        }
      }),
    );
  };

  /**
   * Past the pagination limit: the users the checker would match by a roster email in the whole list, by
   * `GET /users?query=<email>`. PagerDuty's `query` matches any part of a name or an email, so the answer
   * is filtered on the exact email. An email that a live user already read has needs no query: PagerDuty
   * keeps emails unique within an account, so that user is the only one with it (a roster ID whose user
   * has the roster's email is thus never queried). Found users join `users`.
   */
  const lookUpEmails = async (users: Map<string, PdUser>) => {
    const read = new Set<string>();
    for (const user of [...users.values(), ...lookedUp.values()]) {
      if (user !== "unknown" && user.deletedAt === null) read.add(emailKey(user.email));
    }
    const wanted = [
      ...new Set((await rosterPeople).map((p) => emailKey(p.email)).filter((e) => e !== "" && !read.has(e))),
    ].sort();
    lookupsTotal += wanted.length;
    let refusedOnce = false;
    const answers = await Promise.all(
      wanted.map(async (email): Promise<User[]> => {
        try {
          const matches = await client.list("/users", {
            query: { ...USER_INCLUDES, query: email },
            schema: UsersPageSchema,
            items: (page) => page.users,
            signal,
            priority: LOOKUP_PRIORITY,
            onRead: () => succeeded++,
          });
          return matches.filter((u) => emailKey(u.email) === email && !u.deleted_at);
        } catch (error) {
          if (isRefusal(error)) {
            if (!refusedOnce) refused.push({ kind: "users_list", message: "" });
            refusedOnce = true;
          } else if (isFatal(error)) throw error;
          else
            failures.push({
              kind: "users_list",
              message: `Looking up roster email ${email} (GET /users?query=): ${messageOf(error)}`,
            });
          return [];
        } finally {
          lookupsDone++;
          progress({ phase: "user_lookups", done: lookupsDone, total: lookupsTotal });
        }
      }),
    );
    for (const user of answers.flat()) {
      if (!users.has(user.id) && !lookedUp.has(user.id)) users.set(user.id, toPdUser(user));
    }
  };

  /**
   * The user list, the users of the account keyed by ID; `pastLimit` when the account has more users than
   * offset pagination reaches (10,000), and the list holds only part of them (`usersToListPastLimit`).
   * Null when the list could not be read (the failure is recorded).
   */
  const readUserList = async (): Promise<UserList | null> => {
    let pastLimit = false;
    let listed: User[];
    try {
      listed = await client.list("/users", {
        query: USER_INCLUDES,
        schema: UsersPageSchema,
        items: (page) => page.users,
        signal,
        // The v3 list takes the first round's other place.
        pagesAhead: Math.max(0, (options.inFlight ?? 0) - 2),
        onRead: () => succeeded++,
        onPage: (done, total) => progress({ phase: "users", done, total }),
        whenCapped: async (total) => {
          pastLimit = true;
          return usersToListPastLimit(total, (await rosterUserIds).length);
        },
      });
    } catch (error) {
      if (isRefusal(error)) {
        refused.push({ kind: "users_list", message: "" });
        return null;
      }
      if (isFatal(error)) throw error;
      failures.push({ kind: "users_list", message: messageOf(error) });
      return null;
    }
    const users = new Map<string, PdUser>();
    for (const user of listed) if (!users.has(user.id)) users.set(user.id, toPdUser(user));
    return { users, pastLimit };
  };

  /**
   * The user list, and the roster IDs it lacks one by one. Past the pagination limit every user the
   * checker needs is still read: roster IDs and schedule members by ID (here and after the schedules), and
   * the users it would find by a roster email by email (`lookUpEmails`), who join the list's users. The
   * checker uses the user list for nothing else: users neither named by the roster, nor on a configured
   * schedule, nor holding a roster email take part in no finding.
   */
  const readUsers = async (list: Promise<UserList | null>): Promise<PdUser[] | null> => {
    const read = await list;
    if (read === null) return null;
    // Roster IDs need not wait for the schedules.
    await lookUpUsers((await rosterUserIds).filter((id) => !read.users.has(id)).sort());
    if (read.pastLimit) await lookUpEmails(read.users);
    return [...read.users.values()];
  };

  /**
   * The configured schedules. Requests with nothing failing: the v3 list's pages, then one per schedule,
   * two for an ID neither API knows; a shift-based schedule answered without events costs one more per
   * rotation (and a rotation-list page when it comes without rotations). Without the v3 list, each
   * shift-based ID costs its v2 read's 400 as well.
   */
  const readSchedules = async (): Promise<Map<string, ScheduleOutcome>> => {
    let v3Ids: Set<string> | null;
    /** Why the v3 list could not be read; said only where that cost a schedule. */
    let listFailure: string | null = null;
    try {
      const refs = await client.list("/v3/schedules", {
        schema: V3SchedulesPageSchema,
        items: (page) => page.schedules,
        signal,
        onRead: () => succeeded++,
      });
      v3Ids = new Set(refs.map((ref) => ref.id));
    } catch (error) {
      // Accounts without shift-based schedules may refuse the v3 list (403/404), and it may be down (5xx).
      // Then each configured ID is read directly, v2 first. After a refused token (401) every schedule read
      // below is refused too, and recorded as such.
      if (!(error instanceof AppError)) throw error;
      if (!isRefusal(error)) listFailure = messageOf(error);
      v3Ids = null;
    }

    /**
     * A v3 schedule's rotations, each with its events. PagerDuty's OpenAPI makes both optional (its example
     * of GET /v3/schedules/{id} has no rotations, that of the rotation list no events), and PagerDuty's
     * Terraform provider reads a rotation's events apart when the schedule comes without them. Absent is
     * read, never taken for "none"; if it cannot be read, the schedule fails.
     */
    const readRotations = async (path: string, schedule: V3Schedule) => {
      const rotations =
        schedule.rotations ??
        (await client.list(`/v3/schedules/${path}/rotations`, {
          schema: V3RotationsPageSchema,
          items: (page) => page.rotations,
          signal,
          // The rotation and event lists document `limit` and `offset` only.
          total: false,
          onRead: () => succeeded++,
        }));
      return Promise.all(
        rotations.map(async (rotation) => ({
          events:
            rotation.events ??
            (await client.list(`/v3/schedules/${path}/rotations/${encodeURIComponent(rotation.id)}/events`, {
              schema: V3EventsPageSchema,
              items: (page) => page.events,
              signal,
              total: false,
              onRead: () => succeeded++,
            })),
        })),
      );
    };

    /** One API's answer for an ID; a v3 schedule still needs `readRotations`. */
    const getSchedule = async (kind: "v2" | "v3", path: string) =>
      kind === "v2"
        ? {
            kind,
            schedule: (await client.get(`/schedules/${path}`, { schema: ScheduleResponseSchema, signal }))
              .schedule,
          }
        : {
            kind,
            schedule: (
              await client.get(`/v3/schedules/${path}`, { schema: V3ScheduleResponseSchema, signal })
            ).schedule,
          };

    const readOne = async (id: string): Promise<ScheduleOutcome> => {
      const path = encodeURIComponent(id);
      const kinds: ("v2" | "v3")[] = v3Ids?.has(id) ? ["v3", "v2"] : ["v2", "v3"];
      /** The other API's answers: 404, or PagerDuty's 400 naming the API that serves the ID. */
      const elsewhere: AppError[] = [];
      for (const kind of kinds) {
        let found: Awaited<ReturnType<typeof getSchedule>>;
        try {
          found = await getSchedule(kind, path);
          succeeded++;
        } catch (error) {
          // PagerDuty answers a shift-based ID on v2 with 400 "This is a shift-based schedule. Use the v3
          // Schedules API to access it." (and, per its MCP server, a layer-based ID on v3 with 400 "This is a
          // layer-based schedule. Use the v2 Schedules API …"; undocumented in the OpenAPI, so 400 and 404
          // are taken alike). Following any 400 costs at most one read, and hides nothing: unless the other
          // API then serves the schedule, the 400 is in the failure.
          if (isCode(error, "not_found:pagerduty", "invalid:pagerduty")) {
            succeeded++;
            elsewhere.push(error);
            continue;
          }
          if (isRefusal(error)) return { kind: "refused" };
          // Without the v3 list we cannot tell "no v3 access" from "not there": report, do not conclude.
          if (kind === "v3" && v3Ids === null && isCode(error, "forbidden:pagerduty")) {
            return {
              kind: "failed",
              message: `Schedule ${id} is not a layer-based schedule, and the token may not read shift-based schedules: ${messageOf(error)}`,
            };
          }
          if (isFatal(error)) throw error;
          // Had the v3 list been read, a shift-based ID would not have been tried on v2 at all.
          const unlisted =
            kind === "v2" && listFailure !== null
              ? ` The list of shift-based schedules could not be read either, so nothing told whether ${id} is one: ${listFailure}`
              : "";
          return { kind: "failed", message: `${messageOf(error)}${unlisted}` };
        }
        if (found.kind === "v2") return { kind: "found", schedule: toV2Schedule(found.schedule) };
        try {
          return {
            kind: "found",
            schedule: toV3Schedule(found.schedule, await readRotations(path, found.schedule)),
          };
        } catch (error) {
          if (isRefusal(error)) return { kind: "refused" };
          if (isFatal(error)) throw error;
          return {
            kind: "failed",
            message: `Shift-based schedule ${id}: its rotations could not be read: ${messageOf(error)}`,
          };
        }
      }
      if (elsewhere.every((error) => isCode(error, "not_found:pagerduty"))) return { kind: "missing" };
      return {
        kind: "failed",
        message: `Schedule ${id} could be read from neither schedules API: ${elsewhere.map(messageOf).join(" ")}`,
      };
    };

    let done = 0;
    progress({ phase: "schedules", done, total: scheduleIds.length });
    const outcomes = await Promise.all(
      scheduleIds.map(async (id) => {
        const outcome = await readOne(id);
        if (outcome.kind === "found") lookUpMembersOf(outcome.schedule);
        done++;
        progress({ phase: "schedules", done, total: scheduleIds.length });
        return [id, outcome] as const;
      }),
    );
    return new Map(outcomes);
  };

  const listRead = guard(readUserList());
  const usersRead = guard(readUsers(listRead));
  /**
   * The users whose being read spares a schedule member's lookup: the list's, not waiting for the roster
   * and its lookups (a member the roster names too is looked up once, by whichever asks first). Past the
   * pagination limit, also those the email queries found, after the roster's lookups.
   */
  const knownRead = listRead.then((list) =>
    list?.pastLimit ? usersRead : list === null ? null : [...list.users.values()],
  );
  // Read by the schedules' lookups only, and there may be none: its failure is `usersRead`'s to throw.
  knownRead.catch(() => undefined);
  /** Each read schedule's lookups; awaited after the reads, and never left rejected unhandled meanwhile. */
  const memberLookups: Promise<void>[] = [];
  let known: Set<string> | null = null;
  /**
   * A schedule's members the user list lacks, looked up once the list is in, without waiting for the other
   * schedules: the lookups then share the schedule reads' slots instead of taking a round trip at the end.
   * Members already marked deleted by the schedule need no lookup: PagerDuty would answer 404. After a
   * refusal these are not sent; each becomes a refused read.
   */
  const lookUpMembersOf = (schedule: PdSchedule) => {
    const lookup = guard(
      knownRead.then(async (listed) => {
        if (listed === null) return;
        known ??= new Set(listed.map((u) => u.id));
        const ids = new Set<string>();
        for (const period of schedule.periods) {
          for (const member of period.members) {
            if (member.deletedAt === null && !known.has(member.userId)) ids.add(member.userId);
          }
        }
        await lookUpUsers([...ids].sort());
      }),
    );
    lookup.catch(() => undefined);
    memberLookups.push(lookup);
  };

  const [listedUsers, scheduleOutcomes] = await Promise.all([usersRead, guard(readSchedules())]);
  await Promise.all(memberLookups);

  const schedules: PdSchedule[] = [];
  const missingScheduleIds: string[] = [];
  for (const id of scheduleIds) {
    const outcome = scheduleOutcomes.get(id);
    if (outcome?.kind === "found") schedules.push(outcome.schedule);
    else if (outcome?.kind === "missing") missingScheduleIds.push(id);
    else if (outcome?.kind === "failed")
      failures.push({ kind: "schedule", scheduleId: id, message: outcome.message });
    else if (outcome?.kind === "refused") refused.push({ kind: "schedule", scheduleId: id, message: "" });
  }

  // Nothing answered and the host could not be reached: a wrong URL or no network, not a partial audit.
  const unreachableError = unreachable();
  if (unreachableError !== null) throw unreachableError;
  if (refusal !== null) {
    if (succeeded === 0) throw refusal;
    const message = describeTokenRefusal(succeeded);
    for (const failure of refused) failures.push({ ...failure, message });
  }

  const lookups = [...lookedUp.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    fetchedAt,
    users: [...(listedUsers ?? []), ...lookups.flatMap(([, user]) => (user === "unknown" ? [] : [user]))],
    unknownUserIds: lookups.flatMap(([id, user]) => (user === "unknown" ? [id] : [])),
    schedules,
    missingScheduleIds,
    failures: failures.sort(compareFailures),
  };
}

function failureKey(failure: FetchFailure): string {
  if (failure.kind === "users_list") return "0";
  if (failure.kind === "user") return `1 ${failure.userId}`;
  return `2 ${failure.scheduleId}`;
}

function compareFailures(a: FetchFailure, b: FetchFailure): number {
  const ka = failureKey(a);
  const kb = failureKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
