"use client";

import Link from "next/link";
import { useEffect } from "react";
import { Button, buttonClasses } from "@/components/ui/button";
import { ErrorState } from "@/components/ui/states";

/**
 * A page of the dashboard failed to render. In production the server's message is withheld (it may hold
 * internals); the digest matches the server log.
 */
export default function DashboardError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest =
    error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <div className="mx-auto max-w-2xl py-8">
      <ErrorState
        title="This page could not be loaded"
        titleAs="h1"
        message={`Something went wrong on the server while reading the audit. Try again; if it keeps happening, tell Support Operations${digest ? ` and quote reference ${digest}` : ""}.`}
        action={
          <div className="flex gap-2">
            <Button onClick={() => retry()}>Try again</Button>
            <Link href="/" className={buttonClasses({ variant: "secondary" })}>
              Go to the overview
            </Link>
          </div>
        }
      />
    </div>
  );
}
