import type { Metadata } from "next";
import { CodeBadge } from "@/components/code-badge";
import { PageHeader } from "@/components/page-header";
import { ResolutionBy } from "@/components/resolution-by";
import { ReviewHistoryList, SentBackNotice } from "@/components/review-history";
import { AuditEyebrow, StatusBadge } from "@/components/status-badge";
import { DateTime } from "@/components/time";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";
import { can } from "@/lib/auth/roles";
import { getAppContext } from "@/lib/service/app-context";
import { getSignOffReview } from "@/lib/service/sign-off";
import { CHASE_STEPS } from "@/lib/workflow/chase";
import { orNotFound, requireAudit, requireSessionUser } from "../../../_lib/data";
import { signOffPath } from "../../../_lib/paths";
import { ReviewActions } from "./_components/review-actions";

export const metadata: Metadata = { title: "Sign-off" };

/** The manager review: every item with its resolution, the chase history, and the sign-off itself. */
export default async function SignOffPage({ params }: { params: Promise<{ auditId: string }> }) {
  const auditId = decodeURIComponent((await params).auditId);
  const user = await requireSessionUser(signOffPath(auditId));
  const audit = await requireAudit(auditId);
  const review = await orNotFound(getSignOffReview(await getAppContext(), auditId));
  const signedOff = audit.status === "signed_off";

  return (
    <>
      <PageHeader
        eyebrow={<AuditEyebrow audit={audit} />}
        title="Sign-off"
        description="The Support Operations Manager reviews every finding's resolution and signs the audit off."
      />
      {review.history.sentBack && (
        <div className="mb-6">
          <SentBackNotice step={review.history.sentBack} />
        </div>
      )}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <Card title="Review" className="lg:col-span-1">
          {signedOff ? (
            <dl className="grid gap-2 text-sm">
              <dt className="text-slate-500">Signed off by</dt>
              <dd>
                {audit.signedOffBy}
                {audit.signedOffByKey && <span className="text-slate-500"> ({audit.signedOffByKey})</span>}
              </dd>
              <dt className="text-slate-500">On</dt>
              <dd>{audit.signedOffAt && <DateTime iso={audit.signedOffAt} />}</dd>
              {audit.signOffOverrideReason && (
                <>
                  <dt className="text-slate-500">Override reason</dt>
                  <dd>{audit.signOffOverrideReason}</dd>
                </>
              )}
              <dt className="text-slate-500">Report fingerprint (sha256)</dt>
              <dd className="break-all font-mono text-xs">{audit.signOffReportSha256}</dd>
              <dd className="mt-2 text-slate-600">The audit is read-only.</dd>
            </dl>
          ) : (
            <div className="flex flex-col gap-4 text-sm">
              <p>
                <strong>{review.items.length - review.unaddressed}</strong> of {review.items.length}{" "}
                finding(s) addressed
                {review.unaddressed > 0 && (
                  <>
                    ; <strong className="text-rose-700">{review.unaddressed} not yet</strong>
                  </>
                )}
                .
              </p>
              {!review.run && (
                <p className="text-slate-600">Run the audit first: there is nothing to sign off.</p>
              )}
              {review.run && (
                <ReviewActions
                  auditId={audit.id}
                  status={audit.status === "in_review" ? "in_review" : "open"}
                  unaddressed={review.unaddressed}
                  hasIssue={audit.issueUrl !== null}
                  issueIid={audit.issueIid}
                  may={{
                    submit: can(user, "audit:run"),
                    signOff: can(user, "audit:sign_off"),
                    sendBack: can(user, "audit:send_back"),
                  }}
                />
              )}
            </div>
          )}
        </Card>
        <Card title="Review history" className="lg:col-span-1">
          <ReviewHistoryList steps={review.history.steps} />
        </Card>
        <Card title="Who was chased" className="lg:col-span-2">
          {review.chase.length === 0 ? (
            <p className="text-sm text-slate-600">Nobody has been pinged yet.</p>
          ) : (
            <>
              <p className="mb-3 text-sm text-slate-600">
                {review.chase.length} {review.chase.length === 1 ? "person" : "people"}; a step that covered
                several of a person&apos;s findings counts once.
              </p>
              <Table caption="Pings, escalations, Slack DMs and replies per person" captionHidden>
                <thead>
                  <tr>
                    <Th>Person</Th>
                    {CHASE_STEPS.map((step) => (
                      <Th key={step.action}>{step.countLabel}</Th>
                    ))}
                    <Th>Replies</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {review.chase.map((row) => (
                    <tr key={row.personKey}>
                      <Td>{row.personName}</Td>
                      {CHASE_STEPS.map((step) => (
                        <Td key={step.action}>{row[step.countKey]}</Td>
                      ))}
                      <Td>{row.replies}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </>
          )}
        </Card>
      </div>
      <div className="mt-6">
        {review.items.length === 0 ? (
          <EmptyState title="No findings to review">
            {review.run
              ? "The last run found nothing: roster and PagerDuty agree."
              : "The audit has not been run yet."}
          </EmptyState>
        ) : (
          <Table caption={`Every finding of ${audit.name} with its resolution`}>
            <thead>
              <tr>
                <Th>Person</Th>
                <Th>Finding</Th>
                <Th>Status</Th>
                <Th>Resolution</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {review.items.map((item) => (
                <tr key={item.id} className={item.addressed ? undefined : "bg-rose-50/40"}>
                  <Td>{item.personName ?? item.scheduleName ?? item.scheduleId ?? "—"}</Td>
                  <Td>
                    <div className="flex flex-col gap-1">
                      <CodeBadge code={item.code} />
                      <span className="text-slate-700">{item.message}</span>
                    </div>
                  </Td>
                  <Td>
                    <StatusBadge status={item.status} />
                  </Td>
                  <Td className="text-slate-700">
                    {item.justification ?? (item.waivedUntil ? `Waived until ${item.waivedUntil}` : "—")}
                    {item.resolution && (
                      <ResolutionBy
                        resolution={item.resolution}
                        className="mt-1 block text-xs text-slate-500"
                      />
                    )}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>
    </>
  );
}
