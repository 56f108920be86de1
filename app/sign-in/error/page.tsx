import type { Metadata } from "next";
import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";
import { describeSignInError } from "@/lib/auth/sign-in-errors";

export const metadata: Metadata = { title: "Sign-in failed" };

export default async function SignInErrorPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = (await searchParams).error;
  const { heading, message } = describeSignInError(Array.isArray(raw) ? raw[0] : raw);
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-lg flex-col justify-center px-4 py-12">
      <div role="alert" className="rounded-lg border border-rose-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold text-slate-900">{heading}</h1>
        <p className="mt-2 text-sm text-slate-700">{message}</p>
        <Link href="/sign-in" className={buttonClasses({ className: "mt-5" })}>
          Back to sign-in
        </Link>
      </div>
    </main>
  );
}
