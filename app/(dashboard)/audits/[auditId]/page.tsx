import { redirect } from "next/navigation";
import { findingsPath } from "../../_lib/paths";

/** `/audits/{id}` has no page of its own: an audit is worked on from its findings. */
export default async function AuditPage({ params }: { params: Promise<{ auditId: string }> }) {
  redirect(findingsPath(decodeURIComponent((await params).auditId)));
}
