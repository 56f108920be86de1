"use client";

import { useEffect, useState } from "react";
import { Button } from "./ui/button";

/** How long "Copied" stays on the button before it reads "Copy" again. */
const COPIED_MS = 2_000;

/**
 * Copies `value` to the clipboard: a real button (Enter and Space work), named after what it copies, that
 * says "Copied" (and announces it to screen readers) once the clipboard took it, or how to copy by hand when
 * the browser refuses.
 */
export function CopyButton({
  value,
  label,
}: {
  value: string;
  /** What is copied, e.g. `pagerduty.id: P1`. */ label: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state !== "copied") return;
    const timer = setTimeout(() => setState("idle"), COPIED_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      setState("failed");
    }
  };

  return (
    <span className="inline-flex items-center gap-2">
      <Button size="sm" variant="secondary" onClick={() => void copy()} aria-label={`Copy ${label}`}>
        {state === "copied" ? "Copied" : "Copy"}
      </Button>
      <span aria-live="polite" className={state === "failed" ? "text-xs text-rose-700" : "sr-only"}>
        {state === "copied"
          ? "Copied"
          : state === "failed"
            ? "Could not copy: select the text and copy it."
            : ""}
      </span>
    </span>
  );
}
