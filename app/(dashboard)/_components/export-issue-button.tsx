"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { errorMessage } from "@/lib/client/api";
import { exportToIssue } from "@/lib/client/mutations";
import { issueExportPreviewQueryOptions } from "@/lib/client/queries";

/**
 * "Export to issue": shows what would be written into the audit's GitLab issue (the whole description,
 * the report under `## Notes`), then creates the issue or updates it on confirmation.
 */
export function ExportIssueButton({
  auditId,
  hasIssue,
  onExported,
}: {
  auditId: string;
  hasIssue: boolean;
  /** Called once the issue is written (e.g. to try again what needed it). */
  onExported?: () => void;
}) {
  const router = useRouter();
  const [, startRefresh] = useTransition();
  const [open, setOpen] = useState(false);
  const preview = useQuery({ ...issueExportPreviewQueryOptions(auditId), enabled: open });
  const write = useMutation({
    mutationFn: () => exportToIssue(auditId),
    onSuccess: () => {
      setOpen(false);
      onExported?.();
      // The card shows the issue link from the server.
      startRefresh(() => router.refresh());
    },
  });
  // The query keeps the last preview while it reads a new one; that one may predate an export or a run.
  const fresh = preview.isSuccess && !preview.isFetching;
  const updating = fresh ? preview.data.existing !== null : hasIssue;

  return (
    <div className="flex flex-col items-start gap-2">
      <Button
        variant="secondary"
        onClick={() => {
          write.reset();
          setOpen(true);
        }}
      >
        Export to issue
      </Button>
      {write.isSuccess && (
        <p role="status" className="text-sm text-emerald-800">
          {write.data.created ? "Issue created: " : "Issue updated: "}
          <a href={write.data.url} className="font-medium text-indigo-700 hover:underline">
            {write.data.url}
          </a>
        </p>
      )}
      {write.isSuccess &&
        write.data.warnings.map((warning) => (
          <p key={warning} role="alert" className="text-sm text-amber-800">
            {warning}
          </p>
        ))}
      <ConfirmDialog
        open={open}
        wide
        title={updating ? "Update the audit issue" : "Create the audit issue"}
        confirmLabel={updating ? "Update issue" : "Create issue"}
        confirmDisabled={!fresh}
        pending={write.isPending}
        error={
          preview.isError && !preview.isFetching
            ? errorMessage(preview.error)
            : write.isError
              ? errorMessage(write.error)
              : null
        }
        onConfirm={() => write.mutate()}
        onCancel={() => setOpen(false)}
      >
        {preview.isFetching ? (
          <p>{updating ? "Reading the audit issue…" : "Reading the issue template…"}</p>
        ) : preview.isSuccess ? (
          <>
            <p>
              {preview.data.existing ? (
                <>
                  The report under <strong>Notes</strong> of{" "}
                  <a href={preview.data.existing.url} className="text-indigo-700 hover:underline">
                    the audit issue
                  </a>{" "}
                  is replaced; the rest of the issue is kept as it is.
                </>
              ) : (
                <>
                  A new issue <strong>{preview.data.title}</strong> is created from the template, with the
                  report under <strong>Notes</strong>.
                </>
              )}
            </p>
            <pre
              aria-label="Issue description"
              tabIndex={0}
              className="mt-3 max-h-96 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs whitespace-pre-wrap text-slate-800 ring-1 ring-slate-200"
            >
              {preview.data.description}
            </pre>
          </>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
