import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ActivityEntry } from "@/lib/client/types";
import { ActivityTimeline } from "./activity-timeline";

const AMARA = { key: "amara@example.com", name: "Amara Okafor" };

function entryOf(overrides: Partial<ActivityEntry>): ActivityEntry {
  return {
    key: String(Math.random()),
    action: "ping",
    actor: "Theo Marsh",
    at: "2026-11-24T12:00:00.000Z",
    person: AMARA,
    codes: ["missing_from_schedule"],
    commentUrl: null,
    text: null,
    until: null,
    override: false,
    autopilot: null,
    ...overrides,
  };
}

/** The page's text as a reader gets it: tags out, entities decoded, spaces collapsed. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

describe("ActivityTimeline", () => {
  it("shows a reply's text with the name of the person who wrote it, not only their username", () => {
    const html = renderToStaticMarkup(
      <ActivityTimeline
        entries={[
          entryOf({
            action: "reply",
            actor: "aokafor",
            text: "I was on the old APAC event only.",
            commentUrl: "https://gitlab.example/g/p/-/issues/7#note_12",
          }),
        ]}
      />,
    );
    expect(html).toContain('aria-label="Activity"');
    expect(textOf(html)).toContain("Reply received");
    expect(textOf(html)).toContain("from Amara Okafor (@aokafor)");
    expect(textOf(html)).toContain("“I was on the old APAC event only.”");
    expect(html).toContain('href="https://gitlab.example/g/p/-/issues/7#note_12"');
  });

  it("escapes what people wrote: a reply, a justification, a name", () => {
    const html = renderToStaticMarkup(
      <ActivityTimeline
        entries={[
          entryOf({ action: "reply", actor: "x", text: "<script>alert(1)</script>" }),
          entryOf({
            action: "mark_intentional",
            actor: '<img src=x onerror="alert(2)">',
            text: "<b>trial</b> account",
            person: { key: "p", name: "<i>Eve</i>" },
          }),
        ]}
        personHref={(key) => `/audits/a/people/${encodeURIComponent(key)}`}
      />,
    );
    expect(html).not.toMatch(/<script|<img|<b>|<i>/);
    expect(textOf(html)).toContain("<script>alert(1)</script>");
    expect(textOf(html)).toContain("“<b>trial</b> account”");
    expect(textOf(html)).toContain("<i>Eve</i>");
  });

  it("says what a resolution, a reopening and a re-run did, and who: a person or the audit run", () => {
    const text = textOf(
      renderToStaticMarkup(
        <ActivityTimeline
          entries={[
            entryOf({ action: "waive", text: "Parental leave.", until: "2027-02-01", override: true }),
            entryOf({ action: "reopen", actor: "Sofia Reyes" }),
            entryOf({ action: "fixed_by_rerun", actor: "system" }),
            entryOf({ action: "recurred", actor: "system" }),
          ]}
        />,
      ),
    );
    expect(text).toContain("Waived until Mon, 1 Feb 2027");
    expect(text).toContain("Override: own finding");
    expect(text).toContain("“Parental leave.”");
    expect(text).toContain("Reopened");
    expect(text).toContain("by Sofia Reyes");
    expect(text).toContain("Found fixed by a re-run");
    expect(text).toContain("Came back after a fix");
    expect(text).toContain("by the audit run");
    expect(text).not.toContain("by system");
  });

  it("names and links the person on the audit's timeline, not on the person's own", () => {
    const entries = [entryOf({ action: "escalate" })];
    const audit = renderToStaticMarkup(
      <ActivityTimeline entries={entries} personHref={(key) => `/people/${encodeURIComponent(key)}`} />,
    );
    expect(audit).toMatch(/<a [^>]*href="\/people\/amara%40example.com"[^>]*>Amara Okafor<\/a>/);
    const own = renderToStaticMarkup(<ActivityTimeline entries={entries} />);
    expect(own).not.toContain("<a ");
    expect(textOf(own)).toContain("Escalated to their manager and the Support Ops Manager");
  });

  it("says so when nothing happened yet", () => {
    const html = renderToStaticMarkup(<ActivityTimeline entries={[]} empty="Nothing yet for this person." />);
    expect(textOf(html)).toBe("Nothing yet for this person.");
  });

  it("says who turned autopilot on or off, and links a Slack DM as a Slack message", () => {
    const text = textOf(
      renderToStaticMarkup(
        <ActivityTimeline
          entries={[
            entryOf({ action: "set_autopilot", autopilot: true, person: null, codes: [] }),
            entryOf({ action: "set_autopilot", autopilot: false, person: null, codes: [] }),
            entryOf({ action: "set_autopilot", autopilot: false, codes: [] }),
            entryOf({ action: "record_dm", commentUrl: "https://support.slack.com/archives/D1/p1" }),
            entryOf({ action: "ping", text: "Please fix this before Friday" }),
          ]}
        />,
      ),
    );
    expect(text).toContain("Autopilot turned on");
    expect(text).toContain("Autopilot turned off");
    expect(text).toContain("Autopilot paused for them");
    expect(text).toContain("message on Slack");
    expect(text).toContain("“Please fix this before Friday”");
  });
});
