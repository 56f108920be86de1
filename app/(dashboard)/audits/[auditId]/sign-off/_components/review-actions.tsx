"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { Field, Textarea } from "@/components/ui/field";
import { errorMessage } from "@/lib/client/api";
import { sendBackAudit, signOffAudit, submitForReview } from "@/lib/client/mutations";
import { JUSTIFICATION_MIN_LENGTH } from "@/lib/workflow/types";
import { visibleLength } from "@/lib/workflow/visible-text";

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
  const [override, setOverride] = useState("");
  const [comment, setComment] = useState("");
  const [confirming, setConfirming] = useState(false);
  const done = () => startRefresh(() => router.refresh());
  const submit = useMutation({ mutationFn: () => submitForReview(auditId), onSuccess: done });
  const signOff = useMutation({
    mutationFn: () => signOffAudit({ auditId, overrideReason: override.trim() || undefined }),
    onSuccess: () => {
      setConfirming(false);
      done();
    },
  });
  const sendBack = useMutation({ mutationFn: () => sendBackAudit({ auditId, comment }), onSuccess: done });
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
      {may.signOff && (
        <form
          className="flex flex-col gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            signOff.reset();
            setConfirming(true);
          }}
        >
          {unaddressed > 0 && (
            <Field
              id="override-reason"
              label="Override reason"
              hint={`${unaddressed} item(s) are not addressed. Signing off anyway needs a reason of at least ${JUSTIFICATION_MIN_LENGTH} characters (${visibleLength(override)} so far); it stays in the record.`}
            >
              <Textarea
                id="override-reason"
                aria-describedby="override-reason-hint"
                rows={3}
                value={override}
                onChange={(e) => setOverride(e.target.value)}
              />
            </Field>
          )}
          <div>
            <Button
              type="submit"
              disabled={busy || (unaddressed > 0 && visibleLength(override) < JUSTIFICATION_MIN_LENGTH)}
            >
              Sign off
            </Button>
          </div>
          <ConfirmDialog
            open={confirming}
            title="Sign off the audit?"
            confirmLabel={issueIid === null ? "Sign off" : `Sign off and close #${issueIid}`}
            pending={signOff.isPending}
            error={signOff.isError ? errorMessage(signOff.error) : null}
            onConfirm={() => signOff.mutate()}
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
                  : `${unaddressed} finding(s) are not addressed; your override reason stays in the record: “${override.trim()}”`}
              </li>
              <li>The audit becomes read-only: no more pings, resolutions or runs.</li>
            </ul>
          </ConfirmDialog>
        </form>
      )}
      {may.sendBack && status === "in_review" && (
        <form
          className="flex flex-col gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            sendBack.mutate();
          }}
        >
          <Field
            id="send-back-comment"
            label="What needs doing"
            hint={`At least ${JUSTIFICATION_MIN_LENGTH} characters (${visibleLength(comment)} so far). Posted on the audit issue when there is one.`}
          >
            <Textarea
              id="send-back-comment"
              aria-describedby="send-back-comment-hint"
              rows={3}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
          </Field>
          <div>
            <Button
              type="submit"
              variant="secondary"
              disabled={busy || visibleLength(comment) < JUSTIFICATION_MIN_LENGTH}
            >
              Send back
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
