import { describe, expect, it, vi } from "vitest";
import type { RosterPerson } from "@/lib/roster/schema";
import { createRosterCache } from "./roster-cache";

const roster = (name: string): RosterPerson[] => [{ name, email: `${name}@example.com` }];

function setup(load: () => Promise<readonly RosterPerson[]>) {
  let now = 1_000;
  const logError = vi.fn();
  const loader = vi.fn(load);
  const get = createRosterCache({ load: loader, ttlMs: 60_000, now: () => now, logError });
  return { get, loader, logError, advance: (ms: number) => (now += ms) };
}

describe("createRosterCache", () => {
  it("reads once per TTL", async () => {
    let version = 0;
    const { get, loader, advance } = setup(async () => roster(`v${++version}`));
    expect((await get())[0]?.name).toBe("v1");
    advance(59_999);
    expect((await get())[0]?.name).toBe("v1");
    advance(1);
    expect((await get())[0]?.name).toBe("v2");
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it("shares one read between concurrent callers", async () => {
    const { get, loader } = setup(async () => roster("a"));
    const [first, second] = await Promise.all([get(), get()]);
    expect(first).toBe(second);
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it("throws when the first read fails, and reads again on the next call", async () => {
    let fail = true;
    const { get, loader } = setup(async () => {
      if (fail) throw new Error("ENOENT");
      return roster("a");
    });
    await expect(get()).rejects.toThrow("ENOENT");
    fail = false;
    expect((await get())[0]?.name).toBe("a");
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it("keeps serving the previous roster, logged, when a re-read fails", async () => {
    let fail = false;
    const { get, loader, logError, advance } = setup(async () => {
      if (fail) throw new Error("upstream down");
      return roster("a");
    });
    await get();
    fail = true;
    advance(60_000);
    expect((await get())[0]?.name).toBe("a");
    expect(logError).toHaveBeenCalledTimes(1);
    // The failure does not make every following call retry: the old roster counts as fresh for a TTL.
    await get();
    expect(loader).toHaveBeenCalledTimes(2);
  });
});
