"use client";

// A client component although it keeps no state: the server sends the chart its figures (a few hundred
// bytes), where a server component's SVG and table were sent twice, as HTML and again as the page's payload.
import { CODE_LABELS } from "@/lib/audit/labels";
import { FINDING_CODES } from "@/lib/audit/types";
import type { TrendEntry } from "@/lib/workflow/progress";
import { CHART_TEXT, ChartFigure, ChartTable } from "./chart-figure";
import { barLength } from "./scale";

const WIDTH = 480;
const ROW = 56;
const BAR = 14;
const FIXED_BAR = 8;

const PARTS = [
  { key: "recurring", label: "Recurring", swatch: "fill-indigo-700" },
  { key: "new", label: "New", swatch: "fill-amber-600" },
  { key: "fixed", label: "Fixed since the audit before", swatch: "fill-emerald-600" },
] as const;

/**
 * Each audit's findings, oldest first: recurring (the person or schedule had that code in the audit
 * before) and new, stacked; under them, the findings of the audit before that are gone. The table splits
 * them by code.
 */
export function TrendChart({ id, trend }: { id: string; trend: TrendEntry[] }) {
  if (trend.length === 0) return <p className="text-sm text-slate-600">No audits yet.</p>;
  const max = Math.max(1, ...trend.map((t) => Math.max(t.total.new + t.total.recurring, t.total.fixed)));
  const description = trend
    .map((t) =>
      t.compared
        ? `${t.name}: ${t.total.new + t.total.recurring} findings, ${t.total.recurring} recurring and ${t.total.new} new; ${t.total.fixed} of the audit before fixed`
        : `${t.name}: ${t.total.new} findings, the first audit to compare with`,
    )
    .join(". ");

  return (
    <ChartFigure
      id={id}
      title="Findings per audit: new, recurring and fixed"
      description={`${description}.`}
      width={WIDTH}
      height={trend.length * ROW}
      legend={PARTS.map((p) => ({ key: p.key, label: p.label, swatch: p.swatch }))}
      table={
        <ChartTable
          caption="Findings per audit by code"
          headers={["Audit and code", "New", "Recurring", "Fixed since the audit before"]}
          rows={trend.flatMap((t) => [
            ...FINDING_CODES.filter((code) => {
              const split = t.byCode[code];
              return split.new + split.recurring + split.fixed > 0;
            }).map((code) => ({
              key: `${t.auditId}:${code}`,
              cells: [
                `${t.name}: ${CODE_LABELS[code]}`,
                t.byCode[code].new,
                t.byCode[code].recurring,
                t.byCode[code].fixed,
              ],
            })),
            {
              key: `${t.auditId}:total`,
              cells: [`${t.name}: all codes`, t.total.new, t.total.recurring, t.total.fixed],
            },
          ])}
        />
      }
    >
      {trend.map((t, i) => {
        const y = i * ROW;
        const recurring = barLength(t.total.recurring, max, WIDTH);
        const fresh = barLength(t.total.new, max, WIDTH);
        const found = t.total.new + t.total.recurring;
        return (
          <g key={t.auditId}>
            <text x={0} y={y + 14} className={`${CHART_TEXT} fill-slate-900 font-medium`}>
              {t.name}
            </text>
            <text x={WIDTH} y={y + 14} textAnchor="end" className={`${CHART_TEXT} fill-slate-600`}>
              {t.compared ? `${found} found · ${t.total.fixed} fixed since` : `${found} found`}
            </text>
            <rect x={0} y={y + 20} width={recurring} height={BAR} className="fill-indigo-700" />
            <rect x={recurring} y={y + 20} width={fresh} height={BAR} className="fill-amber-600" />
            <rect
              x={0}
              y={y + 20 + BAR + 4}
              width={barLength(t.total.fixed, max, WIDTH)}
              height={FIXED_BAR}
              className="fill-emerald-600"
            />
          </g>
        );
      })}
    </ChartFigure>
  );
}
