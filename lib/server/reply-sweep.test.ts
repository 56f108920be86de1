import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ReplySweepResult } from "@/lib/service/chase/replies";
import type { AppContext } from "@/lib/service/context";
import { startReplySweep, type ReplySweep, type ReplySweepOptions } from "./reply-sweep";

/** The sweep's schedule on a fake clock: the sweep itself is a stand-in each test controls. */

const MINUTE = 60_000;
const INTERVAL = 5 * MINUTE;
const DONE: ReplySweepResult = { audits: 1, replies: 0, failed: 0 };
const CTX = {} as AppContext;

let sweep: ReplySweep | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await sweep?.stop();
  sweep = undefined;
  vi.useRealTimers();
});

/** Sweeps that end only when the test says so (or when stopped). */
function pendingSweeps() {
  const ends: (() => void)[] = [];
  const run: ReplySweepOptions["sweep"] = (_ctx, { signal }) =>
    new Promise((resolve) => {
      ends.push(() => resolve(DONE));
      signal.addEventListener("abort", () => resolve(DONE));
    });
  return { run, ends };
}

function start(overrides: Partial<ReplySweepOptions> = {}) {
  const log = vi.fn<ReplySweepOptions["log"]>();
  sweep = startReplySweep({
    intervalMs: INTERVAL,
    getContext: async () => CTX,
    log,
    sweep: async () => DONE,
    ...overrides,
  });
  return { log, sweep };
}

describe("startReplySweep", () => {
  it("sweeps once an interval has passed, and again an interval after each sweep ends", async () => {
    const run = vi.fn<NonNullable<ReplySweepOptions["sweep"]>>(async () => DONE);
    start({ sweep: run });
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run).toHaveBeenLastCalledWith(CTX, { signal: expect.any(AbortSignal) });
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(run).toHaveBeenCalledTimes(4);
  });

  it("never starts a sweep while the previous one is still running", async () => {
    const { run, ends } = pendingSweeps();
    start({ sweep: run });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(ends).toHaveLength(1);
    // GitLab is slow: an hour passes and the first sweep has not ended.
    await vi.advanceTimersByTimeAsync(60 * MINUTE);
    expect(ends).toHaveLength(1);
    ends[0]?.();
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(ends).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ends).toHaveLength(2);
  });

  it("logs a sweep that fails, or a context that cannot be opened, and sweeps again later", async () => {
    const failure = new Error("database is down");
    const getContext = vi
      .fn<ReplySweepOptions["getContext"]>()
      .mockRejectedValueOnce(failure)
      .mockResolvedValue(CTX);
    const run = vi
      .fn<NonNullable<ReplySweepOptions["sweep"]>>()
      .mockRejectedValueOnce(new Error("GitLab is down"))
      .mockResolvedValue(DONE);
    const { log } = start({ getContext, sweep: run });

    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(run).not.toHaveBeenCalled();
    expect(log).toHaveBeenLastCalledWith(expect.stringMatching(/replies/), failure);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(run).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenLastCalledWith(
      expect.any(String),
      expect.objectContaining({ message: "GitLab is down" }),
    );
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(run).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledTimes(2);
  });

  it("stops: aborts the sweep in progress, waits for it to end, logs no failure and starts no other", async () => {
    const signals: AbortSignal[] = [];
    // Like a sweep whose GitLab call takes a second to notice the abort.
    const run: ReplySweepOptions["sweep"] = (_ctx, { signal }) => {
      signals.push(signal);
      return new Promise((_resolve, reject) =>
        signal.addEventListener("abort", () => setTimeout(() => reject(signal.reason), 1_000)),
      );
    };
    const { log, sweep: handle } = start({ sweep: run });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(false);

    let stopped = false;
    const stopping = handle.stop().then(() => {
      stopped = true;
    });
    expect(signals[0]?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(999);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;

    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(signals).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(log).not.toHaveBeenCalled();
  });

  it("stops before the first sweep without sweeping", async () => {
    const run = vi.fn<NonNullable<ReplySweepOptions["sweep"]>>(async () => DONE);
    const { sweep: handle } = start({ sweep: run });
    await handle.stop();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(run).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
