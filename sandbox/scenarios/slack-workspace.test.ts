import { describe, expect, it } from "vitest";
import { generateDemoOrg } from "./demo-org";
import { slackWorkspaceState } from "./slack-workspace";

describe("slackWorkspaceState", () => {
  it("gives every roster person of the demo org a Slack user with their email and time zone", () => {
    const scenario = generateDemoOrg({ now: new Date("2026-11-24T12:00:00Z") });
    const state = slackWorkspaceState(scenario);
    const people = state.users.filter((u) => !u.is_bot);
    const emails = new Set(scenario.roster.map((p) => p.email.toLowerCase()));
    expect(people.length).toBe(emails.size);
    expect(new Set(people.map((u) => u.id)).size).toBe(people.length);
    const som = scenario.roster.find((p) => p.title === "Support Operations Manager");
    expect(people.find((u) => u.email === som?.email.toLowerCase())).toMatchObject({
      real_name: som?.name,
      tz: som?.tzdata_timezone,
    });
  });
});
