import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { FindingCode } from "@/lib/audit/types";
import { EvidenceList, type EvidenceLinks } from "./evidence-list";

const SITE = "https://acme.pagerduty.com";
const LINKS: EvidenceLinks = {
  pagerDutyUser: (id) => `${SITE}/users/${id}`,
  pagerDutySchedule: (id) => `${SITE}/schedules/${id}`,
  person: (name) => (name === "Sean Murphy" ? "/audits/a1/people/sean.murphy%40example.com" : null),
  rotationName: (id) => (id === "ceoc-emea" ? "CEOC EMEA" : id),
};

function render(
  code: FindingCode,
  evidence: Parameters<typeof EvidenceList>[0]["evidence"],
  where: { schedule?: { id: string | null; name: string | null }; rotation?: string | null } = {},
  links: EvidenceLinks | null = LINKS,
): string {
  return renderToStaticMarkup(
    <EvidenceList
      code={code}
      evidence={evidence}
      schedule={where.schedule ?? { id: null, name: null }}
      rotation={where.rotation ?? null}
      {...(links ? { links } : {})}
    />,
  );
}

const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("evidence a person can act on", () => {
  it("a suggested ID links to the PagerDuty user and has a copy button for the roster line", () => {
    const html = render("missing_pagerduty_id", {
      roster_email: "c@x.io",
      suggested_pagerduty_id: "PTSLGYU",
    });
    expect(html).toContain(`href="${SITE}/users/PTSLGYU" target="_blank"`);
    expect(html).toMatch(/<button[^>]*aria-label="Copy pagerduty.id: PTSLGYU"/);
  });

  it("the other person of a shared ID links to their page; someone the roster does not hold stays text", () => {
    const html = render("duplicate_pagerduty_id", {
      roster_pagerduty_id: "PSHARED",
      also_used_by: ["Sean Murphy", "Nobody Known"],
    });
    expect(html).toMatch(/<a href="\/audits\/a1\/people\/sean.murphy%40example.com"[^>]*>Sean Murphy<\/a>/);
    expect(text(html)).toContain("Nobody Known");
    expect(html).toContain(`href="${SITE}/users/PSHARED"`);
  });

  it("an ID PagerDuty does not know is not linked", () => {
    const html = render("unknown_pagerduty_id", {
      roster_pagerduty_id: "PTYPO01",
      suggested_pagerduty_id: null,
    });
    expect(html).not.toContain("/users/PTYPO01");
    expect(text(html)).toContain("PTYPO01");
  });

  it("a deleted user: a date, never the raw ISO time; no page for the user; the schedule by PagerDuty's link", () => {
    const html = render(
      "deleted_user_in_schedule",
      {
        pagerduty_id: "PGONE01",
        deleted_at: "2026-07-07T00:00:00.000Z",
        schedule_kind: "v2",
        schedule_url: `${SITE}/schedules#PEMEA01`,
      },
      { schedule: { id: "PEMEA01", name: "CEOC EMEA" }, rotation: "ceoc-emea" },
    );
    expect(text(html)).toContain("Deleted in PagerDuty onTue, 7 Jul 2026");
    expect(html).not.toContain("2026-07-07T00:00:00.000Z<");
    expect(html).not.toContain("/users/PGONE01");
    expect(html).toContain(`href="${SITE}/schedules#PEMEA01"`);
    expect(text(html)).toContain("CEOC EMEA (PEMEA01)");
    expect(text(html)).toContain("RotationCEOC EMEA (ceoc-emea)");
    expect(text(html)).toContain("Schedule typelayer-based");
    expect(text(html)).not.toMatch(/\bv2\b/);
  });

  it("a rotation's schedules link to their pages", () => {
    const html = render("missing_from_schedule", {
      schedules: ["PAPAC01", "PAPAC02"],
      pagerduty_ids: ["PAMARA1"],
    });
    expect(html).toContain(`href="${SITE}/schedules/PAPAC01"`);
    expect(html).toContain(`href="${SITE}/schedules/PAPAC02"`);
    expect(html).toContain(`href="${SITE}/users/PAMARA1"`);
  });

  it("without a known PagerDuty site, IDs are plain text", () => {
    const html = render("not_pageable", { pagerduty_id: "P1", contact_methods: 0 }, {}, null);
    expect(html).not.toContain("<a ");
    expect(text(html)).toContain("P1");
  });
});
