import { describe, expect, it } from "vitest";
import { deriveStatus } from "./rules";
import { DEFAULT_WORKFLOW_SETTINGS, type ItemWorkflowFields, type WorkflowSettings } from "./types";
import { DEFAULT_WORKING_TIME } from "./working-time";

/** Working days Monday to Friday, 09:00–17:00; people without a zone, and the organisation, in London. */
const settings: WorkflowSettings = {
  ...DEFAULT_WORKFLOW_SETTINGS,
  workingTime: { ...DEFAULT_WORKING_TIME, defaultZone: "Europe/London" },
};

const item = (state: ItemWorkflowFields["state"], at: string, zone: string): ItemWorkflowFields => ({
  state,
  stateChangedAt: at,
  waivedUntil: null,
  repliedAt: null,
  personTimezone: zone,
  region: null,
});

describe("timers on working time, for whom each step is", () => {
  it("takes the escalation at the start of the person's working day, in their zone", () => {
    // Pinged Monday 7 Dec 02:00 UTC = 11:00 Tokyo; 72 working-day hours later is Thursday 11:00 Tokyo.
    const pinged = item("pinged", "2026-12-07T02:00:00.000Z", "Asia/Tokyo");
    const now = new Date("2026-12-07T03:00:00Z");
    expect(deriveStatus(pinged, now, settings).dueAt).toBe("2026-12-10T02:00:00.000Z");
  });

  it("takes the DM, which only the Support Operations Managers receive, in the organisation's working hours", () => {
    // Escalated Monday 7 Dec 02:00 UTC (11:00 Tokyo): 72 of the person's working-day hours end Thursday
    // 02:00 UTC, 02:00 in London, so the DM waits for 09:00 London.
    const escalated = item("escalated", "2026-12-07T02:00:00.000Z", "Asia/Tokyo");
    const now = new Date("2026-12-07T03:00:00Z");
    expect(deriveStatus(escalated, now, settings).dueAt).toBe("2026-12-10T09:00:00.000Z");
  });
});
