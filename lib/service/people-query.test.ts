import { describe, expect, it } from "vitest";
import { personRowOf } from "@/lib/testing/people";
import { comparePeopleRows, matchesPeopleSearch, pagerDutyIdsOf, type PeopleSort } from "./people-query";

const rowOf = personRowOf;

describe("searching people", () => {
  const amara = rowOf({});
  const cases: { q: string | undefined; matches: boolean; why: string }[] = [
    { q: undefined, matches: true, why: "no search" },
    { q: "  ", matches: true, why: "blank search" },
    { q: "okaf", matches: true, why: "part of the name" },
    { q: "AMARA@EXAMPLE", matches: true, why: "part of the email, any case" },
    { q: "@aokafor", matches: true, why: "the handle" },
    { q: "@AOkafor", matches: true, why: "the handle, any case" },
    { q: " @aokafor ", matches: true, why: "the handle, with blanks around" },
    { q: "@aoka", matches: false, why: "part of a handle is not the handle" },
    { q: "@aokafor2", matches: false, why: "a longer handle" },
    { q: "PAMARA1", matches: true, why: "a PagerDuty ID of theirs" },
    { q: "PAMARA", matches: false, why: "part of a PagerDuty ID" },
    { q: "pamara1", matches: false, why: "a PagerDuty ID in another case (IDs are exact)" },
    { q: "POTHER9", matches: false, why: "someone else's PagerDuty ID" },
  ];
  it.each(cases)("$why: $q → $matches", ({ q, matches }) => {
    expect(matchesPeopleSearch(amara, q)).toBe(matches);
  });

  it("does not match a handle search against someone without a GitLab username", () => {
    expect(matchesPeopleSearch(rowOf({ gitlab: null }), "@aokafor")).toBe(false);
  });
});

describe("sorting people", () => {
  const rows = [
    rowOf({ personKey: "c", name: "Cleo", region: null, items: 2, lastPingAt: "2026-11-02T00:00:00Z" }),
    rowOf({ personKey: "b2", name: "Ben", region: "APAC", items: 1, dueAt: "2026-11-05T00:00:00Z" }),
    rowOf({ personKey: "a", name: "Ada", region: "EMEA", items: 3, status: null, lastPingAt: null }),
    rowOf({ personKey: "b1", name: "Ben", region: "APAC", items: 1, dueAt: "2026-11-04T00:00:00Z" }),
  ];
  const keysBy = (sort: PeopleSort, dir?: "asc" | "desc") =>
    rows.toSorted(comparePeopleRows(sort, dir)).map((r) => r.personKey);

  const cases: { sort: PeopleSort; dir?: "asc" | "desc"; keys: string[] }[] = [
    // Two people named Ben: the person key decides, in both directions.
    { sort: "name", keys: ["a", "b1", "b2", "c"] },
    { sort: "name", dir: "desc", keys: ["c", "b1", "b2", "a"] },
    // No region sorts last whichever way.
    { sort: "region", keys: ["b1", "b2", "a", "c"] },
    { sort: "region", dir: "desc", keys: ["a", "b1", "b2", "c"] },
    // Most findings first by default.
    { sort: "items", keys: ["a", "c", "b1", "b2"] },
    { sort: "items", dir: "asc", keys: ["b1", "b2", "c", "a"] },
    // Every item addressed: after the unresolved statuses.
    { sort: "status", keys: ["b1", "b2", "c", "a"] },
    { sort: "due", keys: ["b1", "b2", "a", "c"] },
    { sort: "due", dir: "desc", keys: ["b2", "b1", "a", "c"] },
    { sort: "last_ping", keys: ["c", "a", "b1", "b2"] },
  ];
  it.each(cases)("$sort $dir → $keys", ({ sort, dir, keys }) => {
    expect(keysBy(sort, dir)).toEqual(keys);
  });

  it("gives the same order whatever order the rows come in", () => {
    for (const sort of ["name", "region", "items", "status", "due", "last_ping"] as const) {
      expect(
        rows
          .toReversed()
          .toSorted(comparePeopleRows(sort))
          .map((r) => r.personKey),
      ).toEqual(keysBy(sort));
    }
  });
});

describe("a person's PagerDuty IDs", () => {
  it("takes the roster's ID and the accounts found, not suggestions or the other holders of a shared ID", () => {
    expect(
      pagerDutyIdsOf([
        { evidence: { roster_pagerduty_id: "PROSTER", suggested_pagerduty_id: "PSUGGEST" } },
        { evidence: { roster_pagerduty_id: "PROSTER", also_used_by: ["someone@example.com"] } },
        { evidence: { pagerduty_id: "PFOUND1" } },
        { evidence: { pagerduty_ids: ["PFOUND2", "PROSTER"], schedules: ["PSCHED"] } },
        { evidence: { schedule_id: "PSCHED" } },
      ]),
    ).toEqual(["PFOUND1", "PFOUND2", "PROSTER"]);
  });
});
