"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ApiError, errorMessage } from "@/lib/client/api";
import { openCurrentAudit } from "@/lib/client/mutations";

/** "Open FY27-Q3 audit": creates the current period's audit, then shows it. */
export function OpenAuditButton({ auditName }: { auditName: string }) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const open = useMutation({
    mutationFn: openCurrentAudit,
    onSuccess: () => startRefresh(() => router.refresh()),
    // Someone else opened it meanwhile: show it.
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) startRefresh(() => router.refresh());
    },
  });
  const busy = open.isPending || refreshing;
  return (
    <div className="flex flex-col items-start gap-2">
      <Button onClick={() => open.mutate()} disabled={busy} aria-busy={busy}>
        Open {auditName} audit
      </Button>
      {open.isError && (
        <p role="alert" className="text-sm text-rose-700">
          {errorMessage(open.error)}
        </p>
      )}
    </div>
  );
}
