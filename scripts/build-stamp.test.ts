import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

import {
  hashBuildInputs,
  isBuildCurrent,
  parseBuildStamp,
  stampBuild,
  staleBuildInputs,
  type BuildInput,
} from "./build-stamp";

const file = (path: string, text: string): BuildInput => ({ path, content: new TextEncoder().encode(text) });
const SOURCES = [file("app/page.tsx", "export default 1;"), file("lib/a.ts", "export const a = 1;")];
const INPUTS = hashBuildInputs(SOURCES, {});

describe("hashBuildInputs", () => {
  it("does not depend on the order the files were listed in", () => {
    expect(hashBuildInputs([...SOURCES].reverse(), {})).toBe(INPUTS);
  });

  it.each([
    ["an edited file", [file("app/page.tsx", "export default 2;"), SOURCES[1]]],
    ["an added file", [...SOURCES, file("lib/b.ts", "")]],
    ["a removed file", [SOURCES[0]]],
    ["a renamed file", [SOURCES[0], file("lib/b.ts", "export const a = 1;")]],
    // Without lengths in the hash, these two would be the same bytes.
    [
      "content moved across a file boundary",
      [file("app/page.tsx", "export default 1;export"), file("lib/a.ts", " const a = 1;")],
    ],
  ])("changes with %s", (_, files) => {
    expect(
      hashBuildInputs(
        files.filter((f) => f !== undefined),
        {},
      ),
    ).not.toBe(INPUTS);
  });

  it("changes with the NEXT_PUBLIC_ environment the build inlines, and only with that", () => {
    expect(hashBuildInputs(SOURCES, { NEXT_PUBLIC_NAME: "x" })).not.toBe(INPUTS);
    expect(hashBuildInputs(SOURCES, { SESSION_SECRET: "x", PATH: "/bin" })).toBe(INPUTS);
  });
});

describe("isBuildCurrent", () => {
  const stamp = { buildId: "b1", inputs: INPUTS };

  it.each([
    ["the stamped build of the same sources", stamp, "b1", INPUTS, true],
    ["no build", stamp, null, INPUTS, false],
    ["a build with no stamp (made by someone else)", null, "b1", INPUTS, false],
    ["another build than the stamped one", stamp, "b2", INPUTS, false],
    ["sources changed since", stamp, "b1", hashBuildInputs([SOURCES[0] as BuildInput], {}), false],
  ] as const)("%s", (_, saved, buildId, inputs, current) => {
    expect(isBuildCurrent(saved, buildId, inputs)).toBe(current);
  });
});

describe("parseBuildStamp", () => {
  it("reads a stamp, and takes anything else for none", () => {
    expect(parseBuildStamp('{"buildId":"b1","inputs":"abc"}')).toEqual({ buildId: "b1", inputs: "abc" });
    expect(parseBuildStamp(null)).toBeNull();
    expect(parseBuildStamp("not json")).toBeNull();
    expect(parseBuildStamp('{"buildId":1,"inputs":"abc"}')).toBeNull();
    expect(parseBuildStamp("null")).toBeNull();
  });
});

describe("staleBuildInputs and stampBuild", () => {
  it("call a checkout stale until its build is stamped, and again once a source changes", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "build-stamp-"));
    try {
      await mkdir(path.join(root, "app"));
      await writeFile(path.join(root, "app", "page.tsx"), "export default 1;");
      // No build at all.
      const first = staleBuildInputs(root, {});
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      await mkdir(path.join(root, ".next"));
      await writeFile(path.join(root, ".next", "BUILD_ID"), "b1\n");
      // A build, but nothing vouches for it.
      expect(staleBuildInputs(root, {})).toBe(first);
      stampBuild(root, first!);
      expect(staleBuildInputs(root, {})).toBeNull();
      await writeFile(path.join(root, "app", "page.tsx"), "export default 2;");
      expect(staleBuildInputs(root, {})).not.toBeNull();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
