import { describe, expect, it } from "vitest";

import { createVirtualClock } from "./virtual-clock";

describe("createVirtualClock", () => {
  it("wakes sleepers in the order of their wake times, the clock jumping to each", async () => {
    const clock = createVirtualClock(1_000);
    const woke: [string, number][] = [];
    const nap = async (name: string, ms: number) => {
      await clock.sleep(ms);
      woke.push([name, clock.now()]);
    };
    await Promise.all([nap("minute", 60_000), nap("second", 1_000), nap("also a second", 1_000)]);
    expect(woke).toEqual([
      ["second", 2_000],
      ["also a second", 2_000],
      ["minute", 61_000],
    ]);
    expect(clock.elapsed()).toBe(60_000);
  });

  it("stands still while a request is in flight", async () => {
    const clock = createVirtualClock(0);
    let answer: (response: Response) => void = () => undefined;
    const pending = new Promise<Response>((resolve) => (answer = resolve));
    const request = clock.track(() => pending)("http://127.0.0.1/");
    const sleeping = clock.sleep(5_000);
    // Many turns of the event loop pass; the clock must wait for the answer.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(clock.now()).toBe(0);
    answer(new Response("ok"));
    await request;
    await sleeping;
    expect(clock.now()).toBe(5_000);
  });

  it("rejects a sleep when its signal aborts, and wakes the others", async () => {
    const clock = createVirtualClock(0);
    const controller = new AbortController();
    const aborted = clock.sleep(10_000, controller.signal);
    const other = clock.sleep(20_000);
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    await other;
    expect(clock.now()).toBe(20_000);
  });
});
