import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/states";

export default function DashboardNotFound() {
  return (
    <div className="mx-auto max-w-2xl py-8">
      <EmptyState
        title="Not found"
        titleAs="h1"
        action={
          <Link href="/" className={buttonClasses({ variant: "secondary" })}>
            Go to the overview
          </Link>
        }
      >
        This audit or person does not exist, or has no findings in this audit. The link may be from an older
        audit.
      </EmptyState>
    </div>
  );
}
