import type { ReactNode } from "react";
import { cn } from "./cn";

/** A link out of the dashboard (PagerDuty, GitLab): a new tab, no referrer, said so to screen readers. */
export function ExternalLink({
  href,
  children,
  className,
}: {
  href: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <a
      href={href}
      target="_blank"
      rel="noreferrer"
      className={cn(
        "font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600",
        className,
      )}
    >
      {children}
      <span className="sr-only"> (opens in a new tab)</span>
    </a>
  );
}
