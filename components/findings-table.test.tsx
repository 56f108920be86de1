import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CODE_LABELS } from "@/lib/audit/labels";
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

function render(rows: PersonRow[], sort?: TableSort): string {
  return renderToStaticMarkup(
    <FindingsTable caption="People" rows={rows.map(tableRowOf)} now={NOW} sort={sort} />,
  );
}

/** Markup as the text it reads: tags dropped, whitespace collapsed. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Each body row's cells: its class and its markup. */
function rowCells(html: string): { className: string; html: string }[][] {
  const body = html.slice(html.indexOf("<tbody"));
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? "").matchAll(/<td class="([^"]*)"[^>]*>(.*?)<\/td>/g)].map((cell) => ({
      className: cell[1] ?? "",
      html: cell[2] ?? "",
    })),
  );
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
  const owned = rowOf({ personKey: "pd:PSTRANGE", name: "Yara Cohen" });

  it("draws each person once, whatever the screen's width", () => {
    const html = render([chased, owned], SORT);
    expect(html.match(/<tr/g)).toHaveLength(3);
    expect(html.match(/href="\/p\/amara@example.com"/g)).toHaveLength(1);
    expect(html.match(/href="\/p\/pd:PSTRANGE"/g)).toHaveLength(1);
    expect(html.match(/aria-label="3 findings"/g)).toHaveLength(1);
  });

  it("colours code chips by severity: errors red, warnings amber", () => {
    const html = render([chased]);
    const chip = (code: string) =>
      html.match(new RegExp(`<span title="[^"]*" class="([^"]*)"><span aria-hidden="true">${code}<`))?.[1];
    expect(chip("missing from schedule")).toContain("bg-rose-50");
    expect(chip("unexpected in schedule")).toContain("bg-amber-50");
    expect(chip("email mismatch")).toContain("bg-amber-50");
  });

  it("keeps a table row to one chip and +N, the most severe first, every finding still announced", () => {
    const html = render([chased]);
    const items = [...html.matchAll(/<li( aria-hidden="true")? class="([^"]*)"[^>]*>(.*?)<\/li>/g)].map(
      ([, hidden, className, inner]) => ({
        hidden: hidden !== undefined,
        className: className ?? "",
        inner: inner ?? "",
      }),
    );
    // The first chip is seen at every width, the most severe first.
    expect(items[0]?.className).not.toContain("sr-only");
    expect(items[0]?.inner).toContain(">missing from schedule<");
    // At table width the others are hidden from the eye only: each still announces its description.
    const rest = items.slice(1, 3);
    for (const item of rest) expect(item.className.split(" ")).toContain("lg:sr-only");
    expect(rest.map((item) => item.inner.match(/<span class="sr-only">([^<]+)<\/span>/)?.[1])).toEqual([
      "On a schedule the roster does not put them on",
      "Roster and PagerDuty emails differ",
    ]);
    // "+2" in their place, at table width only and not read out (the chips are).
    expect(items).toHaveLength(4);
    expect(items[3]?.hidden).toBe(true);
    expect(items[3]?.className.split(" ")).toEqual(expect.arrayContaining(["hidden", "lg:block"]));
    expect(items[3]?.inner).toContain(">+2</span>");
    expect(html).toContain('aria-label="3 findings"');
  });

  it("cuts long text to one line at table width and keeps it whole on hover", () => {
    const long = rowOf({ ...chased, manager: "Maximiliana Featherstonehaugh-Cholmondeley" });
    const html = render([long]);
    expect(html).toMatch(/<table class="[^"]*lg:table-fixed[^"]*"/);
    expect(html).toMatch(
      /<td class="[^"]*lg:truncate[^"]*" title="Maximiliana Featherstonehaugh-Cholmondeley">/,
    );
    expect(html).toContain('title="Amara Okafor"');
  });

  it("marks the sorted column with aria-sort and links every header to its sort", () => {
    const html = render([chased], SORT);
    const headers = [...html.matchAll(/<th([^>]*)>(.*?)<\/th>/g)];
    expect(headers).toHaveLength(7);
    const sorted = headers.filter(([, attributes]) => attributes?.includes("aria-sort"));
    expect(sorted).toHaveLength(1);
    expect(sorted[0]?.[1]).toContain('aria-sort="descending"');
    expect(sorted[0]?.[2]).toContain('href="?sort=items"');
    expect(sorted[0]?.[2]).toContain("(sort ascending)");
    for (const [, , cell] of headers) expect(cell).toMatch(/<a [^>]*href="\?sort=[a-z_]+"/);
  });

  it("has plain headers without a sort", () => {
    const html = render([chased]);
    expect(html).not.toContain("aria-sort");
    expect(html).not.toMatch(/<th[^>]*><a /);
  });

  it("lays each person out as a card on narrow screens: status and next action first, each under its label", () => {
    const html = render([chased, owned]);
    // The headers fold away below table width; the rows become cards.
    expect(html).toMatch(/<thead class="hidden lg:table-header-group">/);
    // The body lays out its rows, styled once for all of them.
    const body = html
      .match(/<tbody class="([^"]*)"/)?.[1]
      ?.replaceAll("&gt;", ">")
      .replaceAll("&amp;", "&")
      .split(" ");
    expect(body).toEqual(
      expect.arrayContaining(["[&>tr]:grid", "[&>tr]:rounded-lg", "[&>tr]:ring-1", "lg:[&>tr]:table-row"]),
    );
    expect(body).toEqual(expect.arrayContaining(["[&>tr>td]:block", "lg:[&>tr>td]:table-cell"]));
    // A cell's first span is its label, shown on cards only (at table width the headers say it).
    expect(body).toEqual(
      expect.arrayContaining(["[&>tr>td>span:first-child]:block", "lg:[&>tr>td>span:first-child]:hidden"]),
    );
    expect(html.match(/<tr class="[^"]*"/g)).toHaveLength(2);

    const cards = rowCells(html).map((cells) =>
      // As a card shows them: by their place in it.
      cells
        .map((cell) => ({ ...cell, order: Number(cell.className.match(/(?:^| )order-(\d+)/)?.[1]) }))
        .toSorted((a, b) => a.order - b.order),
    );
    const [amara, yara] = cards;
    if (!amara || !yara) throw new Error("expected two rows");
    // Each value under its label: the cell's first span, styled by the body.
    const labels = amara.map((cell) => cell.html.match(/^<span>([^<]+)<\/span>/));
    expect(labels.map((label) => label?.[1] ?? null)).toEqual([
      null,
      null,
      "Status",
      "Next action",
      "Region",
      "Manager",
      "Last ping",
    ]);
    const text = (cells: { html: string }[]) => cells.map((cell) => textOf(cell.html));
    expect(text(amara)).toEqual([
      "Amara Okafor @aokafor",
      `missing from schedule ${CODE_LABELS.missing_from_schedule} unexpected in schedule ${CODE_LABELS.unexpected_in_schedule} email mismatch ${CODE_LABELS.email_mismatch} +2`,
      "Status Open",
      "Next action Ping · now",
      "Region — unknown",
      "Manager — unknown",
      "Last ping Never",
    ]);
    expect(text(yara).slice(0, 4)).toEqual([
      "Yara Cohen yara@example.com Not in roster",
      expect.stringContaining("not in roster"),
      "Status Owner: Support Operations",
      "Next action Fix in PagerDuty · the next run confirms",
    ]);
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
