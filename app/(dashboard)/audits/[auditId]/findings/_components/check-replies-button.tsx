"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/client/api";
import { checkReplies } from "@/lib/client/mutations";

/** Reads the audit issue's comments for replies from the people who were pinged. */
export function CheckRepliesButton({ auditId }: { auditId: string }) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const mutation = useMutation({
    mutationFn: () => checkReplies(auditId),
    onSuccess: () => startRefresh(() => router.refresh()),
  });
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        variant="secondary"
        disabled={mutation.isPending || refreshing}
        onClick={() => mutation.mutate()}
      >
        Check replies
      </Button>
      <p role="status" className="text-xs text-slate-600">
        {mutation.isError
          ? errorMessage(mutation.error)
          : mutation.data
            ? `${mutation.data.replies} new repl${mutation.data.replies === 1 ? "y" : "ies"} on the issue.`
            : ""}
      </p>
    </div>
  );
}
