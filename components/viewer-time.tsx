"use client";

import { useSyncExternalStore } from "react";
import { formatDateTime } from "./time-format";

/** The viewer's zone never changes while a page is open: nothing to subscribe to. */
function subscribe(): () => void {
  return () => undefined;
}

function viewerZone(): string | null {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
}

/**
 * A moment in the viewer's time zone. The server does not know the zone, so it renders UTC, and so does the
 * browser's first render (no hydration mismatch); the browser then shows its own zone.
 */
export function ViewerDateTime({ iso }: { iso: string }) {
  const zone = useSyncExternalStore(subscribe, viewerZone, () => null);
  return formatDateTime(iso, zone);
}
