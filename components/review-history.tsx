import { DateTime } from "./time";

/** One hand-over of the review as the pages get it (the service's `ReviewStep`). */
export interface ReviewStepView {
  kind: "submitted" | "sent_back" | "withdrawn" | "signed_off";
  actor: string;
  at: string;
  comment: string | null;
  commentUrl: string | null;
}

const STEP_LABELS: Record<ReviewStepView["kind"], string> = {
  submitted: "Submitted for review",
  sent_back: "Sent back for more work",
  withdrawn: "Submission withdrawn: the audit issue could not be told",
  signed_off: "Signed off",
};

function IssueLink({ url }: { url: string | null }) {
  if (!url) return null;
  return (
    <>
      {" · "}
      <a href={url} className="text-indigo-700 underline" rel="noreferrer" target="_blank">
        comment on the issue
      </a>
    </>
  );
}

/**
 * The reviewer's send-back while it is the last word on the audit: what needs doing, who said it and
 * when, for Support Operations (who otherwise would read it only on GitLab).
 */
export function SentBackNotice({ step }: { step: ReviewStepView }) {
  return (
    <section
      aria-labelledby="sent-back-heading"
      className="rounded-lg bg-amber-50 p-4 text-sm text-amber-950 ring-1 ring-amber-200"
    >
      <h2 id="sent-back-heading" className="font-semibold">
        Sent back for more work
      </h2>
      {step.comment && <blockquote className="mt-2 whitespace-pre-wrap">{step.comment}</blockquote>}
      <p className="mt-2 text-xs text-amber-900">
        by {step.actor} · <DateTime iso={step.at} />
        <IssueLink url={step.commentUrl} />
      </p>
    </section>
  );
}

/** Every submission, send-back and the sign-off of an audit, oldest first. */
export function ReviewHistoryList({ steps }: { steps: readonly ReviewStepView[] }) {
  if (steps.length === 0) {
    return <p className="text-sm text-slate-600">Not submitted for review yet.</p>;
  }
  return (
    <ol aria-label="Review history" className="space-y-3 text-sm">
      {steps.map((step, index) => (
        <li key={`${step.at}-${index}`}>
          <p className="font-medium text-slate-900">{STEP_LABELS[step.kind]}</p>
          <p className="text-xs text-slate-600">
            by {step.actor} · <DateTime iso={step.at} />
            <IssueLink url={step.commentUrl} />
          </p>
          {step.comment && <p className="mt-0.5 whitespace-pre-wrap text-slate-700">“{step.comment}”</p>}
        </li>
      ))}
    </ol>
  );
}
