import { describe, expect, it } from "vitest";
import {
  countFilters,
  findingsSearch,
  parseFindingsParams,
  sortedBy,
  sortOf,
  withoutFilter,
  withoutFilters,
  type FindingsParams,
  type SearchParams,
} from "./params";

describe("the findings page's URL", () => {
  const cases: { search: SearchParams; params: FindingsParams; why: string }[] = [
    { search: {}, params: {}, why: "nothing set" },
    { search: { sort: "region" }, params: { sort: "region" }, why: "a sort in its default direction" },
    { search: { sort: "region", dir: "desc" }, params: { sort: "region", dir: "desc" }, why: "reversed" },
    {
      search: { sort: "region", dir: "asc" },
      params: { sort: "region" },
      why: "the default direction named",
    },
    {
      search: { sort: "items", dir: "desc" },
      params: { sort: "items" },
      why: "most findings first is items' default",
    },
    {
      search: { sort: "items", dir: "asc" },
      params: { sort: "items", dir: "asc" },
      why: "fewest findings first",
    },
    { search: { dir: "desc" }, params: { dir: "desc" }, why: "names Z to A" },
    { search: { sort: "name" }, params: {}, why: "the default sort named" },
    { search: { sort: "shoe_size", dir: "up" }, params: {}, why: "an unknown sort and direction" },
    { search: { sort: "last_ping" }, params: { sort: "last_ping" }, why: "last ping" },
    { search: { q: "  @AOkafor " }, params: { q: "@AOkafor" }, why: "a handle search, trimmed, case kept" },
    { search: { q: "PAMARA1" }, params: { q: "PAMARA1" }, why: "a PagerDuty ID search" },
    { search: { q: ["@a", "@b"] }, params: { q: "@a" }, why: "a repeated search: the first" },
    { search: { q: "x".repeat(300) }, params: { q: "x".repeat(200) }, why: "a long search, cut" },
    {
      search: { status: "open", overdue: "true", page: "2", region: "" },
      params: { status: "open", overdue: true, page: 2 },
      why: "filters and a page, an empty one dropped",
    },
  ];
  it.each(cases)("$why", ({ search, params }) => {
    expect(parseFindingsParams(search)).toEqual(params);
  });

  it("reads back what it writes", () => {
    for (const { params } of cases) {
      const written = findingsSearch(params);
      expect(parseFindingsParams(Object.fromEntries(new URLSearchParams(written)))).toEqual(params);
    }
  });

  it("writes one URL per order: no default sort or direction in it", () => {
    expect(findingsSearch({ sort: "name", dir: "asc" })).toBe("");
    expect(findingsSearch({ sort: "items", dir: "desc" })).toBe("?sort=items");
    expect(findingsSearch({ q: "@aokafor", sort: "due", dir: "desc" })).toBe(
      "?q=%40aokafor&sort=due&dir=desc",
    );
  });
});

describe("sortable headers", () => {
  it("sort by another column in its default direction, keep the filters, and go back to page 1", () => {
    expect(sortedBy({ status: "open", page: 3 }, "items")).toEqual({
      status: "open",
      sort: "items",
      dir: "desc",
    });
    expect(sortedBy({ sort: "items", dir: "asc" }, "region")).toEqual({ sort: "region", dir: "asc" });
  });

  it("reverse the column the list is sorted by", () => {
    expect(sortedBy({}, "name")).toEqual({ sort: "name", dir: "desc" });
    expect(sortedBy({ dir: "desc" }, "name")).toEqual({ sort: "name", dir: "asc" });
    expect(sortedBy({ sort: "items" }, "items")).toEqual({ sort: "items", dir: "asc" });
  });

  it("say the order the list is in", () => {
    expect(sortOf({})).toEqual({ sort: "name", dir: "asc" });
    expect(sortOf({ sort: "last_ping" })).toEqual({ sort: "last_ping", dir: "desc" });
    expect(sortOf({ sort: "due", dir: "desc" })).toEqual({ sort: "due", dir: "desc" });
  });
});

describe("filter chips", () => {
  const params: FindingsParams = { q: "@aokafor", status: "open", overdue: false, sort: "due", page: 2 };

  it("count the filters, a search and a false overdue included", () => {
    expect(countFilters(params)).toBe(3);
    expect(countFilters({ sort: "due", page: 2 })).toBe(0);
  });

  it("remove one filter, keep the others and the sort, and go back to page 1", () => {
    expect(withoutFilter(params, "overdue")).toEqual({ q: "@aokafor", status: "open", sort: "due" });
    expect(withoutFilter(params, "q")).toEqual({ status: "open", overdue: false, sort: "due" });
  });

  it("clear all filters but keep the sort", () => {
    expect(findingsSearch(withoutFilters({ ...params, dir: "desc" }))).toBe("?sort=due&dir=desc");
  });
});
