"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { actOnPerson } from "@/lib/client/mutations";
import type { ActionOutcome, UserActionInput } from "@/lib/client/types";

/** One action on this person's items; on success the page is re-rendered by the server. */
export function usePersonAction(auditId: string, personKey: string) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const mutation = useMutation({
    mutationFn: (input: { action: UserActionInput; itemIds?: readonly string[] }) =>
      actOnPerson({ auditId, personKey, ...input }),
    onSuccess: () => startRefresh(() => router.refresh()),
  });
  return { mutation, busy: mutation.isPending || refreshing };
}

/** "Pinged about 2 findings." plus what was skipped and why, and what a ping went on without. */
export function describeOutcome(done: string, outcome: ActionOutcome): string {
  const parts = [`${done}: ${outcome.applied} finding${outcome.applied === 1 ? "" : "s"}.`];
  const reasons = [...new Set(outcome.skipped.map((s) => s.reason))];
  if (outcome.skipped.length > 0) {
    parts.push(`${outcome.skipped.length} skipped (${reasons.join(" ")})`);
  }
  if (outcome.conflicts > 0) {
    parts.push(
      `${outcome.conflicts} changed by someone else meanwhile and ${outcome.conflicts === 1 ? "was" : "were"} left as they are.`,
    );
  }
  parts.push(...outcome.warnings);
  return parts.join(" ");
}
