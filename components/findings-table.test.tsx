import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { PersonRow } from "@/lib/service/findings";
import { FindingOwner } from "./finding-owner";
import { FindingsTable } from "./findings-table";

const NOW = "2026-11-24T12:00:00.000Z";

function rowOf(overrides: Partial<PersonRow>): PersonRow {
  return {
    personKey: "pd:PSTRANGE",
    name: "Yara Cohen",
    email: "yara@example.com",
    gitlab: null,
    region: null,
    manager: null,
    inRoster: false,
    codes: ["not_in_roster"],
    items: 1,
    status: "open",
    statuses: ["open"],
    nextAction: null,
    dueAt: null,
    overdue: false,
    lastPingAt: null,
    owner: "Support Operations",
    ...overrides,
  };
}

/** The table's cells of its only row, as text. */
function cellsOf(row: PersonRow): string[] {
  const html = renderToStaticMarkup(
    <FindingsTable caption="People" rows={[row]} now={NOW} personHref={(key) => `/p/${key}`} />,
  );
  const body = html.slice(html.indexOf("<tbody"));
  return [...body.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => (m[1] ?? "").replace(/<[^>]+>/g, " "));
}

describe("the findings table", () => {
  it("shows the owner instead of a chase status for someone nobody is chased about", () => {
    const [, , , , status, lastPing, next] = cellsOf(rowOf({}));
    expect(status).toContain("Owner");
    expect(status).toContain("Support Operations");
    expect(status).not.toContain("Open");
    expect(lastPing).toContain("Not chased");
    expect(next).toContain("Fix in PagerDuty");
    expect(next).not.toContain("Ping");
  });

  it("shows a colleague's chase as before", () => {
    const [, , , , status, lastPing, next] = cellsOf(
      rowOf({ inRoster: true, codes: ["missing_from_schedule"], owner: null, nextAction: "ping" }),
    );
    expect(status).toContain("Open");
    expect(lastPing).toContain("Never");
    expect(next).toContain("Ping");
  });

  it("an addressed owner's row reads addressed", () => {
    const [, , , , status, , next] = cellsOf(rowOf({ status: null, statuses: ["intentional"] }));
    expect(status).toContain("Addressed");
    expect(next).toContain("Nothing due");
  });
});

describe("a finding's owner", () => {
  it("says who owns it, what to do, and links to the schedule and user in PagerDuty", () => {
    const html = renderToStaticMarkup(
      <FindingOwner
        owner="Theo Marsh"
        task="Remove them from the schedule in PagerDuty."
        links={{
          schedule: "https://acme.pagerduty.com/schedules/PS1",
          user: "https://acme.pagerduty.com/users/PU1",
        }}
      />,
    );
    expect(html).toContain("Theo Marsh owns this finding.");
    expect(html).toContain("Remove them from the schedule in PagerDuty.");
    expect(html).toContain("Nobody is pinged about it");
    expect(html).toContain('href="https://acme.pagerduty.com/schedules/PS1"');
    expect(html).toContain('href="https://acme.pagerduty.com/users/PU1"');
  });
});
