import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ProgressDay, TrendEntry } from "@/lib/workflow/progress";
import { trendOf } from "@/lib/workflow/progress";
import { BarListChart } from "./bar-list-chart";
import { AddressedBar, BurnDownChart } from "./progress-chart";
import { TrendChart } from "./trend-chart";

function decode(text: string): string {
  return text
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .trim();
}

/** The fallback table's rows, each as its cells' text. */
function tableRows(html: string): string[][] {
  const body = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? "").matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => decode(cell[1] ?? "")),
  );
}

/** The picture's accessible name and description, resolved through aria-labelledby as a browser would. */
function accessibleNameOf(html: string): { role: string | null; name: string; description: string } {
  const svg = /<svg role="(\w+)" aria-labelledby="([^"]+)"/.exec(html);
  const [titleId, descId] = (svg?.[2] ?? "").split(" ");
  const textOfId = (id: string | undefined) =>
    decode(new RegExp(`<(?:title|desc) id="${id}">([\\s\\S]*?)</(?:title|desc)>`).exec(html)?.[1] ?? "");
  return { role: svg?.[1] ?? null, name: textOfId(titleId), description: textOfId(descId) };
}

describe("BarListChart", () => {
  const html = renderToStaticMarkup(
    <BarListChart
      id="codes"
      title="Findings by code"
      description="Findings still present, by code."
      labelHeader="Code"
      unit={["finding", "findings"]}
      empty="No findings."
      data={[
        {
          key: "a",
          label: "Invitation not accepted",
          value: 2,
          href: "/audits/x/findings?code=invitation_pending",
        },
        {
          key: "b",
          label: "Missing from schedule",
          value: 7,
          href: "/audits/x/findings?code=missing_from_schedule",
        },
        { key: "c", label: "Email differs", value: 0, href: "/audits/x/findings?code=email_mismatch" },
      ]}
    />,
  );

  it("is named and described with its figures; a picture of links is a group, so its links stay reachable", () => {
    expect(accessibleNameOf(html)).toEqual({
      role: "group",
      name: "Findings by code",
      description:
        "Findings still present, by code. Missing from schedule: 7 findings; Invitation not accepted: 2 findings.",
    });
  });

  it("draws each bar as a link to its filtered findings, largest first, zero left out", () => {
    const links = [...html.matchAll(/<a href="([^"]+)" aria-label="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual([
      ["/audits/x/findings?code=missing_from_schedule", "Missing from schedule: 7 findings"],
      ["/audits/x/findings?code=invitation_pending", "Invitation not accepted: 2 findings"],
    ]);
    // Its visible text reads "Label 7" (a space between the two texts), which the name contains word for
    // word: without the space it read "Label7", and axe's label-content-name-mismatch failed.
    expect(html).toContain("Missing from schedule</text> <text");
    // A link looks like one: underlined, with a focus ring.
    expect(html).toMatch(/class="group outline-none"/);
    expect(html).toMatch(/group-focus-visible:stroke-indigo-600/);
  });

  it("gives the same figures as a table", () => {
    expect(tableRows(html)).toEqual([
      ["Missing from schedule", "7"],
      ["Invitation not accepted", "2"],
    ]);
  });

  it("says so when there is nothing to draw", () => {
    const empty = renderToStaticMarkup(
      <BarListChart
        id="x"
        title="t"
        description="d"
        labelHeader="Code"
        unit={["finding", "findings"]}
        empty="Nobody is overdue."
        data={[{ key: "a", label: "A", value: 0 }]}
      />,
    );
    expect(empty).toBe('<p class="text-sm text-slate-600">Nobody is overdue.</p>');
  });

  it("is an image when no bar is a link", () => {
    const picture = renderToStaticMarkup(
      <BarListChart
        id="m"
        title="Overdue by manager"
        description="People overdue."
        labelHeader="Manager"
        unit={["person", "people"]}
        empty="-"
        data={[{ key: "a", label: "Mia Chen", value: 3 }]}
      />,
    );
    expect(accessibleNameOf(picture).role).toBe("img");
    expect(picture).not.toMatch(/<a /);
  });
});

describe("AddressedBar", () => {
  const html = renderToStaticMarkup(
    <AddressedBar
      id="addressed"
      counts={{ found: 19, fixed: 1, intentional: 2, waived: 1, addressed: 4, toAddress: 15 }}
    />,
  );

  it("says how much is addressed, in the picture's name, description and table alike", () => {
    expect(accessibleNameOf(html)).toEqual({
      role: "img",
      name: "Findings addressed",
      description:
        "4 of 19 findings addressed (21 %): 1 fixed, 2 intentional, 1 waived, 15 still to address.",
    });
    expect(tableRows(html)).toEqual([
      ["Fixed", "1"],
      ["Intentional", "2"],
      ["Waived", "1"],
      ["Still to address", "15"],
      ["All findings", "19"],
    ]);
  });
});

describe("BurnDownChart", () => {
  const days: ProgressDay[] = [
    { day: "2026-11-24", found: 19, addressed: 0, remaining: 19 },
    { day: "2026-11-25", found: 19, addressed: 1, remaining: 18 },
    { day: "2026-11-26", found: 20, addressed: 6, remaining: 14 },
  ];

  it("describes the days against the due day, and lists each day in its table", () => {
    const html = renderToStaticMarkup(<BurnDownChart id="burn" days={days} dueOn="2026-12-10" />);
    const { role, name, description } = accessibleNameOf(html);
    expect([role, name]).toEqual(["img", "Burn-down: findings still to address each day"]);
    expect(description).toBe(
      "From Tue, 24 Nov 2026 to Thu, 26 Nov 2026: 20 findings found, 6 addressed, 14 still to address " +
        "(19 on the first day). Due Thu, 10 Dec 2026.",
    );
    expect(tableRows(html)).toEqual([
      ["Tue, 24 Nov 2026", "19", "0", "19"],
      ["Wed, 25 Nov 2026", "19", "1", "18"],
      ["Thu, 26 Nov 2026", "20", "6", "14"],
    ]);
    // The due day is drawn, with the pace that meets it.
    expect(html).toMatch(/>Due 10 Dec</);
    expect(html).toMatch(/Pace to the due day/);
  });

  it("says the due day rather than drawing it when the audit was opened after it", () => {
    const html = renderToStaticMarkup(<BurnDownChart id="burn" days={days} dueOn="2026-10-31" />);
    expect(accessibleNameOf(html).description).toMatch(
      /Due Sat, 31 Oct 2026, before the audit was opened on Tue, 24 Nov 2026\.$/,
    );
    expect(html).not.toMatch(/>Due 31 Oct</);
    expect(html).not.toMatch(/Pace to the due day/);
  });

  it("waits for the first run", () => {
    expect(renderToStaticMarkup(<BurnDownChart id="burn" days={[]} dueOn="2026-10-31" />)).toMatch(
      /starts with the first run/,
    );
  });
});

describe("TrendChart", () => {
  const trend: TrendEntry[] = trendOf(
    [
      { id: "a1", name: "FY27-Q1" },
      { id: "a3", name: "FY27-Q3" },
    ],
    [
      { auditId: "a1", code: "missing_from_schedule", personKey: "p1", scheduleId: "S1", count: 2 },
      { auditId: "a1", code: "invitation_pending", personKey: "p2", scheduleId: null, count: 1 },
      { auditId: "a3", code: "missing_from_schedule", personKey: "p1", scheduleId: "S1", count: 1 },
      { auditId: "a3", code: "missing_from_schedule", personKey: "p3", scheduleId: "S1", count: 1 },
    ],
  );
  const html = renderToStaticMarkup(<TrendChart id="trend" trend={trend} />);

  it("describes each audit against the one before", () => {
    expect(accessibleNameOf(html)).toEqual({
      role: "img",
      name: "Findings per audit: new, recurring and fixed",
      description:
        "FY27-Q1: 3 findings, the first audit to compare with. " +
        "FY27-Q3: 2 findings, 1 recurring and 1 new; 1 of the audit before fixed.",
    });
  });

  it("splits each audit's figures by code in its table", () => {
    expect(tableRows(html)).toEqual([
      ["FY27-Q1: In a rotation, missing from its schedules", "2", "0", "0"],
      ["FY27-Q1: PagerDuty invitation not accepted", "1", "0", "0"],
      ["FY27-Q1: all codes", "3", "0", "0"],
      ["FY27-Q3: In a rotation, missing from its schedules", "1", "1", "0"],
      ["FY27-Q3: PagerDuty invitation not accepted", "0", "0", "1"],
      ["FY27-Q3: all codes", "1", "1", "1"],
    ]);
  });
});
