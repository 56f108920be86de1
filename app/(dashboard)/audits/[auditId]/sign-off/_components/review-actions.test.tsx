import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh: () => undefined }) }));

const { ReviewActions } = await import("./review-actions");

type Props = Parameters<typeof ReviewActions>[0];

function render(overrides: Partial<Props>): string {
  return renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <ReviewActions
        auditId="a1"
        status="in_review"
        unaddressed={2}
        hasIssue
        issueIid={7}
        may={{ submit: false, signOff: true, sendBack: true }}
        {...overrides}
      />
    </QueryClientProvider>,
  );
}

/** The opening tag of the element with `id`. */
function tagWithId(html: string, id: string): string {
  return html.match(new RegExp(`<[a-z]+ [^>]*id="${id}"[^>]*>`))?.[0] ?? "";
}

describe("the sign-off page's review actions", () => {
  it("ask the reviewer for one decision, approve or request changes, with one labelled comment box", () => {
    const html = render({});
    expect(html.match(/<fieldset/g)).toHaveLength(1);
    expect(html).toMatch(/<legend[^>]*>Your decision<\/legend>/);
    const radios = [...html.matchAll(/<input [^>]*type="radio"[^>]*>/g)].map((m) => m[0]);
    expect(radios).toHaveLength(2);
    expect(radios.every((r) => r.includes('name="decision"'))).toBe(true);
    expect(html).toMatch(/<label[^>]*>.*Approve.*<\/label>/);
    expect(html).toMatch(/<label[^>]*>.*Request changes.*<\/label>/);
    // Approve is chosen to begin with; the comment box is the override reason for the 2 unaddressed.
    expect(radios.find((r) => r.includes('value="approve"'))).toContain("checked");

    expect(html.match(/<textarea/g)).toHaveLength(1);
    const textarea = tagWithId(html, "review-comment");
    expect(html).toMatch(/<label for="review-comment"[^>]*>Comment<\/label>/);
    expect(textarea).toContain('aria-describedby="review-comment-hint"');
    expect(html).toContain("2 finding(s) are not addressed: your comment is the override reason");
    expect(html).not.toContain("Send back");
  });

  it("keep the decision's button enabled while the comment is missing: pressing it says what is missing", () => {
    const html = render({});
    const button = html.match(/<button [^>]*type="submit"[^>]*>Sign off<\/button>/)?.[0] ?? "";
    expect(button).not.toBe("");
    expect(button).not.toMatch(/ disabled=""/);
    expect(button).not.toContain('aria-disabled="true"');
    // No message before the first press; the comment box is described by its hint alone.
    expect(html).not.toContain('id="review-comment-error"');
    expect(tagWithId(html, "review-comment")).not.toContain("aria-invalid=");
  });

  it("offer changes only for an audit in review, and say why not", () => {
    const html = render({ status: "open" });
    const changes = [...html.matchAll(/<input [^>]*type="radio"[^>]*>/g)]
      .map((m) => m[0])
      .find((r) => r.includes('value="request_changes"'));
    expect(changes).toContain('disabled=""');
    expect(html).toContain("Only an audit submitted for review can be sent back.");
  });

  it("show Support Operations the hand-over, not the decision", () => {
    const html = render({ status: "open", may: { submit: true, signOff: false, sendBack: false } });
    expect(html).toContain("Submit for review");
    expect(html).not.toContain("<fieldset");
    expect(html).not.toContain("<textarea");
  });
});
