/**
 * What the API answers, as the browser sees it. Type-only re-exports of the server's shapes, so the pages
 * and the API cannot drift apart; nothing here pulls server code into the browser bundle.
 */
export type { Audit, AuditEvent, Run, RunProgress } from "@/lib/db/records";
export type { AutopilotStep } from "@/lib/service/autopilot/chase";
export type { ActivityEntry } from "@/lib/service/activity";
export type { IssueExportPreview, IssueExportResult } from "@/lib/service/export";
export type { DemoClockState as DemoClock } from "@/lib/service/demo";
export type { ActionOutcome, ChasePreview } from "@/lib/service/item-actions";
export type { SubmitForReviewResult } from "@/lib/service/sign-off";
export type { UserActionInput } from "@/lib/workflow/types";
