import { pagerDutyScheduleUrl, pagerDutyUserUrl } from "@/lib/pagerduty/web-links";
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { CodeBadge, SeverityBadge } from "@/components/code-badge";
import { EvidenceList, type EvidenceLinks } from "@/components/evidence-list";
import { ActivityTimeline } from "@/components/activity-timeline";
import { FindingOwner } from "@/components/finding-owner";
import { NEXT_ACTION_LABELS } from "@/components/findings-table-rows";
import { PageHeader } from "@/components/page-header";
import { ResolutionBy } from "@/components/resolution-by";
import { StatusBadge } from "@/components/status-badge";
import { DateTime, Day, DueFor } from "@/components/time";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CODE_LABELS } from "@/lib/audit/labels";
import { can, type PermissionTarget, type SessionUser } from "@/lib/auth/roles";
import { getRosterDirectory, getRosterPeople, type RosterDirectory } from "@/lib/auth/session";
import { rosterFileUrl } from "@/lib/gitlab/roster-file-url";
import { personKeyOf } from "@/lib/roster/person-key";
import { normalizeName } from "@/lib/roster/schema";
import type { AppContext } from "@/lib/service/context";
import { getAppContext } from "@/lib/service/app-context";
import { isAutopilotPaused } from "@/lib/service/autopilot/chase";
import { workflowOf } from "@/lib/service/workflow-settings";
import { getPagerDutySite, type PersonItem } from "@/lib/service/findings";
import { permissionTargetFor } from "@/lib/service/targets";
import { CHASE_STEPS, type ChaseAction } from "@/lib/workflow/chase";
import { applyUserAction, lastWaiverDay } from "@/lib/workflow/rules";
import type { WorkflowSettings } from "@/lib/workflow/types";
import { loadPersonDetail, requireAudit, requireSessionUser } from "../../../../_lib/data";
import { findingsPath, personPath } from "../../../../_lib/paths";
import { PersonAutopilot } from "./_components/person-autopilot";
import { PersonActions, type TimedAction } from "./_components/person-actions";
import { ReopenButton } from "./_components/reopen-button";

export const metadata: Metadata = { title: "Person" };

const RESOLVED = new Set(["fixed", "intentional", "waived"]);
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whose items these are, for `can`: a manager may act on their reports' items only. Built as the API builds
 * it, so the page offers what the server will allow.
 */
async function targetOf(user: SessionUser, personKey: string): Promise<PermissionTarget> {
  if (user.role !== "manager") return { personKey };
  return permissionTargetFor(personKey, await getRosterPeople());
}

/** Rotation ids to names, from the audit config; ids alone when the config cannot be read now. */
async function rotationNamesOf(ctx: AppContext): Promise<Map<string, string>> {
  try {
    return new Map((await ctx.loadConfig()).rotations.map((rotation) => [rotation.id, rotation.name]));
  } catch (error) {
    ctx.log("Person page: the audit config could not be read for rotation names", error);
    return new Map();
  }
}

interface RosterIndex {
  /** Person key by normalized name: evidence names people, and each named colleague links to their page. */
  keyByName: Map<string, string>;
  entryByKey: Map<string, RosterDirectory["entries"][number]>;
}

/** Per roster read: indexing 10,000 people took milliseconds on every visit to a person page. */
const ROSTER_INDEXES = new WeakMap<RosterDirectory, RosterIndex>();

function rosterIndexOf(directory: RosterDirectory): RosterIndex {
  let index = ROSTER_INDEXES.get(directory);
  if (!index) {
    index = {
      keyByName: new Map(directory.people.map((p) => [normalizeName(p.name), personKeyOf(p)])),
      entryByKey: new Map(),
    };
    // The first entry of a key, as a search from the top finds it.
    for (const entry of directory.entries) {
      const key = personKeyOf(entry.person);
      if (!index.entryByKey.has(key)) index.entryByKey.set(key, entry);
    }
    ROSTER_INDEXES.set(directory, index);
  }
  return index;
}

function timedAction(
  items: PersonItem[],
  action: ChaseAction,
  now: Date,
  settings: WorkflowSettings,
): TimedAction {
  const upcoming = items
    .filter((item) => item.nextAction === action && !item.overdue && item.dueAt !== null)
    .map((item) => item.dueAt as string)
    .sort();
  // What the rules accept now: a step due, and also a ping again after the person replied.
  const ready = items.filter((item) => applyUserAction(item, { type: action }, now, settings).ok).length;
  return { ready, nextDueAt: upcoming[0] ?? null };
}

function itemLabel(item: PersonItem): string {
  const where = item.scheduleName ?? item.scheduleId ?? item.rotation;
  return where ? `${CODE_LABELS[item.code]} (${where})` : CODE_LABELS[item.code];
}

export default async function PersonPage({
  params,
}: {
  params: Promise<{ auditId: string; personKey: string }>;
}) {
  const raw = await params;
  const auditId = decodeURIComponent(raw.auditId);
  const personKey = decodeURIComponent(raw.personKey);
  const user = await requireSessionUser(personPath(auditId, personKey));
  const audit = await requireAudit(auditId);
  const ctx = await getAppContext();
  const { row, items, activity } = await loadPersonDetail(auditId, personKey);
  const now = ctx.clock.now();
  const workflow = await workflowOf(ctx);
  const target = await targetOf(user, personKey);
  const auditOpen = audit.status !== "signed_off";
  // Findings the schedule's owner fixes are never chased: no chase when they are all the person has.
  const chased = row.owner === null;
  const allowed = {
    ...(Object.fromEntries(
      CHASE_STEPS.map((step) => [step.action, auditOpen && chased && can(user, step.permission, target)]),
    ) as Record<ChaseAction, boolean>),
    resolve: auditOpen && can(user, "item:resolve", target),
    // The Support Operations Manager's own finding: resolved only as a recorded override.
    override: auditOpen && can(user, "item:resolve_own", target),
    reopen: auditOpen && can(user, "item:reopen", target),
  };
  const mayAct = Object.values(allowed).some(Boolean);
  const [site, directory, rotationNames] = await Promise.all([
    getPagerDutySite(ctx, auditId, items),
    getRosterDirectory(),
    rotationNamesOf(ctx),
  ]);
  const { keyByName, entryByKey } = rosterIndexOf(directory);
  const links: EvidenceLinks = {
    pagerDutyUser: (id) => (site ? pagerDutyUserUrl(site, id) : null),
    pagerDutySchedule: (id) => (site ? pagerDutyScheduleUrl(site, id) : null),
    person: (name) => {
      const key = keyByName.get(normalizeName(name));
      return key && key !== personKey ? personPath(auditId, key) : null;
    },
    rotationName: (id) => rotationNames.get(id) ?? id,
  };
  const entry = entryByKey.get(personKey);
  const rosterUrl = entry ? rosterFileUrl(directory.config, entry.location) : null;
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS);

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <ol className="flex flex-wrap items-center gap-1 text-slate-600">
          <li>
            <Link href={findingsPath(auditId)} className="text-indigo-700 hover:underline">
              {audit.name}
            </Link>
          </li>
          <li aria-hidden>›</li>
          <li aria-current="page">{row.name}</li>
        </ol>
      </nav>
      <PageHeader
        title={row.name}
        description={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            {row.gitlab && <span className="font-mono">@{row.gitlab}</span>}
            {row.email && <span>{row.email}</span>}
            {!row.inRoster && <Badge tone="warning">Not in roster (PagerDuty only)</Badge>}
            {rosterUrl && (
              <a
                href={rosterUrl}
                target="_blank"
                rel="noreferrer"
                className="font-medium text-indigo-700 hover:underline"
              >
                Roster entry in GitLab
                <span className="sr-only"> (opens in a new tab)</span>
              </a>
            )}
          </span>
        }
      />
      <dl className="mb-6 grid grid-cols-2 gap-4 rounded-lg bg-white p-4 text-sm shadow-sm ring-1 ring-slate-200 sm:grid-cols-4">
        <div>
          <dt className="text-xs font-medium text-slate-500">Region</dt>
          <dd className="mt-0.5 text-slate-900">{row.region ?? "Unknown"}</dd>
        </div>
        {row.owner !== null ? (
          <div>
            <dt className="text-xs font-medium text-slate-500">Owner</dt>
            <dd className="mt-0.5 text-slate-900">{row.owner}</dd>
          </div>
        ) : (
          <div>
            <dt className="text-xs font-medium text-slate-500">Manager</dt>
            <dd className="mt-0.5 text-slate-900">{row.manager ?? "Unknown"}</dd>
          </div>
        )}
        <div>
          <dt className="text-xs font-medium text-slate-500">Status</dt>
          <dd className="mt-0.5">
            {row.status ? <StatusBadge status={row.status} /> : <Badge tone="success">Addressed</Badge>}
          </dd>
        </div>
        <div>
          <dt className="text-xs font-medium text-slate-500">Next action</dt>
          <dd className="mt-0.5 text-slate-900">
            {row.owner !== null && row.status !== null ? (
              `${row.owner} fixes it in PagerDuty; the next run confirms`
            ) : row.nextAction ? (
              <>
                {NEXT_ACTION_LABELS[row.nextAction]}{" "}
                {row.dueAt ? (
                  <DueFor dueAt={row.dueAt} now={now.toISOString()} zone={items[0]?.personTimezone ?? null} />
                ) : (
                  "now"
                )}
              </>
            ) : (
              "Nothing due"
            )}
          </dd>
        </div>
      </dl>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <section aria-labelledby="findings-heading" className="space-y-4 lg:col-span-2">
          <h2 id="findings-heading" className="text-base font-semibold text-slate-900">
            {items.length} finding{items.length === 1 ? "" : "s"}
          </h2>
          {items.map((item) => (
            <FindingCard
              key={item.id}
              item={item}
              links={links}
              now={now.toISOString()}
              reopen={
                allowed.reopen && RESOLVED.has(item.state) ? (
                  <ReopenButton
                    auditId={auditId}
                    personKey={personKey}
                    itemId={item.id}
                    label={itemLabel(item)}
                  />
                ) : null
              }
            />
          ))}
        </section>

        <div className="space-y-6">
          <Card title="Actions">
            {mayAct ? (
              <PersonActions
                auditId={auditId}
                personKey={personKey}
                personName={row.name}
                now={now.toISOString()}
                hasIssue={audit.issueUrl !== null}
                mayExport={auditOpen && can(user, "audit:export")}
                slack={(ctx.createSlackClient?.() ?? null) !== null}
                allowed={allowed}
                chase={
                  Object.fromEntries(
                    CHASE_STEPS.map((step) => [step.action, timedAction(items, step.action, now, workflow)]),
                  ) as Record<ChaseAction, TimedAction>
                }
                resolvable={items
                  .filter((item) => !RESOLVED.has(item.status))
                  .map((item) => ({ id: item.id, label: itemLabel(item) }))}
                minWaiverDay={tomorrow.toISOString().slice(0, 10)}
                maxWaiverDay={lastWaiverDay(now, workflow.maxWaiverMonths)}
                maxWaiverMonths={workflow.maxWaiverMonths}
              />
            ) : (
              <p className="text-sm text-slate-600">
                {auditOpen
                  ? "Support Operations and this person's managers act on these findings. You can follow them here."
                  : `${audit.name} was signed off; its findings can no longer be changed.`}
              </p>
            )}
            {auditOpen && audit.autopilot && chased && (
              <PersonAutopilot
                auditId={auditId}
                personKey={personKey}
                personName={row.name}
                paused={await isAutopilotPaused(ctx, auditId, personKey)}
                canChange={can(user, "audit:autopilot")}
              />
            )}
          </Card>
          <Card title="Activity">
            <ActivityTimeline
              entries={activity}
              empty="Nothing yet: no pings, replies or resolutions for this person in this audit."
            />
          </Card>
        </div>
      </div>
    </>
  );
}

function FindingCard({
  item,
  links,
  now,
  reopen,
}: {
  item: PersonItem;
  links: EvidenceLinks;
  now: string;
  reopen: ReactNode;
}) {
  const headingId = `item-${item.id}`;
  return (
    <article aria-labelledby={headingId} className="rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 id={headingId} className="text-sm font-semibold text-slate-900">
            {CODE_LABELS[item.code]}
          </h3>
          <div className="mt-1 flex flex-wrap items-center gap-1.5">
            <CodeBadge code={item.code} severity={item.severity} />
            <SeverityBadge severity={item.severity} />
            {item.recurred && <Badge tone="warning">Came back after a fix</Badge>}
          </div>
        </div>
        <div className="flex flex-col items-end gap-1.5">
          <StatusBadge status={item.status} />
          {reopen}
        </div>
      </header>
      <p className="mt-3 text-sm text-slate-700">{item.message}</p>
      {item.owner !== null && !RESOLVED.has(item.status) && (
        <FindingOwner owner={item.owner} task={item.ownerTask} links={item.pagerdutyLinks} />
      )}
      <dl className="mt-3 flex flex-wrap gap-x-6 gap-y-1 text-xs text-slate-600">
        {item.nextAction && (
          <div className="flex gap-1">
            <dt>{NEXT_ACTION_LABELS[item.nextAction]}:</dt>
            <dd>{item.dueAt ? <DueFor dueAt={item.dueAt} now={now} zone={item.personTimezone} /> : "now"}</dd>
          </div>
        )}
        <div className="flex gap-1">
          <dt>Status since</dt>
          <dd>
            <DateTime iso={item.stateChangedAt} />
          </dd>
        </div>
        {item.state === "waived" && item.waivedUntil && (
          <div className="flex gap-1">
            <dt>Waived until</dt>
            <dd>
              <Day day={item.waivedUntil} />
            </dd>
          </div>
        )}
        {item.resolution && (
          <div className="flex gap-1">
            <dt className="sr-only">Decided</dt>
            <dd>
              <ResolutionBy resolution={item.resolution} />
            </dd>
          </div>
        )}
        {item.repliedAt && (
          <div className="flex gap-1">
            <dt>Replied</dt>
            <dd>
              <DateTime iso={item.repliedAt} />
            </dd>
          </div>
        )}
      </dl>
      {item.justification && (item.state === "intentional" || item.state === "waived") && (
        <blockquote className="mt-3 border-l-2 border-emerald-300 pl-3 text-sm text-slate-700">
          <span className="sr-only">Justification: </span>
          {item.justification}
        </blockquote>
      )}
      <div className="mt-4 border-t border-slate-100 pt-4">
        <EvidenceList
          code={item.code}
          links={links}
          evidence={item.evidence}
          schedule={{ id: item.scheduleId, name: item.scheduleName }}
          rotation={item.rotation}
        />
      </div>
    </article>
  );
}
