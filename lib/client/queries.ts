/**
 * React Query definitions, each defined once: the query key and how to fetch it. Only what the browser
 * owns lives here (polling a running audit); first paint comes from server components.
 */
import { queryOptions } from "@tanstack/react-query";
import { requestJson } from "./api";
import type { IssueExportPreview, Run } from "./types";

export const queryKeys = {
  latestRun: (auditId: string) => ["audits", auditId, "runs", "latest"] as const,
  issueExportPreview: (auditId: string) => ["audits", auditId, "export", "preview"] as const,
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
