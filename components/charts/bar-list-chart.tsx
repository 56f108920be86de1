"use client";

// A client component although it keeps no state: the server sends the chart its figures (a few hundred
// bytes), where a server component's SVG and table were sent twice, as HTML and again as the page's payload.
import { ChartFigure, ChartTable } from "./chart-figure";
import { barLength } from "./scale";

export interface BarDatum {
  key: string;
  label: string;
  value: number;
  /** Where the bar leads (the findings it counts); none: a bar to look at only. */
  href?: string;
}

const WIDTH = 360;
const ROW = 40;
const BAR = 12;

const TONES = {
  indigo: "fill-indigo-600",
  rose: "fill-rose-600",
} as const;

/**
 * Labelled horizontal bars, largest first (ties by label), zero values left out; each bar with an `href`
 * is a link (underlined label, focus ring). `unit` names what is counted, singular and plural.
 */
export function BarListChart({
  id,
  title,
  description,
  data,
  unit,
  labelHeader,
  tone = "indigo",
  empty,
}: {
  id: string;
  title: string;
  /** Said before the bars' figures in the picture's description. */
  description: string;
  data: BarDatum[];
  unit: [string, string];
  labelHeader: string;
  tone?: keyof typeof TONES;
  empty: string;
}) {
  const bars = data
    .filter((d) => d.value > 0)
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  if (bars.length === 0) return <p className="text-sm text-slate-600">{empty}</p>;
  const max = bars[0]?.value ?? 0;
  const counted = (value: number) => `${value} ${value === 1 ? unit[0] : unit[1]}`;
  const linked = bars.some((bar) => bar.href);

  return (
    <ChartFigure
      id={id}
      title={title}
      description={`${description} ${bars.map((bar) => `${bar.label}: ${counted(bar.value)}`).join("; ")}.`}
      width={WIDTH}
      height={bars.length * ROW}
      role={linked ? "group" : "img"}
      table={
        <ChartTable
          caption={title}
          headers={[labelHeader, unit[1].replace(/^./, (c) => c.toUpperCase())]}
          rows={bars.map((bar) => ({
            key: bar.key,
            cells: [
              bar.href ? (
                <a href={bar.href} className="text-indigo-700 underline hover:text-indigo-900">
                  {bar.label}
                </a>
              ) : (
                bar.label
              ),
              bar.value,
            ],
          }))}
        />
      }
    >
      {bars.map((bar, i) => {
        const y = i * ROW;
        const body = (
          <>
            <rect
              x={-4}
              y={y}
              width={WIDTH + 8}
              height={ROW - 4}
              rx={4}
              className={
                bar.href
                  ? "fill-transparent stroke-transparent stroke-2 group-hover:fill-slate-50 group-focus-visible:stroke-indigo-600"
                  : "fill-transparent"
              }
            />
            <text
              x={0}
              y={y + 14}
              fontSize={13}
              className={bar.href ? "fill-indigo-700 underline" : "fill-slate-700"}
            >
              {bar.label}
            </text>
            {/* A space between label and figure: a link's visible text then reads "Label 7", which its name
                ("Label: 7 findings") contains word for word, as WCAG's label-in-name asks. */}{" "}
            <text
              x={WIDTH}
              y={y + 14}
              fontSize={13}
              textAnchor="end"
              className="fill-slate-900 font-semibold"
            >
              {bar.value}
            </text>
            <rect x={0} y={y + 20} width={WIDTH} height={BAR} rx={3} className="fill-slate-100" />
            <rect
              x={0}
              y={y + 20}
              width={barLength(bar.value, max, WIDTH)}
              height={BAR}
              rx={3}
              className={TONES[tone]}
            />
          </>
        );
        return bar.href ? (
          <a
            key={bar.key}
            href={bar.href}
            aria-label={`${bar.label}: ${counted(bar.value)}`}
            className="group outline-none"
          >
            {body}
          </a>
        ) : (
          <g key={bar.key}>{body}</g>
        );
      })}
    </ChartFigure>
  );
}
