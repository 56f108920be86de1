import { describe, expect, it } from "vitest";
import { checkRosterPerson, parseRosterList } from "@/lib/roster/parse";
import { rosterFileUrl } from "./roster-file-url";
import type { RosterConfig } from "./roster-source";

const PROJECT = "gitlab-com/support/team";

function configOf(
  path: string,
  extra: { ref?: string; url?: string; project?: string | number } = {},
): RosterConfig {
  return { roster: { gitlab: { project: PROJECT, path, ref: "main", ...extra } } };
}

/** A roster list as people leave it after editing by hand: comments, blank lines, odd spacing, a block. */
const HAND_EDITED = `# Support team roster. Keep alphabetical (mostly).

-   name: Ana Lima
    email: ana@example.com
    pagerduty: { id: PANA001 }

# --- AMER ---
- email: bo@example.com   # email first, name later
  story: |
    Joined in March.

    - name: not a person, a line of the story
  name: Bo Chen

-
  name: Cy Diaz
  email: cy@example.com
- {name: Di Eze, email: di@example.com}
`;

describe("rosterFileUrl", () => {
  const label = `gitlab:${PROJECT}@main:data/team.yaml`;
  const entries = parseRosterList(HAND_EDITED, label);
  const lines = HAND_EDITED.split("\n");

  it.each([
    ["Ana Lima", "-   name: Ana Lima"],
    ["Bo Chen", "- email: bo@example.com   # email first, name later"],
    ["Cy Diaz", "  name: Cy Diaz"],
    ["Di Eze", "- {name: Di Eze, email: di@example.com}"],
  ])("links %s's entry at the line it starts on", (name, line) => {
    const entry = entries.find((e) => e.person.name === name);
    const url = entry ? rosterFileUrl(configOf("data/team.yaml"), entry.location) : null;
    expect(url).toMatch(new RegExp(`^https://gitlab\\.com/${PROJECT}/-/blob/main/data/team\\.yaml#L\\d+$`));
    const number = Number(url?.split("#L")[1]);
    expect(lines[number - 1]).toBe(line);
  });

  it("one file per person: the file, at the entry's first line, on the configured instance and ref", () => {
    const file = `gitlab:${PROJECT}@release/2026:data/agents/bo chen.yaml`;
    const checked = checkRosterPerson("# Bo's entry\n\nname: Bo Chen\nemail: bo@example.com\n", file);
    expect(checked.entry).not.toBeNull();
    const config = configOf("data/agents", { ref: "release/2026", url: "https://gitlab.example.com/" });
    expect(checked.entry && rosterFileUrl(config, checked.entry.location)).toBe(
      `https://gitlab.example.com/${PROJECT}/-/blob/release/2026/data/agents/bo%20chen.yaml#L3`,
    );
  });

  it.each<[string, RosterConfig, string]>([
    ["a local roster", { roster: { path: "support-team.yaml" } }, "support-team.yaml"],
    [
      "a project given by id",
      configOf("data/team.yaml", { project: 4242 }),
      "gitlab:4242@main:data/team.yaml",
    ],
    ["a file of another source", configOf("data/team.yaml"), `gitlab:other/team@main:data/team.yaml`],
  ])("none for %s", (_, config, file) => {
    expect(rosterFileUrl(config, { file, index: 0, line: 3 })).toBeNull();
  });
});
