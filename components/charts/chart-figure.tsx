import type { ReactNode } from "react";
import { cn } from "@/components/ui/cn";

/**
 * The size of a chart's text in its own units: larger on a narrow screen, where the picture is drawn
 * smaller than its own width, so the text stays readable.
 */
export const CHART_TEXT = "text-[12px] max-sm:text-[20px]";

/**
 * A chart as a figure: the SVG picture (named by its <title> and <desc>) and, under it, the same figures as
 * a table a reader can open. `id` makes the ids of the title and description unique on the page.
 */
export function ChartFigure({
  id,
  title,
  description,
  width,
  height,
  role = "img",
  stretch = false,
  legend,
  table,
  children,
  className,
}: {
  id: string;
  /** The picture's name, e.g. "Findings by code". */
  title: string;
  /** What the picture shows, in a sentence or two with its main figures. */
  description: string;
  /** The picture's own coordinates (its viewBox); it scales to the width of its box. */
  width: number;
  height: number;
  /**
   * `img` for a picture to look at; `group` for one whose parts are links (an image's parts are hidden from
   * assistive technology, so its links would be too).
   */
  role?: "img" | "group";
  /**
   * Widen past its own width to fill the box (a bar with no text). Otherwise it is drawn at its own width
   * at most, so its text keeps its size on a wide screen, and shrinks only on a narrow one.
   */
  stretch?: boolean;
  legend?: { key: string; label: string; swatch: string }[];
  table: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <figure className={cn("space-y-2", className)}>
      <svg
        role={role}
        aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${width} ${height}`}
        className="h-auto w-full overflow-visible"
        style={stretch ? undefined : { maxWidth: width }}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {children}
      </svg>
      {legend && legend.length > 0 && (
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
          {legend.map((entry) => (
            <li key={entry.key} className="flex items-center gap-1.5">
              <svg aria-hidden="true" viewBox="0 0 10 10" className="h-2.5 w-2.5">
                <rect width="10" height="10" rx="2" className={entry.swatch} />
              </svg>
              {entry.label}
            </li>
          ))}
        </ul>
      )}
      <details className="text-sm">
        <summary className="cursor-pointer rounded text-xs font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
          {title}: the figures as a table
        </summary>
        <div className="mt-2">{table}</div>
      </details>
    </figure>
  );
}

/** The fallback table of a chart: a caption, a header row and rows of cells (the first cell names the row). */
export function ChartTable({
  caption,
  headers,
  rows,
}: {
  caption: string;
  headers: string[];
  rows: { key: string; cells: ReactNode[] }[];
}) {
  return (
    // The body's cells styled here once: a chart's table has a cell per day and figure.
    <table className="w-full divide-y divide-slate-200 text-sm break-words [&>tbody>tr>*]:px-2 [&>tbody>tr>*]:py-1.5 [&>tbody>tr>td]:text-right [&>tbody>tr>td]:tabular-nums [&>tbody>tr>td]:text-slate-900 [&>tbody>tr>th]:text-left [&>tbody>tr>th]:font-normal [&>tbody>tr>th]:text-slate-700">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {headers.map((header, i) => (
            <th
              key={header}
              scope="col"
              className={cn(
                "px-2 py-1.5 text-xs font-semibold text-slate-600",
                i === 0 ? "text-left" : "text-right",
              )}
            >
              {header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row) => (
          <tr key={row.key}>
            {row.cells.map((cell, i) =>
              i === 0 ? (
                <th key={i} scope="row">
                  {cell}
                </th>
              ) : (
                <td key={i}>{cell}</td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
