/** How many of a run's roster warnings the overview shows; the CLI and the JSON report list them all. */
export const WARNINGS_SHOWN = 5;

/**
 * A run's roster warnings as the panel shows them: the first `WARNINGS_SHOWN` lines and how many there
 * are (the page sends no more: 3,333 lines were 830 KB of the overview at 10,000 people).
 */
export interface RunWarnings {
  runId: string;
  lines: string[];
  total: number;
}
