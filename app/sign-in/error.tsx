"use client";

import { Button } from "@/components/ui/button";
import { ErrorState } from "@/components/ui/states";

/** The sign-in page itself failed (the roster or the sign-in settings could not be read). */
export default function SignInError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-lg flex-col justify-center px-4 py-12">
      <ErrorState
        title="Sign-in is unavailable"
        titleAs="h1"
        message="The sign-in page could not be loaded. Try again in a minute; if it keeps happening, tell Support Operations."
        action={<Button onClick={() => retry()}>Try again</Button>}
      />
    </main>
  );
}
