import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FINDING_CODES } from "@/lib/audit/types";
import {
  applySystemAction,
  applyUserAction,
  deriveStatus,
  isAddressed,
  isWaiverExpired,
  nextStatusChangeAt,
} from "./rules";
import type { ItemState, ItemStatus, ItemWorkflowFields, UserActionInput, WorkflowSettings } from "./types";
import { ITEM_STATES, ITEM_STATUSES, SYSTEM_ACTIONS, USER_ACTIONS } from "./types";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const START = new Date("2026-08-03T09:00:00.000Z");
const RESOLVED: readonly ItemState[] = ["fixed", "intentional", "waived"];

// Weighted towards the chase (ping → escalate → record_dm) so that long chains are reached often.
const opArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("user" as const),
      type: fc.oneof(
        fc.constantFrom("ping", "escalate", "record_dm" as const),
        fc.constantFrom(...USER_ACTIONS),
      ),
      justification: fc.oneof(
        { weight: 4, arbitrary: fc.constant("  Covered by the EMEA rotation until March  ") },
        { weight: 1, arbitrary: fc.constantFrom("", "too short") },
      ),
      untilDays: fc.integer({ min: -2, max: 10 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("system" as const),
      action: fc.constantFrom(...SYSTEM_ACTIONS),
    }),
  },
  // Storage records a reply read from the audit issue.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reply" as const) }) },
);

const stepArb = fc.record({
  // Exact timer edges are drawn often; other gaps anywhere up to ~8 days.
  advanceMs: fc.oneof(
    fc.constantFrom(0, 1, HOUR, 24 * HOUR, 72 * HOUR - 1, 72 * HOUR, DAY),
    fc.integer({ min: 0, max: 200 * HOUR }),
  ),
  op: opArb,
});

const settingsArb = fc.record({
  followUpHours: fc.constantFrom(0, 24, 72),
  dmHours: fc.constantFrom(0, 48, 72),
  maxWaiverMonths: fc.constantFrom(1, 12, 120),
});

function inputOf(
  op: { type: (typeof USER_ACTIONS)[number]; justification: string; untilDays: number },
  now: Date,
) {
  const until = new Date(now.getTime() + op.untilDays * DAY).toISOString().slice(0, 10);
  const inputs: Record<UserActionInput["type"], UserActionInput> = {
    ping: { type: "ping" },
    escalate: { type: "escalate" },
    record_dm: { type: "record_dm" },
    mark_intentional: { type: "mark_intentional", justification: op.justification },
    waive: { type: "waive", until, justification: op.justification },
    reopen: { type: "reopen" },
  };
  return inputs[op.type];
}

/** The next action deriveStatus announces is exactly what applyUserAction accepts, and at the time it says. */
function checkNextActionIsHonoured(item: ItemWorkflowFields, now: Date, settings: WorkflowSettings): void {
  const derived = deriveStatus(item, now, settings);
  expect(isAddressed(item, now)).toBe(
    derived.status === "fixed" || derived.status === "intentional" || derived.status === "waived",
  );
  if (derived.nextAction === null) return;
  const result = applyUserAction(item, { type: derived.nextAction }, now, settings);
  expect(result.ok).toBe(derived.dueAt === null || derived.overdue);
  if (derived.dueAt !== null && !derived.overdue) {
    expect(applyUserAction(item, { type: derived.nextAction }, new Date(derived.dueAt), settings).ok).toBe(
      true,
    );
  }
}

describe("any sequence of actions", () => {
  it("stays within ITEM_STATES and leaves a resolved state only through reopen, recurred or an expired waiver", () => {
    const seenStates = new Set<ItemState>();
    const seenStatuses = new Set<ItemStatus>();

    fc.assert(
      fc.property(settingsArb, fc.array(stepArb, { minLength: 10, maxLength: 40 }), (settings, steps) => {
        const created = applySystemAction(null, "detected", START);
        if (!created.ok) throw new Error(created.reason);
        let item = created.next;
        let now = START;

        for (const { advanceMs, op } of steps) {
          now = new Date(now.getTime() + advanceMs);
          checkNextActionIsHonoured(item, now, settings);
          seenStatuses.add(deriveStatus(item, now, settings).status);

          if (op.kind === "reply") {
            if (item.state === "pinged" || item.state === "escalated")
              item = { ...item, repliedAt: now.toISOString() };
            continue;
          }
          const action = op.kind === "user" ? op.type : op.action;
          const result =
            op.kind === "user"
              ? applyUserAction(item, inputOf(op, now), now, settings)
              : applySystemAction(item, op.action, now);
          if (!result.ok) {
            expect(result.reason).toMatch(/^[A-Z].{20,}\.$/);
            continue;
          }

          expect(ITEM_STATES).toContain(result.next.state);
          expect(result.from).toBe(item.state);
          expect(result.to).toBe(result.next.state);
          expect(result.next.waivedUntil === null).toBe(result.next.state !== "waived");
          if (RESOLVED.includes(item.state) && result.next.state !== item.state) {
            const allowed =
              action === "reopen" ||
              action === "recurred" ||
              isWaiverExpired(item, now) ||
              // A re-run that no longer finds an intentional or waived item records it as fixed.
              (action === "fixed_by_rerun" && result.next.state === "fixed");
            expect(allowed, `${item.state} → ${result.next.state} by ${action}`).toBe(true);
          }
          item = result.next;
          seenStates.add(item.state);
        }
      }),
      { numRuns: 400 },
    );

    // The generator must actually reach every state and status, or the property says little.
    expect([...seenStates].sort()).toEqual([...ITEM_STATES].sort());
    expect([...seenStatuses].sort()).toEqual([...ITEM_STATUSES].sort());
  });
});

describe("nextStatusChangeAt", () => {
  const itemArb = fc.record({
    code: fc.option(fc.constantFrom(...FINDING_CODES), { nil: undefined }),
    state: fc.constantFrom(...ITEM_STATES),
    stateChangedAt: fc.integer({ min: -10 * DAY, max: 0 }),
    repliedAt: fc.option(fc.integer({ min: -10 * DAY, max: 0 }), { nil: null }),
    waivedUntil: fc.option(
      fc.oneof(
        fc.integer({ min: -5, max: 10 }).map((days) => ({ days })),
        fc.integer({ min: -5 * DAY, max: 10 * DAY }).map((ms) => ({ ms })),
      ),
      { nil: null },
    ),
  });

  it("says until when everything the rules derive from an item at `now` holds, and that it changes then", () => {
    fc.assert(
      fc.property(
        itemArb,
        settingsArb,
        fc.integer({ min: 0, max: 10 * DAY }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (drawn, settings, nowMs, where) => {
          const now = new Date(START.getTime() + nowMs);
          const iso = (offset: number) => new Date(now.getTime() + offset).toISOString();
          const until = drawn.waivedUntil;
          const item: ItemWorkflowFields = {
            code: drawn.code,
            state: drawn.state,
            stateChangedAt: iso(drawn.stateChangedAt),
            repliedAt: drawn.repliedAt === null ? null : iso(drawn.repliedAt),
            waivedUntil:
              drawn.state !== "waived" || until === null
                ? null
                : "days" in until
                  ? iso(until.days * DAY).slice(0, 10)
                  : iso(until.ms),
          };
          const seen = (at: Date) => ({
            ...deriveStatus(item, at, settings),
            addressed: isAddressed(item, at),
          });
          const atNow = seen(now);
          const change = nextStatusChangeAt(item, now, settings);
          if (change === null) {
            expect(seen(new Date(now.getTime() + 400 * DAY))).toEqual(atNow);
            return;
          }
          expect(change.getTime()).toBeGreaterThan(now.getTime());
          const inside = now.getTime() + Math.floor(where * (change.getTime() - now.getTime() - 1));
          expect(seen(new Date(inside))).toEqual(atNow);
          expect(seen(new Date(change.getTime() - 1))).toEqual(atNow);
          expect(seen(change)).not.toEqual(atNow);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
