import { describe, expect, it } from "vitest";
import { barLength, countTicks, linearScale, niceMax, percentOf, stackSegments } from "./scale";

describe("linearScale", () => {
  it("maps the domain onto the range, inverted ranges included (an SVG's y grows downwards)", () => {
    const x = linearScale([0, 10], [40, 240]);
    expect([x(0), x(5), x(10)]).toEqual([40, 140, 240]);
    const y = linearScale([0, 20], [200, 0]);
    expect([y(0), y(5), y(20)]).toEqual([200, 150, 0]);
  });

  it("maps a one-value domain to the range's start", () => {
    expect(linearScale([3, 3], [10, 90])(3)).toBe(10);
  });
});

describe("niceMax", () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [19, 20],
    [21, 50],
    [100, 100],
    [101, 200],
    [0.5, 1],
  ])("%d → %d", (max, nice) => {
    expect(niceMax(max)).toBe(nice);
  });
});

describe("countTicks", () => {
  it.each([
    [1, 4, [0, 1]],
    [5, 4, [0, 2, 4, 5]],
    [20, 4, [0, 5, 10, 15, 20]],
    [50, 4, [0, 13, 26, 39, 50]],
  ])("top %d in %d steps", (top, count, ticks) => {
    expect(countTicks(top, count)).toEqual(ticks);
  });
});

describe("barLength", () => {
  it("is proportional, keeps a sliver for a small non-zero value, nothing for zero, and stops at the width", () => {
    expect(barLength(5, 10, 200)).toBe(100);
    expect(barLength(1, 1000, 200)).toBe(2);
    expect(barLength(0, 10, 200)).toBe(0);
    expect(barLength(12, 10, 200)).toBe(200);
    expect(barLength(3, 0, 200)).toBe(0);
  });
});

describe("percentOf", () => {
  it("rounds down, so 100 % means all", () => {
    expect(percentOf(199, 200)).toBe(99);
    expect(percentOf(200, 200)).toBe(100);
    expect(percentOf(0, 0)).toBe(0);
  });
});

describe("stackSegments", () => {
  it("lays the parts end to end; a zero part takes no room", () => {
    expect(stackSegments([1, 0, 2, 1], 4, 400)).toEqual([
      { x: 0, width: 100 },
      { x: 100, width: 0 },
      { x: 100, width: 200 },
      { x: 300, width: 100 },
    ]);
    expect(stackSegments([0, 0], 0, 400)).toEqual([
      { x: 0, width: 0 },
      { x: 0, width: 0 },
    ]);
  });
});
