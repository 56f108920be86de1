"use client";

// A client component although it keeps no state: the server sends the chart its figures (a few hundred
// bytes), where a server component's SVG and table were sent twice, as HTML and again as the page's payload.
import { formatDay } from "@/components/time";
import type { ProgressDay } from "@/lib/workflow/progress";
import { CHART_TEXT, ChartFigure, ChartTable } from "./chart-figure";
import { countTicks, linearScale, niceMax, percentOf, stackSegments } from "./scale";

const DAY_MS = 24 * 60 * 60 * 1000;
const SHORT_DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

function shortDay(day: string): string {
  return SHORT_DAY.format(new Date(`${day}T00:00:00Z`));
}

/** The addressed part of an audit's findings (see AuditCounts). */
export interface AddressedCounts {
  found: number;
  fixed: number;
  intentional: number;
  waived: number;
  addressed: number;
  toAddress: number;
}

const SEGMENTS = [
  { key: "fixed", label: "Fixed", swatch: "fill-emerald-600" },
  { key: "intentional", label: "Intentional", swatch: "fill-sky-700" },
  { key: "waived", label: "Waived", swatch: "fill-amber-600" },
  { key: "toAddress", label: "Still to address", swatch: "fill-slate-300" },
] as const;

const BAR_WIDTH = 600;
const BAR_HEIGHT = 20;

/** Addressed against all findings as one bar: fixed, intentional and waived, then what is still to address. */
export function AddressedBar({ id, counts }: { id: string; counts: AddressedCounts }) {
  const percent = percentOf(counts.addressed, counts.found);
  const summary = `${counts.addressed} of ${counts.found} finding${counts.found === 1 ? "" : "s"} addressed (${percent} %)`;
  const segments = stackSegments(
    SEGMENTS.map((segment) => counts[segment.key]),
    counts.found,
    BAR_WIDTH,
  );
  return (
    <div>
      <p className="mb-2 text-sm text-slate-700">
        <span className="text-lg font-semibold tabular-nums text-slate-900">{counts.addressed}</span> of{" "}
        <span className="tabular-nums">{counts.found}</span> finding{counts.found === 1 ? "" : "s"} addressed
        ({percent} %)
      </p>
      <ChartFigure
        id={id}
        title="Findings addressed"
        description={`${summary}: ${SEGMENTS.map((s) => `${counts[s.key]} ${s.label.toLowerCase()}`).join(", ")}.`}
        width={BAR_WIDTH}
        height={BAR_HEIGHT}
        stretch
        legend={SEGMENTS.map((s) => ({
          key: s.key,
          label: `${s.label} (${counts[s.key]})`,
          swatch: s.swatch,
        }))}
        table={
          <ChartTable
            caption="Findings addressed"
            headers={["Findings", "Count"]}
            rows={[
              ...SEGMENTS.map((s) => ({ key: s.key, cells: [s.label, counts[s.key]] })),
              { key: "found", cells: ["All findings", counts.found] },
            ]}
          />
        }
      >
        <rect width={BAR_WIDTH} height={BAR_HEIGHT} rx={4} className="fill-slate-100" />
        {SEGMENTS.map((segment, i) => (
          <rect
            key={segment.key}
            x={segments[i]?.x}
            width={segments[i]?.width}
            height={BAR_HEIGHT}
            className={segment.swatch}
          />
        ))}
      </ChartFigure>
    </div>
  );
}

const WIDTH = 560;
const HEIGHT = 220;
const MARGIN = { top: 28, right: 16, bottom: 34, left: 36 };

/**
 * The burn-down: findings still to address at the end of each day of the audit (and all found, dashed),
 * against the due day: a straight line from the first day's findings to none on the due day shows the pace
 * that meets it. When the audit was opened after its due day, the due day is said, not drawn.
 */
export function BurnDownChart({ id, days, dueOn }: { id: string; days: ProgressDay[]; dueOn: string }) {
  const first = days[0];
  const last = days.at(-1);
  if (!first || !last) {
    return <p className="text-sm text-slate-600">The burn-down starts with the first run.</p>;
  }
  const indexOf = (day: string) => Math.round((Date.parse(day) - Date.parse(first.day)) / DAY_MS);
  const dueIndex = indexOf(dueOn);
  const dueInRange = dueIndex >= 0;
  const lastIndex = Math.max(days.length - 1, dueIndex);
  const top = niceMax(Math.max(...days.map((d) => d.found)));
  const x = linearScale([0, Math.max(1, lastIndex)], [MARGIN.left, WIDTH - MARGIN.right]);
  const y = linearScale([0, top], [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const path = (key: "remaining" | "found") =>
    days.map((d, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(d[key]).toFixed(1)}`).join(" ");

  const dueText = dueInRange
    ? `Due ${formatDay(dueOn)}.`
    : `Due ${formatDay(dueOn)}, before the audit was opened on ${formatDay(first.day)}.`;
  const description =
    `From ${formatDay(first.day)} to ${formatDay(last.day)}: ${last.found} findings found, ` +
    `${last.addressed} addressed, ${last.remaining} still to address (${first.remaining} on the first day). ${dueText}`;

  return (
    <ChartFigure
      id={id}
      title="Burn-down: findings still to address each day"
      description={description}
      width={WIDTH}
      height={HEIGHT}
      legend={[
        { key: "remaining", label: "Still to address", swatch: "fill-indigo-600" },
        { key: "found", label: "Found (dashed)", swatch: "fill-slate-400" },
        ...(dueInRange
          ? [{ key: "pace", label: "Pace to the due day (dotted)", swatch: "fill-emerald-600" }]
          : []),
      ]}
      table={
        <ChartTable
          caption="Findings each day"
          headers={["Day", "Found", "Addressed", "Still to address"]}
          rows={days.map((d) => ({
            key: d.day,
            cells: [formatDay(d.day), d.found, d.addressed, d.remaining],
          }))}
        />
      }
    >
      {countTicks(top).map((tick) => (
        <g key={tick}>
          <line
            x1={MARGIN.left}
            x2={WIDTH - MARGIN.right}
            y1={y(tick)}
            y2={y(tick)}
            className="stroke-slate-200"
          />
          <text
            x={MARGIN.left - 6}
            y={y(tick) + 4}
            textAnchor="end"
            className={`${CHART_TEXT} fill-slate-500`}
          >
            {tick}
          </text>
        </g>
      ))}
      <text x={x(0)} y={HEIGHT - 8} className={`${CHART_TEXT} fill-slate-600`}>
        {shortDay(first.day)}
      </text>
      {days.length > 1 && (
        <text
          x={x(days.length - 1)}
          y={HEIGHT - 8}
          textAnchor="end"
          className={`${CHART_TEXT} fill-slate-600`}
        >
          {shortDay(last.day)}
        </text>
      )}
      {dueInRange && (
        <g>
          <line
            x1={x(dueIndex)}
            x2={x(dueIndex)}
            y1={MARGIN.top}
            y2={HEIGHT - MARGIN.bottom}
            strokeDasharray="4 3"
            className="stroke-rose-600"
          />
          <text x={x(dueIndex)} y={MARGIN.top - 8} textAnchor="end" className={`${CHART_TEXT} fill-rose-700`}>
            Due {shortDay(dueOn)}
          </text>
          <line
            x1={x(0)}
            y1={y(first.remaining)}
            x2={x(dueIndex)}
            y2={y(0)}
            strokeDasharray="2 4"
            strokeWidth={2}
            className="stroke-emerald-600"
          />
        </g>
      )}
      <path
        d={path("found")}
        fill="none"
        strokeWidth={1.5}
        strokeDasharray="6 4"
        className="stroke-slate-400"
      />
      <path d={path("remaining")} fill="none" strokeWidth={2.5} className="stroke-indigo-600" />
      {days.length === 1 && <circle cx={x(0)} cy={y(first.remaining)} r={4} className="fill-indigo-600" />}
    </ChartFigure>
  );
}
