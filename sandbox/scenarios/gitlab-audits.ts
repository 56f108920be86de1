/**
 * What a sandbox GitLab serves for the audit issue: the Support Operations audits project with its
 * `Pagerduty` issue template, a bot user whose token the dashboard uses, and a GitLab user for every roster
 * person who has a `gitlab.username`, so the report's mentions and the config's assignee resolve.
 */
import type { GitLabSandboxState } from "../gitlab/types";
import type { Scenario } from "./scenario";

export const AUDITS_PROJECT = "gitlab-com/support/support-ops/audits";
export const AUDITS_PROJECT_ID = 4242;
export const AUDIT_TEMPLATE = "Pagerduty";
export const GITLAB_SANDBOX_TOKEN = "glpat-sandbox-audit-bot";
export const AUDIT_BOT_USERNAME = "support-ops-audit-bot";

/** The template Support Operations copy for each audit: checklist, `## Notes` for the output, sign-off. */
export const PAGERDUTY_TEMPLATE = `## PagerDuty audit

Twice a year (fiscal Q1 and Q3) Support Operations check that every person in the support roster has a
working PagerDuty account and sits on exactly the on-call schedules their rotations call for.

### Checklist

- [ ] Run the audit against PagerDuty (dashboard or \`pagerduty-audit\` CLI)
- [ ] Paste the output under **Notes**
- [ ] Ping each person with a finding; escalate to their manager after 72 hours
- [ ] Fix or justify every finding

## Notes

<!-- The audit output goes here. -->

## Sign-off

- [ ] Support Operations Manager reviewed the findings and signed off

/label ~"Support Operations" ~"PagerDuty"
/confidential
`;

/** The sandbox GitLab's seed for `scenario`: the audits project, the bot and the roster's users. */
export function gitlabAuditsState(scenario: Scenario): GitLabSandboxState {
  const names = new Map<string, string>();
  for (const person of scenario.roster) {
    const username = person.gitlab?.username?.replace(/^@/, "");
    if (username && !names.has(username)) names.set(username, person.name);
  }
  return {
    users: [
      { id: 1, username: AUDIT_BOT_USERNAME, name: "Support Ops audit bot", token: GITLAB_SANDBOX_TOKEN },
      ...[...names].map(([username, name], index) => ({ id: 100 + index, username, name })),
    ],
    projects: [
      {
        id: AUDITS_PROJECT_ID,
        path_with_namespace: AUDITS_PROJECT,
        issue_templates: { [AUDIT_TEMPLATE]: PAGERDUTY_TEMPLATE },
        issues: [],
      },
    ],
  };
}
