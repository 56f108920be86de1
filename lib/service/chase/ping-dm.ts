/**
 * With the config's `slack.dm_on_ping`, each person pinged also gets a Slack DM of their own that points at
 * the ping's comment on the audit issue, in plain words. A courtesy on top of the ping, which stays the
 * record: the DM is sent once per ping (claimed like every chase post) and a DM that cannot be sent is a
 * warning for whoever pinged, never a failed ping.
 */
import { randomUUID } from "node:crypto";
import { claimChasePosts, finishChaseClaims, recordChaseComment, releaseChaseClaims } from "@/lib/db/queries";
import type { Audit, Item } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import { personKeyOf } from "@/lib/roster/person-key";
import type { SlackClient } from "@/lib/slack/client";
import type { AppContext } from "../context";
import { CHASE_CLAIM_STALE_AFTER_MS, chaseClaimKey } from "./post";
import { escapeSlack, slackLink, slackUserOf, withReferences } from "./slack-dm";

/** What a pinged person reads on Slack. */
export function pingDmText(input: {
  personName: string;
  auditName: string;
  messages: readonly string[];
  commentUrl: string;
}): string {
  const count = input.messages.length;
  return [
    `Hi ${escapeSlack(input.personName)}, the PagerDuty audit ${escapeSlack(input.auditName)} needs ` +
      `${count === 1 ? "one fix" : `${count} fixes`} from you:`,
    ...input.messages.map((m) => `• ${escapeSlack(m)}`),
    `Details, and where to reply if something is intentional: ${slackLink(input.commentUrl, "the ping on the audit issue")}.`,
  ].join("\n");
}

/**
 * DMs the people just pinged (`pinged`: their items after the ping, and the ping's comment). Returns the
 * warnings for those it could not reach. Does nothing without `slack.dm_on_ping` or a Slack token.
 */
export async function dmPinged(
  ctx: AppContext,
  audit: Audit,
  pinged: readonly { personKey: string; items: readonly Item[]; commentUrl: string }[],
): Promise<string[]> {
  if (pinged.length === 0) return [];
  const config = await ctx.loadConfig().catch(() => null);
  const client = ctx.createSlackClient?.() ?? null;
  if (!config?.slack?.dm_on_ping || client === null) return [];
  const roster = new Map(
    (await ctx.loadRoster(config)).entries.map((e) => [personKeyOf(e.person), e.person] as const),
  );
  const holder = randomUUID();
  const keyOf = new Map(
    pinged.map((p) => [p.personKey, chaseClaimKey(audit.id, "ping_dm", p.personKey, p.items)] as const),
  );
  const outcomes = await claimChasePosts(ctx.db, {
    auditId: audit.id,
    action: "ping_dm",
    claims: pinged.map((p) => ({ key: keyOf.get(p.personKey) ?? "", personKey: p.personKey })),
    holder,
    wallNow: ctx.clock.wallNow(),
    staleAfterMs: CHASE_CLAIM_STALE_AFTER_MS,
  });
  const mine = new Set(outcomes.filter((o) => o.outcome === "claimed").map((o) => o.personKey));
  const warnings: string[] = [];
  for (const person of pinged) {
    if (!mine.has(person.personKey)) continue;
    const key = keyOf.get(person.personKey) ?? "";
    const entry = roster.get(person.personKey);
    const name = entry?.name ?? person.items[0]?.personName ?? person.personKey;
    try {
      const url = await sendOne(client, {
        slackId: entry?.slack?.id?.trim() || null,
        email: entry?.email ?? person.items[0]?.personEmail ?? null,
        text: pingDmText({
          personName: name,
          auditName: audit.name,
          messages: person.items.map((i) => i.message),
          commentUrl: person.commentUrl,
        }),
        marker: key,
        name,
      });
      await recordChaseComment(ctx.db, { keys: [key], commentUrl: url });
      await finishChaseClaims(ctx.db, { keys: [key], wallNow: ctx.clock.wallNow() });
    } catch (error) {
      await releaseChaseClaims(ctx.db, { keys: [key], holder });
      warnings.push(
        `The Slack DM to ${name} about their ping was not sent: ${error instanceof AppError ? error.message : "Slack failed"}`,
      );
      ctx.log(`The Slack DM to ${name} about their ping on ${audit.name} was not sent`, error);
    }
  }
  return warnings;
}

async function sendOne(
  client: SlackClient,
  input: { slackId: string | null; email: string | null; text: string; marker: string; name: string },
): Promise<string> {
  const user = await slackUserOf(client, input);
  if (!user) {
    throw new AppError(
      "conflict:slack_recipient",
      `no Slack user has their roster email${input.email ? ` (${input.email})` : ""}; set slack.id in their roster entry.`,
    );
  }
  const channel = await client.openDm([user.id]);
  const posted = await client.postMessage(channel, withReferences(input.text, [input.marker]));
  return client.permalink(posted.channel, posted.ts);
}
