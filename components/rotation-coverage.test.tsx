import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { RotationCoverage } from "@/lib/audit/types";
import { coverageShowOf, coverageViewOf, PROBLEMS_ONLY_ABOVE_PEOPLE } from "@/lib/service/coverage-view";
import { CoverageJumpList, CoverageShowToggle, RotationCoverageSection } from "./rotation-coverage";

const SITE = "https://acme.pagerduty.com";

/** A rotation of `healthy` people all on its one schedule, plus one missing and one stranger. */
function rotationOf(healthy: number): RotationCoverage {
  const people = Array.from({ length: healthy }, (_, i) => ({
    name: `Healthy ${String(i).padStart(3, "0")}`,
    email: `Healthy.${i}@Example.com`,
    pagerdutyId: `PH${i}`,
  }));
  return {
    rotation: "ceoc-emea",
    name: "CEOC EMEA",
    expected: [...people, { name: "Zara Missing", email: "zara@example.com", pagerdutyId: "PZARA" }],
    schedules: [
      {
        id: "PSCHED1",
        name: "CEOC EMEA primary",
        kind: "v3",
        url: `${SITE}/schedules/PSCHED1`,
        status: "read",
        members: [
          ...people.map((p) => ({
            pagerdutyId: p.pagerdutyId,
            name: p.name,
            email: p.email,
            inRoster: true,
            deleted: false,
          })),
          { pagerdutyId: "PSTRNGR", name: "Aaron Stranger", email: null, inRoster: false, deleted: false },
          // The VP: on the schedule, not expected, exempt (no finding, so no problem).
          {
            pagerdutyId: "PVP",
            name: "Dana Vp",
            email: "dana@example.com",
            inRoster: true,
            deleted: false,
            exempt: true,
          },
        ],
      },
    ],
  };
}

/** The rotation as the page shows it, for an org whose roster holds `rosterPeople`. */
function render(
  coverage: RotationCoverage,
  rosterPeople: number,
  asked?: "all" | "problems",
  withPage: (personKey: string) => boolean = () => true,
) {
  const view = coverageViewOf([coverage]);
  const show = coverageShowOf(asked, rosterPeople);
  const rotation = view.rotations[0]!;
  const html = renderToStaticMarkup(
    <RotationCoverageSection
      rotation={rotation}
      show={show}
      open
      personHref={(key) => (withPage(key) ? `/people/${encodeURIComponent(key)}` : null)}
      showAllHref="/schedules?show=all"
    />,
  );
  return { html, show, view };
}

/** The person links' texts, in page order. */
function personNames(html: string): string[] {
  return [...html.matchAll(/<a [^>]*href="\/people\/[^"]*"[^>]*>([^<]*)<\/a>/g)].map((m) => m[1] ?? "");
}

describe("the rotation coverage", () => {
  it("lists problems first, then everyone by name", () => {
    const { html, show } = render(rotationOf(3), 5);
    expect(show).toBe("all");
    expect(personNames(html)).toEqual([
      "Aaron Stranger",
      "Zara Missing",
      "Dana Vp",
      "Healthy 000",
      "Healthy 001",
      "Healthy 002",
    ]);
    expect(html).toContain("Not in roster");
    expect(html).toContain("Missing");
    expect(html).toContain("Exempt");
    expect(html).not.toContain("Not expected here");
  });

  it("hides healthy rows of a large org by default, and says how to see them", () => {
    const { html, show } = render(rotationOf(PROBLEMS_ONLY_ABOVE_PEOPLE), PROBLEMS_ONLY_ABOVE_PEOPLE + 1);
    expect(show).toBe("problems");
    expect(personNames(html)).toEqual(["Aaron Stranger", "Zara Missing"]);
    // The healthy people and the exempt VP.
    expect(html).toContain(`${PROBLEMS_ONLY_ABOVE_PEOPLE + 1} more people covered, not shown.`);
    expect(html).toContain('href="/schedules?show=all#rotation-ceoc-emea"');
  });

  it("shows everyone of a large org when asked", () => {
    const { html } = render(rotationOf(PROBLEMS_ONLY_ABOVE_PEOPLE), PROBLEMS_ONLY_ABOVE_PEOPLE + 1, "all");
    expect(personNames(html)).toHaveLength(PROBLEMS_ONLY_ABOVE_PEOPLE + 3);
    expect(html).not.toContain("not shown");
  });

  it("says a healthy rotation of a large org is all covered, and lists no one", () => {
    const healthy = rotationOf(3);
    healthy.expected = healthy.expected.filter((p) => p.pagerdutyId !== "PZARA");
    healthy.schedules[0]!.members = healthy.schedules[0]!.members.filter((m) => m.inRoster);
    const { html, view } = render(healthy, PROBLEMS_ONLY_ABOVE_PEOPLE + 1);
    expect(view.rotations[0]?.problems).toBe(0);
    expect(personNames(html)).toEqual([]);
    expect(html).toContain("All 4 people covered.");
    expect(html).toContain("No problems");
  });

  it("links people by person key and users and schedules to PagerDuty", () => {
    const { html } = render(rotationOf(1), 3, "all");
    // The roster email, lower-cased: never the display name.
    expect(html).toContain('href="/people/healthy.0%40example.com"');
    expect(html).toContain('href="/people/pd%3APSTRNGR"');
    expect(html).not.toMatch(/href="\/people\/Healthy/);
    expect(html).toContain(`href="${SITE}/users/PH0"`);
    expect(html).toContain(`href="${SITE}/users/PSTRNGR"`);
    expect(html).toContain(`href="${SITE}/schedules/PSCHED1"`);
    expect(html).toContain("shift-based");
  });

  it("names a person without a page (no findings in the audit) without a link that would lead nowhere", () => {
    const { html } = render(rotationOf(1), 3, "all", (key) => key !== "healthy.0@example.com");
    expect(personNames(html)).not.toContain("Healthy 000");
    expect(html).toContain(">Healthy 000<");
    expect(personNames(html)).toContain("Aaron Stranger");
  });

  it("is a collapsible section the jump list points at, with its count of problems", () => {
    const { html, view } = render(rotationOf(1), 3);
    expect(html).toMatch(/^<details id="rotation-ceoc-emea" open=""/);
    const jump = renderToStaticMarkup(<CoverageJumpList rotations={view.rotations} />);
    expect(jump).toContain('href="#rotation-ceoc-emea"');
    expect(jump).toContain("2 problems");
  });

  it("marks the current choice of the toggle, as links", () => {
    const html = renderToStaticMarkup(
      <CoverageShowToggle show="problems" hrefFor={(show) => `/s?show=${show}`} />,
    );
    expect(html).toMatch(
      /<a aria-current="true"[^>]*href="\/s\?show=problems"|href="\/s\?show=problems"[^>]*aria-current="true"/,
    );
    expect(html).toContain('href="/s?show=all"');
    expect(html.match(/aria-current/g)).toHaveLength(1);
  });
});
