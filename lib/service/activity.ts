/**
 * The activity read model: what happened to an audit's findings (chase steps, replies with their text,
 * resolutions, reopenings, what re-runs found), one entry per moment, for a person's page and the audit's.
 */
import { FINDING_CODES, type FindingCode } from "@/lib/audit/types";
import type { ActivityEvent, Audit } from "@/lib/db/queries";
import { countActivity, listActivity } from "@/lib/db/queries";
import { isActivityAction, type ActivityAction } from "@/lib/db/schema";
import type { AppContext } from "./context";
import {
  keptPerVersion,
  readKnownAuditVersion,
  versionFromDatabase,
  type KeptPerVersion,
  type VersionOf,
} from "./kept-per-version";

/** One moment of the activity: an action, on one or several findings of one person at once. */
export interface ActivityEntry {
  /** Unique within the list (the first event's id). */
  key: string;
  action: ActivityAction;
  /**
   * Who acted: a display name; the GitLab username of whoever replied (the person, see `person`); `system`
   * for what a run found.
   */
  actor: string;
  at: string;
  /** Whose findings; null for a finding about no person (a schedule). */
  person: { key: string; name: string } | null;
  codes: FindingCode[];
  /**
   * The comment on the audit issue (the step posted there, or the reply read from there), or the Slack DM's
   * permalink; http(s) only.
   */
  commentUrl: string | null;
  /** A reply's text, or a resolution's justification, as written (the page escapes it). */
  text: string | null;
  /** A waiver's end day. */
  until: string | null;
  /** The Support Operations Manager resolved their own finding: allowed only as an override. */
  override: boolean;
  /** For `set_autopilot`: whether it was turned on; null for every other action. */
  autopilot: boolean | null;
}

/**
 * The entries of `events` (in the order given; other than ACTIVITY_ACTIONS left out): consecutive events of
 * one action by one actor at one moment on one person's findings are one entry, listing each finding.
 */
export function activityOf(events: readonly ActivityEvent[]): ActivityEntry[] {
  const entries: ActivityEntry[] = [];
  for (const { event, personName } of events) {
    const action = event.action;
    if (!isActivityAction(action)) continue;
    const code = findingCodeOf(event.detail?.code);
    const previous = entries.at(-1);
    if (
      previous &&
      previous.action === action &&
      previous.actor === event.actor &&
      previous.at === event.at &&
      (previous.person?.key ?? null) === event.personKey
    ) {
      if (code && !previous.codes.includes(code)) previous.codes.push(code);
      continue;
    }
    // A reply's text, a resolution's justification, or the personal note a ping or escalation carried.
    const text =
      event.action === "reply"
        ? textOf(event.detail?.excerpt)
        : (textOf(event.detail?.justification) ?? textOf(event.detail?.note));
    entries.push({
      key: String(event.id),
      action,
      actor: event.actor,
      at: event.at,
      person: event.personKey ? { key: event.personKey, name: personName ?? event.personKey } : null,
      codes: code ? [code] : [],
      commentUrl: httpUrlOf(event.detail?.commentUrl),
      text,
      until: textOf(event.detail?.until),
      override: event.detail?.override === true,
      autopilot: action === "set_autopilot" ? event.detail?.on === true : null,
    });
  }
  return entries;
}

/** One page of an audit's activity, newest first. */
export interface ActivityPage {
  entries: ActivityEntry[];
  /** Events in the whole activity (an entry may hold several). */
  total: number;
  page: number;
  /** Events per page. */
  pageSize: number;
}

/** The first page of each audit's activity (the overview's), per page size, per version of its data. */
const FIRST_PAGES: KeptPerVersion<ActivityPage> = new WeakMap();

/**
 * An audit's activity, newest first, `pageSize` events a page (default 20; the overview shows the first
 * page, kept per version of the audit's data: counting and reading the log took 2.4 ms of every overview at
 * 10,000 people). `not_found:audit` for an unknown audit; given the audit as read already, it is not read
 * again. `versionOf`: how the version is read (a page's one read per request; by default, here).
 */
export async function getAuditActivity(
  ctx: AppContext,
  auditOrId: Audit | string,
  query: { page?: number; pageSize?: number },
  versionOf: VersionOf = versionFromDatabase(ctx.db),
): Promise<ActivityPage> {
  const pageSize = Math.min(Math.max(Math.trunc(query.pageSize ?? 20), 1), 200);
  const requested = Math.max(Math.trunc(query.page ?? 1), 1);
  const { auditId, version } = await readKnownAuditVersion(ctx.db, auditOrId, versionOf);
  const read = () => readActivityPage(ctx, auditId, requested, pageSize);
  return requested === 1
    ? keptPerVersion(FIRST_PAGES, ctx.db, `${auditId} ${pageSize}`, version, read)
    : read();
}

async function readActivityPage(
  ctx: AppContext,
  auditId: string,
  requested: number,
  pageSize: number,
): Promise<ActivityPage> {
  const total = await countActivity(ctx.db, auditId);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(requested, pages);
  const events = await listActivity(ctx.db, auditId, { limit: pageSize, offset: (page - 1) * pageSize });
  return { entries: activityOf(events), total, page, pageSize };
}

function textOf(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/** Only http(s) links are shown: the URL comes from GitLab, but the page never renders another scheme. */
function httpUrlOf(value: unknown): string | null {
  return typeof value === "string" && /^https?:\/\//i.test(value) ? value : null;
}

function findingCodeOf(value: unknown): FindingCode | null {
  return typeof value === "string" && (FINDING_CODES as readonly string[]).includes(value)
    ? (value as FindingCode)
    : null;
}
