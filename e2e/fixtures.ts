import { test as base, expect, type Page } from "@playwright/test";
import { readInitialPagerDutyState, readServers } from "./servers";

/** Demo-org people per role (see sandbox/scenarios/demo-org.ts). */
export const PEOPLE = {
  opsManager: "Sofia Reyes",
  ops: "Theo Marsh",
  member: "Jamal Carter",
} as const;

export type Role = keyof typeof PEOPLE;

export function storageStateOf(role: Role): string {
  return `e2e/.auth/${role}.json`;
}

/** Control of the demo: reset the dashboard, move its clock, change what the sandbox PagerDuty serves. */
export interface Demo {
  reset(): Promise<void>;
  advanceClock(hours: number): Promise<void>;
  /** Applies a change to the sandbox's data (as someone fixing their PagerDuty account would). */
  changePagerDuty(change: (state: SandboxState) => void): Promise<void>;
}

export interface SandboxState {
  users: { id: string; name: string; email: string }[];
  schedules: (
    | { kind: "v2"; id: string; name: string; layers: { end: string | null; user_ids: string[] }[] }
    | {
        kind: "v3";
        id: string;
        name: string;
        rotations: { events: { effective_until: string | null; member_user_ids: (string | null)[] }[] }[];
      }
  )[];
}

async function post(page: Page, path: string, body: unknown): Promise<void> {
  const response = await page.request.post(path, {
    data: body,
    headers: { origin: new URL(page.url() || "http://127.0.0.1").origin },
  });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
}

export const test = base.extend<{ demo: Demo; role: Role }>({
  role: ["ops", { option: true }],
  storageState: async ({ role }, use) => {
    await use(storageStateOf(role));
  },
  demo: async ({ page, baseURL }, use) => {
    const servers = await readServers();
    const sandboxHeaders = { authorization: `Token token=${servers.token}` };
    const demo: Demo = {
      async reset() {
        await page.goto("/");
        await post(page, `${baseURL}/api/demo/reset`, {});
        const initial = await readInitialPagerDutyState();
        const response = await page.request.put(`${servers.pagerduty}/__sandbox/state`, {
          data: initial,
          headers: sandboxHeaders,
        });
        expect(response.ok()).toBe(true);
      },
      async advanceClock(hours) {
        await post(page, `${baseURL}/api/demo/clock`, { hours });
      },
      async changePagerDuty(change) {
        const state = (await (
          await page.request.get(`${servers.pagerduty}/__sandbox/state`, { headers: sandboxHeaders })
        ).json()) as SandboxState;
        change(state);
        const response = await page.request.put(`${servers.pagerduty}/__sandbox/state`, {
          data: state,
          headers: sandboxHeaders,
        });
        expect(response.ok()).toBe(true);
      },
    };
    await use(demo);
  },
});

export { expect };
