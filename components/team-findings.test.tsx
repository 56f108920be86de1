import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { TeamRow, TeamView } from "@/lib/service/your-work";
import { personRowOf } from "@/lib/testing/people";
import { TeamFindings } from "./team-findings";

const NOW = "2026-11-24T12:00:00.000Z";

function rowOf(name: string, extra: Partial<TeamRow> = {}): TeamRow {
  const row = personRowOf({
    personKey: `${name.toLowerCase().replace(" ", ".")}@example.com`,
    name,
    email: null,
    gitlab: null,
    pagerdutyIds: [],
    region: null,
    manager: "Hannah Lindqvist",
    codes: ["missing_pagerduty_id"],
  });
  return { ...row, mayDo: [], ...extra };
}

function render(team: TeamView): string {
  return renderToStaticMarkup(<TeamFindings team={team} now={NOW} personHref={(key) => `/p/${key}`} />);
}

const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("your team", () => {
  const team: TeamView = {
    reports: 4,
    overdue: 1,
    addressed: 1,
    rows: [
      rowOf("Sean Murray", {
        status: "follow_up_due",
        nextAction: "escalate",
        dueAt: "2026-11-23T12:00:00.000Z",
        overdue: true,
        mayDo: ["Escalate", "Mark intentional or waive"],
      }),
      rowOf("Chloe Park"),
      rowOf("Tomas Alvarez", { status: null, nextAction: null }),
    ],
  };

  it("counts who has something to fix and what is overdue", () => {
    expect(text(render(team))).toContain("2 of your 4 reports have something to fix; 1 overdue.");
  });

  it("an overdue report says so, with what comes next and what the manager may do", () => {
    const html = render(team);
    const sean = html.slice(html.indexOf("Sean Murray"), html.indexOf("Chloe Park"));
    expect(text(sean)).toContain("Overdue");
    expect(text(sean)).toContain("Next: Escalate overdue 24 h");
    expect(text(sean)).toContain("You can: Escalate · Mark intentional or waive (on their page)");
    expect(html).toContain('href="/p/sean.murray@example.com"');
  });

  it("what the manager may not act on says who does", () => {
    const html = render(team);
    const chloe = html.slice(html.indexOf("Chloe Park"), html.indexOf("Tomas Alvarez"));
    expect(text(chloe)).toContain("Support Operations act on it");
    expect(text(chloe)).not.toContain("You can:");
  });

  it("a report whose findings are all addressed shows no next step", () => {
    const html = render(team);
    const tomas = html.slice(html.indexOf("Tomas Alvarez"));
    expect(text(tomas)).toContain("Addressed");
    expect(text(tomas)).not.toMatch(/Next:|You can:|Support Operations act/);
  });
});
