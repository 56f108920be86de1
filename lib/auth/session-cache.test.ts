import { describe, expect, it } from "vitest";
import type { RosterPerson } from "@/lib/roster/schema";
import type { SessionUser } from "./roles";
import { createSessionCache } from "./session-cache";

const roster = (): RosterPerson[] => [{ name: "Amara", email: "amara@example.com" }];
const user = (role: SessionUser["role"]): SessionUser => ({
  name: "Amara",
  email: "amara@example.com",
  gitlabUsername: null,
  role,
  personKey: "email:amara@example.com",
});

function setup(limit?: number) {
  let now = 1_000_000;
  const cache = createSessionCache({ now: () => now, limit });
  return { cache, advance: (ms: number) => (now += ms) };
}

describe("createSessionCache", () => {
  it("serves a cookie's user until the token's expiry, then asks again", () => {
    const { cache, advance } = setup();
    const people = roster();
    cache.set(people, "token-a", user("member"), 1_000 + 60);
    expect(cache.get(people, "token-a")).toEqual(user("member"));
    advance(59_999);
    expect(cache.get(people, "token-a")).toEqual(user("member"));
    advance(1);
    expect(cache.get(people, "token-a")).toBeUndefined();
  });

  it("keeps each cookie apart, and a signed-out reading as null", () => {
    const { cache } = setup();
    const people = roster();
    cache.set(people, "token-a", null, 2_000);
    expect(cache.get(people, "token-a")).toBeNull();
    expect(cache.get(people, "token-b")).toBeUndefined();
  });

  it("asks again after the roster is read again: a promotion shows at once", () => {
    const { cache } = setup();
    const before = roster();
    cache.set(before, "token-a", user("member"), 2_000);
    const after = roster();
    expect(cache.get(after, "token-a")).toBeUndefined();
    cache.set(after, "token-a", user("manager"), 2_000);
    expect(cache.get(after, "token-a")).toEqual(user("manager"));
  });

  it("drops the oldest session past its limit", () => {
    const { cache } = setup(2);
    const people = roster();
    cache.set(people, "token-a", user("member"), 2_000);
    cache.set(people, "token-b", user("member"), 2_000);
    cache.set(people, "token-c", user("member"), 2_000);
    expect(cache.get(people, "token-a")).toBeUndefined();
    expect(cache.get(people, "token-b")).toEqual(user("member"));
    expect(cache.get(people, "token-c")).toEqual(user("member"));
  });
});
