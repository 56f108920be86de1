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
