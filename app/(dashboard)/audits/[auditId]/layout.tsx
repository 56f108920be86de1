import type { ReactNode } from "react";
import { loadSessionUser, requireAudit } from "../../_lib/data";

/**
 * Every page of one audit: an audit that does not exist is the not-found page with status 404. Checked here,
 * above the pages' loading states: once a loading state has been sent, the status (200) has gone with it.
 * Signed out, the page itself sends the visitor to sign in, coming back to its own address.
 */
export default async function AuditLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ auditId: string }>;
}) {
  if (await loadSessionUser()) await requireAudit(decodeURIComponent((await params).auditId));
  return children;
}
