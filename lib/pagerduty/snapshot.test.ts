import { afterEach, describe, expect, it, vi } from "vitest";

import type { PagerDutySnapshot } from "@/lib/audit/types";
import { createPagerDutyClient } from "@/lib/pagerduty/client";
import { createSlidingWindowLimiter, realSleep } from "@/lib/http/rate-limit";
import { UNREACHABLE_CODE } from "@/lib/pagerduty/request";
import { fetchPagerDutySnapshot, type SnapshotProgress } from "@/lib/pagerduty/snapshot";
import { fillerUsers, sandboxClient, sandboxUser } from "@/lib/testing/pagerduty";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { PagerDutySandbox, PagerDutyState, SandboxOptions } from "@/sandbox/pagerduty/types";
import { rejectedAppError } from "@/lib/testing/errors";
import { closedPort } from "@/lib/testing/net";
import { createVirtualClock } from "@/lib/testing/virtual-clock";

/** The snapshot over real HTTP against the sandbox PagerDuty. */

const NOW = new Date("2026-03-02T12:00:00Z");

const STATE: PagerDutyState = {
  users: [
    sandboxUser("PALICE1", "Alice Archer"),
    sandboxUser("PBOB001", "Bob Baker", {
      invitation_sent: true,
      contact_methods: [],
      notification_rules: [],
    }),
    sandboxUser("PCAROL1", "Carol Cole", { deleted_at: "2025-06-01T09:00:00Z" }),
    sandboxUser("PDAN001", "Dan Drake"),
    ...fillerUsers(150),
  ],
  schedules: [
    {
      kind: "v2",
      id: "PV2SCH1",
      name: "Support primary",
      time_zone: "Europe/Berlin",
      layers: [
        {
          id: "PLAYER1",
          name: "Weekly",
          start: "2025-01-06T08:00:00Z",
          end: null,
          user_ids: ["PALICE1", "PCAROL1", "PGHOST2"],
        },
        {
          id: "PLAYER2",
          name: "Old layer",
          start: "2024-01-01T00:00:00Z",
          end: "2024-12-31T00:00:00Z",
          user_ids: ["PBOB001"],
        },
      ],
    },
    {
      kind: "v3",
      id: "PV3SCH1",
      name: "Support secondary",
      time_zone: "Etc/UTC",
      rotations: [
        {
          id: "ROT1",
          events: [
            {
              id: "EVT1",
              name: "Weekdays",
              effective_since: "2025-02-01T00:00:00Z",
              effective_until: null,
              member_user_ids: ["PDAN001", null, "PGHOST1"],
            },
            {
              id: "EVT2",
              name: "Last year",
              effective_since: "2024-01-01T00:00:00Z",
              effective_until: "2024-06-01T00:00:00Z",
              member_user_ids: ["PALICE1"],
            },
          ],
        },
      ],
    },
    { kind: "v3", id: "PV3OTHR", name: "Not configured", time_zone: "Etc/UTC", rotations: [] },
  ],
};

const OPTIONS = {
  scheduleIds: ["PV2SCH1", "PV3SCH1", "PMISSNG", "PV2SCH1"],
  rosterUserIds: ["PALICE1", "PBOB001", "PCAROL1", "PNOSUCH"],
  rosterPeople: [],
  now: NOW,
};

const reachable = (id: string, name: string, email: string) => ({
  id,
  name,
  email,
  deletedAt: null,
  invitationSent: false,
  contactMethodCount: 1,
  notificationRuleCount: 1,
});

const EXPECTED: PagerDutySnapshot = {
  fetchedAt: NOW.toISOString(),
  users: [
    reachable("PALICE1", "Alice Archer", "alice.archer@example.com"),
    {
      id: "PBOB001",
      name: "Bob Baker",
      email: "bob.baker@example.com",
      deletedAt: null,
      invitationSent: true,
      contactMethodCount: 0,
      notificationRuleCount: 0,
    },
    reachable("PDAN001", "Dan Drake", "dan.drake@example.com"),
    ...Array.from({ length: 150 }, (_, i) =>
      reachable(`PF${String(i).padStart(5, "0")}`, `Filler ${i}`, `filler.${i}@example.com`),
    ),
  ],
  unknownUserIds: ["PCAROL1", "PGHOST1", "PGHOST2", "PNOSUCH"],
  schedules: [
    {
      id: "PV2SCH1",
      name: "Support primary",
      kind: "v2",
      htmlUrl: "https://sandbox.pagerduty.example/schedules/PV2SCH1",
      periods: [
        {
          id: "PLAYER1",
          name: "Weekly",
          start: "2025-01-06T08:00:00Z",
          end: null,
          members: [
            { userId: "PALICE1", name: "Alice Archer", deletedAt: null },
            { userId: "PCAROL1", name: "Carol Cole", deletedAt: "2025-06-01T09:00:00Z" },
            { userId: "PGHOST2", name: null, deletedAt: null },
          ],
        },
        {
          id: "PLAYER2",
          name: "Old layer",
          start: "2024-01-01T00:00:00Z",
          end: "2024-12-31T00:00:00Z",
          members: [{ userId: "PBOB001", name: "Bob Baker", deletedAt: null }],
        },
      ],
    },
    {
      id: "PV3SCH1",
      name: "Support secondary",
      kind: "v3",
      htmlUrl: "https://sandbox.pagerduty.example/schedules/PV3SCH1",
      periods: [
        {
          id: "EVT2",
          name: "Last year",
          start: "2024-01-01T00:00:00Z",
          end: "2024-06-01T00:00:00Z",
          members: [{ userId: "PALICE1", name: null, deletedAt: null }],
        },
        {
          id: "EVT1",
          name: "Weekdays",
          start: "2025-02-01T00:00:00Z",
          end: null,
          members: [
            { userId: "PDAN001", name: null, deletedAt: null },
            { userId: "PGHOST1", name: null, deletedAt: null },
          ],
        },
      ],
    },
  ],
  missingScheduleIds: ["PMISSNG"],
  failures: [],
};

/**
 * Minimum requests for this state: 2 user pages (153 live users) + 1 v3 list page + 1 per found schedule
 * (2) + 2 for the missing one (v2 and v3 both 404) + 4 lookups (PCAROL1, PNOSUCH from the roster; PGHOST1,
 * PGHOST2 from the schedules; PCAROL1 is on a schedule too but marked deleted there).
 */
const EXPECTED_REQUESTS = 11;

let sandbox: PagerDutySandbox | undefined;

async function start(state: PagerDutyState, options: SandboxOptions = {}): Promise<PagerDutySandbox> {
  sandbox = await startPagerDutySandbox(state, { port: 0, ...options });
  return sandbox;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await sandbox?.stop();
  sandbox = undefined;
});

describe("fetchPagerDutySnapshot against the sandbox", () => {
  it("reads users, v2 and v3 schedules, deleted and unknown users and a missing schedule, in the fewest requests", async () => {
    const pd = await start(STATE);
    const client = sandboxClient(pd);
    const progress: SnapshotProgress[] = [];
    const snapshot = await fetchPagerDutySnapshot(client, {
      ...OPTIONS,
      onProgress: (p) => progress.push(p),
    });

    expect(snapshot).toEqual(EXPECTED);
    expect(pd.stats().requests).toBe(EXPECTED_REQUESTS);
    expect(client.requestCount()).toBe(EXPECTED_REQUESTS);
    expect(pd.stats().byRoute).toEqual({
      "GET /users": 2,
      "GET /v3/schedules": 1,
      "GET /schedules/{id}": 2,
      "GET /v3/schedules/{id}": 2,
      "GET /users/{id}": 4,
    });
    expect(progress).toContainEqual({ phase: "user_lookups", done: 4, total: 4 });
    expect(progress).toContainEqual({ phase: "users", done: 153, total: 153 });
    expect(progress).toContainEqual({ phase: "schedules", done: 3, total: 3 });
  });

  it("fails with the host's name, not a report of failed reads, when nothing answers at the URL", async () => {
    const port = await closedPort();
    const client = createPagerDutyClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: "any-token",
      concurrency: 8,
      requestsPerMinute: 100_000,
      timeoutMs: 5_000,
    });
    const error = await rejectedAppError(fetchPagerDutySnapshot(client, OPTIONS));
    expect(error.code).toBe(UNREACHABLE_CODE);
    expect(error.message).toBe(
      `Cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED). Check the PagerDuty URL and the network.`,
    );
  });

  it("keeps a partial report when the host stops answering after some reads succeeded", async () => {
    const pd = await start(STATE);
    const client = sandboxClient(pd);
    const reachable = await fetchPagerDutySnapshot(client, OPTIONS);
    expect(reachable.failures).toEqual([]);
    // The same client, now pointed at a port with nothing behind it for every read after the first.
    const port = await closedPort();
    let reads = 0;
    const flaky: typeof fetch = (input, init) => {
      reads++;
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (reads > 1) url.port = String(port);
      return fetch(url, init);
    };
    const snapshot = await fetchPagerDutySnapshot(
      sandboxClient(pd, { fetch: flaky, maxRetries: 0 }),
      OPTIONS,
    );
    expect(snapshot.failures.length).toBeGreaterThan(0);
    expect(snapshot.failures.some((f) => f.message.includes("Cannot reach 127.0.0.1:"))).toBe(true);
  });

  it("stops with a clear unauthorized:pagerduty error when the token is rejected", async () => {
    const pd = await start(STATE, { token: "the-real-token" });
    const error = await rejectedAppError(
      fetchPagerDutySnapshot(sandboxClient(pd, { token: "revoked-token-abc" }), OPTIONS),
    );
    expect(error.code).toBe("unauthorized:pagerduty");
    expect(error.message).toMatch(/401 Unauthorized to GET \/(users|v3\/schedules).*token was rejected/);
    expect(error.message).not.toContain("revoked-token-abc");
    // The user list and the v3 list go out together; nothing more is sent once the token is refused.
    expect(pd.stats().requests).toBeLessThanOrEqual(2);
  });

  it("stops with the 401 when the token is refused from the very first request (plain-text 401)", async () => {
    const pd = await start(STATE, { faults: { revokeTokenAfter: 0 } });
    const error = await rejectedAppError(fetchPagerDutySnapshot(sandboxClient(pd), OPTIONS));
    expect(error.code).toBe("unauthorized:pagerduty");
    expect(error.message).toMatch(/401 Unauthorized to GET \/(users|v3\/schedules)/);
    expect(pd.stats().requests).toBeLessThanOrEqual(2);
  });

  it("keeps what was read when the token is revoked mid-run, and records every read it stopped", async () => {
    // One request at a time: the user list's first page and the v3 list are answered, then the token is
    // refused on the list's second page. The schedule reads queued behind it are never sent.
    const pd = await start(STATE, { faults: { revokeTokenAfter: 2 } });
    const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd, { concurrency: 1 }), OPTIONS);
    const message =
      "PagerDuty refused the token after 2 successful requests (revoked or rotated during the audit?).";
    expect(snapshot).toEqual({
      ...EXPECTED,
      users: [],
      unknownUserIds: [],
      schedules: [],
      missingScheduleIds: [],
      failures: [
        { kind: "users_list", message },
        { kind: "schedule", scheduleId: "PMISSNG", message },
        { kind: "schedule", scheduleId: "PV2SCH1", message },
        { kind: "schedule", scheduleId: "PV3SCH1", message },
      ],
    });
    expect(pd.stats().byStatus).toEqual({ "200": 2, "401": 1 });
  });

  it("after a late revocation, every user and schedule is read, or a failure says the token was refused", async () => {
    // The user list and the v3 list are answered; the schedule reads and the lookups (all 404 here)
    // compete for what is left, lookups first.
    const answered = 7;
    const pd = await start(STATE, { faults: { revokeTokenAfter: answered } });
    const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd, { concurrency: 1 }), OPTIONS);
    expect(snapshot.users).toEqual(EXPECTED.users);
    for (const schedule of snapshot.schedules)
      expect(schedule).toEqual(EXPECTED.schedules.find((s) => s.id === schedule.id));
    expect(snapshot.failures.length).toBeGreaterThan(0);
    for (const failure of snapshot.failures) {
      expect(failure.message).toBe(
        `PagerDuty refused the token after ${answered} successful requests (revoked or rotated during the audit?).`,
      );
    }
    const failedUsers = snapshot.failures.flatMap((f) => (f.kind === "user" ? [f.userId] : []));
    const failedSchedules = snapshot.failures.flatMap((f) => (f.kind === "schedule" ? [f.scheduleId] : []));
    // Those the roster names, and the members of the schedules read: a schedule refused names nobody.
    const named = new Set([
      ...OPTIONS.rosterUserIds,
      ...snapshot.schedules.flatMap((s) => s.periods.flatMap((p) => p.members.map((m) => m.userId))),
    ]);
    expect([...snapshot.unknownUserIds, ...failedUsers].sort()).toEqual(
      EXPECTED.unknownUserIds.filter((id) => named.has(id)),
    );
    expect(
      [...snapshot.schedules.map((s) => s.id), ...snapshot.missingScheduleIds, ...failedSchedules].sort(),
    ).toEqual(["PMISSNG", "PV2SCH1", "PV3SCH1"]);
    expect(pd.stats().byStatus["401"]).toBe(1);
  });

  it("counts a read answered after the refusal: a token that worked once was revoked, not wrong", async () => {
    // The user list and the v3 list go out together; one is answered, the other refused, and the refusal
    // may well arrive first. The answer still in flight decides: this is a partial snapshot, not an error.
    const pd = await start(STATE, { faults: { revokeTokenAfter: 1 } });
    const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd, { concurrency: 4 }), OPTIONS);
    expect(snapshot.failures.length).toBeGreaterThan(0);
    expect(new Set(snapshot.failures.map((f) => f.message))).toEqual(
      new Set([
        "PagerDuty refused the token after 1 successful request (revoked or rotated during the audit?).",
      ]),
    );
    expect(pd.stats().byStatus["200"]).toBe(1);
  });

  it("still stops on a 403 where the audit cannot do without the data (not a revocation)", async () => {
    const pd = await start(STATE);
    const lookupsForbidden: typeof fetch = async (input, init) =>
      new URL(String(input)).pathname.startsWith("/users/")
        ? new Response(JSON.stringify({ error: { message: "Forbidden", code: 2010 } }), { status: 403 })
        : fetch(input, init);
    const error = await rejectedAppError(
      fetchPagerDutySnapshot(sandboxClient(pd, { fetch: lookupsForbidden }), OPTIONS),
    );
    expect(error.code).toBe("forbidden:pagerduty");
  });

  it("returns the clean snapshot despite 20 % transient errors, resets and truncated bodies", async () => {
    const pd = await start(STATE, {
      seed: 7,
      faults: { transientErrorRate: 0.2, connectionResetRate: 0.05, truncatedBodyRate: 0.05 },
    });
    const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd), OPTIONS);
    expect(snapshot).toEqual(EXPECTED);
    const { byStatus, requests } = pd.stats();
    const faults = requests - (byStatus["200"] ?? 0) - (byStatus["404"] ?? 0);
    expect(faults).toBeGreaterThan(0);
    expect(byStatus.reset ?? 0).toBeGreaterThan(0);
  });

  it("records failures, never missing schedules, when PagerDuty keeps failing", async () => {
    const pd = await start(STATE, { faults: { transientErrorRate: 1 } });
    const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd, { maxRetries: 2 }), OPTIONS);
    expect(snapshot.missingScheduleIds).toEqual([]);
    expect(snapshot.unknownUserIds).toEqual([]);
    expect(snapshot.schedules).toEqual([]);
    expect(snapshot.failures.map((f) => [f.kind, "scheduleId" in f ? f.scheduleId : null])).toEqual([
      ["users_list", null],
      ["schedule", "PMISSNG"],
      ["schedule", "PV2SCH1"],
      ["schedule", "PV3SCH1"],
    ]);
    for (const failure of snapshot.failures) expect(failure.message).toMatch(/after 2 retries/);
  });

  it("records a failed lookup as a user failure and keeps going", async () => {
    const pd = await start(STATE);
    // PagerDuty's edge failing every single-user read while the lists still work.
    const lookupsDown: typeof fetch = async (input, init) =>
      new URL(String(input)).pathname.startsWith("/users/")
        ? new Response("503 Service Unavailable", { status: 503 })
        : fetch(input, init);
    const client = sandboxClient(pd, { maxRetries: 1, fetch: lookupsDown });
    const snapshot = await fetchPagerDutySnapshot(client, OPTIONS);
    expect(snapshot.failures).toEqual(
      ["PCAROL1", "PGHOST1", "PGHOST2", "PNOSUCH"].map((userId) => ({
        kind: "user",
        userId,
        message: expect.stringMatching(/503 Service Unavailable to GET \/users\/P\w+, after 1 retries/),
      })),
    );
    expect(snapshot.unknownUserIds).toEqual([]);
    expect(snapshot.users).toEqual(EXPECTED.users);
    expect(snapshot.schedules).toEqual(EXPECTED.schedules);
    expect(client.requestCount()).toBe(EXPECTED_REQUESTS + 4);
  });

  it("looks a user up once even when the roster and a schedule both name it, and a failure stays a gap", async () => {
    const pd = await start(STATE);
    // PGHOST1 is a shift-based member PagerDuty no longer knows; the roster names it too. Its first
    // lookup (for the roster) fails; asking again for the schedule would get the 404 and leave the
    // snapshot saying both "failed to load" and "does not exist".
    let ghostReads = 0;
    const firstGhostReadFails: typeof fetch = async (input, init) => {
      if (new URL(String(input)).pathname === "/users/PGHOST1" && ghostReads++ === 0) {
        return new Response("503 Service Unavailable", { status: 503 });
      }
      return fetch(input, init);
    };
    const client = sandboxClient(pd, { maxRetries: 0, fetch: firstGhostReadFails });
    const snapshot = await fetchPagerDutySnapshot(client, {
      ...OPTIONS,
      rosterUserIds: [...OPTIONS.rosterUserIds, "PGHOST1"],
    });
    expect(snapshot.failures).toEqual([
      { kind: "user", userId: "PGHOST1", message: expect.stringMatching(/503 Service Unavailable/) },
    ]);
    expect(snapshot.unknownUserIds).toEqual(["PCAROL1", "PGHOST2", "PNOSUCH"]);
    expect(ghostReads).toBe(1);
    expect(client.requestCount()).toBe(EXPECTED_REQUESTS);
  });

  describe("the two schedule APIs, as PagerDuty answers them", () => {
    it.each([
      { status: 403, listRequests: 1 },
      { status: 500, listRequests: 3 },
    ] as const)(
      "reads every configured ID directly, v2 then v3 after PagerDuty's 400, when the v3 list answers $status",
      async ({ status, listRequests }) => {
        const pd = await start(STATE, { answers: { v3ListStatus: status } });
        const client = sandboxClient(pd, { maxRetries: 2 });
        const snapshot = await fetchPagerDutySnapshot(client, OPTIONS);
        // Complete: the list's failure cost nothing, so no error names it.
        expect(snapshot).toEqual(EXPECTED);
        expect(pd.stats().byRoute).toEqual({
          "GET /users": 2,
          "GET /v3/schedules": listRequests,
          // PV2SCH1, PMISSNG (404) and PV3SCH1 (400: shift-based).
          "GET /schedules/{id}": 3,
          "GET /v3/schedules/{id}": 2,
          "GET /users/{id}": 4,
        });
        expect(pd.stats().byStatus["400"]).toBe(1);
        // The one extra request: the shift-based schedule's v2 read.
        expect(client.requestCount()).toBe(EXPECTED_REQUESTS - 1 + listRequests + 1);
      },
    );

    it("follows a 404 the same way (crossNamespace: 404)", async () => {
      const pd = await start(STATE, { answers: { v3ListStatus: 403, crossNamespace: 404 } });
      const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd), OPTIONS);
      expect(snapshot).toEqual(EXPECTED);
      expect(pd.stats().byRoute["GET /schedules/{id}"]).toBe(3);
      expect(pd.stats().byStatus["400"]).toBeUndefined();
    });

    it("with the v3 list read, sends a shift-based ID straight to v3: no 400 at all", async () => {
      const pd = await start(STATE);
      await fetchPagerDutySnapshot(sandboxClient(pd), OPTIONS);
      expect(pd.stats().byStatus["400"]).toBeUndefined();
      expect(pd.stats().requests).toBe(EXPECTED_REQUESTS);
    });

    it("reads a layer-based ID through v2 after v3 answers 400 (the list named it, wrongly)", async () => {
      const pd = await start(STATE);
      // A v3 list that lists the layer-based schedule too: its v3 read answers PagerDuty's 400.
      const listingV2: typeof fetch = async (input, init) => {
        const url = new URL(String(input));
        if (url.pathname !== "/v3/schedules") return fetch(input, init);
        const body = {
          schedules: ["PV2SCH1", "PV3SCH1"].map((id) => ({
            id,
            type: "schedule_v3_reference",
            summary: "?",
          })),
          more: false,
        };
        return new Response(JSON.stringify(body), { status: 200 });
      };
      const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd, { fetch: listingV2 }), OPTIONS);
      expect(snapshot).toEqual(EXPECTED);
      expect(pd.stats().byStatus["400"]).toBe(1);
    });

    it("calls a schedule missing only when both APIs answer 404; a 400 neither API explains is a failure", async () => {
      const pd = await start(STATE);
      // v2 claims the ID is shift-based, v3 does not know it (deleted in between, say).
      const contradicting: typeof fetch = async (input, init) =>
        new URL(String(input)).pathname === "/schedules/PMISSNG"
          ? new Response(
              JSON.stringify({ error: { message: "This is a shift-based schedule.", code: 2001 } }),
              {
                status: 400,
              },
            )
          : fetch(input, init);
      const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd, { fetch: contradicting }), OPTIONS);
      expect(snapshot.missingScheduleIds).toEqual([]);
      expect(snapshot.failures).toEqual([
        { kind: "schedule", scheduleId: "PMISSNG", message: expect.stringMatching(/400.*404|404.*400/s) },
      ]);
      expect(snapshot.schedules).toEqual(EXPECTED.schedules);
    });

    it("says the v3 list could not be read only where that cost a schedule", async () => {
      const pd = await start(STATE, { answers: { v3ListStatus: 500 } });
      // The layer-based schedule's read fails too: without the list nothing said which API it is on.
      const v2Down: typeof fetch = async (input, init) =>
        new URL(String(input)).pathname === "/schedules/PV2SCH1"
          ? new Response("503 Service Unavailable", { status: 503 })
          : fetch(input, init);
      const snapshot = await fetchPagerDutySnapshot(
        sandboxClient(pd, { maxRetries: 1, fetch: v2Down }),
        OPTIONS,
      );
      expect(snapshot.failures).toEqual([
        {
          kind: "schedule",
          scheduleId: "PV2SCH1",
          message: expect.stringMatching(
            /503 .*GET \/schedules\/PV2SCH1.*could not be read either.*500 .*GET \/v3\/schedules/s,
          ),
        },
      ]);
      expect(snapshot.schedules.map((s) => s.id)).toEqual(["PV3SCH1"]);
    });

    it("pages the v3 list without more or total, to the last short page", async () => {
      const many: PagerDutyState = {
        ...STATE,
        schedules: [
          ...Array.from({ length: 150 }, (_, i) => ({
            kind: "v3" as const,
            id: `PV3F${String(i).padStart(3, "0")}`,
            name: `Filler ${i}`,
            time_zone: "Etc/UTC",
            rotations: [],
          })),
          ...STATE.schedules,
        ],
      };
      for (const omit of [["more"], ["more", "total"]] as const) {
        const pd = await start(many, { answers: { v3ListOmits: omit } });
        const client = sandboxClient(pd);
        // PV3SCH1 is on the second page: reaching it costs no v2 read.
        const snapshot = await fetchPagerDutySnapshot(client, OPTIONS);
        expect(snapshot).toEqual(EXPECTED);
        expect(pd.stats().byRoute["GET /v3/schedules"]).toBe(2);
        expect(pd.stats().byRoute["GET /schedules/{id}"]).toBe(2);
        await pd.stop();
      }
    });
  });

  describe("shift-based schedules answered without their rotations or events", () => {
    it("reads each rotation's events when the schedule leaves them out: one request per rotation", async () => {
      const pd = await start(STATE, { answers: { v3ScheduleOmits: "events" } });
      const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd), OPTIONS);
      expect(snapshot).toEqual(EXPECTED);
      expect(pd.stats().byRoute["GET /v3/schedules/{id}/rotations/{rotation_id}/events"]).toBe(1);
      expect(pd.stats().requests).toBe(EXPECTED_REQUESTS + 1);
    });

    it("lists the rotations, then their events, when the schedule has no rotations at all", async () => {
      const pd = await start(STATE, { answers: { v3ScheduleOmits: "rotations" } });
      const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd), OPTIONS);
      expect(snapshot).toEqual(EXPECTED);
      expect(pd.stats().byRoute["GET /v3/schedules/{id}/rotations"]).toBe(1);
      expect(pd.stats().byRoute["GET /v3/schedules/{id}/rotations/{rotation_id}/events"]).toBe(1);
      expect(pd.stats().requests).toBe(EXPECTED_REQUESTS + 2);
    });

    it("pages a rotation's events (100 a page, no total asked)", async () => {
      const events = Array.from({ length: 130 }, (_, i) => ({
        id: `PEV${String(i).padStart(3, "0")}`,
        name: `Event ${i}`,
        effective_since: new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString(),
        effective_until: null,
        member_user_ids: [i === 129 ? "PGHOST1" : "PDAN001"],
      }));
      const state: PagerDutyState = {
        ...STATE,
        schedules: [
          {
            kind: "v3",
            id: "PV3LONG",
            name: "Long",
            time_zone: "Etc/UTC",
            rotations: [{ id: "PRL", events }],
          },
        ],
      };
      const pd = await start(state, { answers: { v3ScheduleOmits: "events" } });
      const client = sandboxClient(pd);
      const sent: string[] = [];
      const snapshot = await fetchPagerDutySnapshot(
        sandboxClient(pd, {
          onRequest: (event) => sent.push(event.path),
        }),
        { scheduleIds: ["PV3LONG"], rosterUserIds: [], rosterPeople: [], now: NOW },
      );
      expect(client.requestCount()).toBe(0);
      expect(snapshot.failures).toEqual([]);
      expect(snapshot.schedules[0]?.periods.map((p) => p.id)).toEqual(events.map((e) => e.id));
      expect(snapshot.unknownUserIds).toEqual(["PGHOST1"]);
      expect(pd.stats().byRoute["GET /v3/schedules/{id}/rotations/{rotation_id}/events"]).toBe(2);
      expect(sent.filter((p) => p.endsWith("/events"))).toHaveLength(2);
    });

    it("never reads missing events as no members: the schedule fails when they cannot be read", async () => {
      const pd = await start(STATE, { answers: { v3ScheduleOmits: "rotations", rotationEventsStatus: 500 } });
      const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd, { maxRetries: 1 }), OPTIONS);
      expect(snapshot.schedules.map((s) => s.id)).toEqual(["PV2SCH1"]);
      expect(snapshot.missingScheduleIds).toEqual(["PMISSNG"]);
      expect(snapshot.failures).toEqual([
        {
          kind: "schedule",
          scheduleId: "PV3SCH1",
          message: expect.stringMatching(/500 .*GET \/v3\/schedules\/PV3SCH1\/rotations\/ROT1\/events/),
        },
      ]);
      // Its members are not looked up: the schedule was not read.
      expect(snapshot.unknownUserIds).not.toContain("PGHOST1");
    });
  });

  it("reads an account past PagerDuty's 10,000-user pagination limit: its first page, then the roster's users by ID and by exact email", async () => {
    const pd = await start({
      users: [
        ...fillerUsers(10_001),
        sandboxUser("PZALICE", "Alice Archer"),
        sandboxUser("PZBOB01", "Bob Baker"),
        // `query` matches any part of a name or email: these match Bob's email query, but are not Bob.
        sandboxUser("PZREBOB", "Rebob Baker"),
        sandboxUser("PZBOBBY", "Bobby", { email: "bob.baker@example.com.au" }),
        sandboxUser("PZCARL1", "Carl Cole", { email: "carl@legacy.example.com" }),
        sandboxUser("PZCARL2", "Carl Cole"),
        sandboxUser("PZDAN01", "Dan Drake"),
        sandboxUser("PZERIN1", "Erin Ernst", { deleted_at: "2025-01-01T00:00:00Z" }),
      ],
      schedules: [],
    });
    const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd), {
      scheduleIds: [],
      rosterUserIds: ["PZALICE", "PZCARL1", "PNOSUCH", "PF00002", "PZERIN1"],
      rosterPeople: [
        // ID read, same email: no query.
        { email: "alice.archer@example.com", pagerdutyId: "PZALICE" },
        // No ID: queried, in any case and with spaces as the checker compares.
        { email: " Bob.Baker@Example.com", pagerdutyId: null },
        // The ID's user has another email: queried.
        { email: "carl.cole@example.com", pagerdutyId: "PZCARL1" },
        // Unknown ID: queried.
        { email: "dan.drake@example.com", pagerdutyId: "PNOSUCH" },
        // On the first page: no query.
        { email: "filler.2@example.com", pagerdutyId: "PF00002" },
        // Deleted user, and nobody else has the email: queried, nothing found.
        { email: "erin.ernst@example.com", pagerdutyId: "PZERIN1" },
      ],
      now: NOW,
    });
    expect(snapshot.failures).toEqual([]);
    expect(snapshot.unknownUserIds).toEqual(["PNOSUCH", "PZERIN1"]);
    const ids = snapshot.users.map((u) => u.id);
    expect(ids.slice(0, 100)).toEqual(fillerUsers(100).map((u) => u.id));
    expect(ids.slice(100).sort()).toEqual(["PZALICE", "PZBOB01", "PZCARL1", "PZCARL2", "PZDAN01"]);
    // One page of the list, four email queries, the four IDs not on that page.
    const { byRoute } = pd.stats();
    expect([byRoute["GET /users"], byRoute["GET /users/{id}"]]).toEqual([5, 4]);
  });

  it("looks roster IDs up as soon as the user list is read, ahead of schedule reads already waiting", async () => {
    // The lookups need the whole list; schedule reads queued meanwhile would otherwise all go first, and
    // the lookups would form the audit's last round of requests.
    const pd = await start(STATE);
    const sent: string[] = [];
    const recording: typeof fetch = (input, init) => {
      sent.push(new URL(String(input)).pathname);
      return fetch(input, init);
    };
    await fetchPagerDutySnapshot(sandboxClient(pd, { concurrency: 1, fetch: recording }), OPTIONS);
    const lastListPage = sent.lastIndexOf("/users");
    const lookups = sent.indexOf("/users/PCAROL1");
    // The place the last page frees goes to the read first in line; the lookups take the next ones.
    expect(lookups).toBe(lastListPage + 2);
    expect(sent[lookups + 1]).toBe("/users/PNOSUCH");
    expect(sent.slice(lookups + 2).filter((p) => /^\/(v3\/)?schedules\/P/.test(p)).length).toBeGreaterThan(1);
  });

  it("looks a schedule's members up once the user list is read, without waiting for the roster", async () => {
    // A roster read slowly (a large file, a busy machine) must not hold back the members' lookups: they
    // need only the list, and would otherwise all wait for the roster and then for its own lookups.
    const pd = await start(STATE);
    const sent: string[] = [];
    let rosterRead: (ids: string[]) => void = () => undefined;
    const rosterUserIds = new Promise<string[]>((resolve) => (rosterRead = resolve));
    const recording: typeof fetch = (input, init) => {
      const path = new URL(String(input)).pathname;
      sent.push(path);
      // The roster comes in once the last member lookup has gone out, and not before.
      if (sent.includes("/users/PGHOST1") && sent.includes("/users/PGHOST2"))
        rosterRead(OPTIONS.rosterUserIds);
      return fetch(input, init);
    };
    const client = sandboxClient(pd, { fetch: recording });
    const snapshot = await fetchPagerDutySnapshot(client, { ...OPTIONS, rosterUserIds });
    expect(snapshot).toEqual(EXPECTED);
    expect(sent.indexOf("/users/PGHOST1")).toBeLessThan(sent.indexOf("/users/PNOSUCH"));
    expect(client.requestCount()).toBe(EXPECTED_REQUESTS);
  });

  it("fills the first round's places with the user list's next pages, asked before its total is known", async () => {
    const pd = await start(STATE, { latencyMs: 15 });
    const sent: string[] = [];
    let firstRound: string[] | null = null;
    const recording: typeof fetch = async (input, init) => {
      sent.push(new URL(String(input)).pathname);
      const response = await fetch(input, init);
      firstRound ??= [...sent];
      return response;
    };
    const snapshot = await fetchPagerDutySnapshot(sandboxClient(pd, { concurrency: 8, fetch: recording }), {
      ...OPTIONS,
      inFlight: 8,
    });
    // The user list's first page and the v3 list, and six pages of the list ahead of its total.
    expect([...(firstRound ?? [])].sort()).toEqual([...Array(7).fill("/users"), "/v3/schedules"]);
    // 154 users: the page at 100 is used, the five past the end answer empty; the snapshot is the same.
    expect(pd.stats().byRoute["GET /users"]).toBe(7);
    const plain = await start(STATE);
    expect(snapshot).toEqual(await fetchPagerDutySnapshot(sandboxClient(plain), OPTIONS));
    expect(plain.stats().byRoute["GET /users"]).toBe(2);
  });

  it("keeps at most `concurrency` requests in flight while users and schedules are read together", async () => {
    const pd = await start(STATE, { latencyMs: 15 });
    let inFlight = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        const response = await fetch(input, init);
        return new Response(await response.text(), { status: response.status, headers: response.headers });
      } finally {
        inFlight--;
      }
    };
    await fetchPagerDutySnapshot(sandboxClient(pd, { concurrency: 3, fetch: counting }), OPTIONS);
    expect(most).toBe(3);
  });
});

/**
 * PagerDuty's window is a minute. To test pacing in seconds, both sides share a clock that runs `SCALE`
 * times faster than real time: the sandbox reads it through `Date.now`, the client's limiter directly.
 */
function scaledClock(scale: number) {
  const realStart = performance.now();
  const virtualStart = Date.now();
  const now = () => virtualStart + (performance.now() - realStart) * scale;
  vi.spyOn(Date, "now").mockImplementation(() => Math.floor(now()));
  return {
    now,
    sleep: (ms: number, signal?: AbortSignal) => realSleep(ms / scale, signal),
    elapsed: () => now() - virtualStart,
  };
}

describe("rate limiting against the sandbox's enforced per-token limit", () => {
  // One run in (scaled) real time: the limiter's real sleeps, timers and sockets, as the CLI runs it.
  it(
    "completes a run needing more than 30 requests without a 429 and never above 30 per minute, in real time",
    { timeout: 60_000 },
    async () => {
      const scale = 40;
      const clock = scaledClock(scale);
      await expectPacedRun(30, 60, clock, {
        // The margin covers grant-to-arrival delay; scaled time magnifies that delay, so scale the margin.
        // Half a real second of it: under heavy load a request held up longer than 200 ms drew a 429.
        rateLimiter: createSlidingWindowLimiter({
          now: clock.now,
          sleep: clock.sleep,
          marginMs: 500 * scale,
        }),
      });
    },
  );

  // PagerDuty's own limit, over two windows: on a virtual clock, so the minutes take no real time.
  // Its real time is the 1,250 requests' own (seconds on a loaded machine): the default timeout is too short.
  it(
    "completes a run needing more than 960 requests without a 429 and never above 960 per minute",
    { timeout: 60_000 },
    async () => {
      const clock = createVirtualClock();
      vi.spyOn(Date, "now").mockImplementation(() => Math.floor(clock.now()));
      await expectPacedRun(960, 1_100, clock, {
        rateLimiter: createSlidingWindowLimiter({ now: clock.now, sleep: clock.sleep }),
        fetch: clock.track(fetch),
      });
    },
  );
});

/** A snapshot needing more than `limit` requests, against a sandbox enforcing `limit` a minute. */
async function expectPacedRun(
  limit: number,
  extraIds: number,
  clock: { elapsed: () => number },
  overrides: Parameters<typeof sandboxClient>[1],
): Promise<void> {
  const pd = await start(STATE, { rateLimitPerMinute: limit });
  const ghosts = Array.from({ length: extraIds }, (_, i) => `PX${String(i).padStart(5, "0")}`);
  const client = sandboxClient(pd, {
    concurrency: 8,
    requestsPerMinute: limit,
    // A 429 must fail the test, not be waited out.
    maxRetries: 0,
    ...overrides,
  });
  const snapshot = await fetchPagerDutySnapshot(client, {
    ...OPTIONS,
    rosterUserIds: [...OPTIONS.rosterUserIds, ...ghosts],
  });
  expect(snapshot.failures).toEqual([]);
  expect(snapshot.unknownUserIds).toHaveLength(4 + extraIds);
  const stats = pd.stats();
  expect(stats.requests).toBe(EXPECTED_REQUESTS + extraIds);
  expect(stats.requests).toBeGreaterThan(limit);
  expect(stats.rateLimited).toBe(0);
  expect(stats.maxPerMinute).toBeLessThanOrEqual(limit);
  expect(stats.maxPerMinute).toBeGreaterThan(limit * 0.9);
  // It had to wait for the window at least once per `limit` requests beyond the first batch.
  expect(clock.elapsed()).toBeGreaterThanOrEqual(Math.floor((stats.requests - 1) / limit) * 60_000);
}
