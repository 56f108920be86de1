/** Scales for the dashboard's SVG charts. Pure: numbers in, coordinates and tick values out. */

/**
 * A linear map from `domain` to `range` (e.g. a count to a pixel). A domain of one value maps everything to
 * the start of the range, so an empty chart draws nothing rather than dividing by zero.
 */
export function linearScale(
  [d0, d1]: readonly [number, number],
  [r0, r1]: readonly [number, number],
): (value: number) => number {
  const span = d1 - d0;
  if (span === 0) return () => r0;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/**
 * The smallest "round" number (1, 2 or 5 times a power of ten) at or above `max`: the top of a count axis,
 * so its ticks read as round numbers. At least 1.
 */
export function niceMax(max: number): number {
  if (!(max > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/**
 * Whole-number ticks from 0 to `top` (a `niceMax`), at most `count + 1` of them, evenly spaced; always
 * 0 and `top`.
 */
export function countTicks(top: number, count = 4): number[] {
  const step = Math.max(1, Math.ceil(top / count));
  const ticks: number[] = [];
  for (let value = 0; value < top; value += step) ticks.push(value);
  ticks.push(top);
  return ticks;
}

/** A bar's length for `value` out of `max` over `width`; a non-zero value is never drawn thinner than `min`. */
export function barLength(value: number, max: number, width: number, min = 2): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.max(min, (Math.min(value, max) / max) * width);
}

/** `12 %` of the total, rounded down so that "100 %" means all of it. */
export function percentOf(part: number, total: number): number {
  if (total <= 0) return 0;
  return Math.floor((part / total) * 100);
}

/**
 * Segments of one stacked bar, left to right: each value's start and length out of `total` over `width`.
 * Zero values take no room.
 */
export function stackSegments(
  values: readonly number[],
  total: number,
  width: number,
): { x: number; width: number }[] {
  let x = 0;
  return values.map((value) => {
    const length = barLength(value, total, width, 0);
    const segment = { x, width: length };
    x += length;
    return segment;
  });
}
