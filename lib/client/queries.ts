/**
 * React Query definitions, each defined once: the query key and how to fetch it. Only what the browser
 * owns lives here (polling a running audit); first paint comes from server components.
 */
import { queryOptions } from "@tanstack/react-query";
import { requestJson } from "./api";
import type { PostedChaseAction } from "@/lib/workflow/chase";
import type { ChasePreview, IssueExportPreview, Run } from "./types";

export const queryKeys = {
  latestRun: (auditId: string) => ["audits", auditId, "runs", "latest"] as const,
  issueExportPreview: (auditId: string) => ["audits", auditId, "export", "preview"] as const,
  chasePreview: (auditId: string, personKey: string, type: PostedChaseAction, note: string) =>
    ["audits", auditId, "people", personKey, "chase-preview", type, note] as const,
};

/** How often a running audit is polled. */
export const RUN_POLL_INTERVAL_MS = 1000;

/** The audit's most recent run (null before the first), polled every second while it is running. */
export function latestRunQueryOptions(auditId: string) {
  return queryOptions({
    queryKey: queryKeys.latestRun(auditId),
    queryFn: ({ signal }) =>
      requestJson<Run | null>(`/api/audits/${encodeURIComponent(auditId)}/runs/latest`, { signal }),
    refetchInterval: (query) => (query.state.data?.status === "running" ? RUN_POLL_INTERVAL_MS : false),
  });
}

/** What "Export to issue" would write into the audit's GitLab issue; always read fresh. */
export function issueExportPreviewQueryOptions(auditId: string) {
  return queryOptions({
    queryKey: queryKeys.issueExportPreview(auditId),
    queryFn: ({ signal }) =>
      requestJson<IssueExportPreview>(`/api/audits/${encodeURIComponent(auditId)}/export`, { signal }),
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
}

/**
 * The exact comment a ping or an escalation of one person (all their findings it applies to) would post
 * now, with `note`; always read fresh. Posts nothing.
 */
export function chasePreviewQueryOptions(input: {
  auditId: string;
  personKey: string;
  type: PostedChaseAction;
  note: string;
}) {
  const { auditId, personKey, type, note } = input;
  return queryOptions({
    queryKey: queryKeys.chasePreview(auditId, personKey, type, note),
    queryFn: ({ signal }) =>
      requestJson<ChasePreview>(
        `/api/audits/${encodeURIComponent(auditId)}/people/${encodeURIComponent(personKey)}/actions/preview`,
        { method: "POST", body: { action: { type, ...(note.trim() ? { note } : {}) } }, signal },
      ),
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
}
