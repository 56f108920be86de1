import type { ReactNode } from "react";

/** The element of a state's title: a paragraph inside a page, the page's `h1` when it is the whole page. */
type TitleElement = "p" | "h1" | "h2";

/** What a page shows when there is nothing yet: what it means and what to do next. */
export function EmptyState({
  title,
  titleAs: Title = "p",
  children,
  action,
}: {
  title: string;
  titleAs?: TitleElement;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
      <Title className="text-sm font-semibold text-slate-900">{title}</Title>
      {children && <div className="mt-1 text-sm text-slate-600">{children}</div>}
      {action && <div className="mt-4 flex justify-center">{action}</div>}
    </div>
  );
}

/** An error a person can act on; internals never reach the page. */
export function ErrorState({
  title,
  titleAs: Title = "p",
  message,
  action,
}: {
  title: string;
  titleAs?: TitleElement;
  message: string;
  action?: ReactNode;
}) {
  return (
    <div role="alert" className="rounded-lg border border-rose-200 bg-rose-50 p-5">
      <Title className="text-sm font-semibold text-rose-900">{title}</Title>
      <p className="mt-1 text-sm text-rose-800">{message}</p>
      {action && <div className="mt-3">{action}</div>}
    </div>
  );
}

export function LoadingState({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-3 p-6 text-sm text-slate-600">
      <span
        className="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600"
        aria-hidden
      />
      {label}
    </div>
  );
}

/** Grey placeholder blocks while a page loads; hidden from screen readers (the LoadingState speaks). */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={`animate-pulse rounded-md bg-slate-200 ${className ?? ""}`} />;
}

/**
 * An audit's page still loading: a placeholder for its header, its label for screen readers, then the
 * placeholders shaped like its content (`children`).
 */
export function PageLoading({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Skeleton className="mb-6 h-14 w-full max-w-80" />
      <LoadingState label={label} />
      {children}
    </div>
  );
}

/** A page of cards still loading: its label for screen readers and `cards` grey placeholders. */
export function CardsLoading({ label, cards = 2 }: { label: string; cards?: number }) {
  return (
    <div>
      <LoadingState label={label} />
      <div className="space-y-4">
        {Array.from({ length: cards }, (_, i) => (
          <Skeleton key={i} className="h-24" />
        ))}
      </div>
    </div>
  );
}
