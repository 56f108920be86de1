import { describe, expect, it } from "vitest";
import { deriveStatus, dueReminder } from "./rules";
import { DEFAULT_WORKFLOW_SETTINGS, type ItemWorkflowFields, type WorkflowSettings } from "./types";
import { DEFAULT_WORKING_TIME } from "./working-time";

/** Working days Monday to Friday, 09:00–17:00; people without a zone, and the organisation, in London. */
const settings: WorkflowSettings = {
  ...DEFAULT_WORKFLOW_SETTINGS,
  workingTime: { ...DEFAULT_WORKING_TIME, defaultZone: "Europe/London" },
};

const item = (
  state: ItemWorkflowFields["state"],
  at: string,
  zone: string,
  manager: { zone: string | null; region?: string | null } = { zone },
): ItemWorkflowFields => ({
  state,
  stateChangedAt: at,
  waivedUntil: null,
  repliedAt: null,
  personTimezone: zone,
  region: null,
  managerTimezone: manager.zone,
  managerRegion: manager.region ?? null,
});

describe("timers on working time, for whom each step is", () => {
  it("counts the follow-up on the person's working days and takes the escalation in their manager's hours", () => {
    // Pinged Monday 7 Dec 02:00 UTC = 11:00 Tokyo; 72 working-day hours later is Thursday 11:00 Tokyo.
    const pinged = item("pinged", "2026-12-07T02:00:00.000Z", "Asia/Tokyo");
    const now = new Date("2026-12-07T03:00:00Z");
    expect(deriveStatus(pinged, now, settings).dueAt).toBe("2026-12-10T02:00:00.000Z");
  });

  it("does not escalate to a manager at night: a Berlin manager gets it at 09:00 Berlin", () => {
    // The same 72 hours end Thursday 02:00 UTC, 03:00 in Berlin: the escalation waits for 09:00 there.
    const pinged = item("pinged", "2026-12-07T02:00:00.000Z", "Asia/Tokyo", { zone: "Europe/Berlin" });
    const now = new Date("2026-12-07T03:00:00Z");
    expect(deriveStatus(pinged, now, settings).dueAt).toBe("2026-12-10T08:00:00.000Z");
  });

  it("skips the manager's holidays, not the person's", () => {
    const holidays = { de: ["2026-12-10"] };
    const withHolidays = { ...settings, workingTime: { ...settings.workingTime!, holidays } };
    const pinged = item("pinged", "2026-12-07T02:00:00.000Z", "Asia/Tokyo", {
      zone: "Europe/Berlin",
      region: "DE",
    });
    const now = new Date("2026-12-07T03:00:00Z");
    expect(deriveStatus(pinged, now, withHolidays).dueAt).toBe("2026-12-11T08:00:00.000Z");
  });

  it("takes the escalation of someone whose manager the roster does not hold in the organisation's hours", () => {
    // Only the Support Operations Manager can act on it then: 09:00 London, the default zone.
    const pinged = item("pinged", "2026-12-07T02:00:00.000Z", "Asia/Tokyo", { zone: null });
    const now = new Date("2026-12-07T03:00:00Z");
    expect(deriveStatus(pinged, now, settings).dueAt).toBe("2026-12-10T09:00:00.000Z");
  });

  it("takes the DM, which only the Support Operations Managers receive, in the organisation's working hours", () => {
    // Escalated Monday 7 Dec 02:00 UTC (11:00 Tokyo): 72 of the person's working-day hours end Thursday
    // 02:00 UTC, 02:00 in London, so the DM waits for 09:00 London.
    const escalated = item("escalated", "2026-12-07T02:00:00.000Z", "Asia/Tokyo");
    const now = new Date("2026-12-07T03:00:00Z");
    expect(deriveStatus(escalated, now, settings).dueAt).toBe("2026-12-10T09:00:00.000Z");
  });
});

describe("dueReminder", () => {
  const pinged = item("pinged", "2026-12-07T10:00:00.000Z", "Europe/London");
  const at = (iso: string) => new Date(iso);
  const plain = DEFAULT_WORKFLOW_SETTINGS;

  it("gives the highest rung that has come, once per rung, and none once the escalation is due", () => {
    expect(dueReminder(pinged, at("2026-12-08T21:00:00Z"), plain, [50, 80], [])).toBeNull(); // 35 h
    expect(dueReminder(pinged, at("2026-12-08T23:00:00Z"), plain, [50, 80], [])).toBe(50); // 37 h
    expect(dueReminder(pinged, at("2026-12-08T23:00:00Z"), plain, [50, 80], [50])).toBeNull();
    expect(dueReminder(pinged, at("2026-12-09T20:00:00Z"), plain, [50, 80], [50])).toBe(80); // 58 h
    expect(dueReminder(pinged, at("2026-12-10T11:00:00Z"), plain, [50, 80], [])).toBeNull(); // 73 h: escalate
  });

  it("reminds nobody who replied since the ping, nor a finding in another state", () => {
    const replied = { ...pinged, repliedAt: "2026-12-07T12:00:00.000Z" };
    expect(dueReminder(replied, at("2026-12-08T23:00:00Z"), plain, [50], [])).toBeNull();
    expect(dueReminder({ ...pinged, state: "open" }, at("2026-12-08T23:00:00Z"), plain, [50], [])).toBeNull();
  });

  it("counts the rung on the person's working time", () => {
    // Friday 4 Dec 10:00 London: 36 working-day hours are Friday's 14 and Monday's 22, ending at 22:00,
    // after hours: the reminder waits for Tuesday 09:00, not Saturday 22:00 (36 plain hours).
    const friday = item("pinged", "2026-12-04T10:00:00.000Z", "Europe/London");
    expect(dueReminder(friday, at("2026-12-05T23:00:00Z"), settings, [50], [])).toBeNull();
    expect(dueReminder(friday, at("2026-12-07T21:00:00Z"), settings, [50], [])).toBeNull();
    expect(dueReminder(friday, at("2026-12-08T09:00:00Z"), settings, [50], [])).toBe(50);
  });
});
