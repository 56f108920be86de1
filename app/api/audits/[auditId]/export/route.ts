import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema } from "@/lib/api/schemas";
import { exportToIssue, previewIssueExport } from "@/lib/service/export";

export const dynamic = "force-dynamic";

/**
 * `GET /api/audits/[auditId]/export` → IssueExportPreview: what would be written, nothing written. 400
 * without a `gitlab` config section or GL_TOKEN.
 */
export const GET = apiHandler({
  permission: "audit:export",
  params: AuditParamsSchema,
  run: ({ app, params }) => previewIssueExport(app, params.auditId),
});

/**
 * `POST /api/audits/[auditId]/export` → IssueExportResult: creates the audit's GitLab issue the first
 * time, then updates it. 400 as `GET`; 409 before the first finished run or once signed off.
 */
export const POST = apiHandler({
  permission: "audit:export",
  params: AuditParamsSchema,
  run: ({ app, user, params }) =>
    exportToIssue(app, { auditId: params.auditId, actor: user.name, actorKey: user.personKey }),
});
