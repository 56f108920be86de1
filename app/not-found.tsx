import type { Metadata } from "next";
import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/states";

export const metadata: Metadata = { title: "Page not found" };

/** An address outside the dashboard's pages (the dashboard's own not-found covers unknown audits and people). */
export default function NotFound() {
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-lg flex-col justify-center px-4 py-12">
      <EmptyState
        title="Page not found"
        titleAs="h1"
        action={
          <Link href="/" className={buttonClasses({ variant: "secondary" })}>
            Go to the overview
          </Link>
        }
      >
        There is no page at this address. The link may be mistyped, or from an older version of the dashboard.
      </EmptyState>
    </main>
  );
}
