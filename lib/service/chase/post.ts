/**
 * Posting the chase on the audit issue: the ping and escalation comments (who is mentioned, the checklist of
 * findings, batches of people per comment) and posting them before the step is recorded.
 */
import { createHash, randomUUID } from "node:crypto";
import { managerKeyOf, opsManagersOnGitLab } from "@/lib/auth/roles";
import type { Audit, Item, ItemStateUpdate } from "@/lib/db/queries";
import {
  claimChasePosts,
  listEvents,
  finishChaseClaims,
  recordChaseComment,
  releaseChaseClaims,
  renewChaseClaims,
} from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import type { KnownUsers } from "@/lib/report/escape";
import { escapeMarkdown, mention } from "@/lib/report/format-markdown";
import { personKeyOf } from "@/lib/roster/person-key";
import type { RosterPerson } from "@/lib/roster/schema";
import {
  CHASE_ACTIONS,
  type ChaseAction,
  chaseStepOf,
  isPostedChaseAction,
  type PostedChaseAction,
} from "@/lib/workflow/chase";
import type { UserActionInput } from "@/lib/workflow/types";
import type { AppContext } from "../context";
import type { MentionCandidate } from "../mentions";
import { auditIssueChannelOf, type ChaseChannel } from "./channel";
import { findSlackRecipients, slackDmChannelOf, slackDmText } from "./slack-dm";

/** People mentioned in one comment at most: gitlab.com caps new comments at 60 a minute, so batch. */
export const PEOPLE_PER_COMMENT = 20;

export interface PingTarget {
  personKey: string;
  name: string;
  gitlab: string | null;
  /** The GitLab usernames to mention besides the person (for an escalation: manager, Support Ops Manager). */
  alsoMention: string[];
  messages: string[];
  /**
   * For an escalation: the links of the ping comments it follows up on (each finding's latest ping), oldest
   * first. Empty when none was posted; not given for a ping.
   */
  pingUrls?: readonly string[];
  /** Their manager's name as the run stored it (the Slack DM names them). */
  manager?: string | null;
  /** A personal note from the person posting (a single ping or escalation), quoted under the findings. */
  note?: ChaseNote;
}

/** A personal note on a posted chase step and who wrote it (the comment itself is the app's account's). */
export interface ChaseNote {
  by: string;
  text: string;
}

/** The note of a ping or an escalation, with its author; undefined without one. */
function noteOf(action: UserActionInput, by: string | undefined): ChaseNote | undefined {
  const text = "note" in action ? action.note?.trim() : undefined;
  return text && by !== undefined ? { by, text } : undefined;
}

/** The note as a quote: every line escaped, so it mentions, links and formats nothing. */
function noteQuote(note: ChaseNote): string[] {
  return [
    `> Note from ${escapeMarkdown(note.by)}:`,
    ...note.text.split(/\r\n|\r|\n/).map((line) => (line.trim() === "" ? ">" : `> ${escapeMarkdown(line)}`)),
  ];
}

/** The first line of each posted step's comment, given the audit's name (escaped). */
const COMMENT_INTROS: Record<PostedChaseAction | "remind", (auditName: string) => string> = {
  remind: (auditName) =>
    `A reminder: the PagerDuty audit ${auditName} is waiting on the findings below. Please fix them, or reply here if they are intentional.`,
  ping: (auditName) =>
    `The PagerDuty audit ${auditName} found the following. Please fix them, or reply here if they are intentional.`,
  escalate: (auditName) =>
    `No reply to the pings linked under each person: escalating to managers and the Support Operations Manager (${auditName}).`,
};

/** A link the comment may hold: an http(s) URL with nothing that could end the Markdown link early. */
const SAFE_LINK = /^https?:\/\/[^\s()<>[\]"'`\\]+$/;

/** The line naming the pings an escalation follows up on, as links; only pings that were posted count. */
function pingsLine(urls: readonly string[]): string {
  const links = urls.filter((url) => SAFE_LINK.test(url));
  if (links.length === 0) return "No ping of theirs was posted on this issue.";
  if (links.length === 1) return `Pinged in [this comment](${links[0]}).`;
  return `Pinged in these comments: ${links.map((url, i) => `[${i + 1}](${url})`).join(", ")}.`;
}

/**
 * The comment text for a ping or an escalation of several people: each person's @mention (only real
 * usernames are live; with `known`, only users GitLab resolves) with their findings as a checklist; an
 * escalation also links the person's pings it follows up on. Untrusted text (names, messages) is escaped.
 */
export function pingCommentBody(
  auditName: string,
  kind: PostedChaseAction | "remind",
  targets: readonly PingTarget[],
  known?: KnownUsers,
): string {
  const intro = COMMENT_INTROS[kind](escapeMarkdown(auditName));
  const blocks = targets.map((target) => {
    const who = target.gitlab ? mention(target.gitlab, known) : escapeMarkdown(target.name);
    const cc =
      target.alsoMention.length > 0
        ? ` (cc ${target.alsoMention.map((username) => mention(username, known)).join(" ")})`
        : "";
    return [
      `**${escapeMarkdown(target.name)}** ${who}${cc}`,
      ...(target.pingUrls ? [pingsLine(target.pingUrls)] : []),
      ...target.messages.map((m) => `- [ ] ${escapeMarkdown(m)}`),
      ...(target.note ? ["", ...noteQuote(target.note)] : []),
    ].join("\n");
  });
  return [intro, ...blocks].join("\n\n");
}

/**
 * Who to mention on an escalation: the person's manager, found through their person key and the roster's
 * `reports_to` today (not the name the item was stored with), and the Support Operations Managers.
 */
export function escalationMentions(
  person: { personKey: string | null },
  roster: readonly RosterPerson[],
): string[] {
  const usernameOf = (p: RosterPerson | undefined) => p?.gitlab?.username?.replace(/^@/, "") ?? null;
  const byKey = new Map(roster.map((p) => [personKeyOf(p), p]));
  const entry = person.personKey === null ? undefined : byKey.get(person.personKey);
  const managerKey = entry ? managerKeyOf(entry, roster) : null;
  const manager = managerKey === null ? null : usernameOf(byKey.get(managerKey));
  const opsManagers = opsManagersOnGitLab(roster).map((m) => m.username);
  return [...new Set([manager, ...opsManagers].filter((u): u is string => u !== null))];
}

/**
 * Groups the items being pinged by person, in a stable order, for comment batching. With `pingUrls` (an
 * escalation: each item's latest ping comment), each person's target links their items' pings.
 */
export function pingTargets(
  items: readonly Item[],
  kind: ClaimedStep,
  roster: readonly RosterPerson[],
  pingUrls?: ReadonlyMap<string, string>,
): PingTarget[] {
  // A reminder, like the ping, is for the person alone.
  const mentionsManagers = kind !== "remind" && chaseStepOf(kind).mentions.some((who) => who !== "person");
  const byPerson = new Map<string, PingTarget>();
  for (const item of items) {
    if (item.personKey === null) continue;
    const target = byPerson.get(item.personKey) ?? {
      personKey: item.personKey,
      name: item.personName ?? item.personKey,
      gitlab: item.gitlabUsername,
      alsoMention: mentionsManagers ? escalationMentions(item, roster) : [],
      messages: [],
      manager: item.managerName,
      ...(pingUrls ? { pingUrls: [] } : {}),
    };
    target.messages.push(item.message);
    const url = pingUrls?.get(item.id);
    if (url !== undefined && target.pingUrls && !target.pingUrls.includes(url)) {
      target.pingUrls = [...target.pingUrls, url];
    }
    byPerson.set(item.personKey, target);
  }
  return [...byPerson.values()].sort((a, b) => a.name.localeCompare(b.name, "en"));
}

/** The usernames the comments for `targets` mention: each person's, and whom their step copies in. */
function mentionCandidates(targets: readonly PingTarget[]): MentionCandidate[] {
  return targets.flatMap((target) => [
    ...(target.gitlab ? [{ username: target.gitlab, person: target.name }] : []),
    ...target.alsoMention.map((username) => ({ username, person: null })),
  ]);
}

/**
 * Posts the pings (batched, several people per comment, each comment carrying its people's `markers`) and
 * returns each person's comment URL; `onPosted` runs after each comment, before the next is posted. First
 * asks the channel once which of the usernames to mention are users: the others (a group path, no one) are
 * written inert, each with a warning. Stops at the first failed post and returns it, with the people of
 * that comment in `unsure` when it may have been posted all the same (its answer was lost), and what was
 * posted before: nothing is recorded as sent unless its comment exists, and what was sent is not lost.
 */
export async function postPings(
  channel: ChaseChannel,
  render: (batch: readonly PingTarget[], known: KnownUsers) => string,
  targets: readonly PingTarget[],
  options: {
    markers: ReadonlyMap<string, string>;
    onPosted?: (batch: readonly PingTarget[], url: string) => Promise<void>;
  },
): Promise<{ urls: Map<string, string>; failure: unknown; unsure: PingTarget[]; warnings: string[] }> {
  const urls = new Map<string, string>();
  if (targets.length === 0) return { urls, failure: null, unsure: [], warnings: [] };
  let found: Awaited<ReturnType<ChaseChannel["findKnownUsers"]>>;
  try {
    found = await channel.findKnownUsers(mentionCandidates(targets));
  } catch (failure) {
    return { urls, failure, unsure: [], warnings: [] };
  }
  const { known, warnings } = found;
  for (let i = 0; i < targets.length; i += PEOPLE_PER_COMMENT) {
    const batch = targets.slice(i, i + PEOPLE_PER_COMMENT);
    const markers = batch.flatMap((target) => options.markers.get(target.personKey) ?? []);
    let url: string;
    try {
      url = await channel.post({ text: render(batch, known), markers });
    } catch (failure) {
      return { urls, failure, unsure: channel.mayHaveBeenPosted(failure) ? batch : [], warnings };
    }
    for (const target of batch) urls.set(target.personKey, url);
    await options.onPosted?.(batch, url);
  }
  return { urls, failure: null, unsure: [], warnings };
}

/**
 * A claim on posting a chase step for a person not renewed for this long (wall clock) belonged to an attempt
 * that died or lost GitLab's answer; the next attempt takes it over, and looks for its comment first.
 */
export const CHASE_CLAIM_STALE_AFTER_MS = 2 * 60_000;
/** How often an attempt renews its claims while it posts (the notes limit or a 429 may make it wait). */
const CHASE_CLAIM_RENEW_EVERY_MS = 30_000;

/** Why a person is left out: another attempt holds their claim, or has just recorded them as chased. */
/** What is claimed before it is posted: a chase step, or a reminder (which changes no state). */
export type ClaimedStep = ChaseAction | "remind";

const CLAIMED_ELSEWHERE: Record<ClaimedStep, Record<"held" | "done", string>> = {
  remind: {
    held: "Someone else is reminding them right now; reload in a moment to see it.",
    done: "They have just been reminded; reload to see it.",
  },
  record_dm: {
    held: "Someone else is sending their Slack DM right now; reload in a moment to see it.",
    done: "Someone else has just sent their Slack DM; reload to see it.",
  },
  ping: {
    held: "Someone else is pinging them right now; reload in a moment to see it.",
    done: "Someone else has just pinged them; reload to see it.",
  },
  escalate: {
    held: "Someone else is escalating them right now; reload in a moment to see it.",
    done: "Someone else has just escalated them; reload to see it.",
  },
};

/**
 * The claim key of a chase step for a person: the audit, the step, the person and the version of the
 * findings it applies to (ids, when each last changed state, when the person last replied). Two attempts
 * that read the same findings get the same key; once the step is recorded, the findings and so the key
 * change.
 */
export function chaseClaimKey(
  auditId: string,
  action: ClaimedStep | `remind:${number}` | "ping_dm",
  personKey: string,
  items: readonly Pick<Item, "id" | "stateChangedAt" | "repliedAt">[],
): string {
  const version = [...items]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((item) => [item.id, item.stateChangedAt, item.repliedAt]);
  return createHash("sha256")
    .update(JSON.stringify([auditId, action, personKey, version]))
    .digest("hex");
}

/** What posting a chase step came to; `settle` ends its claims once the updates were written (or not). */
export interface PostedStep {
  /** The updates whose comment exists, each with the comment's URL in its event. */
  send: ItemStateUpdate[];
  failure: unknown;
  /** Findings whose comment may have been posted though GitLab's answer was lost. */
  unsure: number;
  warnings: string[];
  /** Findings of people another attempt is chasing (or has just chased), with why. */
  skipped: { itemId: string; reason: string }[];
  /**
   * To call once `send` was written (`recorded`) or failed to be: the claims of what was recorded end; the
   * others stop being renewed, and are taken over (the comment's URL reused) once stale.
   */
  settle(recorded: boolean): Promise<void>;
}

/**
 * For a step after the ping (the escalation), each item's latest posted ping comment, by item id, in the
 * order they were posted; undefined for the ping itself. A ping recorded without a comment has no link.
 */
async function latestPingUrls(
  ctx: AppContext,
  audit: Audit,
  kind: ClaimedStep,
  /** The step whose links are wanted; the ping by default (what an escalation follows up on). */
  of: ChaseAction = CHASE_ACTIONS[0],
): Promise<Map<string, string> | undefined> {
  if (kind === CHASE_ACTIONS[0]) return undefined;
  const urls = new Map<string, string>();
  for (const event of await listEvents(ctx.db, { auditId: audit.id, actions: [of] })) {
    const url = event.detail?.commentUrl;
    if (event.itemId === null) continue;
    if (typeof url === "string") urls.set(event.itemId, url);
    else urls.delete(event.itemId);
  }
  return urls;
}

/**
 * The audit issue a ping or an escalation is posted on. A step counts only once its comment exists (the
 * escalation points at the ping, the clock runs from it), so without somewhere to post it is refused:
 * `invalid:config` without the config's `gitlab` section, `invalid:environment` without GL_TOKEN,
 * `conflict:audit_issue` (409) before the audit is exported to its issue.
 */
export async function requireChaseChannel(ctx: AppContext, audit: Audit): Promise<ChaseChannel> {
  const config = await ctx.loadConfig();
  if (!config.gitlab) {
    throw new AppError(
      "invalid:config",
      "The audit config has no `gitlab` section (project, template): pings are posted on the audit's GitLab issue.",
    );
  }
  if (!ctx.createGitLabClient(config)) {
    throw new AppError(
      "invalid:environment",
      "GL_TOKEN is not set on the server: pings are posted on the audit's GitLab issue.",
    );
  }
  const channel = await auditIssueChannelOf(ctx, audit);
  if (!channel) {
    throw new AppError(
      "conflict:audit_issue",
      "Export the audit to its GitLab issue first: pings are posted there.",
    );
  }
  return channel;
}

/**
 * The chase steps posted on the audit issue (ping, escalation) are comments there: claim each person
 * first, so that of simultaneous attempts exactly one posts for them (the others skip them); take over the
 * claim of an attempt that died or failed, looking for its comment before posting; post; and keep only the
 * updates whose comment exists, with the comment's URL in the event. Refused as a whole when there is
 * nowhere to post (`requireChaseChannel`). The Slack DM goes the same way to the Support Operations
 * Managers' DM when the server has a Slack token (`slackDmRoute`); without one it is recorded by hand.
 * Other actions pass through.
 */
export async function postChaseStep(
  ctx: AppContext,
  audit: Audit,
  items: readonly Item[],
  updates: ItemStateUpdate[],
  action: UserActionInput,
): Promise<PostedStep> {
  const passThrough: PostedStep = {
    send: updates,
    failure: null,
    unsure: 0,
    warnings: [],
    skipped: [],
    settle: async () => {},
  };
  const route = isPostedChaseAction(action.type)
    ? await auditIssueRoute(ctx, audit, action.type, noteOf(action, updates[0]?.event.actor))
    : action.type === "record_dm" && updates.length > 0
      ? await slackDmRoute(ctx, audit)
      : null;
  if (route === null || updates.length === 0) return passThrough;
  return postThroughClaims(ctx, audit, items, updates, route);
}

/**
 * Autopilot's reminder before the escalation: a comment on the audit issue mentioning each person, linking
 * the ping it follows up on, posted through the same claims (once per ping and `rung`, the percentage of
 * the follow-up time it falls at); `updates` keep each item's state and record the reminder.
 */
export async function postReminders(
  ctx: AppContext,
  audit: Audit,
  items: readonly Item[],
  updates: ItemStateUpdate[],
  rung: number,
): Promise<PostedStep> {
  const channel = await requireChaseChannel(ctx, audit);
  return postThroughClaims(ctx, audit, items, updates, {
    kind: "remind",
    claimAs: `remind:${rung}`,
    channel,
    render: (batch, known) => pingCommentBody(audit.name, "remind", batch, known),
    targets: async (chosen) => pingTargets(chosen, "remind", [], await latestPingUrls(ctx, audit, "remind")),
  });
}

/** Claims each person of `updates`, posts for those it holds through `route`, and keeps what was posted. */
async function postThroughClaims(
  ctx: AppContext,
  audit: Audit,
  items: readonly Item[],
  updates: ItemStateUpdate[],
  route: ChaseRoute,
): Promise<PostedStep> {
  const { channel, render, kind } = route;
  const chosenIds = new Set(updates.map((u) => u.itemId));
  const chosen = items.filter((i) => chosenIds.has(i.id));
  const targets = await route.targets(chosen);
  const itemsOf = (personKey: string) => chosen.filter((i) => i.personKey === personKey);
  const keyOf = new Map(
    targets.map((t) => [
      t.personKey,
      chaseClaimKey(audit.id, route.claimAs ?? kind, t.personKey, itemsOf(t.personKey)),
    ]),
  );

  const holder = randomUUID();
  const outcomes = await claimChasePosts(ctx.db, {
    auditId: audit.id,
    action: kind,
    claims: targets.map((t) => ({ key: keyOf.get(t.personKey) ?? "", personKey: t.personKey })),
    holder,
    wallNow: ctx.clock.wallNow(),
    staleAfterMs: CHASE_CLAIM_STALE_AFTER_MS,
  });
  const skipped: PostedStep["skipped"] = [];
  const mine: string[] = [];
  const urls = new Map<string, string>();
  const toLookFor: { personKey: string; key: string; createdAt: string }[] = [];
  for (const claim of outcomes) {
    if (claim.outcome === "held" || claim.outcome === "done") {
      const reason = CLAIMED_ELSEWHERE[kind][claim.outcome];
      for (const item of itemsOf(claim.personKey)) skipped.push({ itemId: item.id, reason });
      continue;
    }
    mine.push(claim.key);
    if (claim.outcome === "taken_over") {
      if (claim.commentUrl !== null) urls.set(claim.personKey, claim.commentUrl);
      else toLookFor.push(claim);
    }
  }

  const renew = setInterval(() => {
    renewChaseClaims(ctx.db, { keys: mine, holder, wallNow: ctx.clock.wallNow() })
      .then((held) => {
        if (held === 0) clearInterval(renew);
      })
      .catch((error: unknown) => ctx.log(`Could not renew the chase claims on audit ${audit.id}`, error));
  }, CHASE_CLAIM_RENEW_EVERY_MS);
  renew.unref();
  /**
   * Looks for the comments of the claims taken over, then posts for everyone still without one. A failure
   * releases this attempt's claims not posted, so the next attempt may take them at once (and looks for
   * their comments first), except those whose comment may exist (its answer lost): they wait until stale,
   * when a comment GitLab was still making can be found.
   */
  const postUnposted = async (): Promise<{ failure: unknown; unsure: string[]; warnings: string[] }> => {
    let outcome: { failure: unknown; unsure: string[]; warnings: string[] } = {
      failure: null,
      unsure: [],
      warnings: [],
    };
    try {
      if (toLookFor.length > 0) {
        const since = new Date(Math.min(...toLookFor.map((c) => Date.parse(c.createdAt))));
        const found = await channel.findPosted(
          toLookFor.map((c) => c.key),
          since,
        );
        for (const claim of toLookFor) {
          const url = found.get(claim.key);
          if (url === undefined) continue;
          urls.set(claim.personKey, url);
          await recordChaseComment(ctx.db, { keys: [claim.key], commentUrl: url });
        }
      }
      const toPost = targets.filter(
        (t) => mine.includes(keyOf.get(t.personKey) ?? "") && !urls.has(t.personKey),
      );
      const result = await postPings(channel, render, toPost, {
        markers: keyOf,
        onPosted: (batch, url) =>
          recordChaseComment(ctx.db, {
            keys: batch.flatMap((t) => keyOf.get(t.personKey) ?? []),
            commentUrl: url,
          }),
      });
      for (const [personKey, url] of result.urls) urls.set(personKey, url);
      outcome = {
        failure: result.failure,
        unsure: result.unsure.map((t) => t.personKey),
        warnings: result.warnings,
      };
    } catch (failure) {
      outcome = { failure, unsure: [], warnings: [] };
    }
    if (outcome.failure) {
      const keep = new Set(outcome.unsure);
      const unposted = targets.filter((t) => !urls.has(t.personKey) && !keep.has(t.personKey));
      await releaseChaseClaims(ctx.db, {
        keys: unposted.flatMap((t) => keyOf.get(t.personKey) ?? []),
        holder,
      });
    }
    return outcome;
  };

  try {
    const { failure, unsure, warnings } = await postUnposted();
    const personOf = new Map(items.map((i) => [i.id, i.personKey]));
    const send = updates.flatMap((update) => {
      const url = urls.get(personOf.get(update.itemId) ?? "");
      return url
        ? [{ ...update, event: { ...update.event, detail: { ...update.event.detail, commentUrl: url } } }]
        : [];
    });
    return {
      send,
      failure,
      unsure: unsure.reduce((n, personKey) => n + itemsOf(personKey).length, 0),
      warnings,
      skipped,
      async settle(recorded) {
        clearInterval(renew);
        const posted = [...urls.keys()].flatMap((p) => keyOf.get(p) ?? []);
        if (recorded) await finishChaseClaims(ctx.db, { keys: posted, wallNow: ctx.clock.wallNow() });
      },
    };
  } catch (error) {
    clearInterval(renew);
    throw error;
  }
}

/** Where a chase step is posted, how its message reads for a batch of people, and who they are. */
interface ChaseRoute {
  kind: ClaimedStep;
  /** What the claim key names (a reminder's rung, so each rung is posted once per ping). */
  claimAs?: `remind:${number}`;
  channel: ChaseChannel;
  render(batch: readonly PingTarget[], known: KnownUsers): string;
  targets(items: readonly Item[]): Promise<PingTarget[]>;
}

/** A ping or an escalation: a comment on the audit issue (refused without one: `requireChaseChannel`). */
async function auditIssueRoute(
  ctx: AppContext,
  audit: Audit,
  kind: PostedChaseAction,
  note: ChaseNote | undefined,
): Promise<ChaseRoute> {
  return {
    kind,
    channel: await requireChaseChannel(ctx, audit),
    render: (batch, known) => pingCommentBody(audit.name, kind, batch, known),
    targets: (items) => chaseTargets(ctx, audit, items, kind, note),
  };
}

/**
 * The Slack DM to the Support Operations Managers, when the server has a Slack token; null without one (the
 * DM is sent by hand and recorded). Refused (`conflict:slack_recipient`) when a manager cannot be reached.
 * Each person is listed with their manager, their findings and their escalation's link.
 */
async function slackDmRoute(ctx: AppContext, audit: Audit): Promise<ChaseRoute | null> {
  const client = ctx.createSlackClient?.() ?? null;
  if (client === null) return null;
  const roster = (await ctx.loadRoster(await ctx.loadConfig())).entries.map((e) => e.person);
  const channel = await slackDmChannelOf(client, await findSlackRecipients(client, roster));
  const dashboardUrl = ctx.appUrl ? new URL(`/audits/${audit.id}/findings`, ctx.appUrl).toString() : null;
  return {
    kind: "record_dm",
    channel,
    render: (batch) =>
      slackDmText({
        auditName: audit.name,
        issueUrl: audit.issueUrl,
        dashboardUrl,
        people: batch.map((target) => ({
          name: target.name,
          manager: target.manager ?? null,
          messages: target.messages,
          escalationUrl: target.pingUrls?.at(-1) ?? null,
        })),
      }),
    targets: async (items) =>
      pingTargets(items, "record_dm", roster, await latestPingUrls(ctx, audit, "record_dm", "escalate")),
  };
}

/** The people a posted step's comment is for, with what it says for each (see `pingTargets`). */
async function chaseTargets(
  ctx: AppContext,
  audit: Audit,
  items: readonly Item[],
  kind: PostedChaseAction,
  note: ChaseNote | undefined,
): Promise<PingTarget[]> {
  // Only a step that mentions more than the person needs the roster (whom the person reports to).
  const roster = chaseStepOf(kind).mentions.some((who) => who !== "person")
    ? (await ctx.loadRoster(await ctx.loadConfig())).entries.map((e) => e.person)
    : [];
  const targets = pingTargets(items, kind, roster, await latestPingUrls(ctx, audit, kind));
  return note ? targets.map((target) => ({ ...target, note })) : targets;
}

/**
 * The comment a ping or an escalation of one person's `items` would post now, as `by`, with the action's
 * note: the exact text (mentions checked with GitLab, as posting does) and the warnings posting would give.
 * Refused as posting is (`requireChaseChannel`); posts nothing.
 */
export async function previewChaseStep(
  ctx: AppContext,
  audit: Audit,
  items: readonly Item[],
  action: { type: PostedChaseAction; note?: string },
  by: string,
): Promise<{ body: string; warnings: string[] }> {
  const channel = await requireChaseChannel(ctx, audit);
  const targets = await chaseTargets(ctx, audit, items, action.type, noteOf(action, by));
  const { known, warnings } = await channel.findKnownUsers(mentionCandidates(targets));
  return { body: pingCommentBody(audit.name, action.type, targets, known), warnings };
}
