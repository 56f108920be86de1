import type { ButtonHTMLAttributes } from "react";
import { cn } from "./cn";

/** Each variant's look, a class of its own (app/globals.css). */
const VARIANTS = {
  primary: "btn-primary",
  secondary: "btn-secondary",
  danger: "btn-danger",
  ghost: "btn-ghost",
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
  return cn("btn", size === "sm" ? "btn-sm" : "btn-md", VARIANTS[variant], className);
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
