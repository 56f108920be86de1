import type { Audit, Run } from "@/lib/client/types";
import type { ItemStatus } from "@/lib/workflow/types";
import { Badge, type BadgeTone } from "./ui/badge";

const STATUS: Record<ItemStatus, { label: string; tone: BadgeTone }> = {
  open: { label: "Open", tone: "neutral" },
  pinged: { label: "Pinged", tone: "info" },
  follow_up_due: { label: "Follow-up due", tone: "warning" },
  escalated: { label: "Escalated", tone: "info" },
  dm_due: { label: "Slack DM due", tone: "danger" },
  dm_sent: { label: "DM sent", tone: "warning" },
  fixed: { label: "Fixed", tone: "success" },
  intentional: { label: "Intentional", tone: "success" },
  waived: { label: "Waived", tone: "success" },
  waiver_expired: { label: "Waiver expired", tone: "warning" },
};

export function statusLabel(status: ItemStatus): string {
  return STATUS[status].label;
}

export function StatusBadge({ status }: { status: ItemStatus }) {
  const { label, tone } = STATUS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

const RUN_STATUS: Record<Run["status"], { label: string; tone: BadgeTone }> = {
  running: { label: "Running", tone: "info" },
  complete: { label: "Complete", tone: "success" },
  incomplete: { label: "Incomplete", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
};

/** A run's outcome: complete, incomplete (some PagerDuty reads failed), failed, or still running. */
export function RunStatusBadge({ status }: { status: Run["status"] }) {
  const { label, tone } = RUN_STATUS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

const AUDIT_STATUS: Record<Audit["status"], { label: string; tone: BadgeTone }> = {
  open: { label: "In progress", tone: "info" },
  in_review: { label: "In review", tone: "warning" },
  signed_off: { label: "Signed off", tone: "success" },
};

export function AuditStatusBadge({ status }: { status: Audit["status"] }) {
  const { label, tone } = AUDIT_STATUS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

/** The eyebrow of an audit's pages: its name and where it stands. */
export function AuditEyebrow({ audit }: { audit: Pick<Audit, "name" | "status"> }) {
  return (
    <span className="inline-flex items-center gap-2">
      {audit.name} audit <AuditStatusBadge status={audit.status} />
    </span>
  );
}
