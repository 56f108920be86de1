import type { ReactNode } from "react";

const TONES = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-300",
  info: "bg-sky-50 text-sky-800 ring-sky-300",
  warning: "bg-amber-50 text-amber-900 ring-amber-300",
  danger: "bg-rose-50 text-rose-800 ring-rose-300",
  success: "bg-emerald-50 text-emerald-800 ring-emerald-300",
} as const;

export type BadgeTone = keyof typeof TONES;

/** A small coloured label (its shape: `.badge` in app/globals.css); `title` is shown on hover. */
export function Badge({
  tone = "neutral",
  title,
  children,
}: {
  tone?: BadgeTone;
  title?: string;
  children: ReactNode;
}) {
  return (
    <span title={title} className={`badge ${TONES[tone]}`}>
      {children}
    </span>
  );
}
