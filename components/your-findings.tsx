import { ExternalLink } from "@/components/ui/external-link";
import type { YourFinding } from "@/lib/service/your-work";
import { CodeBadge } from "./code-badge";
import { CopyButton } from "./copy-button";
import { NEXT_ACTION_LABELS } from "./findings-table-rows";
import { StatusBadge } from "./status-badge";
import { TaskText } from "./task-text";
import { DueFor } from "./time";

/**
 * The signed-in person's findings, said to them: for each, what to do in plain words and a line to copy,
 * then where to do it (their roster entry in GitLab) and where to say it is done (the audit issue).
 */
export function YourFindings({
  findings,
  addressed,
  now,
  rosterUrl,
  issueUrl,
  detailsHref,
}: {
  findings: YourFinding[];
  /** How many of their findings are already fixed, intentional or waived. */
  addressed: number;
  now: string;
  /** Their roster entry's file (and line) in GitLab; null when the roster is not kept there. */
  rosterUrl: string | null;
  /** The audit issue, where they reply once done; null before the audit is exported. */
  issueUrl: string | null;
  /** The page with every detail and the evidence of their findings. */
  detailsHref: string;
}) {
  return (
    <div className="space-y-6">
      <section
        aria-labelledby="where-heading"
        className="rounded-lg bg-indigo-50 p-4 text-sm text-indigo-950 ring-1 ring-inset ring-indigo-200"
      >
        <h2 id="where-heading" className="font-semibold">
          {findings.length === 1 ? "One thing to fix" : `${findings.length} things to fix`}
          {addressed > 0 && <span className="font-normal"> ({addressed} already addressed)</span>}
        </h2>
        <ul className="mt-2 flex flex-wrap gap-x-5 gap-y-1">
          {rosterUrl && (
            <li>
              <ExternalLink href={rosterUrl}>Edit your roster entry in GitLab</ExternalLink>
            </li>
          )}
          {issueUrl && (
            <li>
              <ExternalLink href={issueUrl}>Reply on the audit issue</ExternalLink>
            </li>
          )}
          <li>
            <a href={detailsHref} className="font-medium text-indigo-700 hover:underline">
              See the evidence
            </a>
          </li>
        </ul>
      </section>
      <ol className="space-y-4">
        {findings.map((finding) => (
          <li key={finding.id}>
            <YourFindingCard finding={finding} now={now} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function YourFindingCard({ finding, now }: { finding: YourFinding; now: string }) {
  const headingId = `finding-${finding.id}`;
  return (
    <article aria-labelledby={headingId} className="rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <header className="flex flex-wrap items-start justify-between gap-3">
        <h3 id={headingId} className="min-w-0 text-sm font-semibold text-slate-900">
          {finding.title}
        </h3>
        <span className="flex items-center gap-1.5">
          <CodeBadge code={finding.code} severity={finding.severity} />
          <StatusBadge status={finding.status} />
        </span>
      </header>
      <p className="mt-3 text-sm text-slate-800">
        <span className="font-medium">What to do: </span>
        <TaskText text={finding.task} />
      </p>
      {finding.copy && (
        <div className="mt-3 flex flex-wrap items-center gap-2">
          <code className="rounded bg-slate-100 px-2 py-1 font-mono text-[13px] text-slate-900">
            {finding.copy}
          </code>
          <CopyButton value={finding.copy} label={finding.copy} />
        </div>
      )}
      {finding.nextAction && finding.dueAt && (
        <p className="mt-3 text-xs text-slate-600">
          Support Operations&apos; next step ({NEXT_ACTION_LABELS[finding.nextAction].toLowerCase()}) is due{" "}
          <DueFor dueAt={finding.dueAt} now={now} zone={finding.zone} whose="your" />.
        </p>
      )}
    </article>
  );
}

/** Nothing of the audit is the signed-in person's to fix: said plainly, with what happens next. */
export function NothingToFix({ auditName, addressed }: { auditName: string | null; addressed: number }) {
  return (
    <section
      aria-labelledby="nothing-heading"
      className="rounded-lg bg-emerald-50 p-8 text-center ring-1 ring-inset ring-emerald-200"
    >
      <p aria-hidden className="text-3xl">
        ✓
      </p>
      <h2 id="nothing-heading" className="mt-2 text-base font-semibold text-emerald-950">
        Nothing for you to fix
      </h2>
      <p className="mx-auto mt-1 max-w-prose text-sm text-emerald-900">
        {auditName === null
          ? "No audit is open. When Support Operations open one, anything it finds about your roster entry or your PagerDuty account shows here."
          : addressed > 0
            ? `Everything ${auditName} found about you is addressed (${addressed}). Thank you.`
            : `${auditName} found nothing about your roster entry or your PagerDuty account. If that changes on a later run, it shows here.`}
      </p>
    </section>
  );
}
