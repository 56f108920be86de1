"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { describedBy, Field, Textarea } from "@/components/ui/field";
import { useFieldProblem } from "@/components/ui/use-field-problem";
import { ConfirmDialog } from "@/components/ui/dialog";
import { errorMessage } from "@/lib/client/api";
import { chasePreviewQueryOptions } from "@/lib/client/queries";
import { chaseStepOf, type PostedChaseAction } from "@/lib/workflow/chase";
import { CHASE_NOTE_BOUNDS, CHASE_NOTE_MAX_LENGTH } from "@/lib/workflow/types";
import { writtenTextProblem } from "@/lib/workflow/visible-text";
import { ChaseRefusal, isAuditIssueMissing } from "../../../../../_components/chase-refusal";
import { describeOutcome, usePersonAction } from "./use-person-action";

/** How long typing in the note pauses before the preview is read again. */
const PREVIEW_DELAY_MS = 400;

/** Client-side check of a note, with the server's helper (the server has the last word). */
function noteProblem(note: string): string | null {
  if (note.trim() === "") return null;
  const problem = writtenTextProblem(note, CHASE_NOTE_BOUNDS);
  if (problem === null) return null;
  if (problem.problem === "too_long") return `Keep the note to ${CHASE_NOTE_MAX_LENGTH} characters.`;
  return "Write something a reader sees, or leave the note empty.";
}

/**
 * A ping or an escalation of one person, shown before it is posted: the exact comment the audit issue would
 * get (read from the server, as sending would write it), a personal note quoted in it, and Send. Sends the
 * note that the preview shows, never one typed after it.
 */
export function ChaseDialog({
  auditId,
  personKey,
  personName,
  action,
  done,
  mayExport,
  onClose,
  onDone,
}: {
  auditId: string;
  personKey: string;
  personName: string;
  /** The step being sent; null while the dialog is closed. */
  action: PostedChaseAction | null;
  /** What the outcome says was done ("Pinged"). */
  done: string;
  /** The signed-in user may export the audit to its issue (offered when the issue is missing). */
  mayExport: boolean;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const id = useId();
  const noteId = `${id}-note`;
  const { report } = useFieldProblem();
  // The dialog stays mounted, so closing it returns focus to the button that opened it.
  const [shown, setShown] = useState<PostedChaseAction>(action ?? "ping");
  const [note, setNote] = useState("");
  const [previewedNote, setPreviewedNote] = useState("");
  const { mutation, busy } = usePersonAction(auditId, personKey);
  const open = action !== null;
  const type = action ?? shown;

  // The last step asked for stays shown while the dialog closes (React's "adjust state on a prop change").
  if (action !== null && action !== shown) setShown(action);
  useEffect(() => {
    const timer = setTimeout(() => setPreviewedNote(note), PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [note]);

  const problem = noteProblem(note);
  const preview = useQuery({
    ...chasePreviewQueryOptions({ auditId, personKey, type, note: previewedNote }),
    enabled: open && noteProblem(previewedNote) === null,
    placeholderData: keepPreviousData,
  });
  // What Send posts is what the preview shows: the preview of this very note, read fresh.
  const fresh =
    preview.isSuccess && !preview.isFetching && !preview.isPlaceholderData && previewedNote === note;
  const step = chaseStepOf(type);

  const close = () => {
    mutation.reset();
    onClose();
  };
  const send = () =>
    mutation.mutate(
      { action: { type, ...(previewedNote.trim() ? { note: previewedNote.trim() } : {}) } },
      {
        onSuccess: (outcome) => {
          setNote("");
          setPreviewedNote("");
          onClose();
          onDone(describeOutcome(done, outcome));
        },
      },
    );
  const refusal = mutation.isError
    ? mutation.error
    : preview.isError && !preview.isFetching
      ? preview.error
      : null;

  return (
    <ConfirmDialog
      open={open}
      wide
      title={`${step.label} ${personName}`}
      confirmLabel="Send"
      // Off only while the preview of this very note is read; a note Send refuses says why at the note.
      confirmDisabled={busy || (problem === null && !fresh)}
      pending={mutation.isPending}
      // The missing issue is shown below with its remedy; any other refusal here.
      error={refusal && !isAuditIssueMissing(refusal) ? errorMessage(refusal) : null}
      onConfirm={() => (problem ? report(noteId, problem) : send())}
      onCancel={close}
    >
      <div className="space-y-3">
        <p>This comment is posted on the audit&apos;s GitLab issue as it is shown here.</p>
        {refusal && isAuditIssueMissing(refusal) && (
          <ChaseRefusal
            error={refusal}
            auditId={auditId}
            mayExport={mayExport}
            onExported={() => void preview.refetch()}
          />
        )}
        {/* The note's problem shows as it is typed: the preview waits for a note it can show. */}
        <Field
          id={noteId}
          label="Personal note (optional)"
          hint="Quoted under the findings, with your name."
          error={problem}
        >
          <Textarea
            id={noteId}
            rows={3}
            value={note}
            maxLength={CHASE_NOTE_MAX_LENGTH}
            {...describedBy(noteId, { error: problem })}
            onChange={(event) => setNote(event.target.value)}
          />
        </Field>
        {preview.data ? (
          <>
            <pre
              aria-label="Comment preview"
              aria-busy={!fresh}
              tabIndex={0}
              className="max-h-80 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs whitespace-pre-wrap text-slate-800 ring-1 ring-slate-200"
            >
              {preview.data.body}
            </pre>
            {preview.data.warnings.map((warning) => (
              <p key={warning} className="text-xs text-amber-800">
                {warning}
              </p>
            ))}
          </>
        ) : preview.isFetching ? (
          <p>Reading the comment…</p>
        ) : null}
      </div>
    </ConfirmDialog>
  );
}
