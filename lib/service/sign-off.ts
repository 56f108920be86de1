import { createHash, randomUUID } from "node:crypto";
import type { Audit, AuditEvent, Item, Run } from "@/lib/db/queries";
import {
  claimSendBack,
  getAuditById,
  getLatestReviewEvent,
  getRunReport,
  listEvents,
  listItems,
  listRuns,
  releaseSendBackClaim,
  reopenSignedOffAudit,
  setAuditStatus,
  signOffAudit,
} from "@/lib/db/queries";
import { mayHaveBeenApplied } from "@/lib/gitlab/client";
import { AppError } from "@/lib/errors";
import { opsManagersOnGitLab } from "@/lib/auth/roles";
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
import { auditIssueChannelOf, noteUrl, type ChaseChannel } from "./chase/channel";
import { resolutionsOf, type Resolution } from "./findings";
import type { AppContext } from "./context";
import {
  keptPerVersion,
  readKnownAuditVersion,
  versionFromDatabase,
  type KeptPerVersion,
  type VersionOf,
} from "./kept-per-version";
import { workflowOf } from "./workflow-settings";

/** The audit issue in GitLab, as sign-off needs it; null when the audit has no issue (or no GitLab). */
interface AuditIssue {
  /** Posts a comment; returns its URL. A post whose answer was lost is found, not posted twice. */
  comment(body: string): Promise<string>;
  /** The URL of a comment the app posted with exactly one of `bodies`, however long ago; null when none. */
  findComment(bodies: readonly string[]): Promise<string | null>;
  close(): Promise<void>;
  reopen(): Promise<void>;
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
  // A sign-off undone because the audit issue could not be told of it never stood.
  const undone = new Set(
    events.flatMap((e) =>
      e.action === "reopen_audit" && e.detail?.undone === true ? [e.detail.attempt] : [],
    ),
  );
  const steps = events.flatMap((event): ReviewStep[] => {
    if (
      event.action === "sign_off" &&
      event.detail?.attempt !== undefined &&
      undone.has(event.detail.attempt)
    )
      return [];
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

/** The standing send-back of each audit, per version of its data (a hand-over is an event: it moves it). */
const SENT_BACK: KeptPerVersion<ReviewStep | null> = new WeakMap();

/**
 * The reviewer's send-back while it is still the last word on the audit (not resubmitted or signed off
 * since), else null, for the overview: read from the newest hand-over alone, not the whole event log, once
 * per version of the audit's data (finding it among the pings and replies took 0.5 ms of every overview at
 * 10,000 people). Given the audit as read already, it is not read again; `versionOf` as for
 * `getAuditActivity`.
 */
export async function getStandingSendBack(
  ctx: AppContext,
  auditOrId: Audit | string,
  versionOf: VersionOf = versionFromDatabase(ctx.db),
): Promise<ReviewStep | null> {
  const { auditId, version } = await readKnownAuditVersion(ctx.db, auditOrId, versionOf);
  return keptPerVersion(SENT_BACK, ctx.db, auditId, version, async () => {
    const latest = await getLatestReviewEvent(ctx.db, auditId);
    return latest ? reviewHistoryOf([latest]).sentBack : null;
  });
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
  const workflow = await workflowOf(ctx);
  return {
    audit,
    run,
    items: items.map((item) => ({
      ...item,
      status: deriveStatus(item, now, workflow).status,
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
}

/**
 * The invisible marker at the end of a sign-off's closing comment: which audit and which of its sign-offs
 * (`attempt`, 1 for the first) posted it, so that a comment whose answer was lost is found on a retry.
 */
function signOffMarker(auditId: string, attempt: number): string {
  return `<!-- pagerduty-audit:sign-off:${auditId}:${attempt} -->`;
}

/**
 * Signs the audit off: refused while items are unaddressed unless an override reason is given. Decided in
 * the database first: under the audit's lock, the items and the run must still be those hashed, and the
 * audit must still be open or in review, so of two managers signing off at once one signs and the other is
 * refused (`conflict:audit`) before anything is posted; when findings changed between reading and
 * deciding, it is decided again on what is there now, and refused after a few such attempts. Only then is
 * the audit issue told: a closing comment (with the report's hash) and the issue closed. Afterwards the
 * audit is read-only. When GitLab fails, the sign-off is undone (logged `reopen_audit`), the issue is
 * reopened with a comment saying why when it shows the sign-off (its comment posted, its close sent), and
 * the sign-off is refused with `upstream:gitlab`; a closing comment whose answer was lost is found by its
 * marker on the next try, not posted twice.
 */
export async function signOff(ctx: AppContext, input: SignOffInput): Promise<Audit> {
  const decision = await decideSignOff(ctx, input);
  if (decision.issue) await tellIssueOfSignOff(ctx, input, { ...decision, issue: decision.issue });
  return decision.audit;
}

interface SignOffDecision {
  /** As signed off. */
  audit: Audit;
  /** The audit's status before the sign-off: where an undone sign-off puts it back. */
  previousStatus: "open" | "in_review";
  /** This sign-off's number among the audit's sign-offs (`signOffMarker`). */
  attempt: number;
  /** The closing comment, without its marker. */
  comment: string;
  issue: AuditIssue | null;
  /** The audit's events before the sign-off. */
  events: AuditEvent[];
}

async function decideSignOff(ctx: AppContext, input: SignOffInput): Promise<SignOffDecision> {
  for (let tries = 1; ; tries++) {
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
    // Read before deciding, so that a configuration that cannot be read changes nothing.
    const issue = await auditIssueOf(ctx, audit);
    const events = await listEvents(ctx.db, { auditId: audit.id });
    const attempt = events.filter((e) => e.action === "sign_off").length + 1;
    const now = ctx.clock.now();
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
        attempt,
      });
      const addressed = review.items.length - review.unaddressed;
      const comment = [
        `**Signed off** by ${escapeMarkdown(input.actor)} on ${now.toISOString().slice(0, 10)}.`,
        "",
        `${addressed} of ${review.items.length} item(s) addressed.` +
          (override
            ? ` Signed off with ${review.unaddressed} unaddressed; reason: ${escapeMarkdown(override)}`
            : ""),
        "",
        `Report fingerprint (sha256): \`${review.reportSha256}\``,
      ].join("\n");
      return { audit: signed, previousStatus: audit.status, attempt, comment, issue, events };
    } catch (error) {
      // Someone changed the findings, or signed off, meanwhile: decide again on what is there now.
      if (!(error instanceof AppError && error.code === "conflict:audit") || tries >= SIGN_OFF_ATTEMPTS)
        throw error;
    }
  }
}

/**
 * Posts the closing comment (or finds the one an earlier try of this sign-off posted, whose answer was
 * lost) and closes the issue; when GitLab fails, undoes the sign-off and refuses with `upstream:gitlab`.
 */
async function tellIssueOfSignOff(
  ctx: AppContext,
  input: SignOffInput,
  decision: SignOffDecision & { issue: AuditIssue },
): Promise<void> {
  const { issue, audit, attempt, comment } = decision;
  let step: "comment" | "close" = "comment";
  try {
    // Earlier sign-offs of this audit undone without knowing whether their comment was posted: one of
    // them with this very text stands for this one.
    const unsure = decision.events.flatMap((e) =>
      e.action === "reopen_audit" && e.detail?.comment === "unknown" && typeof e.detail.attempt === "number"
        ? [`${comment}\n\n${signOffMarker(audit.id, e.detail.attempt)}`]
        : [],
    );
    const earlier = unsure.length > 0 ? await issue.findComment(unsure) : null;
    if (earlier === null) await issue.comment(`${comment}\n\n${signOffMarker(audit.id, attempt)}`);
    step = "close";
    await issue.close();
  } catch (error) {
    throw await undoSignOff(ctx, input, decision, { step, error });
  }
}

/**
 * Undoes a sign-off the audit issue could not be told of: the audit goes back to its status before (logged
 * `reopen_audit` with why), then, when the issue shows the sign-off (its comment posted, its close sent),
 * the issue is reopened and a comment says why. The error to refuse the sign-off with.
 */
async function undoSignOff(
  ctx: AppContext,
  input: SignOffInput,
  decision: SignOffDecision & { issue: AuditIssue },
  failed: { step: "comment" | "close"; error: unknown },
): Promise<AppError> {
  const { audit, issue, previousStatus, attempt } = decision;
  const reason =
    failed.step === "close"
      ? "Closing the audit issue failed"
      : "Posting the sign-off comment on the audit issue failed";
  // Whether the closing comment is on the issue: a post whose answer was lost may be.
  const comment =
    failed.step === "close" ? "posted" : mayHaveBeenApplied(failed.error) ? "unknown" : "not_posted";
  const by = { actor: input.actor, actorKey: input.actorKey ?? null, now: ctx.clock.now() };
  try {
    await reopenSignedOffAudit(ctx.db, {
      ...by,
      auditId: audit.id,
      signedOffAt: audit.signedOffAt ?? "",
      reportSha256: audit.signOffReportSha256 ?? "",
      status: previousStatus,
      detail: { attempt, undone: true, reason, comment },
    });
  } catch (undo) {
    ctx.log(`Could not undo the sign-off of ${audit.name} after GitLab failed`, undo);
    return new AppError(
      "upstream:gitlab",
      `${reason}, and the sign-off of ${audit.name} could not be undone: it stands, but the audit issue may not say so.`,
      { cause: failed.error },
    );
  }
  let issueLeft = false;
  if (comment === "posted") {
    try {
      if (failed.step === "close") await issue.reopen();
      await issue.comment(
        `**Sign-off undone**: ${reason.toLowerCase()}, so the sign-off by ${escapeMarkdown(input.actor)} ` +
          `above is undone and the audit is ${previousStatus === "in_review" ? "in review" : "open"} again. ` +
          "Signing off again closes the issue.",
      );
    } catch (error) {
      ctx.log(`Could not reopen the audit issue of ${audit.name} after undoing its sign-off`, error);
      issueLeft = true;
    }
  }
  return new AppError(
    "upstream:gitlab",
    `${reason}, so ${audit.name} was not signed off` +
      (issueLeft ? "; the issue may still show it signed off and closed: reopen it by hand" : "") +
      ". Try again in a moment.",
    { cause: failed.error },
  );
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
  const candidates = opsManagersOnGitLab(roster);
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

/**
 * How long a send-back's claim holds before another send-back may take it over: far longer than posting one
 * comment takes, retries and lost-answer look-up included.
 */
const SEND_BACK_CLAIM_STALE_AFTER_MS = 5 * 60_000;

/**
 * The reviewer sends the audit back with a comment, also posted on the audit issue when there is one. The
 * send-back is claimed first, so of two reviewers sending back at once one posts and the other is refused
 * (`conflict:audit`) before posting anything; when the comment cannot be posted, nothing is recorded and it
 * is refused with `upstream:gitlab`.
 */
export async function sendBack(
  ctx: AppContext,
  input: {
    auditId: string;
    actor: string;
    actorKey?: string | null;
    comment: string;
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
  const issue = await auditIssueOf(ctx, audit);
  const by = { auditId: audit.id, actor: input.actor, actorKey: input.actorKey ?? null };
  const back = { expectedStatus: "in_review", status: "open" } as const;
  if (!issue) return setAuditStatus(ctx.db, { ...by, ...back, now: ctx.clock.now(), detail: { comment } });
  const claimId = randomUUID();
  const claim = { auditId: audit.id, claimId };
  const claimed = await claimSendBack(ctx.db, {
    ...claim,
    now: ctx.clock.now(),
    staleAfterMs: SEND_BACK_CLAIM_STALE_AFTER_MS,
  });
  if (!claimed) {
    const now = await getAuditById(ctx.db, audit.id);
    throw new AppError(
      "conflict:audit",
      now.status === "in_review"
        ? `${audit.name} is being sent back by someone else right now.`
        : `Only an audit in review can be sent back; ${audit.name} is ${now.status}.`,
    );
  }
  let commentUrl: string;
  try {
    commentUrl = await issue.comment(
      `**Sent back for more work** by ${escapeMarkdown(input.actor)}: ${escapeMarkdown(comment)}`,
    );
  } catch (error) {
    await releaseSendBackClaim(ctx.db, claim).catch((release: unknown) =>
      ctx.log(`Could not release the send-back claim of ${audit.name}`, release),
    );
    throw new AppError(
      "upstream:gitlab",
      `Posting on the audit issue failed, so ${audit.name} was not sent back. Try again in a moment.`,
      { cause: error },
    );
  }
  return setAuditStatus(ctx.db, {
    ...by,
    ...back,
    now: ctx.clock.now(),
    detail: { comment, commentUrl },
    sendBackClaimId: claimId,
  });
}

/**
 * The audit's GitLab issue as sign-off and send-back use it, or null when the audit was never exported
 * (or GitLab is not configured): then the decision is recorded here only.
 */
async function auditIssueOf(ctx: AppContext, audit: Audit): Promise<AuditIssue | null> {
  const channel = await auditIssueChannelOf(ctx, audit);
  if (!channel) return null;
  const config = await ctx.loadConfig();
  const client = ctx.createGitLabClient(config);
  const project = config.gitlab?.project;
  if (!client || project === undefined || audit.issueIid === null || audit.issueUrl === null) return null;
  const iid = audit.issueIid;
  const url = audit.issueUrl;
  return {
    comment: (body) => channel.post(body),
    async findComment(bodies) {
      const me = await client.getCurrentUser();
      const notes = await client.listNotes(project, iid);
      const note = notes.find(
        (n) =>
          !n.system &&
          n.author.username.toLowerCase() === me.username.toLowerCase() &&
          bodies.includes(n.body),
      );
      return note ? noteUrl(url, note.id) : null;
    },
    close: async () => {
      await client.updateIssue(project, iid, { stateEvent: "close" });
    },
    reopen: async () => {
      await client.updateIssue(project, iid, { stateEvent: "reopen" });
    },
  };
}
