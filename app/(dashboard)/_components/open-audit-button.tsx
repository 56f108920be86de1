"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ApiError, errorMessage } from "@/lib/client/api";
import { openCurrentAudit } from "@/lib/client/mutations";
import { RUN_AUDIT_BUTTON_ID } from "./run-audit-panel";

/**
 * "Open FY27-Q3 audit": creates the current period's audit, then shows it. The refresh replaces this
 * button with the audit's "Run audit", which takes the focus (the next step), instead of the page's top.
 */
export function OpenAuditButton({ auditName }: { auditName: string }) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const opened = useRef(false);
  const refresh = () => {
    opened.current = true;
    startRefresh(() => router.refresh());
  };
  const open = useMutation({
    mutationFn: openCurrentAudit,
    onSuccess: refresh,
    // Someone else opened it meanwhile: show it.
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) refresh();
    },
  });
  // Runs when the refreshed page no longer has this button, its replacement already on screen.
  useEffect(
    () => () => {
      if (opened.current) document.getElementById(RUN_AUDIT_BUTTON_ID)?.focus();
    },
    [],
  );
  const busy = open.isPending || refreshing;
  return (
    <div className="flex flex-col items-start gap-2">
      <Button onClick={() => open.mutate()} aria-disabled={busy} aria-busy={busy}>
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
