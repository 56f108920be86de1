"use client";

import Link from "next/link";
import { useParams, usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";
import type { Role } from "@/lib/auth/roles";
import { findingsPath, homeLinksFor, schedulesPath, signOffPath } from "../_lib/paths";

const LINK =
  "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-600";

/**
 * The main navigation: first the role's own pages (`homeLinksFor`: "Your findings", "Your team", or the
 * overview), then Findings, Schedules and Sign-off of the audit being looked at (from the URL), else of the
 * current audit; before any audit exists those are shown disabled.
 */
export function MainNav({ currentAuditId, role }: { currentAuditId: string | null; role: Role }) {
  const pathname = usePathname();
  const params = useParams<{ auditId?: string }>();
  const auditId = params.auditId ? decodeURIComponent(params.auditId) : currentAuditId;
  const home = homeLinksFor(role);
  const section =
    home.find((link) => link.href === pathname)?.key ??
    (pathname.endsWith("/schedules")
      ? "schedules"
      : pathname.endsWith("/sign-off")
        ? "sign-off"
        : "findings");

  const items = [
    ...home,
    { key: "findings", label: "Findings", href: auditId ? findingsPath(auditId) : null },
    { key: "schedules", label: "Schedules", href: auditId ? schedulesPath(auditId) : null },
    { key: "sign-off", label: "Sign-off", href: auditId ? signOffPath(auditId) : null },
  ];

  return (
    <nav aria-label="Main">
      <ul className="flex flex-wrap items-center gap-1">
        {items.map((item) => (
          <li key={item.key}>
            {item.href ? (
              <Link
                href={item.href}
                aria-current={section === item.key ? "page" : undefined}
                className={cn(
                  LINK,
                  section === item.key
                    ? "bg-indigo-50 text-indigo-700"
                    : "text-slate-700 hover:bg-slate-100 hover:text-slate-900",
                )}
              >
                {item.label}
              </Link>
            ) : (
              <span
                aria-disabled="true"
                title="Open an audit first"
                className={cn(LINK, "cursor-not-allowed text-slate-400")}
              >
                {item.label}
              </span>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
