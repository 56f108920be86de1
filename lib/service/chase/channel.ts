/**
 * Where a chase step's message goes. The audit's GitLab issue is the channel today (a comment per batch of
 * people, replies read back from it); a Slack channel is the next one, behind the same interface.
 */
import type { Audit } from "@/lib/db/queries";
import { listEvents } from "@/lib/db/queries";
import { LOST_ANSWER_WINDOW_MS, mayHaveBeenApplied } from "@/lib/gitlab/client";
import type { AppContext } from "../context";
import { findKnownUsers, type MentionCandidate } from "../mentions";

/** A chase step's message: its text, and the markers it carries where readers do not see them. */
export interface ChaseMessage {
  /** The step's text with its mentions. */
  text: string;
  /**
   * One per person the message is for (their claim's key): how the message is found again. The channel
   * stores them out of sight (GitLab: HTML comments in the note, which it does not render).
   */
  markers: readonly string[];
}

/**
 * A place a chase step's message is posted for a person or several people, and looked for again on retry:
 * whatever posts where people read it must not post twice.
 */
export interface ChaseChannel {
  /**
   * Posts the message and returns its link. A post whose answer was lost (timeout, dropped connection,
   * 5xx) counts as posted when `findPosted` finds its markers, so trying again does not post it twice. A
   * plain text (sign-off and send-back: numbered, so each is its own text) is its own marker: looked for as
   * a recent message of exactly that text that no event records yet.
   */
  post(message: ChaseMessage | string): Promise<string>;
  /**
   * The link of the message carrying each marker, among those the app posted here since `since` (wall
   * clock; the channel allows for its own clock being off a little). Markers not found are left out. Throws
   * when it could not look: then the message may exist, and must not be posted again yet.
   */
  findPosted(markers: readonly string[], since: Date): Promise<Map<string, string>>;
  /** Whether a failed `post` may have posted all the same (its answer was lost), rather than refused. */
  mayHaveBeenPosted(error: unknown): boolean;
  /** Which of the handles to mention are users of the channel (the others are written inert, with a warning). */
  findKnownUsers(candidates: readonly MentionCandidate[]): ReturnType<typeof findKnownUsers>;
}

/** A marker as the audit issue's comments carry it: an HTML comment, which GitLab does not render. */
export const markerComment = (marker: string) => `<!-- pagerduty-audit:claim:${marker} -->`;

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

  const findPosted = async (markers: readonly string[], since: Date) => {
    const me = await client.getCurrentUser();
    const texts = markers.map(markerComment);
    // Our wall clock against GitLab's: the window a lost answer is looked for in covers their drift.
    const notes = await client.findNotesContaining(project, issue.iid, {
      texts,
      authorUsername: me.username,
      since: since.getTime() - LOST_ANSWER_WINDOW_MS,
    });
    const found = new Map<string, string>();
    // Newest first: should a marker be in two notes, the oldest is the one its findings were chased with.
    for (const note of notes) {
      markers.forEach((marker, i) => {
        if (note.body.includes(texts[i] ?? "")) found.set(marker, noteUrl(issue.url, note.id));
      });
    }
    return found;
  };

  /** The newest note by the app of exactly `body` since `since` that no event records yet, or null. */
  const findByText = async (body: string, since: Date): Promise<string | null> => {
    const me = await client.getCurrentUser();
    const notes = await client.findNotesContaining(project, issue.iid, {
      texts: [body],
      authorUsername: me.username,
      since: since.getTime() - LOST_ANSWER_WINDOW_MS,
    });
    const recorded = new Set(
      (await listEvents(ctx.db, { auditId: audit.id })).map((e) => e.detail?.commentUrl),
    );
    const note = notes.find((n) => n.body === body && !recorded.has(noteUrl(issue.url, n.id)));
    return note ? noteUrl(issue.url, note.id) : null;
  };

  return {
    findKnownUsers: (candidates) => findKnownUsers(client, candidates),
    findPosted,
    mayHaveBeenPosted: mayHaveBeenApplied,
    async post(message) {
      const { text, markers } = typeof message === "string" ? { text: message, markers: [] } : message;
      const body = [text, ...markers.map(markerComment)].join("\n\n");
      const sent = ctx.clock.wallNow();
      try {
        return (await client.createNote(project, issue.iid, body)).url;
      } catch (error) {
        if (!mayHaveBeenApplied(error)) throw error;
        const found = await (
          markers.length > 0
            ? findPosted(markers, sent).then((urls) => urls.get(markers[0] ?? "") ?? null)
            : findByText(body, sent)
        ).catch((lookError: unknown) => {
          ctx.log(`Could not check whether a comment on issue ${issue.url} was posted`, lookError);
          return null;
        });
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
