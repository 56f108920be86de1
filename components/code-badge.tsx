import { CODE_LABELS } from "@/lib/audit/labels";
import { SEVERITY_OF_CODE } from "@/lib/audit/severity";
import type { FindingCode, Severity } from "@/lib/audit/types";
import { Badge, type BadgeTone } from "./ui/badge";

/** The colour of a severity, on code chips and severity badges alike. */
const SEVERITY_TONE: Record<Severity, BadgeTone> = { error: "danger", warning: "warning" };

/**
 * A finding code, short, coloured by its severity (errors red, warnings amber); the full description is
 * announced and shown on hover. The severity is the code's (`SEVERITY_OF_CODE`) unless a stored one is given.
 */
export function CodeBadge({ code, severity }: { code: FindingCode; severity?: Severity }) {
  const label = CODE_LABELS[code];
  return (
    <Badge tone={SEVERITY_TONE[severity ?? SEVERITY_OF_CODE[code]]} title={label}>
      <span aria-hidden>{code.replaceAll("_", " ")}</span>
      <span className="sr-only">{label}</span>
    </Badge>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <Badge tone={SEVERITY_TONE[severity]}>{severity === "error" ? "Error" : "Warning"}</Badge>;
}
