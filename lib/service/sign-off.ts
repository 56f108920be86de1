import { createHash } from "node:crypto";
import type { Audit, AuditEvent, Item, Run } from "@/lib/db/queries";
import {
  getAuditById,
  getLatestReviewEvent,
  getRunReport,
  listEvents,
  listItems,
  listRuns,
  setAuditStatus,
  signOffAudit,
} from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import { roleOf } from "@/lib/auth/roles";
import { escapeMarkdown, mention } from "@/lib/report/format-markdown";
import { CHASE_STEPS, chaseStepOf, isChaseAction, type ChaseCountKey } from "@/lib/workflow/chase";
import { canSignOff, deriveStatus, isAddressed } from "@/lib/workflow/rules";
import type { ItemStatus } from "@/lib/workflow/types";
import {
  JUSTIFICATION_BOUNDS,
  JUSTIFICATION_MAX_LENGTH,
  JUSTIFICATION_MIN_LENGTH,
} from "@/lib/workflow/types";
import { visibleLength, writtenTextProblem } from "@/lib/workflow/visible-text";
import { auditIssueChannelOf, type ChaseChannel } from "./chase/channel";
import { resolutionsOf, type Resolution } from "./findings";
import type { AppContext } from "./context";

/** The audit issue in GitLab, as sign-off needs it; null when the audit has no issue (or no GitLab). */
export interface AuditIssue {
  /** Posts a comment; returns its URL. */
  comment(body: string): Promise<string>;
  close(): Promise<void>;
}

export interface ReviewItem extends Item {
  status: ItemStatus;
  addressed: boolean;
  /** Who resolved it and when; null while it is unresolved. */
  resolution: Resolution | null;
}

export interface SignOffReview {
  audit: Audit;
  /** The run whose report is being signed off: the newest complete or incomplete one. */
  run: Run | null;
  items: ReviewItem[];
  /**
   * Who was chased: one row per person, with how often each chase step was taken for them (`pings`,
   * `escalations`, `dms`) and how often they replied; a step that covered several findings counts once.
   */
  chase: ({
    personKey: string;
    personName: string;
    replies: number;
  } & Record<ChaseCountKey, number>)[];
  unaddressed: number;
  reportSha256: string | null;
  /** The hand-overs between Support Operations and the reviewer, and the send-back still standing. */
  history: ReviewHistory;
}

/** One hand-over of the review, from the audit's event log. */
export interface ReviewStep {
  /**
   * `submitted` for review; `sent_back` by the reviewer with a comment; `withdrawn`: a submission put back
   * because telling the reviewer on the audit issue failed; `signed_off`.
   */
  kind: "submitted" | "sent_back" | "withdrawn" | "signed_off";
  actor: string;
  actorKey: string | null;
  at: string;
  /** The reviewer's comment on a send-back (as written; the page escapes it); else null. */
  comment: string | null;
  /** The comment on the audit issue that said so, when there is one. */
  commentUrl: string | null;
}

export interface ReviewHistory {
  /** Oldest first. */
  steps: ReviewStep[];
  /** The last send-back while it is still the last word (the audit is open again, not resubmitted). */
  sentBack: ReviewStep | null;
}

/** The review's hand-overs among an audit's events (in the log's order). */
export function reviewHistoryOf(events: readonly AuditEvent[]): ReviewHistory {
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  const steps = events.flatMap((event): ReviewStep[] => {
    const kind: ReviewStep["kind"] | null =
      event.action === "sign_off"
        ? "signed_off"
        : event.action !== "set_audit_status"
          ? null
          : event.toState === "in_review"
            ? "submitted"
            : event.detail?.withdrawn === true
              ? "withdrawn"
              : "sent_back";
    if (kind === null) return [];
    const commentUrl = text(event.detail?.commentUrl);
    return [
      {
        kind,
        actor: event.actor,
        actorKey: event.actorKey,
        at: event.at,
        comment: kind === "sent_back" ? text(event.detail?.comment) : null,
        // Only a link the page may render (the URL is GitLab's, but never another scheme).
        commentUrl: commentUrl && /^https?:\/\//.test(commentUrl) ? commentUrl : null,
      },
    ];
  });
  const last = steps.at(-1);
  return { steps, sentBack: last?.kind === "sent_back" ? last : null };
}

/** The review's hand-overs of an audit, for the overview and the sign-off page. */
export async function getReviewHistory(ctx: AppContext, auditId: string): Promise<ReviewHistory> {
  await getAuditById(ctx.db, auditId);
  return reviewHistoryOf(await listEvents(ctx.db, { auditId }));
}

/**
 * The reviewer's send-back while it is still the last word on the audit (not resubmitted or signed off
 * since), else null, for the overview: read from the newest hand-over alone, not the whole event log.
 */
export async function getStandingSendBack(ctx: AppContext, auditId: string): Promise<ReviewStep | null> {
  const [, latest] = await Promise.all([
    getAuditById(ctx.db, auditId),
    getLatestReviewEvent(ctx.db, auditId),
  ]);
  return latest ? reviewHistoryOf([latest]).sentBack : null;
}

/** Everything a reviewer looks at before signing off: items, resolutions, evidence, chase history. */
export async function getSignOffReview(ctx: AppContext, auditId: string): Promise<SignOffReview> {
  const now = ctx.clock.now();
  const [audit, items, events, runs] = await Promise.all([
    getAuditById(ctx.db, auditId),
    listItems(ctx.db, auditId),
    listEvents(ctx.db, { auditId }),
    listRuns(ctx.db, auditId),
  ]);
  const run = runs.find((r) => r.status === "complete" || r.status === "incomplete") ?? null;
  const check = canSignOff(items, now);
  const resolutions = resolutionsOf(items, events);
  return {
    audit,
    run,
    items: items.map((item) => ({
      ...item,
      status: deriveStatus(item, now, ctx.workflow).status,
      addressed: isAddressed(item, now),
      resolution: resolutions.get(item.id) ?? null,
    })),
    chase: summarizeChase(items, events),
    unaddressed: check.ok ? 0 : check.unaddressed,
    reportSha256: run ? await finalReportSha256(ctx, run, items) : null,
    history: reviewHistoryOf(events),
  };
}

function summarizeChase(items: readonly Item[], events: readonly AuditEvent[]): SignOffReview["chase"] {
  const names = new Map(
    items.flatMap((i) => (i.personKey ? [[i.personKey, i.personName ?? i.personKey] as const] : [])),
  );
  const rows = new Map<string, SignOffReview["chase"][number]>();
  // A step taken on several of a person's findings at once is one event per finding; for the person it is
  // one ping (one reply): count each moment once, keyed as the person's history groups them.
  const counted = new Set<string>();
  for (const event of events) {
    if (!event.personKey) continue;
    const step = JSON.stringify([event.personKey, event.action, event.at, event.detail?.commentUrl ?? null]);
    if (counted.has(step)) continue;
    counted.add(step);
    const row = rows.get(event.personKey) ?? {
      personKey: event.personKey,
      personName: names.get(event.personKey) ?? event.personKey,
      ...(Object.fromEntries(CHASE_STEPS.map((step) => [step.countKey, 0])) as Record<ChaseCountKey, number>),
      replies: 0,
    };
    if (isChaseAction(event.action)) row[chaseStepOf(event.action).countKey]++;
    else if (event.action === "reply") row.replies++;
    else continue;
    rows.set(event.personKey, row);
  }
  return [...rows.values()].sort((a, b) => a.personName.localeCompare(b.personName, "en"));
}

/**
 * The fingerprint of what is signed off: the run's stored report and every item's resolution, in a
 * canonical order. Anyone can recompute it from the database to show the record was not changed since.
 */
async function finalReportSha256(ctx: AppContext, run: Run, items: readonly Item[]): Promise<string> {
  const report = await getRunReport(ctx.db, run.id);
  const resolutions = [...items]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((i) => [i.key, i.state, i.justification, i.waivedUntil]);
  return createHash("sha256")
    .update(JSON.stringify({ runId: run.id, report, resolutions }))
    .digest("hex");
}

/** How often a sign-off is decided again when findings changed between reading and writing it. */
const SIGN_OFF_ATTEMPTS = 5;

/** Who signs off and how: `actor` is the display name shown, `actorKey` their person key. */
export interface SignOffInput {
  auditId: string;
  actor: string;
  actorKey?: string | null;
  overrideReason?: string | null;
  issue: AuditIssue | null;
}

/**
 * Signs the audit off: refused while items are unaddressed unless an override reason is given; records
 * who, when and the report's hash; posts a closing comment and closes the audit issue first, so a GitLab
 * failure leaves the audit open to try again. Afterwards the audit is read-only. The write checks that the
 * items and the run are still those hashed; when someone changed them meanwhile, the sign-off is decided
 * again on what is there now, as the same click a moment later would be (a new closing comment is posted
 * only when the fingerprint changed), and refused with `conflict:audit` after a few such attempts.
 */
export async function signOff(ctx: AppContext, input: SignOffInput): Promise<Audit> {
  let posted: string | null = null;
  for (let attempt = 1; ; attempt++) {
    const outcome = await trySignOff(ctx, input, posted);
    if (outcome.ok) return outcome.audit;
    posted = outcome.posted;
    if (attempt >= SIGN_OFF_ATTEMPTS) throw outcome.error;
  }
}

type SignOffOutcome =
  | { ok: true; audit: Audit }
  /** The write was refused (`conflict:audit`); `posted` is the fingerprint last posted on the issue. */
  | { ok: false; error: AppError; posted: string | null };

async function trySignOff(
  ctx: AppContext,
  input: SignOffInput,
  posted: string | null,
): Promise<SignOffOutcome> {
  const review = await getSignOffReview(ctx, input.auditId);
  const { audit } = review;
  if (audit.status === "signed_off") {
    throw new AppError(
      "conflict:audit",
      `${audit.name} was already signed off by ${audit.signedOffBy ?? "someone"}.`,
    );
  }
  if (!review.run || !review.reportSha256) {
    throw new AppError("conflict:audit", `${audit.name} has no completed run to sign off yet.`);
  }
  // A reason nobody can read is no reason: only what a reader sees counts (visible-text.ts).
  const given = input.overrideReason?.trim() ?? "";
  const override = visibleLength(given) > 0 ? given : null;
  if (review.unaddressed > 0 && !override) {
    throw new AppError(
      "conflict:audit",
      `${review.unaddressed} item(s) are not addressed yet (fixed, intentional or waived). ` +
        "Give an override reason to sign off anyway.",
    );
  }
  const overrideProblem = override === null ? null : writtenTextProblem(override, JUSTIFICATION_BOUNDS);
  if (overrideProblem !== null) {
    throw new AppError(
      "invalid:request",
      overrideProblem.problem === "too_long"
        ? `The override reason is too long (${overrideProblem.length} characters); keep it to ${JUSTIFICATION_MAX_LENGTH}.`
        : `The override reason needs at least ${JUSTIFICATION_MIN_LENGTH} characters (${overrideProblem.length} so far): it stays in the audit record.`,
    );
  }
  const now = ctx.clock.now();
  if (input.issue && posted !== review.reportSha256) {
    const addressed = review.items.length - review.unaddressed;
    await input.issue.comment(
      [
        `**Signed off** by ${escapeMarkdown(input.actor)} on ${now.toISOString().slice(0, 10)}.`,
        "",
        `${addressed} of ${review.items.length} item(s) addressed.` +
          (override
            ? ` Signed off with ${review.unaddressed} unaddressed; reason: ${escapeMarkdown(override)}`
            : ""),
        "",
        `Report fingerprint (sha256): \`${review.reportSha256}\``,
      ].join("\n"),
    );
    await input.issue.close();
  }
  const sent = input.issue ? review.reportSha256 : null;
  try {
    const signed = await signOffAudit(ctx.db, {
      auditId: audit.id,
      expectedStatus: audit.status,
      signedOffBy: input.actor,
      signedOffByKey: input.actorKey ?? null,
      now,
      reportSha256: review.reportSha256,
      overrideReason: override,
      basis: { runId: review.run.id, items: review.items },
    });
    return { ok: true, audit: signed };
  } catch (error) {
    if (error instanceof AppError && error.code === "conflict:audit")
      return { ok: false, error, posted: sent };
    throw error;
  }
}

/** A submission for review, and whether the Support Operations Managers were told on the audit issue. */
export interface SubmitForReviewResult extends Audit {
  /** The comment on the audit issue that told them; null when the audit has no issue (nothing was posted). */
  commentUrl: string | null;
  /** Mentions left inert (a roster username GitLab does not know), for the person who submitted. */
  warnings: string[];
}

/**
 * Ready for review: Support Operations hand the audit to the Support Operations Manager, and tell them on
 * the audit issue when it has one: a comment mentioning every Support Operations Manager of the roster (as
 * pings mention: only usernames GitLab knows are live) with how many findings are addressed. The hand-over
 * is claimed first, so of a double click one submits and posts and the other is refused (`conflict:audit`)
 * before posting anything; a comment whose answer was lost is found, not posted twice (the chase channel).
 * When the comment cannot be posted, the submission is withdrawn and refused with `upstream:gitlab`.
 */
export async function submitForReview(
  ctx: AppContext,
  input: { auditId: string; actor: string; actorKey?: string | null },
): Promise<SubmitForReviewResult> {
  const audit = await getAuditById(ctx.db, input.auditId);
  if (audit.status !== "open")
    throw new AppError("conflict:audit", `${audit.name} is not open (it is ${audit.status}).`);
  const now = ctx.clock.now();
  const [items, events] = await Promise.all([
    listItems(ctx.db, audit.id),
    listEvents(ctx.db, { auditId: audit.id }),
  ]);
  const check = canSignOff(items, now);
  const unaddressed = check.ok ? 0 : check.unaddressed;
  const counts = { findings: items.length, addressed: items.length - unaddressed, unaddressed };
  // Numbered, so that each submission's comment is its own text: a lost answer is looked for by its text
  // (a withdrawn one is tried again under its number: if it was posted after all, that comment is found).
  const { steps } = reviewHistoryOf(events);
  const submission =
    steps.filter((step) => step.kind === "submitted").length -
    steps.filter((step) => step.kind === "withdrawn").length +
    1;
  // Everything the comment needs is read before the hand-over, so a failure here changes nothing.
  const channel = await auditIssueChannelOf(ctx, audit);
  const comment = channel
    ? await submissionComment(ctx, channel, { actor: input.actor, now, counts, submission })
    : null;
  const by = { auditId: audit.id, actor: input.actor, actorKey: input.actorKey ?? null, now };
  const submitted = await setAuditStatus(ctx.db, {
    ...by,
    expectedStatus: "open",
    status: "in_review",
    detail: counts,
  });
  if (!channel || !comment) return { ...submitted, commentUrl: null, warnings: [] };
  try {
    return { ...submitted, commentUrl: await channel.post(comment.body), warnings: comment.warnings };
  } catch (error) {
    // Nobody was told: put the audit back, so that trying again tells them (unless it moved on meanwhile).
    await setAuditStatus(ctx.db, {
      ...by,
      expectedStatus: "in_review",
      status: "open",
      detail: { withdrawn: true },
    }).catch((undo: unknown) => ctx.log(`Could not withdraw the submission of ${audit.name}`, undo));
    throw new AppError(
      "upstream:gitlab",
      `Posting on the audit issue failed, so ${audit.name} was not submitted for review. Try again in a moment.`,
      { cause: error },
    );
  }
}

/** The comment that hands the audit to the Support Operations Managers, with the mention warnings. */
async function submissionComment(
  ctx: AppContext,
  channel: ChaseChannel,
  input: {
    actor: string;
    now: Date;
    counts: { findings: number; addressed: number; unaddressed: number };
    /** 1 for the first submission of the audit, 2 after a send-back, … */
    submission: number;
  },
): Promise<{ body: string; warnings: string[] }> {
  const roster = (await ctx.loadRoster(await ctx.loadConfig())).entries.map((e) => e.person);
  const candidates = roster
    .filter((person) => roleOf(person, roster) === "ops_manager")
    .flatMap((person) => {
      const username = person.gitlab?.username?.replace(/^@/, "");
      return username ? [{ username, person: person.name }] : [];
    });
  const { known, warnings } = await channel.findKnownUsers(candidates);
  const { findings, addressed, unaddressed } = input.counts;
  const when = `${input.now.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return {
    body: [
      `**Submitted for review** (submission ${input.submission}) by ${escapeMarkdown(input.actor)} on ${when}.`,
      "",
      candidates.length > 0
        ? `${candidates.map((c) => mention(c.username, known)).join(" ")}: ready for your review and sign-off.`
        : "No Support Operations Manager in the roster has a GitLab username, so nobody is mentioned.",
      "",
      `${addressed} of ${findings} finding(s) addressed; ${unaddressed} not yet.`,
    ].join("\n"),
    warnings:
      candidates.length > 0
        ? warnings
        : ["No Support Operations Manager in the roster has a GitLab username: nobody was mentioned."],
  };
}

/** The reviewer sends the audit back with a comment (also posted on the issue when there is one). */
export async function sendBack(
  ctx: AppContext,
  input: {
    auditId: string;
    actor: string;
    actorKey?: string | null;
    comment: string;
    issue: AuditIssue | null;
  },
): Promise<Audit> {
  const audit = await getAuditById(ctx.db, input.auditId);
  if (audit.status !== "in_review") {
    throw new AppError(
      "conflict:audit",
      `Only an audit in review can be sent back; ${audit.name} is ${audit.status}.`,
    );
  }
  const comment = input.comment.trim();
  const problem = writtenTextProblem(comment, JUSTIFICATION_BOUNDS);
  if (problem !== null) {
    throw new AppError(
      "invalid:request",
      problem.problem === "too_long"
        ? `The comment is too long (${problem.length} characters); keep it to ${JUSTIFICATION_MAX_LENGTH}.`
        : `Say what needs doing (at least ${JUSTIFICATION_MIN_LENGTH} characters; ${problem.length} so far).`,
    );
  }
  const commentUrl = input.issue
    ? await input.issue.comment(
        `**Sent back for more work** by ${escapeMarkdown(input.actor)}: ${escapeMarkdown(comment)}`,
      )
    : null;
  return setAuditStatus(ctx.db, {
    auditId: audit.id,
    expectedStatus: "in_review",
    status: "open",
    actor: input.actor,
    actorKey: input.actorKey ?? null,
    now: ctx.clock.now(),
    detail: { comment, ...(commentUrl ? { commentUrl } : {}) },
  });
}

/**
 * The audit's GitLab issue as sign-off and send-back use it, or null when the audit was never exported
 * (or GitLab is not configured): then the decision is recorded here only.
 */
export async function auditIssueOf(ctx: AppContext, auditId: string): Promise<AuditIssue | null> {
  const audit = await getAuditById(ctx.db, auditId);
  const channel = await auditIssueChannelOf(ctx, audit);
  if (!channel) return null;
  const config = await ctx.loadConfig();
  const client = ctx.createGitLabClient(config);
  const project = config.gitlab?.project;
  if (!client || project === undefined || audit.issueIid === null) return null;
  const iid = audit.issueIid;
  return {
    // A closing comment whose answer was lost is found on the issue, not posted twice.
    comment: (body) => channel.post(body),
    close: async () => {
      await client.updateIssue(project, iid, { stateEvent: "close" });
    },
  };
}
