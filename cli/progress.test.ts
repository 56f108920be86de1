import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { RetryEvent } from "@/lib/http/request";
import { createProgressReporter, describeRetry } from "./progress";

const RETRY: RetryEvent = {
  method: "GET",
  path: "/users",
  attempt: 2,
  attempts: 6,
  reason: "503",
  waitMs: 1_234,
};

/** A terminal that keeps what is drawn on it. */
function fakeTerminal() {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const terminal = Object.assign(stream, { isTTY: true, columns: 200 }) as unknown as NodeJS.WriteStream;
  return { terminal, drawn: () => text };
}

describe("describeRetry", () => {
  it.each([
    { event: RETRY, text: "retrying GET /users (503), attempt 2 of 6, waiting 1.2 s" },
    {
      event: { ...RETRY, path: "/v3/schedules/P1", reason: "timeout", attempt: 6, waitMs: 30_000 },
      text: "retrying GET /v3/schedules/P1 (timeout), attempt 6 of 6, waiting 30 s",
    },
    {
      event: { ...RETRY, reason: "EAI_AGAIN", attempts: 2, waitMs: 260 },
      text: "retrying GET /users (EAI_AGAIN), attempt 2 of 2, waiting 0.3 s",
    },
  ])("$text", ({ event, text }) => {
    expect(describeRetry(event)).toBe(text);
  });
});

describe("createProgressReporter", () => {
  it("writes a line per retry when stderr is not a terminal", () => {
    const lines: string[] = [];
    const progress = createProgressReporter({ enabled: true, write: (t) => lines.push(t) });
    progress.start("Auditing 3 people against 1 rotation(s)");
    progress.retry(RETRY);
    progress.update({ phase: "users", done: 1, total: 1 });
    expect(lines).toEqual([
      "Auditing 3 people against 1 rotation(s)…\n",
      "  retrying GET /users (503), attempt 2 of 6, waiting 1.2 s\n",
      "  reading users…\n",
      "  read 1 users\n",
    ]);
  });

  it("says nothing with --no-progress", () => {
    const lines: string[] = [];
    const progress = createProgressReporter({ enabled: false, write: (t) => lines.push(t) });
    progress.retry(RETRY);
    expect(lines).toEqual([]);
  });

  it("shows a retry on the bar, even before any progress, until its wait is over and progress moves", () => {
    let clock = 0;
    const { terminal, drawn } = fakeTerminal();
    const progress = createProgressReporter({
      enabled: true,
      terminal,
      write: () => undefined,
      now: () => clock,
    });
    progress.start("Auditing");
    progress.retry(RETRY);
    expect(drawn()).toContain("retrying GET /users (503), attempt 2 of 6, waiting 1.2 s");

    const before = drawn().length;
    clock = 500;
    progress.update({ phase: "users", done: 1, total: 3 });
    progress.stop();
    // Still inside the wait: the final drawing keeps the retry.
    expect(drawn().slice(before)).toContain("retrying GET /users");

    const { terminal: second, drawn: drawnSecond } = fakeTerminal();
    const later = createProgressReporter({
      enabled: true,
      terminal: second,
      write: () => undefined,
      now: () => clock,
    });
    later.start("Auditing");
    clock = 0;
    later.retry(RETRY);
    clock = 2_000;
    const mark = drawnSecond().length;
    later.update({ phase: "users", done: 2, total: 3 });
    later.stop();
    expect(drawnSecond().slice(mark)).toContain("users 2/3");
    expect(drawnSecond().slice(mark)).not.toContain("retrying");
  });
});
