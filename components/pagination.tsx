import Link from "next/link";
import { buttonClasses } from "./ui/button";

/** Counts as the dashboard writes them (`1,234`); built once, as building a format costs more than using it. */
const COUNT = new Intl.NumberFormat("en-GB");

/** Previous / next page links for a server-paged list. */
export function Pagination({
  page,
  pageSize,
  total,
  noun,
  hrefForPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  /** Plural noun for the count, e.g. "people". */
  noun: string;
  hrefForPage: (page: number) => string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pagination" className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-600">
        Showing <span className="font-medium">{COUNT.format(first)}</span>–
        <span className="font-medium">{COUNT.format(last)}</span> of{" "}
        <span className="font-medium">{COUNT.format(total)}</span> {noun}
      </p>
      {pages > 1 && (
        <div className="flex items-center gap-2">
          <PageLink href={page > 1 ? hrefForPage(page - 1) : null} label="Previous page" />
          <span className="text-slate-600">
            Page {page} of {pages}
          </span>
          <PageLink href={page < pages ? hrefForPage(page + 1) : null} label="Next page" />
        </div>
      )}
    </nav>
  );
}

function PageLink({ href, label }: { href: string | null; label: string }) {
  if (href === null) {
    return (
      <span
        aria-disabled="true"
        className={buttonClasses({ variant: "secondary", size: "sm", className: "opacity-50" })}
      >
        {label}
      </span>
    );
  }
  return (
    <Link href={href} className={buttonClasses({ variant: "secondary", size: "sm" })}>
      {label}
    </Link>
  );
}
