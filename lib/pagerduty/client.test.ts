import { afterEach, describe, expect, it } from "vitest";

import { UserResponseSchema, UsersPageSchema } from "@/lib/pagerduty/schemas";
import { fillerUsers, sandboxClient } from "@/lib/pagerduty/testing";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { FaultOptions, PagerDutySandbox } from "@/sandbox/pagerduty/types";
import { rejectedAppError } from "@/lib/testing/errors";

/** The client's request helper over real HTTP against the sandbox, faults included. */

const USERS = fillerUsers(250);

let sandbox: PagerDutySandbox | undefined;

async function start(faults: FaultOptions = {}, seed = 1): Promise<PagerDutySandbox> {
  sandbox = await startPagerDutySandbox({ users: USERS, schedules: [] }, { port: 0, faults, seed });
  return sandbox;
}

afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

const readUser = (client: ReturnType<typeof sandboxClient>, id: string) =>
  client.get(`/users/${id}`, {
    query: { "include[]": ["contact_methods", "notification_rules"] },
    schema: UserResponseSchema,
  });

const readAllUsers = (client: ReturnType<typeof sandboxClient>) =>
  client.list("/users", {
    query: { "include[]": ["contact_methods", "notification_rules"] },
    schema: UsersPageSchema,
    items: (page) => page.users,
  });

describe("PagerDuty client against the sandbox", () => {
  it("reads a 250-user list in 3 pages of 100, in order", async () => {
    const pd = await start();
    const client = sandboxClient(pd);
    const users = await readAllUsers(client);
    expect(users.map((u) => u.id)).toEqual(USERS.map((u) => u.id));
    expect(pd.stats().byRoute["GET /users"]).toBe(3);
  });

  it("rides out 429 bursts: waits ratelimit-reset when sent, backs off when not", async () => {
    const pd = await start({ rateLimitRate: 0.25 }, 5);
    const sent: { at: number; status: number; reset: string | null }[] = [];
    // Observes what the sandbox answers; the responses themselves pass through untouched.
    const observing: typeof fetch = async (input, init) => {
      const at = performance.now();
      const response = await fetch(input, init);
      sent.push({ at, status: response.status, reset: response.headers.get("ratelimit-reset") });
      return response;
    };
    const client = sandboxClient(pd, { concurrency: 1, fetch: observing });
    for (const user of USERS.slice(0, 15)) {
      await expect(readUser(client, user.id)).resolves.toMatchObject({ user: { id: user.id } });
    }
    const limited = sent.flatMap((s, i) => (s.status === 429 ? [{ ...s, next: sent[i + 1] }] : []));
    const withReset = limited.filter((s) => s.reset !== null);
    const without = limited.filter((s) => s.reset === null);
    expect(withReset.length).toBeGreaterThan(0);
    expect(without.length).toBeGreaterThan(0);
    for (const s of withReset)
      expect((s.next?.at ?? 0) - s.at).toBeGreaterThanOrEqual(Number(s.reset) * 1_000);
    for (const s of without) expect((s.next?.at ?? Infinity) - s.at).toBeLessThan(500);
  });

  it("gives up on endless 429s as rate_limited:pagerduty", async () => {
    const pd = await start({ rateLimitRate: 1 });
    const error = await rejectedAppError(
      readUser(sandboxClient(pd, { maxRetries: 2, retryBaseMs: 1 }), "PF00001"),
    );
    expect(error.code).toBe("rate_limited:pagerduty");
    expect(error.message).toContain("GET /users/PF00001");
  }, 10_000);

  it.each([
    { what: "timeouts", faults: { timeoutRate: 0.3, timeoutMs: 10_000 } },
    { what: "truncated bodies", faults: { truncatedBodyRate: 0.3 } },
    { what: "connection resets", faults: { connectionResetRate: 0.3 } },
    { what: "transient errors", faults: { transientErrorRate: 0.3 } },
  ])("reads the whole list correctly despite $what", async ({ faults }) => {
    const pd = await start(faults, 3);
    const client = sandboxClient(pd, { timeoutMs: 150 });
    const users = await readAllUsers(client);
    expect(users.map((u) => u.id)).toEqual(USERS.map((u) => u.id));
    // Three pages, so anything beyond three requests was a fault the client retried.
    expect(pd.stats().requests).toBeGreaterThan(3);
    expect(client.requestCount()).toBe(pd.stats().requests);
  });

  it.each([
    {
      what: "a request that always times out",
      faults: { timeoutRate: 1, timeoutMs: 10_000 },
      text: "timed out",
    },
    { what: "a body that is always truncated", faults: { truncatedBodyRate: 1 }, text: "not valid JSON" },
    { what: "a connection that always resets", faults: { connectionResetRate: 1 }, text: "after 2 retries" },
    { what: "an endpoint that always fails", faults: { transientErrorRate: 1 }, text: "after 2 retries" },
  ])("turns $what into upstream:pagerduty after the retry budget", async ({ faults, text }) => {
    const pd = await start(faults);
    const client = sandboxClient(pd, { timeoutMs: 150, maxRetries: 2 });
    const error = await rejectedAppError(readUser(client, "PF00001"));
    expect(error.code).toBe("upstream:pagerduty");
    expect(error.message).toContain("GET /users/PF00001");
    expect(error.message).toContain(text);
    expect(pd.stats().requests).toBe(3);
  });

  it("answers not_found:pagerduty for an unknown user, without retrying", async () => {
    const pd = await start();
    const error = await rejectedAppError(readUser(sandboxClient(pd), "PNOSUCH"));
    expect(error.code).toBe("not_found:pagerduty");
    expect(error.message).toBe("PagerDuty answered 404 Not Found to GET /users/PNOSUCH: Not Found.");
    expect(pd.stats().requests).toBe(1);
  });
});
