import { DateTime } from "./time";

/** How each resolving event reads: who decided is named after it. */
const RESOLVED_BY: Record<string, string> = {
  mark_intentional: "Marked intentional",
  waive: "Waived",
  fixed_by_rerun: "Found fixed",
};

/** The run's own events are the system's: say which system. */
const actorName = (actor: string) => (actor === "system" ? "the audit run" : actor);

/** Who resolved a finding and when (intentional, waived, fixed), as the sign-off and the person page show it. */
export function ResolutionBy({
  resolution,
  className,
}: {
  resolution: { action: string; actor: string; at: string };
  className?: string;
}) {
  return (
    <span className={className}>
      {RESOLVED_BY[resolution.action] ?? "Resolved"} by {actorName(resolution.actor)} ·{" "}
      <DateTime iso={resolution.at} />
    </span>
  );
}
