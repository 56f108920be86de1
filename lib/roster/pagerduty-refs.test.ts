import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRosterList, readRosterList } from "./parse";
import { pagerDutyRefsOf } from "./pagerduty-refs";
import { RosterPersonSchema } from "./schema";

describe("pagerDutyRefsOf", () => {
  it("reads emails and IDs as the schema does: trimmed, a blank ID none", () => {
    const people = [
      { name: "A", email: " a@example.com ", pagerduty: { id: " PA00001 " } },
      { name: "B", email: "b@example.com", pagerduty: { id: "  " } },
      { name: "C", email: "c@example.com", pagerduty: null },
      { name: "D", email: "d@example.com" },
    ];
    expect(pagerDutyRefsOf(people)).toEqual([
      { email: "a@example.com", pagerdutyId: "PA00001" },
      { email: "b@example.com", pagerdutyId: null },
      { email: "c@example.com", pagerdutyId: null },
      { email: "d@example.com", pagerdutyId: null },
    ]);
  });

  it("gives for every entry that validates, read as parsed, what the validated person holds", () => {
    const text = fc.oneof(
      fc.constantFrom("", " ", "  PX00001 ", "PX00002", "a@example.com", " b@example.com\t"),
      fc.string(),
    );
    const entry = fc.record(
      {
        name: fc.constantFrom("Ada", " Ada ", ""),
        // Mostly an address, so that most entries validate and are compared.
        email: fc.oneof(
          { arbitrary: fc.constantFrom("a@example.com", " b@example.com\t"), weight: 4 },
          text,
          fc.integer(),
          fc.constant(null),
        ),
        pagerduty: fc.oneof(
          fc.constant(null),
          fc.constant(""),
          fc.record({ id: fc.oneof(text, fc.integer(), fc.constant(null)) }, { requiredKeys: [] }),
        ),
      },
      { requiredKeys: ["name"] },
    );
    fc.assert(
      fc.property(entry, (raw) => {
        const parsed = RosterPersonSchema.safeParse(raw);
        if (!parsed.success) return;
        const person = parsed.data;
        expect(pagerDutyRefsOf([raw])).toEqual(pagerDutyRefsOf([person]));
        // The schema and pagerDutyRefsOf read the email and the ID with the same functions: held to the
        // schema's output too, so that the schema leaving them fails here.
        expect(pagerDutyRefsOf([raw])).toEqual([
          { email: person.email, pagerdutyId: person.pagerduty?.id ?? null },
        ]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("readRosterList's onParsed", () => {
  it("is given the entries as parsed, before they are checked, even when the checks then fail", () => {
    const text =
      "- name: Ada\n  email: ada@example.com\n  pagerduty: { id: PADA001 }\n- name: Bob\n  email: nope\n";
    let told: readonly unknown[] = [];
    expect(() => readRosterList(text, "team.yaml", null, (people) => (told = people))).toThrow(
      expect.objectContaining({ code: "invalid:roster" }),
    );
    expect(pagerDutyRefsOf(told)).toEqual([
      { email: "ada@example.com", pagerdutyId: "PADA001" },
      { email: "nope", pagerdutyId: null },
    ]);
    // Told or not, the same error.
    expect(() => parseRosterList(text, "team.yaml")).toThrow(
      expect.objectContaining({ message: expect.stringContaining("1 problem in team.yaml") }),
    );
  });
});
