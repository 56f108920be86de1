import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { cn } from "./cn";

/** The controls' look (app/globals.css). */
const CONTROL = "control";

/**
 * A labelled form control: the label, the control, an optional hint, and the message of a refused submit
 * (`error`), both of which the control is described by (see `describedBy`).
 *
 * The forms' one validation pattern: the submit button stays enabled; pressing it with a problem shows the
 * message here, under the field it is about, and moves focus to that field (`useFieldProblem`).
 */
export function Field({
  id,
  label,
  hint,
  hintId,
  error,
  children,
  className,
}: {
  /** The control's id; the label points at it. */
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  /** Id of the hint, for the control's `aria-describedby`. Defaults to `${id}-hint`. */
  hintId?: string;
  /** Why the last submit was refused, about this field; shown as `${id}-error`. */
  error?: string | null;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <label htmlFor={id} className="text-xs font-medium text-slate-700">
        {label}
      </label>
      {children}
      {hint && (
        <p id={hintId ?? `${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-xs font-medium text-rose-700">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * The control's side of a `Field`: described by its hint (when it has one) and its error, and invalid while
 * it has an error. Spread on the control: `<Textarea id={id} {...describedBy(id, { error })} />`.
 */
export function describedBy(
  id: string,
  { hint = true, error }: { hint?: boolean; error?: string | null },
): { "aria-describedby"?: string; "aria-invalid"?: true } {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter((x) => x !== null);
  return {
    ...(ids.length > 0 ? { "aria-describedby": ids.join(" ") } : {}),
    ...(error ? { "aria-invalid": true as const } : {}),
  };
}

export function Input({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={cn(CONTROL, className)} {...props} />;
}

export function Select({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={cn(CONTROL, "pr-8", className)} {...props} />;
}

export function Textarea({ className, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea className={cn(CONTROL, className)} {...props} />;
}
