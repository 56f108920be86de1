import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { describedBy, Field, Textarea } from "./field";

function render(error: string | null, hint?: string): string {
  return renderToStaticMarkup(
    <Field id="note" label="Note" hint={hint} error={error}>
      <Textarea id="note" {...describedBy("note", { hint: hint !== undefined, error })} />
    </Field>,
  );
}

describe("a field's validation message", () => {
  it("is shown under the control, which it describes after the hint, and marks the control invalid", () => {
    const html = render("Write at least 10 characters (3 so far).", "Quoted with your name.");
    expect(html).toMatch(/<p id="note-error"[^>]*>Write at least 10 characters \(3 so far\)\.<\/p>/);
    expect(html).toContain('aria-describedby="note-hint note-error"');
    expect(html).toContain('aria-invalid="true"');
    // Read in the order shown: the hint, then the message.
    expect(html.indexOf('id="note-hint"')).toBeLessThan(html.indexOf('id="note-error"'));
  });

  it("is absent until a submit is refused: the control is described by its hint alone", () => {
    const html = render(null, "Quoted with your name.");
    expect(html).not.toContain("note-error");
    expect(html).toContain('aria-describedby="note-hint"');
    expect(html).not.toContain("aria-invalid=");
  });

  it("describes a control without a hint by the message alone, and one with neither by nothing", () => {
    expect(render("Choose a day.")).toContain('aria-describedby="note-error"');
    expect(render(null)).not.toContain("aria-describedby");
  });
});
