/**
 * What a sandbox Slack serves for a scenario: the audit app's bot, its token with the chase's scopes, and
 * a Slack user for every roster person (their roster `slack.id` when they have one, their email and time
 * zone), so the chase's DMs find the Support Operations Managers by id or email as in a real workspace.
 */
import type { SlackSandboxState } from "../slack/types";
import { CHASE_SCOPES, SANDBOX_BOT_TOKEN } from "../slack/seed";
import type { Scenario } from "./scenario";

export { SANDBOX_BOT_TOKEN as SLACK_SANDBOX_TOKEN };

/** The sandbox Slack's seed for `scenario`. */
export function slackWorkspaceState(scenario: Scenario): SlackSandboxState {
  const seen = new Set<string>();
  const users = scenario.roster.flatMap((person, index) => {
    const id = person.slack?.id?.trim() || `U${String(index + 1).padStart(6, "0")}DEMO`;
    const email = person.email.trim().toLowerCase();
    if (seen.has(id) || seen.has(email)) return [];
    seen.add(id).add(email);
    return [
      {
        id,
        name: person.slack?.username?.trim() || email.split("@")[0] || id,
        real_name: person.name,
        email,
        ...(person.tzdata_timezone ? { tz: person.tzdata_timezone } : {}),
      },
    ];
  });
  return {
    team: { id: "T0SUPPORT", name: "Support", domain: "support-sandbox" },
    bot: { user_id: "U0AUDITBOT", bot_id: "B0AUDITBOT", app_id: "A0AUDITAPP", name: "pagerduty-audit" },
    tokens: [{ token: SANDBOX_BOT_TOKEN, scopes: [...CHASE_SCOPES] }],
    users: [{ id: "U0AUDITBOT", name: "pagerduty-audit", is_bot: true }, ...users],
    channels: [],
  };
}
