/**
 * Concurrency of the services over a real database: 50 actions at once on one audit, from many people
 * (and, on Postgres, through two app instances with their own pools), lose no event and never leave an
 * item or the audit in a state the workflow does not allow.
 *
 * The assertions come from the workflow rules, not from expected outcomes: whoever wins a race, every
 * successful action has exactly one event and every refused one none; each item's events, replayed through
 * lib/workflow/rules.ts from `detected`, are all allowed and end in the item's stored state; and whenever
 * some action was allowed on an item before the race, someone's action took effect on it. Each case also
 * checks that the races it is about happened (actions the workflow allowed that lost to someone else's,
 * refused starts, refused audit changes), so it cannot pass by running one action after the other.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Audit, AuditEvent, Item, Run } from "@/lib/db/queries";
import { createAudit, getAuditById, listEvents, listItems, listRuns } from "@/lib/db/queries";
import { isColleagueFinding } from "@/lib/workflow/owners";
import { listTestDatabases, type TestDatabase } from "@/lib/db/testing";
import { AppError } from "@/lib/errors";
import { applySystemAction, applyUserAction, deriveStatus } from "@/lib/workflow/rules";
import type {
  ItemWorkflowFields,
  SystemAction,
  UserAction,
  UserActionInput,
  UserActionResult,
} from "@/lib/workflow/types";
import { ITEM_STATES, SYSTEM_ACTIONS, USER_ACTIONS } from "@/lib/workflow/types";
import { createRandom } from "@/sandbox/random";
import type { AppContext } from "./context";
import { createTestInstances, type TestInstances } from "@/lib/testing/instances";
import { getPersonDetail, listPeopleRows } from "./findings";
import { exportToIssue } from "./export";
import { actOnItems, bulkAct } from "./item-actions";
import { startAuditRun } from "./runs";
import { getSignOffReview, sendBack, signOff, submitForReview } from "./sign-off";

const START = new Date("2026-11-24T12:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Past the 72 h follow-up and DM timers. */
const TIMER = 73 * HOUR;
const RACE = 50;
const PEOPLE = ["Theo Marsh", "Priya Nair", "Sam Ortiz", "Jun Park", "Lena Vogel", "Ana Lima"];
const JUSTIFICATION = "Agreed with the team lead in the weekly sync.";
/** How both the service and the storage word a write that lost to someone else's. */
const LOST_AT_WRITE = /changed meanwhile/;

const kinds = await listTestDatabases();

/** One of the 50 calls of a race and what came of it. */
interface Attempt {
  /** Unique per attempt (a person's name and the attempt's number), so its events can be counted. */
  actor: string;
  /** Which app instance served it. */
  instance: number;
  what: UserAction | "bulk ping" | "bulk escalate" | "start run" | "submit" | "send back" | "sign off";
  /** For item actions: the items it may change, each with whether the workflow allowed it before the race. */
  targets: { itemId: string; allowedBefore: boolean }[];
  /** Items (or runs, or audit status changes) it changed. */
  applied: number;
  /** Changes it had decided but found taken by someone else's when it wrote. */
  lostAtWrite: number;
  error: AppError | null;
  runId: string | null;
}

type Call = (
  ctx: AppContext,
  actor: string,
) => Promise<{ applied: number; lostAtWrite: number; runId?: string }>;

interface PlannedAttempt {
  what: Attempt["what"];
  targets: Attempt["targets"];
  call: Call;
}

/** What a race showed, for the per-case assertions and the test's annotation. */
interface RaceSummary {
  wins: number;
  /** Item changes the workflow allowed before the race that the attempt did not make: someone else did first. */
  lost: number;
  lostAtWrite: number;
  /** Item actions the workflow refused on the item as it was before the race. */
  refusedByRule: number;
  /** Of `lost`, those lost to a change made through the other instance. */
  crossInstanceLosses: number;
  events: AuditEvent[];
  items: Item[];
  audit: Audit;
  runs: Run[];
}

describe.each(kinds)("50 simultaneous actions on one audit ($name)", (kind) => {
  // SQLite serves one app instance (two connections to one file in one process would wait on each other's
  // locks synchronously); Postgres serves several, so there every race is split across two instances.
  const instanceCount = kind.name === "postgres" ? 2 : 1;
  let place: TestDatabase | undefined;
  let t: TestInstances;
  let audits = 0;

  beforeAll(async () => {
    place = await kind.create();
    t = await createTestInstances(START, place, instanceCount);
  });

  afterAll(async () => {
    await t?.close();
    await place?.drop();
  });

  const first = () => t.instances[0] as AppContext;

  /** A new audit, run once against the demo org; its items that belong to a person. */
  async function newAudit(): Promise<{ audit: Audit; items: Item[] }> {
    audits += 1;
    const audit = await createAudit(first().db, {
      name: `FY27-Q3 race ${audits}`,
      fiscalYear: 2027,
      quarter: 3,
      opensOn: "2026-10-01",
      dueOn: "2026-10-31",
      createdBy: "setup",
      now: t.clock.now(),
    });
    const run = await startAuditRun(first(), { auditId: audit.id, actor: "setup" });
    await first().backgroundRuns.get(run.id);
    // Pings and escalations are posted on the audit's issue.
    await exportToIssue(first(), { auditId: audit.id, actor: "setup" });
    // The items the chase applies to: a person's, and a colleague's to fix.
    const items = (await listItems(first().db, audit.id)).filter(
      (i) => i.personKey !== null && isColleagueFinding(i.code),
    );
    expect(items.length).toBeGreaterThan(10);
    return { audit, items };
  }

  function inputOf(type: UserAction): UserActionInput {
    if (type === "mark_intentional") return { type, justification: JUSTIFICATION };
    if (type === "waive") {
      const until = new Date(t.clock.now().getTime() + 30 * DAY).toISOString().slice(0, 10);
      return { type, until, justification: JUSTIFICATION };
    }
    return { type };
  }

  /** Moves items on before a race, one action after the other (actor `setup`). */
  async function prepare(auditId: string, items: readonly Item[], action: UserActionInput): Promise<void> {
    for (const item of items) {
      await actOnItems(first(), {
        auditId,
        personKey: item.personKey ?? "",
        itemIds: [item.id],
        action,
        actor: "setup",
      });
    }
  }

  /** One person's action on one item, with whether the workflow allows it on the item as it is now. */
  function itemAction(auditId: string, item: Item, type: UserAction): PlannedAttempt {
    const action = inputOf(type);
    return {
      what: type,
      targets: [
        { itemId: item.id, allowedBefore: applyUserAction(item, action, t.clock.now(), first().workflow).ok },
      ],
      call: async (ctx, actor) => {
        const outcome = await actOnItems(ctx, {
          auditId,
          personKey: item.personKey ?? "",
          itemIds: [item.id],
          action,
          actor,
        });
        return { applied: outcome.applied, lostAtWrite: outcome.conflicts };
      },
    };
  }

  function bulkAction(auditId: string, items: readonly Item[], type: "ping" | "escalate"): PlannedAttempt {
    const now = t.clock.now();
    return {
      what: type === "ping" ? "bulk ping" : "bulk escalate",
      targets: items
        .filter((item) => deriveStatus(item, now, first().workflow).nextAction === type)
        .map((item) => ({
          itemId: item.id,
          allowedBefore: applyUserAction(item, { type }, now, first().workflow).ok,
        })),
      call: async (ctx, actor) => {
        const outcome = await bulkAct(ctx, { auditId, action: type, actor });
        return { applied: outcome.applied, lostAtWrite: outcome.conflicts };
      },
    };
  }

  function auditAction(what: Attempt["what"], call: (ctx: AppContext, actor: string) => Promise<unknown>) {
    return {
      what,
      targets: [],
      call: async (ctx: AppContext, actor: string) => {
        const result = await call(ctx, actor);
        const runId = what === "start run" ? (result as Run).id : undefined;
        return { applied: 1, lostAtWrite: 0, ...(runId ? { runId } : {}) };
      },
    } satisfies PlannedAttempt;
  }

  /** Starts every planned attempt at once, alternating instances; waits for them and for any run started. */
  async function race(planned: readonly PlannedAttempt[]): Promise<Attempt[]> {
    expect(planned).toHaveLength(RACE);
    const attempts = await Promise.all(
      planned.map(async (plan, i): Promise<Attempt> => {
        const instance = i % instanceCount;
        const actor = `${PEOPLE[i % PEOPLE.length]} #${i}`;
        const base = { actor, instance, what: plan.what, targets: plan.targets };
        try {
          const result = await plan.call(t.instances[instance] as AppContext, actor);
          return { ...base, ...result, error: null, runId: result.runId ?? null };
        } catch (error) {
          if (!(error instanceof AppError) || error.kind !== "conflict") throw error;
          const lostAtWrite = error.code === "conflict:item" && LOST_AT_WRITE.test(error.message) ? 1 : 0;
          return { ...base, applied: 0, lostAtWrite, error, runId: null };
        }
      }),
    );
    await Promise.all(t.instances.flatMap((ctx) => [...ctx.backgroundRuns.values()]));
    return attempts;
  }

  /**
   * The invariants every race must keep, read through every instance (they must agree). Returns what the
   * race showed.
   */
  async function checkRace(
    auditId: string,
    itemsBefore: readonly Item[],
    eventsBefore: readonly AuditEvent[],
    attempts: readonly Attempt[],
  ): Promise<RaceSummary> {
    const read = async (ctx: AppContext) => {
      const [items, events, audit, runs] = await Promise.all([
        listItems(ctx.db, auditId),
        listEvents(ctx.db, { auditId }),
        getAuditById(ctx.db, auditId),
        listRuns(ctx.db, auditId),
      ]);
      return { items, events, audit, runs };
    };
    const views = await Promise.all(t.instances.map(read));
    const view = views[0] as Awaited<ReturnType<typeof read>>;
    for (const other of views.slice(1)) expect(other).toEqual(view);
    const { items, events, audit, runs } = view;

    // Every successful action has exactly one event per change; a refused one has none; nothing else wrote.
    const seen = new Set(eventsBefore.map((e) => e.id));
    const fresh = events.filter((e) => !seen.has(e.id));
    const actors = new Set(attempts.map((a) => a.actor));
    for (const attempt of attempts) {
      const own = fresh.filter((e) => e.actor === attempt.actor);
      const label = `${attempt.what} by ${attempt.actor}`;
      // A person's action either did something or was refused: never "done: 0 findings".
      if (isUserAction(attempt.what) && attempt.error === null) expect(attempt.applied, label).toBe(1);
      // A started run is recorded as a run (checked below); everything else as events.
      expect(own.length, label).toBe(attempt.what === "start run" ? 0 : attempt.applied);
      if (attempt.targets.length > 0) {
        expect(new Set(own.map((e) => e.itemId)).size, label).toBe(own.length);
        const allowed = new Set(attempt.targets.map((target) => target.itemId));
        expect(
          own.every((e) => e.itemId !== null && allowed.has(e.itemId)),
          label,
        ).toBe(true);
      }
    }
    const started = attempts.filter((a) => a.runId !== null).length;
    for (const event of fresh) {
      const ours = actors.has(event.actor) || (event.actor === "system" && started > 0);
      expect(ours, `event ${event.action} by ${event.actor}`).toBe(true);
    }

    // Each item's history is allowed by the workflow and ends where the item is; so no item is in a state
    // the workflow cannot reach.
    expect(items.map((i) => i.key).sort()).toEqual([...new Set(items.map((i) => i.key))].sort());
    const violations = items.flatMap((item) =>
      replayItem(
        item,
        events.filter((e) => e.itemId === item.id),
        first(),
      ),
    );
    expect(violations).toEqual([]);
    expect(items.every((item) => ITEM_STATES.includes(item.state))).toBe(true);
    expect(replayAudit(events.filter((e) => e.itemId === null))).toEqual({ status: audit.status });

    // An item some action was allowed on before the race was changed by someone: no update was lost.
    const before = new Map(itemsBefore.map((i) => [i.id, i]));
    const changed = new Set(fresh.flatMap((e) => (e.itemId ? [e.itemId] : [])));
    // A ping or escalation refused because another attempt held the person's claim lost nothing: the
    // holder decides (and may itself be refused, by a sign-off).
    const contested = new Set(
      attempts
        .filter((a) => a.error?.code !== "conflict:audit" && !/right now/.test(a.error?.message ?? ""))
        .flatMap((a) => a.targets.filter((x) => x.allowedBefore).map((x) => x.itemId)),
    );
    for (const itemId of contested) {
      expect(changed.has(itemId), `item ${before.get(itemId)?.key} was left as it was`).toBe(true);
    }

    // Runs never overlap: one at a time across every instance.
    const ordered = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (const [i, run] of ordered.entries()) {
      const next = ordered[i + 1];
      if (next) expect(run.finishedAt !== null && run.finishedAt <= next.startedAt).toBe(true);
    }
    for (const attempt of attempts.filter((a) => a.what === "start run")) {
      expect(runs.filter((r) => r.startedBy === attempt.actor)).toHaveLength(attempt.applied);
    }

    const winsOn = (itemId: string) =>
      new Set(
        attempts
          .filter((a) => fresh.some((e) => e.actor === a.actor && e.itemId === itemId))
          .map((a) => a.instance),
      );
    let lost = 0;
    let crossInstanceLosses = 0;
    for (const attempt of attempts.filter((a) => a.error?.code !== "conflict:audit")) {
      for (const target of attempt.targets) {
        if (!target.allowedBefore) continue;
        if (fresh.some((e) => e.actor === attempt.actor && e.itemId === target.itemId)) continue;
        lost += 1;
        if ([...winsOn(target.itemId)].some((instance) => instance !== attempt.instance))
          crossInstanceLosses += 1;
      }
    }
    return {
      wins: attempts.reduce((sum, a) => sum + a.applied, 0),
      lost,
      lostAtWrite: attempts.reduce((sum, a) => sum + a.lostAtWrite, 0),
      refusedByRule: attempts.filter(
        (a) => a.error !== null && a.targets.length > 0 && a.targets.every((x) => !x.allowedBefore),
      ).length,
      crossInstanceLosses,
      events,
      items,
      audit,
      runs,
    };
  }

  function describeRace(summary: RaceSummary, attempts: readonly Attempt[]): string {
    const refused = attempts.filter((a) => a.error !== null).length;
    const auditLevel = [...new Set(attempts.filter((a) => a.targets.length === 0).map((a) => a.what))].map(
      (what) => {
        const all = attempts.filter((a) => a.what === what);
        return `${what} ${all.filter((a) => a.applied > 0).length}/${all.length}`;
      },
    );
    return (
      `${kind.name}, ${instanceCount} instance(s): ${summary.wins} change(s) won, ${refused} of ${RACE} ` +
      `attempts refused, ${summary.lost} change(s) allowed before the race lost to someone else ` +
      `(${summary.lostAtWrite} at the moment of writing, ${summary.crossInstanceLosses} to the other ` +
      `instance), ${summary.refusedByRule} refused by the workflow` +
      (auditLevel.length > 0 ? `; succeeded: ${auditLevel.join(", ")}; audit ${summary.audit.status}` : "")
    );
  }

  async function snapshot(auditId: string) {
    const [items, events] = await Promise.all([
      listItems(first().db, auditId),
      listEvents(first().db, { auditId }),
    ]);
    return { items, events };
  }

  it("many people acting on the same item: one wins each state, the rest get conflict:item", async ({
    annotate,
  }) => {
    const { audit, items } = await newAudit();
    const rng = createRandom(1);
    const target = items[0] as Item;
    const before = await snapshot(audit.id);
    const attempts = await race(
      Array.from({ length: RACE }, () => itemAction(audit.id, target, rng.pick(USER_ACTIONS))),
    );
    const summary = await checkRace(audit.id, before.items, before.events, attempts);
    await annotate(describeRace(summary, attempts));

    // Several kinds were allowed on the open item; they raced, and every refusal is conflict:item.
    const allowed = attempts.filter((a) => a.targets[0]?.allowedBefore);
    expect(new Set(allowed.map((a) => a.what)).size).toBeGreaterThan(1);
    expect(attempts.filter((a) => a.error).map((a) => a.error?.code)).toEqual(
      Array(attempts.filter((a) => a.error).length).fill("conflict:item"),
    );
    expect(summary.wins).toBeGreaterThanOrEqual(1);
    expect(summary.lostAtWrite).toBeGreaterThan(0);
    expect(summary.refusedByRule).toBeGreaterThan(0);
    if (instanceCount > 1) expect(summary.crossInstanceLosses).toBeGreaterThan(0);
  });

  it("a person's action that lost every item to someone else's is refused, not reported as done", async () => {
    const { audit, items } = await newAudit();
    const personKey = items.find(
      (i) => items.filter((j) => j.personKey === i.personKey).length > 1,
    )?.personKey;
    if (!personKey) throw new Error("the demo org has no person with two findings");
    const results = await Promise.allSettled(
      PEOPLE.map((actor, i) =>
        actOnItems(t.instances[i % instanceCount] as AppContext, {
          auditId: audit.id,
          personKey,
          action: { type: "ping" },
          actor,
        }),
      ),
    );
    const done = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as AppError] : []));
    expect(done).toEqual([{ applied: 2, skipped: [], conflicts: 0, warnings: [] }]);
    expect(refused.map((e) => e.code)).toEqual(Array(PEOPLE.length - 1).fill("conflict:item"));
    // Refused for losing the write, or before posting for finding the person claimed by the winner's ping.
    for (const message of refused.map((e) => e.message)) {
      expect(message).toMatch(
        /^Someone else (acted first: the finding changed meanwhile \(now pinged\)|is pinging them right now|has just pinged them)/,
      );
    }
  });

  // A waive of an expired waiver leaves the item in the state the others read (`waived`, with a new end):
  // a ping, a second waive or a mark_intentional decided on the expired waiver must not apply to the fresh
  // one, which the workflow refuses. Storage also compares `state_changed_at` (and `replied_at`, which
  // replies change).
  it("many people acting on the same item whose waiver has expired", async ({ annotate }) => {
    const { audit, items } = await newAudit();
    const target = items[1] as Item;
    const tomorrow = new Date(t.clock.now().getTime() + DAY).toISOString().slice(0, 10);
    await prepare(audit.id, [target], { type: "waive", until: tomorrow, justification: JUSTIFICATION });
    t.clock.advance(2 * DAY);
    const before = await snapshot(audit.id);
    const expired = before.items.find((i) => i.id === target.id) as Item;
    expect(deriveStatus(expired, t.clock.now(), first().workflow).status).toBe("waiver_expired");
    // Waives only: the first to land keeps the item `waived`, so every other one that read the expired
    // waiver still finds the state it read, whichever lands first.
    const attempts = await race(Array.from({ length: RACE }, () => itemAction(audit.id, expired, "waive")));
    const summary = await checkRace(audit.id, before.items, before.events, attempts);
    await annotate(describeRace(summary, attempts));
    expect(summary.lostAtWrite).toBeGreaterThan(0);
  });

  it("actions of every kind on different items of different people", async ({ annotate }) => {
    const { audit, items } = await newAudit();
    // Items in every state: open, pinged (follow-up due), escalated (DM due), waived, intentional.
    const group = (n: number) => items.filter((_, i) => i % 5 === n);
    await prepare(audit.id, [...group(1), ...group(2)], { type: "ping" });
    t.clock.advance(TIMER);
    await prepare(audit.id, group(2), { type: "escalate" });
    t.clock.advance(TIMER);
    await prepare(audit.id, group(3), inputOf("waive"));
    await prepare(audit.id, group(4), inputOf("mark_intentional"));
    const before = await snapshot(audit.id);
    const current = before.items.filter((i) => i.personKey !== null);
    const rng = createRandom(3);
    const attempts = await race(
      Array.from({ length: RACE }, () => itemAction(audit.id, rng.pick(current), rng.pick(USER_ACTIONS))),
    );
    const summary = await checkRace(audit.id, before.items, before.events, attempts);
    await annotate(describeRace(summary, attempts));

    const people = new Set(
      summary.events.filter((e) => attempts.some((a) => a.actor === e.actor)).map((e) => e.personKey),
    );
    expect(people.size, "people whose items changed").toBeGreaterThan(3);
    expect(
      new Set(attempts.filter((a) => a.targets[0]?.allowedBefore).map((a) => a.what)).size,
    ).toBeGreaterThan(3);
    expect(summary.lost, "changes lost to someone else").toBeGreaterThan(0);
    expect(summary.refusedByRule, "refused by the workflow").toBeGreaterThan(0);
  });

  it("bulk 'ping all open' and 'escalate all due' racing with single actions", async ({ annotate }) => {
    const { audit, items } = await newAudit();
    await prepare(audit.id, items.slice(0, 4), { type: "ping" });
    t.clock.advance(TIMER);
    await prepare(audit.id, items.slice(4, 6), inputOf("waive"));
    const before = await snapshot(audit.id);
    const current = before.items.filter((i) => i.personKey !== null && isColleagueFinding(i.code));
    const open = current.filter((i) => i.state === "open");
    const due = current.filter((i) => deriveStatus(i, t.clock.now(), first().workflow).overdue);
    const rng = createRandom(4);
    const planned = Array.from({ length: RACE }, (_, i): PlannedAttempt => {
      if (i % 7 === 0) return bulkAction(audit.id, current, "ping");
      if (i % 11 === 0) return bulkAction(audit.id, current, "escalate");
      if (rng.chance(0.2))
        return itemAction(audit.id, rng.pick(due), rng.pick(["escalate", "waive"] as const));
      return itemAction(audit.id, rng.pick(open), rng.chance(0.8) ? "ping" : "mark_intentional");
    });
    const attempts = await race(planned);
    const summary = await checkRace(audit.id, before.items, before.events, attempts);
    await annotate(describeRace(summary, attempts));

    // Every open item was pinged at most once (the replay refuses a second ping), and none was left open.
    const fresh = summary.events.filter((e) => !before.events.some((b) => b.id === e.id));
    for (const item of open) {
      expect(fresh.filter((e) => e.itemId === item.id && e.action === "ping").length).toBeLessThanOrEqual(1);
      expect(summary.items.find((i) => i.id === item.id)?.state).not.toBe("open");
    }
    const bulk = attempts.filter((a) => a.what === "bulk ping" || a.what === "bulk escalate");
    expect(bulk.every((a) => a.error === null)).toBe(true);
    expect(summary.lostAtWrite).toBeGreaterThan(0);
    expect(bulk.reduce((sum, a) => sum + a.lostAtWrite + a.targets.length - a.applied, 0)).toBeGreaterThan(0);
  });

  it("a run started while actions are in flight, with starts racing on every instance: one run at a time", async ({
    annotate,
  }) => {
    const { audit, items } = await newAudit();
    await prepare(audit.id, items.slice(0, 6), { type: "ping" });
    t.clock.advance(TIMER);
    // Someone fixes Amara's PagerDuty account meanwhile: the run marks her item fixed while others act on it.
    const amaraId = t.scenario.roster.find((p) => p.name === "Amara Okafor")?.pagerduty?.id;
    const apac = t.scenario.pagerduty.schedules.find((s) => s.name.includes("APAC") && s.kind === "v3");
    const fixedState = structuredClone(t.scenario.pagerduty);
    const schedule = fixedState.schedules.find((s) => s.id === apac?.id);
    if (!amaraId || schedule?.kind !== "v3") throw new Error("the demo org changed");
    schedule.rotations[0]?.events.find((e) => e.effective_until === null)?.member_user_ids.push(amaraId);
    t.sandbox.setState(fixedState);
    try {
      const before = await snapshot(audit.id);
      const current = before.items.filter((i) => i.personKey !== null);
      const amara = current.find((i) => i.personName === "Amara Okafor");
      if (!amara) throw new Error("the demo org changed");
      const rng = createRandom(5);
      // All 50 are under way at once; the starts wait until an action of the first half has landed, and the
      // second half of the actions until a start has been decided, so the run starts in the middle of them.
      const firstAction = signal();
      const firstStart = signal();
      const firstHalf = RACE / 2 - RACE / 10;
      let firstHalfDone = 0;
      const planned = Array.from({ length: RACE }, (_, i): PlannedAttempt => {
        if (i % 5 === 2) {
          const start = auditAction("start run", (ctx, actor) =>
            startAuditRun(ctx, { auditId: audit.id, actor }),
          );
          return gated(start, firstStart.settle, firstAction.settled);
        }
        const item = rng.chance(0.25) ? amara : rng.pick(current);
        const action = itemAction(audit.id, item, rng.pick(USER_ACTIONS));
        if (i >= RACE / 2) return gated(action, null, firstStart.settled);
        return gated(action, (ok) => {
          firstHalfDone += 1;
          if (ok || firstHalfDone === firstHalf) firstAction.settle();
        });
      });
      // Some action of the first half is allowed, so one of them lands before any run starts.
      expect(planned.slice(0, RACE / 2).some((p) => p.targets.some((x) => x.allowedBefore))).toBe(true);
      const attempts = await race(planned);
      const summary = await checkRace(audit.id, before.items, before.events, attempts);
      await annotate(describeRace(summary, attempts));

      const starts = attempts.filter((a) => a.what === "start run");
      const refusedStarts = starts.filter((a) => a.error);
      expect(starts.filter((a) => a.applied === 1).length).toBeGreaterThanOrEqual(1);
      expect(refusedStarts.map((a) => a.error?.code)).toEqual(
        Array(refusedStarts.length).fill("conflict:run"),
      );
      // Every instance had a start refused: at least one of them because of a run on the other instance.
      expect(new Set(refusedStarts.map((a) => a.instance)).size).toBe(instanceCount);
      const newRuns = summary.runs.filter((r) => starts.some((a) => a.runId === r.id));
      expect(newRuns.map((r) => r.status)).toEqual(Array(newRuns.length).fill("complete"));
      // The run started while actions were being taken: some were decided before it started, some after.
      const firstRun = newRuns.reduce((a, b) => (a.startedAt < b.startedAt ? a : b));
      const decided = summary.events
        .filter((e) => attempts.some((a) => a.actor === e.actor))
        .map((e) => e.at);
      expect(decided.filter((at) => at <= firstRun.startedAt).length, "decided before").toBeGreaterThan(0);
      expect(decided.filter((at) => at >= firstRun.startedAt).length, "decided after").toBeGreaterThan(0);
      expect(summary.events.some((e) => e.itemId === amara.id && e.action === "fixed_by_rerun")).toBe(true);
      expect(summary.lost, "changes lost to someone else").toBeGreaterThan(0);
    } finally {
      t.sandbox.setState(t.scenario.pagerduty);
    }
  });

  it("sign-off, submit and send back racing with item actions", async ({ annotate }) => {
    const { audit, items } = await newAudit();
    const before = await snapshot(audit.id);
    const rng = createRandom(6);
    const planned = Array.from({ length: RACE }, (_, i): PlannedAttempt => {
      if (i % 10 === 7)
        return auditAction("sign off", (ctx, actor) =>
          signOff(ctx, { auditId: audit.id, actor, overrideReason: JUSTIFICATION }),
        );
      if (i % 10 === 3)
        return auditAction("submit", (ctx, actor) => submitForReview(ctx, { auditId: audit.id, actor }));
      if (i % 10 === 5)
        return auditAction("send back", (ctx, actor) =>
          sendBack(ctx, { auditId: audit.id, actor, comment: JUSTIFICATION }),
        );
      return itemAction(audit.id, rng.pick(items), rng.pick(["ping", "waive", "mark_intentional"] as const));
    });
    const attempts = await race(planned);
    const summary = await checkRace(audit.id, before.items, before.events, attempts);
    await annotate(describeRace(summary, attempts));

    expect(attempts.filter((a) => a.what === "sign off" && a.applied === 1).length).toBeLessThanOrEqual(1);
    const refused = attempts.filter((a) => a.targets.length === 0 && a.error);
    expect(refused.map((a) => a.error?.code)).toEqual(Array(refused.length).fill("conflict:audit"));
    expect(refused.length).toBeGreaterThan(0);
  });

  // An item action checks that the audit is not signed off before it writes, and the sign-off hashes the
  // items it read before it writes: an action in flight must not land after the sign-off, so that the
  // signed record matches the items. The item write checks the audit's status in its transaction, and the
  // sign-off compares the items it hashed in its own.
  it("nothing changes the record once it is signed off", async ({ annotate }) => {
    const { audit, items } = await newAudit();
    const before = await snapshot(audit.id);
    const rng = createRandom(8);
    const planned = Array.from({ length: RACE }, (_, i): PlannedAttempt => {
      if (i === 0)
        return auditAction("sign off", (ctx, actor) =>
          signOff(ctx, { auditId: audit.id, actor, overrideReason: JUSTIFICATION }),
        );
      return itemAction(audit.id, rng.pick(items), rng.pick(["ping", "waive", "mark_intentional"] as const));
    });
    const attempts = await race(planned);
    const summary = await checkRace(audit.id, before.items, before.events, attempts);
    await annotate(describeRace(summary, attempts));
    expect(summary.audit.status).toBe("signed_off");
    // What was signed is what is stored.
    const review = await getSignOffReview(first(), audit.id);
    expect(review.reportSha256).toBe(summary.audit.signOffReportSha256);
  });

  it.runIf(instanceCount > 1)(
    "two instances: actions split across them, each seeing what the other wrote",
    async ({ annotate }) => {
      const { audit, items } = await newAudit();
      const [a, b] = t.instances as [AppContext, AppContext];
      const person = items.find((i) => items.filter((j) => j.personKey === i.personKey).length === 1) as Item;
      const personKey = person.personKey ?? "";

      // An action on one instance is seen on the other, and the other's workflow decides from it.
      await actOnItems(a, { auditId: audit.id, personKey, action: { type: "ping" }, actor: "Theo Marsh" });
      const seen = await getPersonDetail(b, audit.id, personKey);
      expect(seen.items.map((i) => i.state)).toEqual(["pinged"]);
      expect(seen.history.map((e) => [e.action, e.actor])).toEqual([["ping", "Theo Marsh"]]);
      await expect(
        actOnItems(b, { auditId: audit.id, personKey, action: { type: "ping" }, actor: "Priya Nair" }),
      ).rejects.toMatchObject({
        code: "conflict:item",
        message: expect.stringMatching(/already been pinged/),
      });
      t.clock.advance(TIMER);
      await actOnItems(b, {
        auditId: audit.id,
        personKey,
        action: { type: "escalate" },
        actor: "Priya Nair",
      });
      expect((await getPersonDetail(a, audit.id, personKey)).items.map((i) => i.state)).toEqual([
        "escalated",
      ]);

      // 50 at once on a few items, alternating instances.
      const before = await snapshot(audit.id);
      const few = before.items.filter((i) => i.personKey !== null).slice(0, 4);
      const rng = createRandom(7);
      const attempts = await race(
        Array.from({ length: RACE }, () => itemAction(audit.id, rng.pick(few), rng.pick(USER_ACTIONS))),
      );
      const summary = await checkRace(audit.id, before.items, before.events, attempts);
      await annotate(describeRace(summary, attempts));
      expect(summary.crossInstanceLosses).toBeGreaterThan(0);
      const rowsOn = async (ctx: AppContext) =>
        (await listPeopleRows(ctx, audit.id)).sort((x, y) => x.personKey.localeCompare(y.personKey));
      expect(await rowsOn(b)).toEqual(await rowsOn(a));
    },
  );
});

/** A promise to wait on and the function that settles it (the first call counts). */
function signal(): { settled: Promise<void>; settle: () => void } {
  let settle = () => {};
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return { settled, settle };
}

/**
 * The attempt, started once `after` settles (at once when absent); `done` hears whether it changed
 * anything, once it is over either way.
 */
function gated(
  plan: PlannedAttempt,
  done: ((changed: boolean) => void) | null,
  after?: Promise<void>,
): PlannedAttempt {
  return {
    ...plan,
    call: async (ctx, actor) => {
      await after;
      let changed = false;
      try {
        const result = await plan.call(ctx, actor);
        changed = result.applied > 0;
        return result;
      } finally {
        done?.(changed);
      }
    },
  };
}

/** Replays an item's events through the workflow rules from `detected`; returns what the rules refuse. */
function replayItem(item: Item, events: readonly AuditEvent[], ctx: AppContext): string[] {
  let fields: ItemWorkflowFields | null = null;
  for (const event of events) {
    const at = new Date(event.at);
    const where = `${item.key}: event ${event.id} (${event.action} by ${event.actor})`;
    let result: UserActionResult | ReturnType<typeof applySystemAction>;
    if (isSystemAction(event.action)) {
      result = applySystemAction(fields, event.action, at);
    } else if (isUserAction(event.action) && fields !== null) {
      result = applyUserAction(fields, userActionOf(event.action, event), at, ctx.workflow);
    } else {
      return [`${where}: not an item action the workflow knows here`];
    }
    if (!result.ok) return [`${where}: ${result.reason}`];
    if (result.from !== event.fromState || result.to !== event.toState) {
      return [
        `${where}: logged ${event.fromState} → ${event.toState}, the rules say ${result.from} → ${result.to}`,
      ];
    }
    fields = result.next;
  }
  const stored = {
    state: item.state,
    stateChangedAt: item.stateChangedAt,
    waivedUntil: item.waivedUntil,
    repliedAt: item.repliedAt,
  };
  return JSON.stringify(fields) === JSON.stringify(stored)
    ? []
    : [`${item.key}: replay ends in ${JSON.stringify(fields)}, stored ${JSON.stringify(stored)}`];
}

/** The audit's status after its own events (`open` when created); events that change no status (the export) aside. */
function replayAudit(events: readonly AuditEvent[]): { status: string } {
  let status = "open";
  for (const event of events) {
    if (event.fromState === null && event.toState === null) continue;
    expect(event.fromState, `audit event ${event.id} (${event.action} by ${event.actor})`).toBe(status);
    status = event.toState ?? status;
  }
  return { status };
}

function isSystemAction(action: string): action is SystemAction {
  return (SYSTEM_ACTIONS as readonly string[]).includes(action);
}

function isUserAction(action: string): action is UserAction {
  return (USER_ACTIONS as readonly string[]).includes(action);
}

/** The action as it was taken, from what its event recorded. */
function userActionOf(type: UserAction, event: AuditEvent): UserActionInput {
  const text = (key: string) => {
    const value = event.detail?.[key];
    return typeof value === "string" ? value : "";
  };
  if (type === "mark_intentional") return { type, justification: text("justification") };
  if (type === "waive") return { type, until: text("until"), justification: text("justification") };
  return { type };
}
