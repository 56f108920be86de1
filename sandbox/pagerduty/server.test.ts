import { afterEach, describe, expect, it } from "vitest";
import { startPagerDutySandbox } from "./server";
import type { FaultOptions, PagerDutySandbox, PagerDutyState, SandboxOptions, SandboxUser } from "./types";

/** The sandbox over real HTTP: what a PagerDuty client would see. */

function userOf(i: number, overrides: Partial<SandboxUser> = {}): SandboxUser {
  const id = `PU${String(i).padStart(5, "0")}`;
  return {
    id,
    name: `User ${String(i).padStart(3, "0")}`,
    email: `user${i}@example.com`,
    invitation_sent: false,
    deleted_at: null,
    contact_methods: [
      { id: `PC${id}`, type: "email_contact_method", summary: "Work", address: `user${i}@example.com` },
    ],
    notification_rules: [
      {
        id: `PR${id}`,
        type: "assignment_notification_rule",
        start_delay_in_minutes: 0,
        urgency: "high",
        contact_method_id: `PC${id}`,
      },
    ],
    ...overrides,
  };
}

const DELETED = userOf(999, {
  name: "Victor Hale",
  email: "victor.hale@example.com",
  deleted_at: "2026-01-05T00:00:00Z",
});
const USERS = [...Array.from({ length: 250 }, (_, i) => userOf(i)), DELETED];

const STATE: PagerDutyState = {
  users: USERS,
  schedules: [
    {
      kind: "v2",
      id: "PV2AAAA",
      name: "Customer Emergencies - EMEA",
      time_zone: "Europe/London",
      layers: [
        {
          id: "PL1",
          name: "EMEA weekly",
          start: "2026-01-01T00:00:00Z",
          end: null,
          user_ids: ["PU00001", DELETED.id],
        },
      ],
    },
    {
      kind: "v3",
      id: "PV3BBBB",
      name: "Customer Emergencies - APAC",
      time_zone: "Asia/Singapore",
      rotations: [
        {
          id: "PR1",
          events: [
            {
              id: "PE1",
              name: "APAC weekly",
              effective_since: "2026-01-05T00:00:00.000Z",
              effective_until: null,
              member_user_ids: ["PU00002", null],
            },
          ],
        },
      ],
    },
  ],
};

let sandbox: PagerDutySandbox | undefined;
const extra: PagerDutySandbox[] = [];

async function start(options: SandboxOptions = {}, state: PagerDutyState = STATE): Promise<PagerDutySandbox> {
  sandbox = await startPagerDutySandbox(state, { port: 0, ...options });
  return sandbox;
}

afterEach(async () => {
  await Promise.all([sandbox?.stop(), ...extra.map((s) => s.stop())]);
  sandbox = undefined;
  extra.length = 0;
});

function get(pd: PagerDutySandbox, path: string, init: { token?: string | null; method?: string } = {}) {
  const token = init.token === undefined ? pd.token : init.token;
  return fetch(`${pd.url}${path}`, {
    method: init.method ?? "GET",
    headers: {
      accept: "application/vnd.pagerduty+json;version=2",
      ...(token === null ? {} : { authorization: `Token token=${token}` }),
    },
  });
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

describe("authentication", () => {
  it("answers 401 with PagerDuty's error body without a token or with a wrong one", async () => {
    const pd = await start();
    for (const token of [null, "not-the-token"]) {
      const response = await get(pd, "/users", { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.json()).toEqual({ error: { message: "Authentication failed", code: 2006 } });
    }
    expect((await get(pd, "/users")).status).toBe(200);
  });

  it("revokes the token after N requests, answering a plain-text (non-JSON) 401", async () => {
    const pd = await start({ faults: { revokeTokenAfter: 2 } });
    expect((await get(pd, "/users")).status).toBe(200);
    expect((await get(pd, "/users")).status).toBe(200);
    const revoked = await get(pd, "/users");
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("content-type")).toMatch(/^text\/plain/);
    const body = await revoked.text();
    expect(() => JSON.parse(body)).toThrow();
    expect((await get(pd, "/schedules/PV2AAAA")).status).toBe(401);
  });
});

describe("GET /users", () => {
  it("defaults to 25 per page, caps limit at 100, and pages with more/offset", async () => {
    const pd = await start();
    const first = await json(await get(pd, "/users"));
    expect(first).toMatchObject({ limit: 25, offset: 0, more: true, total: null });
    expect(first.users).toHaveLength(25);

    const ids: string[] = [];
    let offset = 0;
    for (;;) {
      const page = await json(await get(pd, `/users?limit=500&offset=${offset}`));
      expect(page.limit).toBe(100);
      const users = page.users as { id: string }[];
      ids.push(...users.map((u) => u.id));
      if (!page.more) break;
      offset += users.length;
    }
    // 250 live users; the deleted one is never listed.
    expect(ids).toEqual(USERS.filter((u) => u.deleted_at === null).map((u) => u.id));
  });

  it("fills total only when total=true", async () => {
    const pd = await start();
    expect(await json(await get(pd, "/users?limit=1&total=true"))).toMatchObject({ total: 250, more: true });
    expect(await json(await get(pd, "/users?limit=1"))).toMatchObject({ total: null });
  });

  it("refuses offset + limit beyond 10,000 with a 400 in PagerDuty's error shape", async () => {
    const pd = await start();
    const refused = await get(pd, "/users?offset=9950&limit=100");
    expect(refused.status).toBe(400);
    const body = await json(refused);
    expect(body.error).toMatchObject({ message: "Invalid Input Provided", code: 2001 });
    expect((body.error as { errors: string[] }).errors[0]).toMatch(/10000/);
    const edge = await json(await get(pd, "/users?offset=9900&limit=100"));
    expect(edge).toMatchObject({ users: [], more: false });
  });

  it("expands contact methods and notification rules only when included", async () => {
    const pd = await start();
    const plain = await json(await get(pd, "/users/PU00001"));
    expect(plain.user).toMatchObject({
      id: "PU00001",
      type: "user",
      contact_methods: [{ id: "PCPU00001", type: "email_contact_method_reference", summary: "Work" }],
      notification_rules: [{ id: "PRPU00001", type: "assignment_notification_rule_reference" }],
    });
    expect((plain.user as { contact_methods: object[] }).contact_methods[0]).not.toHaveProperty("address");

    const full = await json(
      await get(pd, "/users?query=user%20001&include[]=contact_methods&include[]=notification_rules"),
    );
    expect(full.users).toHaveLength(1);
    expect((full.users as object[])[0]).toMatchObject({
      contact_methods: [{ type: "email_contact_method", address: "user1@example.com", label: "Work" }],
      notification_rules: [
        {
          type: "assignment_notification_rule",
          urgency: "high",
          start_delay_in_minutes: 0,
          contact_method: { id: "PCPU00001", type: "email_contact_method_reference" },
        },
      ],
    });
  });

  it("filters by a case-insensitive substring of name or email", async () => {
    const pd = await start();
    const byName = await json(await get(pd, "/users?query=USER%2024&limit=100"));
    expect((byName.users as { name: string }[]).map((u) => u.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `User 24${i}`),
    );
    const byEmail = await json(await get(pd, "/users?query=user7@EXAMPLE"));
    expect((byEmail.users as { id: string }[]).map((u) => u.id)).toEqual(["PU00007"]);
  });
});

describe("deleted users", () => {
  it("404 on GET /users/{id} but stay on schedule layers with deleted_at and their name", async () => {
    const pd = await start();
    const missing = await get(pd, `/users/${DELETED.id}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { message: "Not Found", code: 2100 } });

    const { schedule } = (await json(await get(pd, "/schedules/PV2AAAA"))) as {
      schedule: { schedule_layers: { users: { user: Record<string, unknown> }[] }[] };
    };
    const refs = schedule.schedule_layers[0]?.users.map((u) => u.user);
    expect(refs).toEqual([
      expect.not.objectContaining({ deleted_at: expect.anything() }),
      expect.objectContaining({
        id: DELETED.id,
        type: "user_reference",
        summary: "Victor Hale",
        deleted_at: DELETED.deleted_at,
      }),
    ]);
  });
});

describe("schedules, v2 and v3", () => {
  it("serves a layer-based schedule with layers, and answers a v3 ID on the v2 endpoint as PagerDuty does", async () => {
    const pd = await start();
    const { schedule } = await json(await get(pd, "/schedules/PV2AAAA"));
    expect(schedule).toMatchObject({
      id: "PV2AAAA",
      type: "schedule",
      name: "Customer Emergencies - EMEA",
      summary: "Customer Emergencies - EMEA",
      time_zone: "Europe/London",
      users: [{ id: "PU00001" }, { id: DELETED.id }],
      schedule_layers: [
        {
          id: "PL1",
          name: "EMEA weekly",
          start: "2026-01-01T00:00:00Z",
          end: null,
          rotation_virtual_start: "2026-01-01T00:00:00Z",
          rotation_turn_length_seconds: 604800,
        },
      ],
    });
    const crossed = await get(pd, "/schedules/PV3BBBB");
    expect(crossed.status).toBe(400);
    expect(await crossed.json()).toEqual({
      error: {
        message: "This is a shift-based schedule. Use the v3 Schedules API to access it.",
        code: 2001,
      },
    });
    expect((await get(pd, "/schedules/PNOSUCH")).status).toBe(404);
    const list = await json(await get(pd, "/schedules"));
    expect((list.schedules as { id: string }[]).map((s) => s.id)).toEqual(["PV2AAAA"]);
  });

  it("serves a shift-based schedule with ZonedDateTime windows and empty slots, and a 400 for a v2 ID", async () => {
    const pd = await start();
    const { schedule } = await json(await get(pd, "/v3/schedules/PV3BBBB"));
    expect(schedule).toMatchObject({
      id: "PV3BBBB",
      type: "schedule_v3",
      time_zone: "Asia/Singapore",
      rotations: [
        {
          id: "PR1",
          type: "schedule_rotation",
          events: [
            {
              id: "PE1",
              type: "schedule_event",
              start_time: { date_time: "2026-01-05T00:00:00.000Z", time_zone: "Asia/Singapore" },
              end_time: { date_time: "2026-01-12T00:00:00.000Z", time_zone: "Asia/Singapore" },
              effective_since: "2026-01-05T00:00:00.000Z",
              effective_until: null,
              recurrence: ["RRULE:FREQ=WEEKLY"],
              assignment_strategy: {
                type: "rotating_member_assignment_strategy",
                shifts_per_member: 1,
                members: [{ type: "user_member", user_id: "PU00002" }, { type: "empty_member" }],
              },
            },
          ],
        },
      ],
    });
    const crossed = await get(pd, "/v3/schedules/PV2AAAA");
    expect(crossed.status).toBe(400);
    expect(await crossed.json()).toEqual({
      error: {
        message: "This is a layer-based schedule. Use the v2 Schedules API to access it.",
        code: 2001,
      },
    });
    expect((await get(pd, "/v3/schedules/PNOSUCH")).status).toBe(404);
    const list = await json(await get(pd, "/v3/schedules"));
    expect(list).toMatchObject({
      schedules: [{ id: "PV3BBBB", type: "schedule_v3_reference", summary: "Customer Emergencies - APAC" }],
      limit: 100,
      offset: 0,
      more: false,
    });
  });
});

describe("answer options", () => {
  /** A v3 schedule with two rotations, the second with 30 events (two pages at the default 25). */
  const MANY: PagerDutyState = {
    users: USERS,
    schedules: [
      ...STATE.schedules,
      {
        kind: "v3",
        id: "PV3MANY",
        name: "Many events",
        time_zone: "Etc/UTC",
        rotations: [
          { id: "PRA", events: [] },
          {
            id: "PRB",
            events: Array.from({ length: 30 }, (_, i) => ({
              id: `PEV${String(i).padStart(2, "0")}`,
              name: `Event ${i}`,
              effective_since: new Date(Date.UTC(2026, 0, 30 - i)).toISOString(),
              effective_until: null,
              member_user_ids: [`PU${String(i).padStart(5, "0")}`],
            })),
          },
        ],
      },
    ],
  };

  it("answers the other API's IDs with 404 under crossNamespace: 404", async () => {
    const pd = await start({ answers: { crossNamespace: 404 } });
    expect((await get(pd, "/schedules/PV3BBBB")).status).toBe(404);
    expect((await get(pd, "/v3/schedules/PV2AAAA")).status).toBe(404);
  });

  it("leaves more and total out of the v3 list pages when told", async () => {
    const pd = await start({ answers: { v3ListOmits: ["more", "total"] } });
    const page = await json(await get(pd, "/v3/schedules?total=true"));
    expect(page).toEqual({ schedules: [expect.objectContaining({ id: "PV3BBBB" })], limit: 100, offset: 0 });
    const withTotal = await start({ answers: { v3ListOmits: ["more"] } });
    extra.push(withTotal);
    expect(await json(await get(withTotal, "/v3/schedules?total=true"))).toMatchObject({ total: 1 });
  });

  it.each([
    [403, 2010],
    [500, 2000],
  ] as const)(
    "answers every v3 list page %i when the list is down, and nothing else",
    async (status, code) => {
      const pd = await start({ answers: { v3ListStatus: status } });
      const response = await get(pd, "/v3/schedules");
      expect(response.status).toBe(status);
      expect(await json(response)).toMatchObject({ error: { code } });
      expect((await get(pd, "/v3/schedules/PV3BBBB")).status).toBe(200);
    },
  );

  it("serves a v3 schedule without events, and each rotation's events in pages ordered by start", async () => {
    const pd = await start({ answers: { v3ScheduleOmits: "events" } }, MANY);
    const { schedule } = await json(await get(pd, "/v3/schedules/PV3MANY"));
    expect(schedule).toMatchObject({ rotations: [{ id: "PRA" }, { id: "PRB" }] });
    const rotations = (schedule as { rotations: Record<string, unknown>[] }).rotations;
    expect(rotations.every((r) => !("events" in r))).toBe(true);

    const first = await json(await get(pd, "/v3/schedules/PV3MANY/rotations/PRB/events"));
    expect(first).toMatchObject({ limit: 25, offset: 0, more: true });
    const second = await json(
      await get(pd, "/v3/schedules/PV3MANY/rotations/PRB/events?offset=25&limit=100"),
    );
    expect(second).toMatchObject({ limit: 100, offset: 25, more: false });
    const events = [first, second].flatMap((p) => p.events as { id: string; effective_since: string }[]);
    expect(events.map((e) => e.id)).toEqual(
      Array.from({ length: 30 }, (_, i) => `PEV${String(29 - i).padStart(2, "0")}`),
    );
    expect(await json(await get(pd, "/v3/schedules/PV3MANY/rotations/PRA/events"))).toMatchObject({
      events: [],
      more: false,
    });
    expect((await get(pd, "/v3/schedules/PV3MANY/rotations/PNOSUCH/events")).status).toBe(404);
    expect((await get(pd, "/v3/schedules/PV2AAAA/rotations/PRA/events")).status).toBe(404);
  });

  it("serves a v3 schedule without rotations, listed bare through the rotations endpoint", async () => {
    const pd = await start({ answers: { v3ScheduleOmits: "rotations" } }, MANY);
    const { schedule } = await json(await get(pd, "/v3/schedules/PV3MANY"));
    expect(schedule).not.toHaveProperty("rotations");
    const list = await json(await get(pd, "/v3/schedules/PV3MANY/rotations"));
    expect(list).toEqual({
      rotations: [
        expect.objectContaining({ id: "PRA", type: "schedule_rotation" }),
        expect.objectContaining({ id: "PRB", type: "schedule_rotation" }),
      ],
      limit: 25,
      offset: 0,
      total: null,
      more: false,
    });
    expect((list.rotations as Record<string, unknown>[]).every((r) => !("events" in r))).toBe(true);
    // Without the option, the rotation list carries the events inline.
    const plain = await start({}, MANY);
    extra.push(plain);
    const inline = await json(await get(plain, "/v3/schedules/PV3MANY/rotations"));
    expect((inline.rotations as { events: unknown[] }[])[1]?.events).toHaveLength(30);
  });

  it("answers 500 on the rotation events endpoint when told", async () => {
    const pd = await start({ answers: { rotationEventsStatus: 500 } });
    expect((await get(pd, "/v3/schedules/PV3BBBB/rotations/PR1/events")).status).toBe(500);
  });
});

describe("routes and headers", () => {
  it("404s unknown paths and 405s other methods, in PagerDuty's error shape", async () => {
    const pd = await start();
    const unknown = await get(pd, "/incidents");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { message: "Not Found", code: 2100 } });
    const post = await get(pd, "/users", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
    expect(await json(post)).toMatchObject({ error: { code: 2001, message: "Method Not Allowed" } });
  });

  it("sends JSON and the ratelimit headers on every answer", async () => {
    const pd = await start();
    const response = await get(pd, "/users");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("ratelimit-limit")).toBe("960");
    expect(response.headers.get("ratelimit-remaining")).toBe("959");
    expect(Number(response.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(59);
    expect(Number(response.headers.get("ratelimit-reset"))).toBeLessThanOrEqual(60);
  });

  it("delays every response by latencyMs", async () => {
    const pd = await start({ latencyMs: 150 });
    const started = performance.now();
    await get(pd, "/users");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("rate limit", () => {
  it("refuses requests beyond the per-minute limit with 429, ratelimit-reset and retry-after", async () => {
    const pd = await start({ rateLimitPerMinute: 5 });
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await get(pd, "/users?limit=1");
      expect(response.status).toBe(200);
      remaining.push(response.headers.get("ratelimit-remaining"));
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);

    const refused = await get(pd, "/users?limit=1");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: { message: "Rate Limit Exceeded", code: 2020 } });
    expect(refused.headers.get("ratelimit-limit")).toBe("5");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    const reset = Number(refused.headers.get("ratelimit-reset"));
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    expect(refused.headers.get("retry-after")).toBe(String(reset));

    // A wrong token has its own window, and refused requests do not count as served.
    expect((await get(pd, "/users", { token: "other" })).status).toBe(401);
    expect(pd.stats()).toMatchObject({ maxPerMinute: 5, maxAttemptedPerMinute: 7, rateLimited: 1 });
  });
});

/** What one request ended in, for comparing fault sequences. */
async function outcomeOf(pd: PagerDutySandbox, path: string): Promise<string> {
  try {
    const response = await get(pd, path);
    const body = await response.text();
    if (response.status !== 200) {
      return `${response.status}${response.headers.has("ratelimit-reset") ? "+reset" : ""}`;
    }
    try {
      JSON.parse(body);
      return "200";
    } catch {
      return "truncated";
    }
  } catch {
    return "network-error";
  }
}

describe("fault injection", () => {
  const FAULTS: FaultOptions = {
    transientErrorRate: 0.15,
    rateLimitRate: 0.1,
    truncatedBodyRate: 0.1,
    connectionResetRate: 0.1,
  };

  async function sequence(seed: number, count = 40): Promise<string[]> {
    const pd = await startPagerDutySandbox(STATE, { port: 0, faults: FAULTS, seed });
    extra.push(pd);
    const outcomes: string[] = [];
    for (let i = 0; i < count; i++) outcomes.push(await outcomeOf(pd, `/users/PU0000${i % 10}`));
    return outcomes;
  }

  it("is seeded: the same seed and requests give the same faults, another seed others", async () => {
    const a = await sequence(42);
    const b = await sequence(42);
    const c = await sequence(43);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    // Every kind configured shows up over 40 requests with this seed.
    for (const kind of ["200", "truncated", "network-error"]) expect(a).toContain(kind);
    expect(a.some((o) => /^(500|502|503|504|408)$/.test(o))).toBe(true);
    expect(a.some((o) => o.startsWith("429"))).toBe(true);
  });

  it("sends 429 bursts both with and without ratelimit-reset", async () => {
    const pd = await start({ faults: { rateLimitRate: 1 }, seed: 3 });
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) outcomes.push(await outcomeOf(pd, "/users"));
    expect(outcomes).toContain("429+reset");
    expect(outcomes).toContain("429");
    expect(pd.stats().byStatus["429"]).toBe(20);
  });

  it("answers transient errors as 5xx/408, truncates bodies with status 200, resets connections", async () => {
    const pd = await start({ faults: { transientErrorRate: 1 } });
    for (let i = 0; i < 10; i++) expect(await outcomeOf(pd, "/users")).toMatch(/^(500|502|503|504|408)$/);

    pd.setFaults({ truncatedBodyRate: 1 });
    const truncated = await get(pd, "/users");
    expect(truncated.status).toBe(200);
    await expect(truncated.json()).rejects.toThrow();

    pd.setFaults({ connectionResetRate: 1 });
    for (let i = 0; i < 4; i++) expect(await outcomeOf(pd, "/users")).toBe("network-error");
    expect(pd.stats().byStatus.reset).toBe(4);

    pd.setFaults({});
    expect(await outcomeOf(pd, "/users")).toBe("200");
  });

  it("holds a request for timeoutMs, then drops the connection", async () => {
    const pd = await start({ faults: { timeoutRate: 1, timeoutMs: 200 } });
    const started = performance.now();
    await expect(get(pd, "/users")).rejects.toThrow();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(pd.stats().byStatus.timeout).toBe(1);
  });
});

describe("runtime control", () => {
  it("swaps data with setState and counts with stats/resetStats", async () => {
    const pd = await start();
    expect((await get(pd, "/users/PU00001")).status).toBe(200);
    expect((await get(pd, "/users/PNEW001")).status).toBe(404);
    pd.setState({ users: [userOf(1, { id: "PNEW001" })], schedules: [] });
    expect((await get(pd, "/users/PNEW001")).status).toBe(200);
    expect((await get(pd, "/users/PU00001")).status).toBe(404);
    expect(pd.stats()).toMatchObject({
      requests: 4,
      byRoute: { "GET /users/{id}": 4 },
      byStatus: { "200": 2, "404": 2 },
    });
    pd.resetStats();
    expect(pd.stats()).toMatchObject({ requests: 0, byRoute: {}, byStatus: {}, maxPerMinute: 0 });
  });

  it("stops promptly even with a request held by a timeout fault", async () => {
    const pd = await start({ faults: { timeoutRate: 1, timeoutMs: 30_000 } });
    const held = get(pd, "/users").then(
      () => "answered",
      () => "dropped",
    );
    // Wait until the server holds the request (bounded, no fixed sleep).
    for (let i = 0; i < 200 && pd.stats().requests === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(pd.stats().byStatus.timeout).toBe(1);
    const started = performance.now();
    await pd.stop();
    // The held request would keep it 30 s; the bound leaves room for a loaded machine.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await held).toBe("dropped");
  });
});

describe("control routes", () => {
  it("replaces the served data over HTTP, for tests in another process", async () => {
    const sandbox = await startPagerDutySandbox({ users: [], schedules: [] }, {});
    try {
      const auth = { authorization: `Token token=${sandbox.token}` };
      const before = await fetch(`${sandbox.url}/users`, { headers: auth }).then((r) => r.json());
      expect(before.users).toEqual([]);
      const state = {
        users: [
          {
            id: "PNEW001",
            name: "New Person",
            email: "new@example.com",
            invitation_sent: false,
            deleted_at: null,
            contact_methods: [],
            notification_rules: [],
          },
        ],
        schedules: [],
      };
      const put = await fetch(`${sandbox.url}/__sandbox/state`, {
        method: "PUT",
        headers: auth,
        body: JSON.stringify(state),
      });
      expect(put.status).toBe(200);
      const after = await fetch(`${sandbox.url}/users`, { headers: auth }).then((r) => r.json());
      expect(after.users.map((u: { id: string }) => u.id)).toEqual(["PNEW001"]);
      expect(await fetch(`${sandbox.url}/__sandbox/state`, { headers: auth }).then((r) => r.json())).toEqual(
        state,
      );
      // Refused without the token, and a malformed state is refused without changing anything.
      expect((await fetch(`${sandbox.url}/__sandbox/state`)).status).toBe(401);
      const bad = await fetch(`${sandbox.url}/__sandbox/state`, { method: "PUT", headers: auth, body: "{" });
      expect(bad.status).toBe(400);
      expect(sandbox.stats().byRoute["GET /users"]).toBe(2);
    } finally {
      await sandbox.stop();
    }
  });
});
