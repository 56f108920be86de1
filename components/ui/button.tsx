import type { ButtonHTMLAttributes } from "react";
import { cn } from "./cn";

// `aria-disabled` looks as `disabled` does: a button busy with what it started keeps the focus (see Button).
const VARIANTS = {
  primary:
    "bg-indigo-600 text-white hover:bg-indigo-700 focus-visible:outline-indigo-600 disabled:bg-indigo-300 aria-disabled:bg-indigo-300",
  secondary:
    "bg-white text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline-indigo-600 disabled:bg-slate-50 disabled:text-slate-400 aria-disabled:bg-slate-50 aria-disabled:text-slate-400",
  danger:
    "bg-rose-600 text-white hover:bg-rose-700 focus-visible:outline-rose-600 disabled:bg-rose-300 aria-disabled:bg-rose-300",
  ghost:
    "text-slate-700 shadow-none hover:bg-slate-100 focus-visible:outline-indigo-600 disabled:text-slate-400 aria-disabled:text-slate-400",
} as const;

export type ButtonVariant = keyof typeof VARIANTS;
export type ButtonSize = "sm" | "md";

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
}

/** The button look, for links that act as buttons (`<Link className={buttonClasses()}>`). */
export function buttonClasses({
  variant = "primary",
  size = "md",
  className,
}: { variant?: ButtonVariant; size?: ButtonSize; className?: string } = {}): string {
  return cn(
    "inline-flex items-center justify-center gap-1.5 rounded-md font-medium shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed aria-disabled:cursor-not-allowed",
    size === "sm" ? "px-2.5 py-1 text-xs" : "px-3.5 py-2 text-sm",
    VARIANTS[variant],
    className,
  );
}

/**
 * A button. `disabled` takes it out of the tab order, and the focus with it: a button that is only busy
 * (with the run or the request it started) says so with `aria-disabled` instead, keeps the focus, and
 * ignores presses meanwhile.
 */
export function Button({
  variant = "primary",
  size = "md",
  className,
  type = "button",
  onClick,
  ...props
}: ButtonProps) {
  const inert = props["aria-disabled"] === true || props["aria-disabled"] === "true";
  return (
    <button
      type={type}
      className={buttonClasses({ variant, size, className })}
      onClick={inert ? (event) => event.preventDefault() : onClick}
      {...props}
    />
  );
}
