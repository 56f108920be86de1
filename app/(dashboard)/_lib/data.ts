import "server-only";
import { notFound, redirect } from "next/navigation";
import { connection } from "next/server";
import { cache } from "react";
import type { SessionUser } from "@/lib/auth/roles";
import { getSessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { getAppContext } from "@/lib/service/app-context";
import { getAuditSummary, getPersonDetail } from "@/lib/service/findings";
import { getAuditIndex } from "@/lib/service/overview";

/**
 * The signed-in user, read once per request (the layout and the page both ask). Every dashboard page
 * depends on who asks, so none is prerendered at build time.
 */
export const loadSessionUser = cache(async () => {
  await connection();
  return getSessionUser();
});

/**
 * The signed-in user, or a redirect to the sign-in page (coming back to `returnTo` afterwards). Every page
 * calls it: a layout's check does not protect the page rendered next to it.
 */
export async function requireSessionUser(returnTo?: string): Promise<SessionUser> {
  const user = await loadSessionUser();
  if (!user)
    redirect(
      returnTo && returnTo !== "/" ? `/sign-in?callbackUrl=${encodeURIComponent(returnTo)}` : "/sign-in",
    );
  return user;
}

/**
 * The audits, which one is due and which is current, read once per request (the layout's navigation and
 * the page both ask). No counts: only the pages that show them pay for them (`loadAuditSummary`).
 */
export const loadAuditIndex = cache(async () => getAuditIndex(await getAppContext()));

/**
 * An audit's counts by status and code, people overdue and sign-off readiness, once per request, from the
 * audit's read model (derived once per version of its data, not per request).
 */
export const loadAuditSummary = cache(async (auditId: string) =>
  getAuditSummary(await getAppContext(), auditId),
);

/**
 * A person's findings, history and activity in an audit, read once per request (the person's layout checks
 * the person is there, the page shows them); the not-found page when they have no findings in it.
 */
export const loadPersonDetail = cache(async (auditId: string, personKey: string) =>
  orNotFound(getPersonDetail(await getAppContext(), auditId, personKey)),
);

/** The audit with this id among all audits, or the not-found page. */
export async function requireAudit(auditId: string) {
  const { audits } = await loadAuditIndex();
  const audit = audits.find((a) => a.id === auditId);
  if (!audit) notFound();
  return audit;
}

/** Turns a service's `not_found:*` refusal into the not-found page; other errors go to the error page. */
export async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AppError && error.kind === "not_found") notFound();
    throw error;
  }
}
