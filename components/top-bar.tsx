import Link from "next/link";
import type { ReactNode } from "react";

/** The dashboard's top bar: product name, navigation, and the signed-in user's corner. */
export function TopBar({ nav, aside }: { nav: ReactNode; aside: ReactNode }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2.5 sm:px-6">
        <Link
          href="/"
          className="flex items-center gap-2 text-sm font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <span
            aria-hidden
            className="grid h-6 w-6 place-items-center rounded bg-indigo-600 text-xs text-white"
          >
            PD
          </span>
          PagerDuty audit
        </Link>
        {nav}
        <div className="ml-auto flex flex-wrap items-center gap-3">{aside}</div>
      </div>
    </header>
  );
}

/** Who is signed in, and as what. */
export function SignedInUser({ name, role }: { name: string; role: string }) {
  return (
    <p className="text-right text-sm leading-tight">
      <span className="sr-only">Signed in as </span>
      <span className="font-medium text-slate-900">{name}</span>
      <span className="block text-xs text-slate-500">{role}</span>
    </p>
  );
}
