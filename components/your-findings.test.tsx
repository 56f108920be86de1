import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { YourFinding } from "@/lib/service/your-work";
import { NothingToFix, YourFindings } from "./your-findings";

const NOW = "2026-11-24T12:00:00.000Z";

const FINDING: YourFinding = {
  id: "i1",
  code: "missing_pagerduty_id",
  severity: "error",
  title: "No PagerDuty ID in the roster",
  task: "Your roster entry has no PagerDuty ID. Set `pagerduty.id: PTSLGYU` in your roster entry, then reply on the audit issue.",
  copy: "pagerduty.id: PTSLGYU",
  status: "pinged",
  nextAction: "escalate",
  dueAt: "2026-11-26T15:00:00.000Z",
  zone: "America/Chicago",
};

function render(props: Partial<Parameters<typeof YourFindings>[0]> = {}): string {
  return renderToStaticMarkup(
    <YourFindings
      findings={[FINDING]}
      addressed={0}
      now={NOW}
      rosterUrl="https://gitlab.example.com/support/team/-/blob/main/data/team.yaml#L42"
      issueUrl="https://gitlab.example.com/support/audits/-/issues/7"
      detailsHref="/audits/a1/people/chloe%40example.com"
      {...props}
    />,
  );
}

const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("your findings", () => {
  it("says what to do to the person, with the line to type as code and a copy button named after it", () => {
    const html = render();
    expect(text(html)).toContain(
      "What to do: Your roster entry has no PagerDuty ID. Set pagerduty.id: PTSLGYU in your roster entry, then reply on the audit issue.",
    );
    expect(html).toContain("<code");
    expect(html).toMatch(/<button[^>]*aria-label="Copy pagerduty.id: PTSLGYU"[^>]*>Copy<\/button>/);
    expect(html).toMatch(/aria-live="polite"/);
  });

  it("links the roster entry's line in GitLab and the audit issue, each opening in a new tab", () => {
    const html = render();
    expect(html).toMatch(
      /<a href="https:\/\/gitlab.example.com\/support\/team\/-\/blob\/main\/data\/team.yaml#L42" target="_blank" rel="noreferrer"[^>]*>Edit your roster entry in GitLab/,
    );
    expect(html).toMatch(
      /href="https:\/\/gitlab.example.com\/support\/audits\/-\/issues\/7"[^>]*>Reply on the audit issue/,
    );
  });

  it("without a GitLab roster or an issue, no dead links", () => {
    const html = render({ rosterUrl: null, issueUrl: null });
    expect(html).not.toContain("Edit your roster entry");
    expect(html).not.toContain("Reply on the audit issue</");
    expect(html).toContain("See the evidence");
  });

  it("the next step's due moment on their own clock, said as theirs", () => {
    expect(text(render())).toMatch(
      /next step \(escalate\) is due in 51 h \(Thu 26 Nov, 09:00 America\/Chicago your time\)/,
    );
  });

  it("no copy button when there is no line to copy", () => {
    expect(render({ findings: [{ ...FINDING, copy: null }] })).not.toContain("<button");
  });

  it("counts what is left and what is already addressed", () => {
    expect(text(render({ addressed: 2 }))).toContain("One thing to fix (2 already addressed)");
    expect(text(render({ findings: [FINDING, { ...FINDING, id: "i2" }] }))).toContain("2 things to fix");
  });
});

describe("nothing to fix", () => {
  it.each([
    [null, 0, /No audit is open/],
    ["FY27-Q3", 0, /FY27-Q3 found nothing about your roster entry or your PagerDuty account/],
    ["FY27-Q3", 3, /Everything FY27-Q3 found about you is addressed \(3\)/],
  ])("%s with %i addressed", (auditName, addressed, says) => {
    const html = renderToStaticMarkup(<NothingToFix auditName={auditName} addressed={addressed} />);
    expect(text(html)).toContain("Nothing for you to fix");
    expect(text(html)).toMatch(says);
  });
});
