import { describe, expect, it } from "vitest";
import { parseAuditConfig } from "./parse";
import { calendarOf } from "@/lib/workflow/working-time";
import { workingTimeOf } from "./schema";

const BASE =
  "roster: { path: team.yaml }\nrotations:\n  - id: emea\n    name: EMEA\n    schedules: [PSCH001]\n    members: { field: pagerduty.rotations }\n";

describe("working time in the config", () => {
  it("counts working days Monday to Friday, 09:00-17:00 UTC when the config says nothing", () => {
    const config = parseAuditConfig(BASE, "audit.yaml");
    expect(config.working_time).toBeUndefined();
    expect(calendarOf({ timezone: null, region: null }, workingTimeOf(config))).toEqual({
      mode: "working_days",
      zone: "UTC",
      zoneFallback: true,
      workingDays: [1, 2, 3, 4, 5],
      dayStart: "09:00",
      dayEnd: "17:00",
      holidays: [],
    });
  });

  it("gives each person their zone and their region's holidays with everyone's", () => {
    const config = parseAuditConfig(
      `${BASE}working_time:\n  default_timezone: Europe/London\n  working_days: [sun, mon, tue, wed, thu]\n  hours: "08:30-16:30"\n  holidays:\n    all: ["2027-01-01"]\n    EMEA: ["2026-12-25", "2026-12-26"]\n    AMER: ["2026-11-26"]\n`,
      "audit.yaml",
    );
    const workingTime = workingTimeOf(config);
    expect(calendarOf({ timezone: "Europe/Berlin", region: "emea" }, workingTime)).toMatchObject({
      zone: "Europe/Berlin",
      zoneFallback: false,
      workingDays: [7, 1, 2, 3, 4],
      dayStart: "08:30",
      dayEnd: "16:30",
      holidays: ["2026-12-25", "2026-12-26", "2027-01-01"],
    });
    // A zone the tz database does not know (typed by hand in the roster) falls back to the default, and says so.
    expect(calendarOf({ timezone: "Berlin", region: "APAC" }, workingTime)).toMatchObject({
      zone: "Europe/London",
      zoneFallback: true,
      holidays: ["2027-01-01"],
    });
  });

  it("can count plain calendar hours", () => {
    const config = parseAuditConfig(`${BASE}working_time: { mode: calendar_hours }\n`, "audit.yaml");
    expect(calendarOf({ timezone: "Asia/Tokyo", region: null }, workingTimeOf(config)).mode).toBe(
      "calendar_hours",
    );
  });
});
