/** A small sandbox workspace: the app's bot, a token with the chase's scopes, a few people, one channel. */
import type { SlackSandboxState } from "./types";

export const SANDBOX_BOT_TOKEN = "xoxb-sandbox-audit-bot";
/** What the chase needs: DM people (`im:write`, `chat:write`), find them (`users:read`, `users:read.email`) and read its DMs back (`im:history`). */
export const CHASE_SCOPES = ["chat:write", "im:write", "im:history", "users:read", "users:read.email"];

export function sandboxSlackState(): SlackSandboxState {
  return {
    team: { id: "T0SANDBOX", name: "Sandbox Support", domain: "sandbox-support" },
    bot: { user_id: "U0AUDITBOT", bot_id: "B0AUDITBOT", app_id: "A0AUDITAPP", name: "pagerduty-audit" },
    tokens: [{ token: SANDBOX_BOT_TOKEN, scopes: [...CHASE_SCOPES] }],
    users: [
      { id: "U0AUDITBOT", name: "pagerduty-audit", is_bot: true },
      {
        id: "U0ALICE",
        name: "anakamura",
        real_name: "Alice Nakamura",
        email: "anakamura@example.com",
        tz: "Asia/Tokyo",
      },
      {
        id: "U0BRUNO",
        name: "bsilva",
        real_name: "Bruno Silva",
        email: "bsilva@example.com",
        tz: "America/Sao_Paulo",
      },
      { id: "U0SOM", name: "csom", real_name: "Cara Manager", email: "som@example.com", tz: "Europe/Dublin" },
      { id: "U0GONE", name: "gone", real_name: "Gone Person", email: "gone@example.com", deleted: true },
    ],
    channels: [
      {
        id: "C0SUPPORT",
        name: "support-ops",
        kind: "public",
        members: ["U0AUDITBOT", "U0SOM"],
        messages: [],
      },
      { id: "C0OUTSIDE", name: "random", kind: "public", members: ["U0SOM"], messages: [] },
      {
        id: "C0ARCHIVED",
        name: "old-ops",
        kind: "public",
        members: ["U0AUDITBOT"],
        is_archived: true,
        messages: [],
      },
    ],
  };
}
