import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rosterPathStamp } from "./roster-stamp";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function tempDir(): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), "roster-stamp-"));
  return dir;
}

describe("rosterPathStamp", () => {
  it("stays the same while a roster file is untouched, and changes when it is edited", async () => {
    const file = path.join(await tempDir(), "roster.yaml");
    await writeFile(file, "- name: Amara\n");
    const first = await rosterPathStamp(file);
    expect(first).not.toBeNull();
    expect(await rosterPathStamp(file)).toBe(first);
    await writeFile(file, "- name: Amara Okafor\n");
    expect(await rosterPathStamp(file)).not.toBe(first);
  });

  it("changes when a file of a roster directory is added, replaced or renamed", async () => {
    const root = await tempDir();
    await writeFile(path.join(root, "emea.yaml"), "- name: Amara\n");
    const first = await rosterPathStamp(root);
    expect(await rosterPathStamp(root)).toBe(first);

    await writeFile(path.join(root, "apac.yaml"), "- name: Theo\n");
    const added = await rosterPathStamp(root);
    expect(added).not.toBe(first);

    // Replaced the way editors and `git checkout` do: a new file moved over the old one.
    await writeFile(path.join(root, "next.tmp"), "- name: Theo Marsh\n");
    await rename(path.join(root, "next.tmp"), path.join(root, "apac.yaml"));
    const replaced = await rosterPathStamp(root);
    expect(replaced).not.toBe(added);

    await rename(path.join(root, "apac.yaml"), path.join(root, "amer.yaml"));
    expect(await rosterPathStamp(root)).not.toBe(replaced);
  });

  it("is null for a path that cannot be read", async () => {
    expect(await rosterPathStamp(path.join(await tempDir(), "missing.yaml"))).toBeNull();
  });
});
