"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { describedBy, Field, Textarea } from "@/components/ui/field";
import { useFieldProblem } from "@/components/ui/use-field-problem";
import { errorMessage } from "@/lib/client/api";
import { sendBackAudit, signOffAudit, submitForReview } from "@/lib/client/mutations";
import { DECISIONS, decisionView, type Decision } from "./review-decision";

const CHOICE_LABELS: Record<Decision, string> = { approve: "Approve", request_changes: "Request changes" };

const COMMENT_ID = "review-comment";

/** What the signed-in user may do on the sign-off page; the server checks again. */
export interface ReviewPermissions {
  submit: boolean;
  signOff: boolean;
  sendBack: boolean;
}

export function ReviewActions({
  auditId,
  status,
  unaddressed,
  hasIssue,
  issueIid,
  may,
}: {
  auditId: string;
  status: "open" | "in_review";
  unaddressed: number;
  /** The audit has a GitLab issue: submitting posts there. */
  hasIssue: boolean;
  /** The audit issue's number, which signing off comments on and closes; null without one. */
  issueIid: number | null;
  may: ReviewPermissions;
}) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const [decision, setDecision] = useState<Decision>(may.signOff ? "approve" : "request_changes");
  const [comment, setComment] = useState("");
  const [confirming, setConfirming] = useState(false);
  const view = decisionView({ decision, comment, status, unaddressed, may });
  const { errorFor, report, clear } = useFieldProblem();
  const commentError = errorFor(COMMENT_ID);
  const choiceHint = (choice: Decision) =>
    choice === "approve"
      ? issueIid === null
        ? "Sign off: the audit becomes read-only. You confirm first."
        : `Sign off: comment on and close the audit issue #${issueIid}; the audit becomes read-only. You confirm first.`
      : view.choices.request_changes
        ? "Send the audit back to Support Operations with your comment."
        : "Only an audit submitted for review can be sent back.";
  const done = () => startRefresh(() => router.refresh());
  const submit = useMutation({ mutationFn: () => submitForReview(auditId), onSuccess: done });
  const signOff = useMutation({
    mutationFn: (overrideReason: string | undefined) => signOffAudit({ auditId, overrideReason }),
    onSuccess: () => {
      setConfirming(false);
      done();
    },
  });
  const sendBack = useMutation({
    mutationFn: (text: string) => sendBackAudit({ auditId, comment: text }),
    onSuccess: () => {
      setComment("");
      setDecision(may.signOff ? "approve" : "request_changes");
      done();
    },
  });
  const busy = refreshing || submit.isPending || signOff.isPending || sendBack.isPending;
  const error = submit.error ?? sendBack.error;

  return (
    <div className="flex flex-col gap-5">
      {error && (
        <p role="alert" className="rounded-md bg-rose-50 p-3 text-sm text-rose-800">
          {errorMessage(error)}
        </p>
      )}
      {submit.data && (
        <div role="status" className="rounded-md bg-slate-50 p-3 text-sm text-slate-700">
          {submit.data.commentUrl ? (
            <p>
              Submitted for review. The Support Operations Manager was told in{" "}
              <a
                href={submit.data.commentUrl}
                className="text-indigo-700 underline"
                rel="noreferrer"
                target="_blank"
              >
                a comment on the audit issue
              </a>
              .
            </p>
          ) : (
            <p>
              Submitted for review. The audit has no issue, so nothing was posted: tell the Support Operations
              Manager yourself.
            </p>
          )}
          {submit.data.warnings.length > 0 && (
            <ul className="mt-2 list-disc pl-5 text-xs text-amber-800">
              {submit.data.warnings.map((warning) => (
                <li key={warning}>{warning}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {may.submit && status === "open" && (
        <div>
          <Button variant="secondary" disabled={busy} onClick={() => submit.mutate()}>
            Submit for review
          </Button>
          <p className="mt-1 text-xs text-slate-500">
            {hasIssue
              ? "Posts on the audit issue, mentioning the Support Operations Manager, with how many findings are addressed."
              : "The audit has no issue, so nothing is posted: tell the Support Operations Manager yourself."}
          </p>
        </div>
      )}
      {(may.signOff || may.sendBack) && (
        <form
          className="flex flex-col gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            if (view.problem) return report(COMMENT_ID, view.problem);
            clear();
            if (decision === "request_changes") {
              sendBack.mutate(view.sent ?? "");
              return;
            }
            signOff.reset();
            setConfirming(true);
          }}
        >
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-xs font-medium text-slate-700">Your decision</legend>
            {DECISIONS.map((choice) => (
              <div key={choice} className="flex items-start gap-2">
                <input
                  type="radio"
                  id={`decision-${choice}`}
                  name="decision"
                  value={choice}
                  checked={decision === choice}
                  disabled={!view.choices[choice]}
                  aria-describedby={`decision-${choice}-hint`}
                  onChange={() => {
                    setDecision(choice);
                    clear();
                  }}
                  className="mt-0.5 h-4 w-4 border-slate-300 text-indigo-600 focus:ring-indigo-600 disabled:opacity-50"
                />
                <div className="text-sm">
                  <label htmlFor={`decision-${choice}`} className="font-medium text-slate-900">
                    {CHOICE_LABELS[choice]}
                  </label>
                  <p id={`decision-${choice}-hint`} className="text-xs text-slate-500">
                    {choiceHint(choice)}
                  </p>
                </div>
              </div>
            ))}
          </fieldset>
          <Field id={COMMENT_ID} label="Comment" hint={view.hint} error={commentError}>
            <Textarea
              id={COMMENT_ID}
              {...describedBy(COMMENT_ID, { error: commentError })}
              aria-required={view.commentNeeded}
              rows={3}
              value={comment}
              disabled={view.commentDisabled}
              onChange={(e) => {
                setComment(e.target.value);
                clear();
              }}
            />
          </Field>
          <div>
            <Button
              type="submit"
              variant={decision === "approve" ? "primary" : "secondary"}
              // Enabled while the comment is missing: pressing it says what is missing, at the comment box.
              aria-disabled={busy}
            >
              {view.submitLabel}
            </Button>
          </div>
          <ConfirmDialog
            open={confirming}
            title="Sign off the audit?"
            confirmLabel={issueIid === null ? "Sign off" : `Sign off and close #${issueIid}`}
            pending={signOff.isPending}
            error={signOff.isError ? errorMessage(signOff.error) : null}
            onConfirm={() => signOff.mutate(view.sent ?? undefined)}
            onCancel={() => setConfirming(false)}
          >
            <ul className="list-disc space-y-1 pl-5">
              <li>
                {issueIid === null
                  ? "The audit has no GitLab issue: nothing is posted or closed."
                  : `A sign-off comment is posted on the audit issue #${issueIid}, and the issue is closed.`}
              </li>
              <li>
                {unaddressed === 0
                  ? "Every finding is addressed."
                  : `${unaddressed} finding(s) are not addressed; your override reason stays in the record: “${view.sent ?? ""}”`}
              </li>
              <li>The audit becomes read-only: no more pings, resolutions or runs.</li>
            </ul>
          </ConfirmDialog>
        </form>
      )}
    </div>
  );
}
