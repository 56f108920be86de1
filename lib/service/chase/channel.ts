/**
 * Where a chase step's message goes. The audit's GitLab issue is the channel today (a comment per batch of
 * people, replies read back from it); a Slack channel is the next one, behind the same interface.
 */
import type { Audit } from "@/lib/db/queries";
import { listEvents } from "@/lib/db/queries";
import {
  LOST_ANSWER_WINDOW_MS,
  mayHaveBeenApplied,
  type GitLabClient,
  type ProjectRef,
} from "@/lib/gitlab/client";
import type { AppContext } from "../context";
import { findKnownUsers, type MentionCandidate } from "../mentions";

/**
 * A place a chase step's message is posted for a person or several people, and looked for again on retry:
 * whatever posts where people read it must not post twice.
 */
export interface ChaseChannel {
  /**
   * Posts `message` (the step's text with its mentions) and returns its link. A post whose answer was lost
   * (timeout, dropped connection, 5xx) counts as posted when `findPosted` finds it, so trying again does not
   * post it twice.
   */
  post(message: string): Promise<string>;
  /**
   * The link of a message this channel already holds with exactly this text (the text is its marker),
   * posted recently by the app and recorded for no step yet; null when there is none or looking failed.
   */
  findPosted(message: string): Promise<string | null>;
  /** Which of the handles to mention are users of the channel (the others are written inert, with a warning). */
  findKnownUsers(candidates: readonly MentionCandidate[]): ReturnType<typeof findKnownUsers>;
}

/**
 * The audit's GitLab issue as a chase channel, when the audit was exported and GitLab is configured;
 * otherwise null (a ping or an escalation is then refused: `requireChaseChannel` in post.ts).
 */
export async function auditIssueChannelOf(ctx: AppContext, audit: Audit): Promise<ChaseChannel | null> {
  if (audit.issueIid === null || audit.issueUrl === null) return null;
  const issue = { iid: audit.issueIid, url: audit.issueUrl };
  const config = await ctx.loadConfig();
  const client = ctx.createGitLabClient(config);
  const project = config.gitlab?.project;
  if (!client || project === undefined) return null;
  const findPosted = (body: string) => findLostNote(ctx, { client, project, auditId: audit.id, issue }, body);
  return {
    findKnownUsers: (candidates) => findKnownUsers(client, candidates),
    findPosted,
    async post(body) {
      try {
        return (await client.createNote(project, issue.iid, body)).url;
      } catch (error) {
        if (!mayHaveBeenApplied(error)) throw error;
        const found = await findPosted(body);
        if (found === null) throw error;
        ctx.log(`A comment on ${audit.name}'s issue lost its answer but was posted: ${found}`, error);
        return found;
      }
    },
  };
}

/** The note's link on its issue, as `createNote` makes it. */
export const noteUrl = (issueUrl: string, noteId: number) => `${issueUrl}#note_${noteId}`;

/** The note id a stored comment URL ends with (`…#note_123`), or null. */
export function noteIdOf(url: unknown): number | null {
  const id = typeof url === "string" ? /#note_(\d+)$/.exec(url)?.[1] : undefined;
  return id === undefined ? null : Number(id);
}

/**
 * The URL of the comment a lost post made, or null: a recent note on the issue by the token's own user with
 * exactly `body`, that no ping or reply recorded yet stands for (so an earlier identical comment is not
 * taken for it). A failure while looking is logged and counts as not found.
 */
async function findLostNote(
  ctx: AppContext,
  where: { client: GitLabClient; project: ProjectRef; auditId: string; issue: { iid: number; url: string } },
  body: string,
): Promise<string | null> {
  const { client, project, auditId, issue } = where;
  try {
    const me = await client.getCurrentUser();
    const notes = await client.findRecentNotes(project, issue.iid, {
      body,
      authorUsername: me.username,
      withinMs: LOST_ANSWER_WINDOW_MS,
    });
    if (notes.length === 0) return null;
    const recorded = new Set((await listEvents(ctx.db, { auditId })).map((e) => e.detail?.commentUrl));
    const note = notes.find((n) => !recorded.has(noteUrl(issue.url, n.id)));
    return note ? noteUrl(issue.url, note.id) : null;
  } catch (error) {
    ctx.log(`Could not check whether a comment on issue ${issue.url} was posted`, error);
    return null;
  }
}
