import { useId, type ReactNode, type TdHTMLAttributes, type ThHTMLAttributes } from "react";
import { cn } from "./cn";

/**
 * A data table with a caption (tables need a name) that scrolls sideways on narrow screens. The scrolling
 * box is a named region in the tab order, so it scrolls from the keyboard too (a table of text has no
 * link or button to scroll it into view).
 */
export function Table({
  caption,
  captionHidden = false,
  children,
  className,
}: {
  caption: ReactNode;
  /** Keep the caption for screen readers only, when a heading right above says the same. */
  captionHidden?: boolean;
  children: ReactNode;
  className?: string;
}) {
  const captionId = useId();
  return (
    <div
      role="region"
      aria-labelledby={captionId}
      tabIndex={0}
      className={cn(
        "overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600",
        className,
      )}
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption
          id={captionId}
          className={cn(captionHidden ? "sr-only" : "px-4 py-3 text-left text-sm font-medium text-slate-700")}
        >
          {caption}
        </caption>
        {children}
      </table>
    </div>
  );
}

export function Th({ className, scope = "col", ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope={scope}
      className={cn(
        "bg-slate-50 px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-600",
        className,
      )}
      {...props}
    />
  );
}

export function Td({ className, ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cn("px-4 py-3 align-top text-slate-700", className)} {...props} />;
}
