import { describe, expect, it } from "vitest";
import { CHASE_STEPS, chaseStepReaching } from "./chase";
import { DEFAULT_WORKFLOW_SETTINGS, ITEM_STATES, USER_ACTIONS } from "./types";

describe("CHASE_STEPS", () => {
  it.each(CHASE_STEPS.map((step, i) => [step.action, step, i] as const))(
    "%s needs the step before it and its timer, and is named for its action",
    (_action, step, i) => {
      expect(step.permission).toBe(`item:${step.action}`);
      expect(USER_ACTIONS).toContain(step.action);
      expect(ITEM_STATES).toContain(step.to);
      expect(chaseStepReaching(step.to)).toBe(step);
      // The first step is due at once; every later one waits for a timer of the settings.
      if (i === 0) expect([step.dueAfter, step.dueStatus]).toEqual([null, null]);
      else expect(step.dueAfter && DEFAULT_WORKFLOW_SETTINGS[step.dueAfter]).toBe(72);
    },
  );

  it("escalation mentions the manager and the Support Operations Managers; the DM is recorded by hand", () => {
    expect(CHASE_STEPS.map((s) => [s.action, s.mentions, s.delivery, s.bulk])).toEqual([
      ["ping", ["person"], "audit_issue", true],
      ["escalate", ["person", "manager", "ops_managers"], "audit_issue", true],
      ["record_dm", ["ops_managers"], "by_hand", false],
    ]);
  });
});
