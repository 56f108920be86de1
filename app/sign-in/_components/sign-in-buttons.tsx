"use client";

import { signIn } from "next-auth/react";
import { useMemo, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";

export function GitLabSignInButton({ callbackUrl }: { callbackUrl: string }) {
  const [pending, setPending] = useState(false);
  return (
    <Button
      className="w-full"
      disabled={pending}
      onClick={() => {
        setPending(true);
        void signIn("gitlab", { callbackUrl });
      }}
    >
      {pending ? "Redirecting to GitLab…" : "Sign in with GitLab"}
    </Button>
  );
}

export interface DemoPerson {
  name: string;
  email: string;
  title: string | null;
  role: string;
}

/** Demo mode only: sign in as any roster person, without a password. */
export function DemoSignInList({ people, callbackUrl }: { people: DemoPerson[]; callbackUrl: string }) {
  const [filter, setFilter] = useState("");
  const [pending, setPending] = useState<string | null>(null);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!needle) return people;
    return people.filter((p) =>
      [p.name, p.email, p.title ?? "", p.role].some((value) => value.toLowerCase().includes(needle)),
    );
  }, [people, filter]);

  return (
    <div className="space-y-3">
      <Field id="demo-filter" label="Find a person">
        <Input
          id="demo-filter"
          type="search"
          value={filter}
          placeholder="Name, title or role"
          autoComplete="off"
          onChange={(event) => setFilter(event.target.value)}
        />
      </Field>
      {shown.length === 0 ? (
        <p className="text-sm text-slate-600">No one in the roster matches “{filter}”.</p>
      ) : (
        <ul className="max-h-[28rem] divide-y divide-slate-100 overflow-y-auto rounded-md ring-1 ring-slate-200">
          {shown.map((person) => (
            <li key={person.email}>
              <button
                type="button"
                disabled={pending !== null}
                onClick={() => {
                  setPending(person.email);
                  void signIn("demo", { person: person.email, email: person.email, callbackUrl });
                }}
                className="flex w-full items-center justify-between gap-3 px-3 py-2 text-left hover:bg-indigo-50 focus-visible:bg-indigo-50 disabled:cursor-wait disabled:opacity-60"
              >
                <span className="min-w-0">
                  {/* The name is what the button shows, read after what it does (WCAG 2.5.3, label in name). */}
                  <span className="sr-only">Sign in as </span>
                  <span className="block truncate text-sm font-medium text-slate-900">{person.name}</span>
                  <span className="block truncate text-xs text-slate-500">{person.title ?? "No title"}</span>
                </span>
                {pending === person.email ? (
                  <span className="text-xs text-slate-500">Signing in…</span>
                ) : (
                  <Badge tone={person.role === "Team member" ? "neutral" : "info"}>{person.role}</Badge>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
