import { cn } from "./cn";

/** A determinate progress bar; without a total it shows an indeterminate stripe. */
export function ProgressBar({
  label,
  value,
  max,
  valueText,
  className,
}: {
  /** Accessible name, e.g. "Audit run progress". */
  label: string;
  value: number | null;
  max: number | null;
  /** What a screen reader announces, e.g. "Reading schedules: 12 of 31". */
  valueText: string;
  className?: string;
}) {
  const known = value !== null && max !== null && max > 0;
  const percent = known ? Math.min(100, Math.max(0, Math.round((value / max) * 100))) : null;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={known ? 0 : undefined}
      aria-valuemax={known ? max : undefined}
      aria-valuenow={known ? value : undefined}
      aria-valuetext={valueText}
      className={cn("h-2 w-full overflow-hidden rounded-full bg-slate-200", className)}
    >
      <div
        className={cn(
          "h-full rounded-full bg-indigo-600 transition-[width] duration-500",
          percent === null && "w-1/3 animate-pulse",
        )}
        style={percent === null ? undefined : { width: `${percent}%` }}
      />
    </div>
  );
}
