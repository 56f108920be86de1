import { describe, expect, it } from "vitest";
import type { GitLabClient } from "@/lib/gitlab/client";
import { findKnownUsers } from "./mentions";

/** A client whose user lookups each take `ms` and count how many were in flight at once. */
function slowClient(users: readonly string[], ms: number) {
  let inFlight = 0;
  let most = 0;
  const client = {
    baseUrl: "https://gitlab.example.com",
    async findUserByUsername(username: string) {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight -= 1;
      return users.includes(username) ? { id: 1, username } : null;
    },
  } as unknown as GitLabClient;
  return { client, most: () => most };
}

describe("findKnownUsers", () => {
  it("asks about several usernames at once, a few at a time, and words the warnings in the order given", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `user${i}`);
    const { client, most } = slowClient(
      names.filter((_, i) => i % 3 !== 0),
      20,
    );
    const { known, warnings } = await findKnownUsers(
      client,
      names.map((username) => ({ username, person: `Person ${username}` })),
    );
    expect(most()).toBeGreaterThan(1);
    expect(most()).toBeLessThanOrEqual(4);
    expect([...known].sort()).toEqual(names.filter((_, i) => i % 3 !== 0).sort());
    expect(warnings.map((w) => w.split(" ")[0])).toEqual(["user0", "user3", "user6", "user9"]);
  });

  it("asks once per username however it is written", async () => {
    const asked: string[] = [];
    const client = {
      baseUrl: "https://gitlab.example.com",
      findUserByUsername: async (username: string) => {
        asked.push(username);
        return { id: 1, username };
      },
    } as unknown as GitLabClient;
    await findKnownUsers(client, [
      { username: "Amara", person: "Amara Okafor" },
      { username: "amara", person: null },
    ]);
    expect(asked).toEqual(["Amara"]);
  });
});
