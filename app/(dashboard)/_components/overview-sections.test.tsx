import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { auditSchedule } from "@/lib/workflow/fiscal";
import { countAudit, dueStateOf, type CountedItem } from "@/lib/workflow/audit-counts";
import { DEFAULT_WORKFLOW_SETTINGS } from "@/lib/workflow/types";
import { OverviewStats } from "./overview-counts";
import { OverviewDueCard } from "./overview-due-card";

const NOW = new Date("2026-12-08T16:00:00Z");
const AUDIT = "a1";

function item(overrides: Partial<CountedItem>): CountedItem {
  return {
    code: "missing_from_schedule",
    personKey: "amara@example.com",
    managerName: "Mia Chen",
    state: "open",
    stateChangedAt: "2026-11-24T12:00:00.000Z",
    waivedUntil: null,
    repliedAt: null,
    ...overrides,
  };
}

/** The stats as a reader gets them: label, number and the line under it, per stat. */
function statsOf(html: string): string[] {
  return [...html.matchAll(/<dt[^>]*>(.*?)<\/dt><dd[^>]*>(.*?)<\/dd>/g)].map((m) =>
    `${m[1]}: ${(m[2] ?? "").replace(/<span class="sr-only">.*?<\/span>/g, "").replace(/<[^>]+>/g, " ")}`
      .replace(/&#x27;/g, "'")
      .replace(/\s+/g, " ")
      .trim(),
  );
}

function render(items: CountedItem[], options: { judged: boolean; signedOffAt?: string }) {
  const counts = countAudit({
    items,
    judged: options.judged,
    signedOffAt: options.signedOffAt ?? null,
    now: NOW,
    workflow: DEFAULT_WORKFLOW_SETTINGS,
  });
  return renderToStaticMarkup(<OverviewStats auditId={AUDIT} counts={counts} />);
}

const FOUND = [
  item({ state: "fixed" }),
  item({ personKey: "bo@example.com", state: "pinged", stateChangedAt: "2026-11-25T12:00:00.000Z" }),
  item({ personKey: "cy@example.com", code: "invitation_pending" }),
];

describe("the overview's stats in each state of an audit", () => {
  it("before the first run: a dash and 'not run yet', never a zero that reads as all clear", () => {
    const html = render([], { judged: false });
    expect(statsOf(html)).toEqual([
      "Findings: – Not run yet",
      "People with findings: – Not run yet",
      "People overdue: – Not run yet",
      "Still to address: – Not run yet",
    ]);
    expect(html).not.toMatch(/<a /);
  });

  it("after a re-run that fixed one: the findings still present, the fixed one counted as addressed", () => {
    const html = render(FOUND, { judged: true });
    expect(statsOf(html)).toEqual([
      "Findings: 2 still present; 1 fixed since found",
      "People with findings: 2",
      "People overdue: 1 a chase step is due",
      "Still to address: 2 1 of 3 addressed",
    ]);
    // Counts that lead to findings are links that look like links, with a focus ring.
    expect(html).toContain('href="/audits/a1/findings"');
    expect(html).toContain('href="/audits/a1/findings?overdue=true"');
    expect(html).toMatch(/class="group inline-block rounded focus-visible:outline-2[^"]*"/);
    expect(html).toMatch(/underline decoration-2/);
  });

  it("after sign-off with an override: what was left open is not an alarm, and nobody is overdue", () => {
    const html = render(FOUND, { judged: true, signedOffAt: "2026-12-01T09:00:00.000Z" });
    expect(statsOf(html)).toEqual([
      "Findings: 2 still present; 1 fixed since found",
      "People with findings: 2",
      "People overdue: 0 nobody is chased after sign-off",
      "Left open at sign-off: 2 accepted by the sign-off's override",
    ]);
    expect(html).not.toContain("text-rose-700");
  });
});

describe("the due card", () => {
  const card = (names: string[], signedOff: string[], status: "open" | "signed_off" | null) => {
    const schedule = auditSchedule(NOW, names, signedOff);
    return renderToStaticMarkup(
      <OverviewDueCard
        schedule={schedule}
        state={dueStateOf(schedule, status)}
        periodAudit={
          status === "signed_off"
            ? { signedOffAt: "2026-12-01T09:00:00.000Z", signedOffBy: "Sofia Reyes" }
            : null
        }
        now={NOW.toISOString()}
        canOpen={false}
      />,
    ).replace(/<[^>]+>/g, " ");
  };

  it("says signed off, with when and by whom, and no overdue time once the audit is signed off", () => {
    const text = card(["FY27-Q3"], ["FY27-Q3"], "signed_off");
    expect(text).toContain("Signed off");
    expect(text).toContain("Tue, 1 Dec 2026");
    expect(text).toContain("by Sofia Reyes");
    expect(text).not.toMatch(/overdue|Opened/i);
  });

  it("says overdue, without a running overdue time, while opened and past its due day", () => {
    const text = card(["FY27-Q3"], [], "open");
    expect(text).toContain("Overdue");
    expect(text).not.toMatch(/overdue \d/);
  });
});
