import { describe, expect, it } from "vitest";
import { parseSchedulesParams, schedulesSearch } from "./params";

describe("the Schedules page's search params", () => {
  it.each([
    [{}, {}],
    [{ show: "all" }, { show: "all" }],
    [{ show: " problems " }, { show: "problems" }],
    [{ show: ["all", "problems"] }, { show: "all" }],
    [{ show: "everything" }, {}],
    [{ show: "" }, {}],
  ])("%j → %j", (searchParams, parsed) => {
    expect(parseSchedulesParams(searchParams)).toEqual(parsed);
  });

  it("writes back what it reads", () => {
    expect(schedulesSearch({})).toBe("");
    expect(schedulesSearch({ show: "all" })).toBe("?show=all");
    expect(parseSchedulesParams({ show: "problems" })).toEqual({ show: "problems" });
  });
});
