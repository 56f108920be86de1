import {
  createPagerDutyClient,
  type PagerDutyClient,
  type PagerDutyClientOptions,
} from "@/lib/pagerduty/client";
import type { PagerDutySandbox, SandboxUser } from "@/sandbox/pagerduty/types";

/** Test helpers for the PagerDuty adapter's sandbox tests. Not used by production code. */

/** A reachable user: one email contact method and one rule paging it. */
export function sandboxUser(id: string, name: string, extra: Partial<SandboxUser> = {}): SandboxUser {
  return {
    id,
    name,
    email: `${name.toLowerCase().replace(/\W+/g, ".")}@example.com`,
    invitation_sent: false,
    deleted_at: null,
    contact_methods: [
      { id: `C${id}`, type: "email_contact_method", summary: "Work", address: "x@example.com" },
    ],
    notification_rules: [
      {
        id: `N${id}`,
        type: "assignment_notification_rule",
        start_delay_in_minutes: 0,
        urgency: "high",
        contact_method_id: `C${id}`,
      },
    ],
    ...extra,
  };
}

/** `count` plain users with IDs `PF00000`, `PF00001`, … */
export function fillerUsers(count: number): SandboxUser[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `PF${String(i).padStart(5, "0")}`;
    return sandboxUser(id, `Filler ${i}`);
  });
}

/** A client for a sandbox with fast retries and no rate pressure unless the test asks for it. */
export function sandboxClient(
  sandbox: PagerDutySandbox,
  overrides: Partial<PagerDutyClientOptions> = {},
): PagerDutyClient {
  return createPagerDutyClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    concurrency: 4,
    requestsPerMinute: 100_000,
    timeoutMs: 2_000,
    maxRetries: 8,
    retryBaseMs: 2,
    retryMaxMs: 40,
    ...overrides,
  });
}
