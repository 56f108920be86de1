"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { formatDateTime, formatDueIn } from "@/components/time";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Input, Textarea } from "@/components/ui/field";
import { useFieldProblem } from "@/components/ui/use-field-problem";
import { errorMessage } from "@/lib/client/api";
import {
  CHASE_STEPS,
  isPostedChaseAction,
  type ChaseAction,
  type PostedChaseAction,
} from "@/lib/workflow/chase";
import {
  JUSTIFICATION_BOUNDS,
  JUSTIFICATION_MAX_LENGTH,
  JUSTIFICATION_MIN_LENGTH,
} from "@/lib/workflow/types";
import { visibleLength, writtenTextProblem } from "@/lib/workflow/visible-text";
import { ChaseRefusal } from "../../../../../_components/chase-refusal";
import { ExportIssueButton } from "../../../../../_components/export-issue-button";
import { ChaseDialog } from "./chase-dialog";
import { describeOutcome, usePersonAction } from "./use-person-action";

/** A chase step: how many items it is due for now, and when it is next due for the others. */
export interface TimedAction {
  ready: number;
  /** The earliest time it becomes due, for items not due yet; null when there are none. */
  nextDueAt: string | null;
}

export interface PersonActionsProps {
  auditId: string;
  personKey: string;
  personName: string;
  /** The app's clock (the demo can move it). */
  now: string;
  /** The audit has its GitLab issue, where pings and escalations are posted. */
  hasIssue: boolean;
  /** The signed-in user may export the audit to its issue (offered while it has none). */
  mayExport: boolean;
  /** The server sends the Slack DM itself (SLACK_BOT_TOKEN); else the DM is sent by hand and recorded. */
  slack?: boolean;
  /**
   * What the signed-in user may do for this person (the server checks again). `override`: these are the
   * Support Operations Manager's own findings, which they resolve only as a recorded override.
   */
  allowed: Record<ChaseAction, boolean> & {
    resolve: boolean;
    override: boolean;
    reopen: boolean;
  };
  /** Each chase step: the items it is due for now, and when it is next due (the first step is due at once). */
  chase: Record<ChaseAction, TimedAction>;
  /** Unresolved items, which can be marked intentional or waived. */
  resolvable: { id: string; label: string }[];
  /** First day a waiver may end on (`YYYY-MM-DD`, tomorrow UTC). */
  minWaiverDay: string;
  /** Last day a waiver may end on (`YYYY-MM-DD`), `maxWaiverMonths` ahead. */
  maxWaiverDay: string;
  maxWaiverMonths: number;
}

/**
 * The actions the signed-in user may take for this person: the process (ping, escalate, record the Slack
 * DM, each when due) and resolutions without a fix (intentional, waived until a day).
 */
export function PersonActions(props: PersonActionsProps) {
  const { allowed } = props;
  const processAllowed = CHASE_STEPS.some((step) => allowed[step.action]);
  // What the last action did; kept here because the control that did it may be gone after the refresh.
  const [done, setDone] = useState<string | null>(null);
  // The focus goes to what was done: the button that did it is often disabled now (nothing left to ping),
  // and a disabled button drops the focus to the top of the page.
  const doneRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);
  return (
    <div className="space-y-6">
      <p
        ref={doneRef}
        role="status"
        tabIndex={-1}
        className="rounded-sm text-sm font-medium text-emerald-800 empty:hidden focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        {done}
      </p>
      {processAllowed && <ProcessActions {...props} onDone={setDone} />}
      {(allowed.resolve || allowed.override) && <ResolveForms {...props} onDone={setDone} />}
    </div>
  );
}

type OnDone = (message: string | null) => void;

function timedHint(action: TimedAction, what: string, nothing: string, now: string): string {
  if (action.ready > 0)
    return `${what} is due now for ${action.ready} finding${action.ready === 1 ? "" : "s"}.`;
  if (action.nextDueAt)
    return `${what} is due at ${formatDateTime(action.nextDueAt)} (${formatDueIn(action.nextDueAt, now)}).`;
  return nothing;
}

interface ChaseCopy {
  button: (personName: string) => string;
  done: string;
  hint: (action: TimedAction, now: string) => string;
}

/** A step's wording from chase.ts alone, for a step with no wording of its own below. */
function defaultChaseCopy(step: (typeof CHASE_STEPS)[number]): ChaseCopy {
  return {
    button: () => step.label,
    done: step.historyLabel,
    hint: (action, now) =>
      timedHint(action, step.dueName ?? step.label, `Nothing to ${step.label.toLowerCase()} now.`, now),
  };
}

/** How the chase steps read on this page: the button, what it says when done, and the hint below it. */
const CHASE_COPY: Partial<Record<ChaseAction, ChaseCopy>> = {
  ping: {
    button: (personName) => `Ping ${personName}`,
    done: "Pinged",
    hint: ({ ready }) =>
      ready > 0
        ? `Asks them to fix ${ready} finding${ready === 1 ? "" : "s"}, with a comment you see first; the follow-up is due 72 h later.`
        : "Nothing to ping: every finding has been pinged (and not answered since) or resolved.",
  },
  escalate: {
    button: () => "Escalate",
    done: "Escalated",
    hint: (action, now) =>
      timedHint(
        action,
        "Follow-up",
        "Nothing to escalate: escalation follows a ping left unanswered for 72 h.",
        now,
      ),
  },
  record_dm: {
    button: () => "Record Slack DM",
    done: "Slack DM recorded",
    hint: (action, now) =>
      timedHint(
        action,
        "The Slack DM to the Support Ops Manager",
        "Nothing to record: a DM follows an escalation left unanswered for 72 h.",
        now,
      ),
  },
};

/** The DM step when the server sends it on Slack itself. */
const SLACK_DM_COPY: ChaseCopy = {
  button: () => "Send Slack DM",
  done: "Slack DM sent",
  hint: (action, now) =>
    timedHint(
      action,
      "The Slack DM to the Support Ops Manager",
      "Nothing to send: a DM follows an escalation left unanswered for 72 h.",
      now,
    ),
};

function ProcessActions({
  auditId,
  personKey,
  personName,
  now,
  hasIssue,
  mayExport,
  slack = false,
  allowed,
  chase,
  onDone,
}: PersonActionsProps & { onDone: OnDone }) {
  const { mutation, busy } = usePersonAction(auditId, personKey);
  const id = useId();
  // A step posted on the audit issue is shown first, with a note, in the dialog; a step done by hand is recorded.
  const [composing, setComposing] = useState<{ type: PostedChaseAction; done: string } | null>(null);
  const run = (type: ChaseAction, verb: string) => {
    onDone(null);
    mutation.reset();
    if (isPostedChaseAction(type)) {
      setComposing({ type, done: verb });
      return;
    }
    mutation.mutate({ action: { type } }, { onSuccess: (outcome) => onDone(describeOutcome(verb, outcome)) });
  };

  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-3">
      <h3 id={`${id}-heading`} className="text-sm font-semibold text-slate-900">
        Chase
      </h3>
      {!hasIssue && (
        <div className="space-y-2 rounded-md bg-amber-50 p-2 text-xs text-amber-900 ring-1 ring-inset ring-amber-200">
          <p>
            Pings and escalations are comments on the audit&apos;s GitLab issue, which does not exist yet:
            {mayExport
              ? " export the audit to it first."
              : " Support Operations export it from the overview."}
          </p>
          {mayExport && <ExportIssueButton auditId={auditId} hasIssue={false} />}
        </div>
      )}
      <ChaseDialog
        auditId={auditId}
        personKey={personKey}
        personName={personName}
        action={composing?.type ?? null}
        done={composing?.done ?? ""}
        mayExport={mayExport}
        onClose={() => setComposing(null)}
        onDone={onDone}
      />
      <ul className="space-y-3">
        {CHASE_STEPS.map((step, i) => {
          if (!allowed[step.action]) return null;
          const copy =
            step.action === "record_dm" && slack
              ? SLACK_DM_COPY
              : (CHASE_COPY[step.action] ?? defaultChaseCopy(step));
          return (
            <ChaseStep
              key={step.action}
              hintId={`${id}-${step.action}`}
              variant={i === 0 ? "primary" : "secondary"}
              onClick={() => run(step.action, copy.done)}
              disabled={busy || chase[step.action].ready === 0}
              label={copy.button(personName)}
              hint={copy.hint(chase[step.action], now)}
            />
          );
        })}
      </ul>
      {mutation.isError && <ChaseRefusal error={mutation.error} auditId={auditId} mayExport={mayExport} />}
    </section>
  );
}

function ResolveForms({
  auditId,
  personKey,
  allowed,
  resolvable,
  minWaiverDay,
  maxWaiverDay,
  maxWaiverMonths,
  onDone,
}: PersonActionsProps & { onDone: OnDone }) {
  // Nobody resolves their own finding; the Support Operations Manager may, as an override kept on record.
  const override = !allowed.resolve && allowed.override;
  // Remember what was unticked, so findings that appear after a refresh start ticked.
  const [unticked, setUnticked] = useState<ReadonlySet<string>>(new Set());
  const chosen = resolvable.filter((item) => !unticked.has(item.id));
  const headingId = useId();
  // Where the focus goes when nothing is ticked.
  const firstItemId = useId();

  if (resolvable.length === 0) {
    return (
      <section aria-labelledby={headingId}>
        <h3 id={headingId} className="text-sm font-semibold text-slate-900">
          Resolve without a fix
        </h3>
        <p className="mt-1 text-sm text-slate-600">Nothing left to resolve: every finding is addressed.</p>
      </section>
    );
  }

  return (
    <section aria-labelledby={headingId} className="space-y-4">
      <div>
        <h3 id={headingId} className="text-sm font-semibold text-slate-900">
          Resolve without a fix
        </h3>
        <p className="mt-0.5 text-xs text-slate-600">
          When PagerDuty is right as it is, or the fix has to wait. The justification is kept in the audit
          record.
        </p>
        {override && (
          <p className="mt-2 rounded-md bg-amber-50 p-2 text-xs text-amber-900 ring-1 ring-inset ring-amber-200">
            These are your own findings. Nobody resolves their own finding; as Support Operations Manager you
            may, as an override that is recorded in the history.
          </p>
        )}
      </div>
      {resolvable.length > 1 ? (
        <fieldset>
          <legend className="text-xs font-medium text-slate-700">Applies to</legend>
          <ul className="mt-1 space-y-1">
            {resolvable.map((item, i) => (
              <li key={item.id}>
                <label className="flex items-start gap-2 text-sm text-slate-700">
                  <input
                    id={i === 0 ? firstItemId : undefined}
                    type="checkbox"
                    className="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600"
                    checked={!unticked.has(item.id)}
                    onChange={(event) => {
                      const next = new Set(unticked);
                      if (event.target.checked) next.delete(item.id);
                      else next.add(item.id);
                      setUnticked(next);
                    }}
                  />
                  {item.label}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      ) : (
        <p className="text-xs text-slate-600">Applies to: {resolvable[0]?.label}</p>
      )}
      <MarkIntentionalForm
        auditId={auditId}
        personKey={personKey}
        itemIds={chosen.map((i) => i.id)}
        firstItemId={firstItemId}
        override={override}
        onDone={onDone}
      />
      <WaiveForm
        auditId={auditId}
        personKey={personKey}
        itemIds={chosen.map((i) => i.id)}
        minDay={minWaiverDay}
        maxDay={maxWaiverDay}
        maxMonths={maxWaiverMonths}
        firstItemId={firstItemId}
        override={override}
        onDone={onDone}
      />
    </section>
  );
}

/** Client-side check of a justification, with the server's helper (the server has the last word). */
function justificationProblem(text: string): string | null {
  const problem = writtenTextProblem(text, JUSTIFICATION_BOUNDS);
  if (problem === null) return null;
  if (problem.problem === "too_long") return `Keep it to ${JUSTIFICATION_MAX_LENGTH} characters.`;
  return `Write at least ${JUSTIFICATION_MIN_LENGTH} characters (${problem.length} so far; invisible characters and repeated spaces do not count).`;
}

/** The form-level refusal when no finding is ticked (the focus goes to the first checkbox). */
const NOTHING_TICKED = "Tick at least one finding.";

function MarkIntentionalForm({
  auditId,
  personKey,
  itemIds,
  firstItemId,
  override,
  onDone,
}: {
  auditId: string;
  personKey: string;
  itemIds: string[];
  /** The first finding's checkbox, when there are several to choose from. */
  firstItemId: string;
  override: boolean;
  onDone: OnDone;
}) {
  const { mutation, busy } = usePersonAction(auditId, personKey);
  const [text, setText] = useState("");
  const { errorFor, report, clear } = useFieldProblem();
  const id = useId();
  const justificationId = `${id}-justification`;
  const length = visibleLength(text);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onDone(null);
    if (itemIds.length === 0) return report(firstItemId, NOTHING_TICKED);
    const issue = justificationProblem(text);
    if (issue) return report(justificationId, issue);
    clear();
    mutation.mutate(
      {
        action: { type: "mark_intentional", justification: text.trim(), ...(override ? { override } : {}) },
        itemIds,
      },
      {
        onSuccess: (outcome) => {
          setText("");
          onDone(describeOutcome(override ? "Marked intentional (override)" : "Marked intentional", outcome));
        },
      },
    );
  };

  return (
    <form
      noValidate
      onSubmit={submit}
      className="space-y-2 rounded-md bg-slate-50 p-3 ring-1 ring-inset ring-slate-200"
    >
      <Field
        id={justificationId}
        label="Justification"
        hint={`Why PagerDuty is right as it is. At least ${JUSTIFICATION_MIN_LENGTH} characters (${length} so far).`}
        error={errorFor(justificationId)}
      >
        <Textarea
          id={justificationId}
          rows={3}
          value={text}
          required
          minLength={JUSTIFICATION_MIN_LENGTH}
          maxLength={JUSTIFICATION_MAX_LENGTH}
          {...describedBy(justificationId, { error: errorFor(justificationId) })}
          onChange={(event) => {
            setText(event.target.value);
            clear();
          }}
        />
      </Field>
      <Button type="submit" aria-disabled={busy}>
        {override ? "Mark intentional (override)" : "Mark intentional"}
      </Button>
      <ErrorMessage
        error={errorFor(firstItemId) ?? (mutation.isError ? errorMessage(mutation.error) : null)}
      />
    </form>
  );
}

function WaiveForm({
  auditId,
  personKey,
  itemIds,
  minDay,
  maxDay,
  maxMonths,
  firstItemId,
  override,
  onDone,
}: {
  auditId: string;
  personKey: string;
  itemIds: string[];
  minDay: string;
  maxDay: string;
  maxMonths: number;
  /** The first finding's checkbox, when there are several to choose from. */
  firstItemId: string;
  override: boolean;
  onDone: OnDone;
}) {
  const { mutation, busy } = usePersonAction(auditId, personKey);
  const [until, setUntil] = useState("");
  const [text, setText] = useState("");
  const { errorFor, report, clear } = useFieldProblem();
  const id = useId();
  const untilId = `${id}-until`;
  const reasonId = `${id}-reason`;
  const length = visibleLength(text);
  const limit = `at most ${maxMonths} month${maxMonths === 1 ? "" : "s"} ahead (${maxDay} at the latest)`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onDone(null);
    if (itemIds.length === 0) return report(firstItemId, NOTHING_TICKED);
    const untilProblem = !/^\d{4}-\d{2}-\d{2}$/.test(until)
      ? "Choose the day the waiver ends."
      : until < minDay
        ? "A waiver ends on a day after today."
        : until > maxDay
          ? `A waiver ends ${limit}.`
          : null;
    if (untilProblem) return report(untilId, untilProblem);
    const reasonProblem = justificationProblem(text);
    if (reasonProblem) return report(reasonId, reasonProblem);
    clear();
    mutation.mutate(
      {
        action: { type: "waive", until, justification: text.trim(), ...(override ? { override } : {}) },
        itemIds,
      },
      {
        onSuccess: (outcome) => {
          setText("");
          setUntil("");
          onDone(describeOutcome(`Waived until ${until}${override ? " (override)" : ""}`, outcome));
        },
      },
    );
  };

  return (
    <form
      noValidate
      onSubmit={submit}
      className="space-y-2 rounded-md bg-slate-50 p-3 ring-1 ring-inset ring-slate-200"
    >
      <Field
        id={untilId}
        label="Waive until"
        hint={`The finding counts as open again from this day (UTC), ${limit}.`}
        error={errorFor(untilId)}
      >
        <Input
          id={untilId}
          type="date"
          min={minDay}
          max={maxDay}
          value={until}
          required
          {...describedBy(untilId, { error: errorFor(untilId) })}
          onChange={(event) => {
            setUntil(event.target.value);
            clear();
          }}
        />
      </Field>
      <Field
        id={reasonId}
        label="Reason for the waiver"
        hint={`Why the fix can wait. At least ${JUSTIFICATION_MIN_LENGTH} characters (${length} so far).`}
        error={errorFor(reasonId)}
      >
        <Textarea
          id={reasonId}
          rows={2}
          value={text}
          required
          minLength={JUSTIFICATION_MIN_LENGTH}
          maxLength={JUSTIFICATION_MAX_LENGTH}
          {...describedBy(reasonId, { error: errorFor(reasonId) })}
          onChange={(event) => {
            setText(event.target.value);
            clear();
          }}
        />
      </Field>
      <Button type="submit" variant="secondary" aria-disabled={busy}>
        {override ? "Waive (override)" : "Waive"}
      </Button>
      <ErrorMessage
        error={errorFor(firstItemId) ?? (mutation.isError ? errorMessage(mutation.error) : null)}
      />
    </form>
  );
}

/** Why the last attempt was refused: the form's own check, or the server's message. */
export function ErrorMessage({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md bg-rose-50 p-2 text-sm text-rose-800">
      {error}
    </p>
  );
}

/** One step of the chase: its button, and below it what it does or when it becomes due. */
function ChaseStep({
  label,
  hint,
  hintId,
  onClick,
  disabled,
  variant = "primary",
}: {
  label: string;
  hint: string;
  hintId: string;
  onClick: () => void;
  disabled: boolean;
  variant?: "primary" | "secondary";
}) {
  return (
    <li>
      <Button variant={variant} onClick={onClick} disabled={disabled} aria-describedby={hintId}>
        {label}
      </Button>
      <p id={hintId} className="mt-1 text-xs text-slate-600">
        {hint}
      </p>
    </li>
  );
}
