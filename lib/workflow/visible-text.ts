/**
 * How long a written reason (a justification, an override reason, a send-back comment) is as a reader sees
 * it. A minimum length is meant to make someone explain; ten zero-width spaces or a row of blanks explain
 * nothing, so they do not count. Pure; used by the API's schemas, the workflow, the services and the forms.
 */

/**
 * Characters that render as nothing: format characters (`\p{Cf}`: zero-width spaces and joiners, bidi
 * marks, the BOM, soft hyphens) and the other default-ignorables (Hangul fillers, variation selectors).
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** Spaces of every width (`\p{Zs}`), line breaks and tabs, and the blank Braille pattern. */
const BLANK = /^[\p{Zs}\s\u2800]+$/u;

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * How many characters a reader sees in `text`: user-perceived characters (grapheme clusters, so an accent
 * or an emoji sequence joined by ZWJ counts once), leaving out clusters made only of invisible characters,
 * counting each run of blanks as one and not counting blanks at either end.
 */
export function visibleLength(text: string): number {
  let count = 0;
  let pendingBlank = false;
  for (const { segment } of graphemes.segment(text)) {
    const seen = segment.replace(INVISIBLE, "");
    if (seen === "") continue;
    if (BLANK.test(seen)) {
      pendingBlank = count > 0;
      continue;
    }
    count += pendingBlank ? 2 : 1;
    pendingBlank = false;
  }
  return count;
}

export type WrittenTextProblem =
  { problem: "missing" | "too_short"; length: number } | { problem: "too_long"; length: number };

/**
 * Why `text` is not an acceptable written reason, or null. `min` counts visible characters
 * (`visibleLength`); `max` bounds what is stored, so it counts every character of the trimmed text
 * (invisible ones included) and `length` is that count for `too_long`. Nothing visible is `missing`.
 */
export function writtenTextProblem(
  text: string,
  bounds: { min: number; max: number },
): WrittenTextProblem | null {
  const stored = [...text.trim()].length;
  if (stored > bounds.max) return { problem: "too_long", length: stored };
  const visible = visibleLength(text);
  if (visible === 0) return { problem: "missing", length: 0 };
  if (visible < bounds.min) return { problem: "too_short", length: visible };
  return null;
}
