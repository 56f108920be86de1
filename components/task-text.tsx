/**
 * A "what to do" text (lib/workflow/owners.ts) as a sentence: what it marks with backticks is what is
 * typed as written (`pagerduty.id: P1`), shown as code.
 */
export function TaskText({ text }: { text: string }) {
  return (
    <>
      {text.split("`").map((part, index) =>
        index % 2 === 1 ? (
          <code key={index} className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[13px] text-slate-900">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}
