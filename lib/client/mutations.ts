/** The API's state-changing requests, one function each; pages call them through `useMutation`. */
import { requestJson } from "./api";
import type { BulkChaseAction } from "@/lib/workflow/chase";
import type {
  ActionOutcome,
  Audit,
  DemoClock,
  IssueExportResult,
  Run,
  SubmitForReviewResult,
  UserActionInput,
} from "./types";

const auditPath = (auditId: string) => `/api/audits/${encodeURIComponent(auditId)}`;

/** Opens the current period's audit (409 when it exists). */
export function openCurrentAudit(): Promise<Audit> {
  return requestJson<Audit>("/api/audits", { method: "POST" });
}

/** Starts a run (409 `conflict:run` while one is running). */
export function startAuditRun(auditId: string): Promise<Run> {
  return requestJson<Run>(`${auditPath(auditId)}/runs`, { method: "POST" });
}

/** Writes the latest report into the audit's GitLab issue: creates it the first time, then updates it. */
export function exportToIssue(auditId: string): Promise<IssueExportResult> {
  return requestJson<IssueExportResult>(`${auditPath(auditId)}/export`, { method: "POST" });
}

/** One action on a person's items: all items it applies to, or the `itemIds` given. */
export function actOnPerson(input: {
  auditId: string;
  personKey: string;
  action: UserActionInput;
  itemIds?: readonly string[];
}): Promise<ActionOutcome> {
  return requestJson<ActionOutcome>(
    `${auditPath(input.auditId)}/people/${encodeURIComponent(input.personKey)}/actions`,
    {
      method: "POST",
      body: { action: input.action, ...(input.itemIds ? { itemIds: input.itemIds } : {}) },
    },
  );
}

/** Ping everyone with open items, or escalate everyone whose follow-up is due. */
export function bulkAct(input: { auditId: string; action: BulkChaseAction }): Promise<ActionOutcome> {
  return requestJson<ActionOutcome>(`${auditPath(input.auditId)}/bulk`, {
    method: "POST",
    body: { action: input.action },
  });
}

/** Demo only: moves the app's clock forward. */
export function advanceDemoClock(hours: number): Promise<DemoClock> {
  return requestJson<DemoClock>("/api/demo/clock", { method: "POST", body: { hours } });
}

/** Sign-off by the Support Operations Manager; the override reason is required while items are open. */
export function signOffAudit(input: { auditId: string; overrideReason?: string }): Promise<Audit> {
  return requestJson<Audit>(`/api/audits/${encodeURIComponent(input.auditId)}/sign-off`, {
    method: "POST",
    body: { overrideReason: input.overrideReason },
  });
}

/** Hands the audit to the reviewer; says whether the audit issue was told. */
export function submitForReview(auditId: string): Promise<SubmitForReviewResult> {
  return requestJson<SubmitForReviewResult>(`/api/audits/${encodeURIComponent(auditId)}/review`, {
    method: "POST",
    body: {},
  });
}

/** The reviewer sends the audit back with what needs doing. */
export function sendBackAudit(input: { auditId: string; comment: string }): Promise<Audit> {
  return requestJson<Audit>(`/api/audits/${encodeURIComponent(input.auditId)}/send-back`, {
    method: "POST",
    body: { comment: input.comment },
  });
}

/** Reads replies from the audit issue; people who replied stop their follow-up clock. */
export function checkReplies(auditId: string): Promise<{ replies: number }> {
  return requestJson<{ replies: number }>(`/api/audits/${encodeURIComponent(auditId)}/replies`, {
    method: "POST",
    body: {},
  });
}

/** Turns the audit's autopilot on or off (Support Operations). */
export function setAutopilot(input: { auditId: string; on: boolean }): Promise<Audit> {
  return requestJson<Audit>(`${auditPath(input.auditId)}/autopilot`, {
    method: "POST",
    body: { on: input.on },
  });
}

/** Pauses or resumes autopilot for one person of the audit (Support Operations). */
export function setPersonAutopilotPaused(input: {
  auditId: string;
  personKey: string;
  paused: boolean;
}): Promise<{ paused: boolean }> {
  return requestJson<{ paused: boolean }>(
    `${auditPath(input.auditId)}/people/${encodeURIComponent(input.personKey)}/autopilot`,
    { method: "POST", body: { paused: input.paused } },
  );
}
