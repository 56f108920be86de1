import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectedAppError } from "@/lib/testing/errors";
import { checkReportPath, describeUnwritable } from "./output";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pagerduty-audit-output-"));
});

afterAll(async () => {
  await chmod(path.join(dir, "locked"), 0o755).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe("checkReportPath", () => {
  it("accepts a new file in an existing directory, and leaves nothing behind", async () => {
    const file = path.join(dir, "new.md");
    await checkReportPath(file);
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });

  it("accepts an existing file without changing it", async () => {
    const file = path.join(dir, "old.md");
    await writeFile(file, "old report\n");
    await checkReportPath(file);
    expect(await readFile(file, "utf8")).toBe("old report\n");
  });

  it("agrees with a real write into a directory without write permission (refused, unless run as root)", async () => {
    const locked = path.join(dir, "locked");
    await mkdir(locked);
    await chmod(locked, 0o555);
    const file = path.join(locked, "report.md");
    // root writes through permission bits; either way the check must say what a real write does.
    const refusedBySystem = await writeFile(file, "x").then(
      () => false,
      () => true,
    );
    await rm(file, { force: true });
    if (refusedBySystem) {
      const error = await rejectedAppError(checkReportPath(file));
      expect(error.code).toBe("invalid:output");
      expect(error.message).toBe(`Cannot write the report to ${file}: permission denied (EACCES).`);
    } else {
      await expect(checkReportPath(file)).resolves.toBeUndefined();
    }
  });
});

describe("describeUnwritable", () => {
  it.each([
    { code: "EACCES", text: "permission denied (EACCES)" },
    { code: "EPERM", text: "permission denied (EPERM)" },
    { code: "EROFS", text: "read-only file system (EROFS)" },
    { code: "ENOSPC", text: "no space left on the device (ENOSPC)" },
    { code: "EIO", text: "the system refused it (EIO)" },
  ])("$code → $text", ({ code, text }) => {
    expect(describeUnwritable(Object.assign(new Error(code), { code }))).toBe(text);
  });
});
