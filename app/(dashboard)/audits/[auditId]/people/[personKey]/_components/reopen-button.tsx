"use client";

import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/client/api";
import { usePersonAction } from "./use-person-action";

/** Puts a resolved finding (fixed, intentional, waived) back to open. */
export function ReopenButton({
  auditId,
  personKey,
  itemId,
  label,
}: {
  auditId: string;
  personKey: string;
  itemId: string;
  /** What the finding is, for the button's accessible name. */
  label: string;
}) {
  const { mutation, busy } = usePersonAction(auditId, personKey);
  return (
    <div className="flex flex-col items-start gap-1">
      <Button
        size="sm"
        variant="secondary"
        disabled={busy}
        onClick={() => mutation.mutate({ action: { type: "reopen" }, itemIds: [itemId] })}
      >
        Reopen<span className="sr-only">: {label}</span>
      </Button>
      {mutation.isError && (
        <p role="alert" className="text-xs text-rose-700">
          {errorMessage(mutation.error)}
        </p>
      )}
    </div>
  );
}
