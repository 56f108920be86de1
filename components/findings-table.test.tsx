import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { PEOPLE_SORTS, type PersonRow } from "@/lib/service/findings";
import { FindingOwner } from "./finding-owner";
import { FindingsTable } from "./findings-table";
import { toFindingsTableRow, type TableSort } from "./findings-table-rows";

const NOW = "2026-11-24T12:00:00.000Z";

function rowOf(overrides: Partial<PersonRow>): PersonRow {
  return {
    personKey: "pd:PSTRANGE",
    name: "Yara Cohen",
    email: "yara@example.com",
    gitlab: null,
    pagerdutyIds: ["PSTRANGE"],
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

function tableRowOf(row: PersonRow) {
  return toFindingsTableRow(row, `/p/${row.personKey}`);
}

/** The table's cells of its only row, as text. */
function cellsOf(row: PersonRow): string[] {
  const html = renderToStaticMarkup(<FindingsTable caption="People" rows={[tableRowOf(row)]} now={NOW} />);
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

/** The table's markup (the wide screen's), and the cards' (the narrow screen's). */
function renderBoth(rows: PersonRow[], sort?: TableSort): { table: string; cards: string } {
  const html = renderToStaticMarkup(
    <FindingsTable caption="People" rows={rows.map(tableRowOf)} now={NOW} sort={sort} />,
  );
  const cardsAt = html.indexOf("<ul aria-labelledby");
  return { table: html.slice(0, cardsAt), cards: html.slice(cardsAt) };
}

const SORT: TableSort = {
  sort: "items",
  dir: "desc",
  links: Object.fromEntries(
    PEOPLE_SORTS.map((sort) => [sort, { href: `?sort=${sort}`, dir: sort === "items" ? "asc" : "desc" }]),
  ) as TableSort["links"],
};

describe("the findings table's polish", () => {
  const chased = rowOf({
    personKey: "amara@example.com",
    name: "Amara Okafor",
    gitlab: "aokafor",
    inRoster: true,
    owner: null,
    nextAction: "ping",
    // A warning listed before an error: the chips show the error first.
    codes: ["unexpected_in_schedule", "missing_from_schedule", "email_mismatch"],
    items: 3,
  });

  it("colours code chips by severity: errors red, warnings amber", () => {
    const { cards } = renderBoth([chased]);
    const chip = (code: string) =>
      cards.match(new RegExp(`<span title="[^"]*" class="([^"]*)"><span aria-hidden="true">${code}<`))?.[1];
    expect(chip("missing from schedule")).toContain("bg-rose-50");
    expect(chip("unexpected in schedule")).toContain("bg-amber-50");
    expect(chip("email mismatch")).toContain("bg-amber-50");
  });

  it("keeps a table row to one chip and +N, the most severe first, every finding still announced", () => {
    const { table } = renderBoth([chased]);
    const chips = [...table.matchAll(/<span aria-hidden="true">([a-z ]+)<\/span>/g)].map((m) => m[1]);
    expect(chips[0]).toBe("missing from schedule");
    expect(table).toContain(">+2</span>");
    // The two not shown are hidden from the eye only: their descriptions, as the chips announce them.
    const announced = [...table.matchAll(/<li class="sr-only">([^<]+)<\/li>/g)].map((m) => m[1]);
    expect(announced).toEqual([
      "On a schedule the roster does not put them on",
      "Roster and PagerDuty emails differ",
    ]);
    expect(table).toContain('aria-label="3 findings"');
  });

  it("cuts long text to one line at table width and keeps it whole on hover", () => {
    const long = rowOf({ ...chased, manager: "Maximiliana Featherstonehaugh-Cholmondeley" });
    const { table } = renderBoth([long]);
    expect(table).toContain('class="w-full table-fixed');
    expect(table).toMatch(
      /<td class="[^"]*truncate[^"]*" title="Maximiliana Featherstonehaugh-Cholmondeley">/,
    );
    expect(table).toContain('title="Amara Okafor"');
  });

  it("marks the sorted column with aria-sort and links every header to its sort", () => {
    const { table } = renderBoth([chased], SORT);
    const headers = [...table.matchAll(/<th([^>]*)>(.*?)<\/th>/g)];
    expect(headers).toHaveLength(7);
    const sorted = headers.filter(([, attributes]) => attributes?.includes("aria-sort"));
    expect(sorted).toHaveLength(1);
    expect(sorted[0]?.[1]).toContain('aria-sort="descending"');
    expect(sorted[0]?.[2]).toContain('href="?sort=items"');
    expect(sorted[0]?.[2]).toContain("(sort ascending)");
    for (const [, , cell] of headers) expect(cell).toMatch(/<a [^>]*href="\?sort=[a-z_]+"/);
  });

  it("has plain headers without a sort", () => {
    const { table } = renderBoth([chased]);
    expect(table).not.toContain("aria-sort");
    expect(table).not.toMatch(/<th[^>]*><a /);
  });

  it("shows each person as a card on narrow screens, with their status and next action", () => {
    const owned = rowOf({ personKey: "pd:PSTRANGE", name: "Yara Cohen" });
    const { cards } = renderBoth([chased, owned]);
    const items = [
      ...cards.matchAll(/<li class="rounded-lg[^"]*"><article aria-label="([^"]+)"(.*?)<\/article><\/li>/g),
    ];
    expect(items.map((m) => m[1])).toEqual(["Amara Okafor", "Yara Cohen"]);
    const [amara, yara] = items.map((m) => (m[2] ?? "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " "));
    expect(amara).toContain("Status Open");
    expect(amara).toContain("Next action Ping · now");
    expect(amara).toContain("@aokafor");
    expect(yara).toContain("Status Owner: Support Operations");
    expect(yara).toContain("Next action Fix in PagerDuty");
    expect(yara).toContain("Not in roster");
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
