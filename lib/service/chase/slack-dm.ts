/**
 * The chase's last step on Slack: a DM to the Support Operations Manager(s) naming who is still unresolved
 * after the escalation, their findings, and links to the audit issue and the dashboard. The DM is a chase
 * channel like the audit issue: posted once (each person's claim key travels as a short reference in the
 * message, looked for on retry), its permalink recorded with the step.
 */
import { roleOf } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import type { RosterPerson } from "@/lib/roster/schema";
import { mayHaveBeenPosted, type SlackClient, type SlackUser } from "@/lib/slack/client";
import type { ChaseChannel, ChaseMessage } from "./channel";

/** A Support Operations Manager as Slack knows them. */
export interface SlackRecipient {
  name: string;
  user: SlackUser;
}

/**
 * Finds the Support Operations Managers of the roster on Slack: by their roster `slack.id`, else by their
 * email (`users.lookupByEmail`). Refused with `conflict:slack_recipient`, naming each one and what to fix,
 * when the roster has none, or when one of them cannot be found or cannot be sent a DM (deactivated): a
 * DM that silently skipped a manager would say it reached them.
 */
export async function findSlackRecipients(
  client: SlackClient,
  roster: readonly RosterPerson[],
): Promise<SlackRecipient[]> {
  const managers = roster.filter((person) => roleOf(person, roster) === "ops_manager");
  if (managers.length === 0) {
    throw new AppError(
      "conflict:slack_recipient",
      "The roster names no Support Operations Manager, so there is no one to send the Slack DM to.",
    );
  }
  const problems: string[] = [];
  const recipients: SlackRecipient[] = [];
  for (const person of managers) {
    const user = await slackUserOf(client, { slackId: person.slack?.id, email: person.email });
    if (!user) {
      problems.push(
        `${person.name}: no Slack user has the email ${person.email}; set slack.id in their roster entry`,
      );
    } else if (user.deleted) {
      problems.push(`${person.name}: their Slack account (${user.id}) is deactivated`);
    } else {
      recipients.push({ name: person.name, user });
    }
  }
  if (problems.length > 0) {
    throw new AppError(
      "conflict:slack_recipient",
      `The Slack DM cannot reach every Support Operations Manager, so none was sent: ${problems.join("; ")}.`,
    );
  }
  return recipients;
}

/** A roster person on Slack: by their `slack.id` when they have one, else by email; null when neither finds them. */
export async function slackUserOf(
  client: SlackClient,
  person: { slackId?: string | null; email: string | null },
): Promise<SlackUser | null> {
  const id = person.slackId?.trim();
  if (id) return client.userById(id);
  return person.email ? client.findUserByEmail(person.email) : null;
}

/** A message with the references it is found again by (each claim's key, short), in a line of its own. */
export function withReferences(text: string, markers: readonly string[]): string {
  return markers.length === 0 ? text : `${text}\n\n_${markers.map(slackReference).join(" · ")}_`;
}

/** Slack's mrkdwn needs only `&`, `<` and `>` escaped; anything else a name holds is shown as written. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A link in Slack's mrkdwn; the URL is the app's own or GitLab's, its label is escaped. */
export const slackLink = (url: string, label: string) =>
  `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeSlack(label)}>`;

/** A person's claim key as the message shows it: short, plain, and unique enough to find the message again. */
export const slackReference = (marker: string) => `ref ${marker.slice(0, 16)}`;

/**
 * The DM with `recipients` as a chase channel: one conversation (a DM, or a group DM for several managers),
 * opened once. Each message ends with the references of the people it is about, which is how a message
 * whose answer was lost is found again.
 */
export async function slackDmChannelOf(
  client: SlackClient,
  recipients: readonly SlackRecipient[],
): Promise<ChaseChannel> {
  const conversation = await client.openDm(recipients.map((r) => r.user.id));
  const textOf = (message: ChaseMessage | string) =>
    typeof message === "string" ? message : withReferences(message.text, message.markers);
  const findPosted: ChaseChannel["findPosted"] = async (markers, since) => {
    const found = new Map<string, string>();
    for (const marker of markers) {
      const message = await client.findRecentMessage(conversation, slackReference(marker), {
        withinMs: Math.max(0, Date.now() - since.getTime()) + 10 * 60_000,
      });
      if (message) found.set(marker, await client.permalink(message.channel, message.ts));
    }
    return found;
  };
  return {
    async post(message) {
      const posted = await client.postMessage(conversation, textOf(message));
      return client.permalink(posted.channel, posted.ts);
    },
    findPosted,
    mayHaveBeenPosted,
    // A DM mentions no one: everyone in it is told.
    findKnownUsers: async (candidates) => ({
      known: new Set(candidates.map((c) => c.username.toLowerCase())),
      warnings: [],
    }),
  };
}

export interface SlackDmPerson {
  name: string;
  /** Their manager's name, when the roster has one. */
  manager: string | null;
  messages: readonly string[];
  /** The escalation comment on the audit issue, when there is one. */
  escalationUrl: string | null;
}

/**
 * The DM's text: the audit, who is still unresolved after the escalation with their findings and the
 * escalation's link, and where to act (the audit issue, the dashboard's findings).
 */
export function slackDmText(input: {
  auditName: string;
  issueUrl: string | null;
  dashboardUrl: string | null;
  people: readonly SlackDmPerson[];
}): string {
  const header =
    `*PagerDuty audit ${escapeSlack(input.auditName)}*: ${input.people.length} ` +
    `${input.people.length === 1 ? "person has" : "people have"} not resolved their findings since the escalation.`;
  const people = input.people.map((person) =>
    [
      `• *${escapeSlack(person.name)}*${person.manager ? ` (manager ${escapeSlack(person.manager)})` : ""}` +
        (person.escalationUrl ? ` · ${slackLink(person.escalationUrl, "escalation")}` : ""),
      ...person.messages.map((m) => `    ◦ ${escapeSlack(m)}`),
    ].join("\n"),
  );
  const links = [
    input.issueUrl ? slackLink(input.issueUrl, "audit issue") : null,
    input.dashboardUrl ? slackLink(input.dashboardUrl, "findings in the dashboard") : null,
  ].filter((link): link is string => link !== null);
  return [header, ...people, ...(links.length > 0 ? [links.join(" · ")] : [])].join("\n");
}
