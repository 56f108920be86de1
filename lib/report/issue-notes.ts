/**
 * Where the exported report goes in the audit issue's description: under its `## Notes` heading, between
 * two HTML comments that mark the text as ours, so a re-export rewrites exactly that block and never what
 * people wrote elsewhere in the issue. Pure: text in, text out.
 */

export const NOTES_START_MARKER = "<!-- pagerduty-audit:notes:start -->";
export const NOTES_END_MARKER = "<!-- pagerduty-audit:notes:end -->";

const NOTES_HEADING = /^ {0,3}##[ \t]+Notes[ \t]*#*[ \t]*$/i;
/** An ATX heading of level 1 or 2: it ends the Notes section. */
const SECTION_HEADING = /^ {0,3}#{1,2}(?:[ \t]|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The title of an audit's issue: `PagerDuty audit FY27-Q3`. */
export function issueTitle(auditName: string): string {
  return `PagerDuty audit ${auditName}`;
}

interface Line {
  /** Without its line ending. */
  text: string;
  start: number;
  /** Offset just past the line ending (or the end of the text). */
  next: number;
}

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    const next = newline === -1 ? text.length : newline + 1;
    const end =
      newline === -1 ? text.length : newline > start && text[newline - 1] === "\r" ? newline - 1 : newline;
    lines.push({ text: text.slice(start, end), start, next });
    start = next;
  }
  return lines;
}

/** Lines that are headings, skipping those inside fenced code blocks. */
function headingLines(text: string): Line[] {
  const headings: Line[] = [];
  let fence: string | null = null;
  for (const line of linesOf(text)) {
    const opener = FENCE.exec(line.text)?.[1];
    if (fence !== null) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = null;
    } else if (opener !== undefined) {
      fence = opener;
    } else if (/^ {0,3}#/.test(line.text)) {
      headings.push(line);
    }
  }
  return headings;
}

/**
 * `description` with `notes` placed under its `## Notes` heading (any case), wrapped in the
 * `pagerduty-audit:notes` markers:
 * - a description holding the markers already gets only the text between them replaced;
 * - otherwise the Notes section's content (up to the next heading of level 1 or 2, or the end) is replaced;
 * - a description without a Notes heading gets one appended at the end.
 *
 * Idempotent: placing the same notes twice gives the same text as placing them once. Marker text inside
 * `notes` is removed, so the notes cannot end their own block early.
 */
export function placeUnderNotes(description: string, notes: string): string {
  const inner = notes.split(NOTES_START_MARKER).join("").split(NOTES_END_MARKER).join("").trim();
  const block = `${NOTES_START_MARKER}\n${inner}\n${NOTES_END_MARKER}`;

  const start = description.indexOf(NOTES_START_MARKER);
  const end = start === -1 ? -1 : description.indexOf(NOTES_END_MARKER, start);
  if (start !== -1 && end !== -1) {
    return description.slice(0, start) + block + description.slice(end + NOTES_END_MARKER.length);
  }

  const headings = headingLines(description);
  const notesIndex = headings.findIndex((h) => NOTES_HEADING.test(h.text));
  const heading = headings[notesIndex];
  if (heading === undefined) {
    const body = description.trimEnd();
    return `${body}${body === "" ? "" : "\n\n"}## Notes\n\n${block}\n`;
  }
  const following = headings.slice(notesIndex + 1).find((h) => SECTION_HEADING.test(h.text));
  const before = description.slice(0, heading.next);
  const headingBreak = before.endsWith("\n") ? "" : "\n";
  if (following === undefined) return `${before}${headingBreak}\n${block}\n`;
  return `${before}${headingBreak}\n${block}\n\n${description.slice(following.start)}`;
}
