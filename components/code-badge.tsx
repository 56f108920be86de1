import { CODE_LABELS } from "@/lib/audit/labels";
import type { FindingCode, Severity } from "@/lib/audit/types";
import { Badge } from "./ui/badge";

/** A finding code, short; the full description is announced and shown on hover. */
export function CodeBadge({ code, severity }: { code: FindingCode; severity?: Severity }) {
  const label = CODE_LABELS[code];
  return (
    <span title={label}>
      <Badge tone={severity === "error" ? "danger" : severity === "warning" ? "warning" : "neutral"}>
        <span aria-hidden>{code.replaceAll("_", " ")}</span>
        <span className="sr-only">{label}</span>
      </Badge>
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <Badge tone={severity === "error" ? "danger" : "warning"}>
      {severity === "error" ? "Error" : "Warning"}
    </Badge>
  );
}
