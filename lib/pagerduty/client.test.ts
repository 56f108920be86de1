import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";

import { createPagerDutyClient } from "@/lib/pagerduty/client";
import { ACCEPT_HEADER, V3_ACCEPT_HEADER, V3_EARLY_ACCESS } from "@/lib/pagerduty/request";
import {
  UserResponseSchema,
  UsersPageSchema,
  V3ScheduleResponseSchema,
  V3SchedulesPageSchema,
} from "@/lib/pagerduty/schemas";
import { fillerUsers, sandboxClient } from "@/lib/testing/pagerduty";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { FaultOptions, PagerDutySandbox } from "@/sandbox/pagerduty/types";
import { rejectedAppError } from "@/lib/testing/errors";
import { createVirtualClock } from "@/lib/testing/virtual-clock";
import { createSlidingWindowLimiter } from "@/lib/http/rate-limit";

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
    const sent: { status: number; reset: string | null }[] = [];
    // Observes what the sandbox answers; the responses themselves pass through untouched.
    const observing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      sent.push({ status: response.status, reset: response.headers.get("ratelimit-reset") });
      return response;
    };
    // The waits the client chose, one per 429 in order (one request at a time), and the ones it took: on a
    // virtual clock here (the retry's and the limiter's pause alike); lib/http waits one out in real time.
    const waits: number[] = [];
    const slept: number[] = [];
    const clock = createVirtualClock();
    const client = sandboxClient(pd, {
      concurrency: 1,
      fetch: clock.track(observing),
      onRetry: (event) => {
        if (event.reason === "429") waits.push(event.waitMs);
      },
      sleep: (ms, signal) => {
        slept.push(ms);
        return clock.sleep(ms, signal);
      },
      rateLimiter: createSlidingWindowLimiter({ now: clock.now, sleep: clock.sleep }),
    });
    for (const user of USERS.slice(0, 15)) {
      await expect(readUser(client, user.id)).resolves.toMatchObject({ user: { id: user.id } });
    }
    expect(slept).toEqual(waits);
    const limited = sent.flatMap((s) => (s.status === 429 ? [{ ...s, wait: waits.shift() }] : []));
    expect(waits).toEqual([]);
    const withReset = limited.filter((s) => s.reset !== null);
    const without = limited.filter((s) => s.reset === null);
    expect(withReset.length).toBeGreaterThan(0);
    expect(without.length).toBeGreaterThan(0);
    for (const s of withReset) expect(s.wait).toBeGreaterThanOrEqual(Number(s.reset) * 1_000);
    // Without the header: the client's own short back-off (at most `retryMaxMs`), not a rate-limit wait.
    for (const s of without) expect(s.wait).toBeLessThanOrEqual(40);
  });

  it("gives up on endless 429s as rate_limited:pagerduty", async () => {
    const pd = await start({ rateLimitRate: 1 });
    // The waits the 429s ask for pass on a virtual clock: giving up is the point here, not waiting.
    const clock = createVirtualClock();
    const client = sandboxClient(pd, {
      maxRetries: 2,
      retryBaseMs: 1,
      fetch: clock.track(fetch),
      sleep: clock.sleep,
      rateLimiter: createSlidingWindowLimiter({ now: clock.now, sleep: clock.sleep }),
    });
    const error = await rejectedAppError(readUser(client, "PF00001"));
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
    // The body's "Not Found" only repeats the status, so it is not said twice.
    expect(error.message).toBe("PagerDuty answered 404 Not Found to GET /users/PNOSUCH.");
    expect(pd.stats().requests).toBe(1);
  });

  it("keeps the text of a plain-text 401 from the layer in front of the API", async () => {
    const pd = await start({ revokeTokenAfter: 0 });
    const error = await rejectedAppError(readUser(sandboxClient(pd), "PF00001"));
    expect(error.code).toBe("unauthorized:pagerduty");
    expect(error.message).toBe(
      "PagerDuty answered 401 Unauthorized to GET /users/PF00001: this API token has been revoked. The API token was rejected: check that it is correct and has not been revoked.",
    );
  });
});

describe("PagerDuty client against a bare HTTP server", () => {
  let server: Server | undefined;

  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise((resolve) => s.close(resolve));
  });

  /** A loopback server answering every request with `reply`, recording what it was sent. */
  async function serve(reply: { status: number; type: string; body: string }) {
    const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
    server = createServer((req, res) => {
      seen.push({ path: new URL(req.url ?? "/", "http://x").pathname, headers: req.headers });
      res.writeHead(reply.status, { "content-type": reply.type }).end(reply.body);
    });
    const s = server;
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const address = s.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const client = createPagerDutyClient({
      baseUrl: `http://127.0.0.1:${address.port}`,
      token: "header-test-token",
      concurrency: 1,
      requestsPerMinute: 100_000,
      timeoutMs: 2_000,
      maxRetries: 1,
      retryBaseMs: 1,
      retryMaxMs: 2,
    });
    return { seen, client };
  }

  it("sends nothing more once a 401's status line is in, before its body has arrived", async () => {
    // Each step waits on the one before, so the order holds however slow the machine is: /a's 401 headers
    // reach the client, then /b is answered and frees a slot, and /c, queued behind them, must not go out.
    let releaseBody = () => undefined as void;
    const bodyReleased = new Promise<void>((resolve) => (releaseBody = resolve));
    let headersIn = () => undefined as void;
    const headersReceived = new Promise<void>((resolve) => (headersIn = resolve));
    const hits: string[] = [];
    server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      hits.push(path);
      if (path === "/users/PA") {
        res.writeHead(401, { "content-type": "application/json" });
        res.flushHeaders();
        void bodyReleased.then(() =>
          res.end(JSON.stringify({ error: { message: "Unauthorized", code: 2006 } })),
        );
      } else {
        const body = JSON.stringify({
          user: {
            id: "PU",
            name: "U",
            email: "u@example.com",
            invitation_sent: false,
            contact_methods: [],
            notification_rules: [],
          },
        });
        const answer = () => res.writeHead(200, { "content-type": "application/json" }).end(body);
        if (path === "/users/PB") void headersReceived.then(answer);
        else answer();
      }
    });
    const s = server;
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const address = s.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const watching: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401) headersIn();
      return response;
    };
    const client = createPagerDutyClient({
      baseUrl: `http://127.0.0.1:${address.port}`,
      token: "refusal-test-token",
      concurrency: 2,
      requestsPerMinute: 100_000,
      timeoutMs: 10_000,
      maxRetries: 0,
      fetch: watching,
    });
    const read = (id: string) => client.get(`/users/${id}`, { schema: UserResponseSchema });
    const a = rejectedAppError(read("PA"));
    const b = read("PB");
    const c = rejectedAppError(read("PC"));
    expect((await c).code).toBe("unauthorized:pagerduty");
    releaseBody();
    expect((await a).code).toBe("unauthorized:pagerduty");
    await expect(b).resolves.toMatchObject({ user: { id: "PU" } });
    expect(hits).toEqual(["/users/PA", "/users/PB"]);
  });

  it("sends the v2 Accept on v2 paths, and plain JSON with the early-access flag on v3 schedule paths", async () => {
    const { seen, client } = await serve({
      status: 200,
      type: "application/json",
      body: JSON.stringify({
        more: false,
        schedules: [],
        schedule: { id: "PV3", name: "Shifts", rotations: [] },
        user: {
          id: "PU1",
          name: "U",
          email: "u@example.com",
          invitation_sent: false,
          contact_methods: [],
          notification_rules: [],
        },
      }),
    });
    await client.get("/users/PU1", { schema: UserResponseSchema });
    await client.list("/v3/schedules", { schema: V3SchedulesPageSchema, items: (page) => page.schedules });
    await client.get("/v3/schedules/PV3", { schema: V3ScheduleResponseSchema });
    const sent = seen.map((s) => ({
      path: s.path,
      accept: s.headers.accept,
      earlyAccess: s.headers["x-early-access"],
      authorization: s.headers.authorization,
    }));
    const auth = "Token token=header-test-token";
    expect(sent).toEqual([
      { path: "/users/PU1", accept: ACCEPT_HEADER, earlyAccess: undefined, authorization: auth },
      { path: "/v3/schedules", accept: V3_ACCEPT_HEADER, earlyAccess: V3_EARLY_ACCESS, authorization: auth },
      {
        path: "/v3/schedules/PV3",
        accept: V3_ACCEPT_HEADER,
        earlyAccess: V3_EARLY_ACCESS,
        authorization: auth,
      },
    ]);
  });

  it("words a proxy's HTML 502 page by its title, not the page", async () => {
    const page = `<!DOCTYPE html><html><head><title>api.pagerduty.com | 502: Bad gateway</title></head><body>${"<p>The web server reported a bad gateway error.</p>".repeat(500)}</body></html>`;
    const { seen, client } = await serve({ status: 502, type: "text/html", body: page });
    const error = await rejectedAppError(client.get("/users/PU1", { schema: UserResponseSchema }));
    expect(error.code).toBe("upstream:pagerduty");
    expect(error.message).toBe(
      "PagerDuty answered 502 Bad Gateway to GET /users/PU1: api.pagerduty.com | 502: Bad gateway, after 1 retries.",
    );
    expect(seen).toHaveLength(2);
  });
});
