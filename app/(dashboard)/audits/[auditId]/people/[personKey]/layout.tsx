import type { ReactNode } from "react";
import { loadPersonDetail, loadSessionUser } from "../../../../_lib/data";

/**
 * A person's page: someone without findings in this audit is the not-found page with status 404, checked
 * above the page's loading state for the same reason as the audit's (its layout). The page reads the same
 * detail again from this request's cache.
 */
export default async function PersonLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ auditId: string; personKey: string }>;
}) {
  const raw = await params;
  if (await loadSessionUser())
    await loadPersonDetail(decodeURIComponent(raw.auditId), decodeURIComponent(raw.personKey));
  return children;
}
