/**
 * Reading the chase's replies from the audit issue: a person's comment after their latest ping or
 * escalation stops their follow-up clock. Read on a click ("Check replies") and by the periodic sweep.
 */
import type { AuditEvent, Db, Item, ItemReply } from "@/lib/db/queries";
import {
  getAuditById,
  listEvents,
  listItems,
  listOpenAuditsWithIssue,
  recordItemReplies,
} from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import type { Note } from "@/lib/gitlab/schemas";
import { isPostedChaseAction } from "@/lib/workflow/chase";
import { UNRESOLVED_STATES } from "@/lib/workflow/types";
import type { AppContext } from "../context";
import { assertAuditOpen } from "../runs";
import { noteIdOf, noteUrl } from "./channel";

export interface SyncRepliesOptions {
  /**
   * When there is nothing to read from (the audit was signed off, has no issue yet, or GitLab is not
   * configured): `throw` an AppError that says why (the default: a person asked), or `skip` and report no
   * replies (the periodic sweep, for which that is no news).
   */
  whenUnavailable?: "throw" | "skip";
  signal?: AbortSignal;
}

/**
 * Reads the audit issue's comments and records, for each pinged person, a reply they posted after their
 * latest ping or escalation (after its comment, in GitLab's order of notes): their items' follow-up clock
 * stops (`repliedAt`) and the timeline shows it. Returns how many people replied since the last check.
 * Comments by the dashboard's own account and GitLab's system notes are not replies. A reply is recorded
 * once, however many app instances read it at the same moment (`recordItemReplies` checks in the database);
 * reads of one audit in this process also take turns (see `inTurn`).
 */
export async function syncReplies(
  ctx: AppContext,
  auditId: string,
  options: SyncRepliesOptions = {},
): Promise<{ replies: number }> {
  return inTurn(ctx.db, auditId, () => readReplies(ctx, auditId, options));
}

async function readReplies(
  ctx: AppContext,
  auditId: string,
  { whenUnavailable = "throw", signal }: SyncRepliesOptions,
): Promise<{ replies: number }> {
  const unavailable = (error: AppError) => {
    if (whenUnavailable === "skip") return { replies: 0 };
    throw error;
  };
  const audit = await getAuditById(ctx.db, auditId);
  if (audit.status === "signed_off" && whenUnavailable === "skip") return { replies: 0 };
  assertAuditOpen(audit);
  if (audit.issueIid === null || audit.issueUrl === null) {
    return unavailable(
      new AppError(
        "conflict:audit",
        "Export the audit to its GitLab issue first: replies are read from there.",
      ),
    );
  }
  const config = await ctx.loadConfig();
  const client = ctx.createGitLabClient(config);
  const project = config.gitlab?.project;
  if (!client || project === undefined) {
    return unavailable(
      new AppError("invalid:config", "GitLab is not configured (the config's gitlab section and GL_TOKEN)."),
    );
  }
  const [notes, me, items, events] = await Promise.all([
    client.listNotes(project, audit.issueIid, { signal }),
    client.getCurrentUser({ signal }),
    listItems(ctx.db, auditId),
    listEvents(ctx.db, { auditId }),
  ]);
  const lastChased = latestChases(events);
  const lastReplyNote = latestReplyNotes(events);
  const now = ctx.clock.now();
  const replies: ItemReply[] = [];
  const byUsername = new Map<string, Item[]>();
  for (const item of items) {
    if (!item.gitlabUsername || !UNRESOLVED_STATES.includes(item.state) || item.state === "open") continue;
    const key = item.gitlabUsername.toLowerCase();
    byUsername.set(key, [...(byUsername.get(key) ?? []), item]);
  }
  for (const [username, personItems] of byUsername) {
    const chase = personItems[0]?.personKey ? lastChased.get(personItems[0].personKey) : undefined;
    if (!chase || username === me.username.toLowerCase()) continue;
    const reply = latestReplyAfter(notes, username, chase);
    if (!reply) continue;
    for (const item of personItems) {
      // Recorded already: by note id, as GitLab numbers them, whatever the clocks say.
      if ((lastReplyNote.get(item.id) ?? 0) >= reply.id) continue;
      replies.push({
        itemId: item.id,
        expectedState: item.state,
        repliedAt: replyTime(reply, item),
        event: {
          actor: reply.author.username,
          at: now,
          detail: {
            code: item.code,
            commentUrl: noteUrl(audit.issueUrl, reply.id),
            excerpt: reply.body.slice(0, 280),
            createdAt: reply.created_at,
          },
        },
      });
    }
  }
  const recorded = await recordItemReplies(ctx.db, replies);
  return { replies: new Set(recorded.map((item) => item.personKey)).size };
}

/** When a person was last pinged or escalated: the app's time, and the comment's note id when it has one. */
interface Chase {
  at: string;
  noteId: number | null;
}

function latestChases(events: readonly AuditEvent[]): Map<string, Chase> {
  const chases = new Map<string, Chase>();
  for (const event of events) {
    if (event.personKey && isPostedChaseAction(event.action))
      chases.set(event.personKey, { at: event.at, noteId: noteIdOf(event.detail?.commentUrl) });
  }
  return chases;
}

/** The newest reply note id recorded for each item. */
function latestReplyNotes(events: readonly AuditEvent[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const event of events) {
    const noteId = event.action === "reply" ? noteIdOf(event.detail?.commentUrl) : null;
    if (event.itemId && noteId !== null && noteId > (latest.get(event.itemId) ?? 0))
      latest.set(event.itemId, noteId);
  }
  return latest;
}

/**
 * The person's newest comment after the chase. GitLab numbers notes in the order it stores them, so a
 * chase with a comment is compared by note id: GitLab stamps notes with its own clock, which need not
 * agree with the app's (skew, or the demo clock moved forward). A chase recorded without a comment (the
 * audit had no issue then) has only the app's time to go by.
 */
function latestReplyAfter(notes: readonly Note[], username: string, chase: Chase): Note | undefined {
  const after = (n: Note) =>
    chase.noteId !== null ? n.id > chase.noteId : Date.parse(n.created_at) > Date.parse(chase.at);
  return notes
    .filter((n) => !n.system && n.author.username.toLowerCase() === username && after(n))
    .reduce<Note | undefined>((newest, n) => (newest && newest.id > n.id ? newest : n), undefined);
}

/**
 * The reply's `repliedAt`: GitLab's time of the comment, but never before the item's last change by the
 * app's clock. The workflow stops the follow-up clock for a reply at or after that change; a reply known
 * to come after the chase (by note id) that GitLab's clock places before it must stop it all the same.
 * GitLab's own time is kept in the event (`createdAt`).
 */
function replyTime(reply: Note, item: Item): string {
  return new Date(Math.max(Date.parse(reply.created_at), Date.parse(item.stateChangedAt))).toISOString();
}

// Two reads of one audit at once (the sweep and a click on "Check replies") would both see a reply as new;
// the database records it once, and taking turns lets the second read see it recorded. Kept on globalThis:
// Next bundles the route handlers and instrumentation separately, each with its own copy of this module,
// while they share one database.
const turns = globalThis as typeof globalThis & {
  __auditReplyTurns?: WeakMap<Db, Map<string, Promise<unknown>>>;
};

/** Runs `read` after any read of the same audit of this database in progress in this process. */
async function inTurn<T>(db: Db, auditId: string, read: () => Promise<T>): Promise<T> {
  turns.__auditReplyTurns ??= new WeakMap();
  let byAudit = turns.__auditReplyTurns.get(db);
  if (!byAudit) turns.__auditReplyTurns.set(db, (byAudit = new Map()));
  // What the map holds never rejects, so a failed read does not fail the next one.
  const mine = (byAudit.get(auditId) ?? Promise.resolve()).then(read);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  byAudit.set(auditId, settled);
  try {
    return await mine;
  } finally {
    if (byAudit.get(auditId) === settled) byAudit.delete(auditId);
  }
}

export interface ReplySweepResult {
  /** Audits read: those with an issue that are not signed off. */
  audits: number;
  /** People whose reply was recorded, over all audits. */
  replies: number;
  /** Audits whose read failed (logged); the next sweep tries them again. */
  failed: number;
}

/**
 * Reads the replies on every audit that can still get them (an issue, not signed off), one audit after
 * the other, so a reply stops its follow-up clock without anyone asking. A failing audit (GitLab down, the
 * token revoked) is logged and the others are read all the same; nothing is thrown for it. `signal` stops
 * the sweep between audits and aborts GitLab calls in flight.
 */
export async function sweepReplies(
  ctx: AppContext,
  options: { signal?: AbortSignal } = {},
): Promise<ReplySweepResult> {
  const { signal } = options;
  const audits = await listOpenAuditsWithIssue(ctx.db);
  const result: ReplySweepResult = { audits: audits.length, replies: 0, failed: 0 };
  for (const audit of audits) {
    if (signal?.aborted) break;
    try {
      result.replies += (await syncReplies(ctx, audit.id, { whenUnavailable: "skip", signal })).replies;
    } catch (error) {
      if (signal?.aborted) break;
      result.failed++;
      ctx.log(`Reading the replies on ${audit.name}'s issue failed; the next sweep tries again.`, error);
    }
  }
  return result;
}
