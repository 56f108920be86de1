/**
 * The checker's full JSON reports on the bench's org, in several variants, hashed (sha256): a change meant
 * only to make the checker faster must leave every hash as it was. Variants: the complete snapshot; failed
 * schedule and user reads; no user list; users and schedules in reverse order (roster's order kept); and
 * everything reversed (roster entries, users, schedules, periods and their members).
 *
 *   node --import tsx scripts/bench/checker-reports.ts [--out dir] [people ...]    # default: 10000 100000
 *
 * Prints one line per size and variant: `<people> <variant> <sha256> <findings>`. With `--out`, also writes
 * each report there as `<people>-<variant>.json`, to diff when a hash changes.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkAudit } from "../../lib/audit/check";
import type { PagerDutySnapshot } from "../../lib/audit/types";
import type { Roster } from "../../lib/roster/schema";
import { checkerInput } from "./checker-input";
import { NOW } from "./common";

const SCHEDULES = 500;

type Variant = (
  roster: Roster,
  snapshot: PagerDutySnapshot,
) => { roster: Roster; snapshot: PagerDutySnapshot };

const VARIANTS: Record<string, Variant> = {
  complete: (roster, snapshot) => ({ roster, snapshot }),
  // Every 50th schedule and every 97th user could not be read.
  failedReads: (roster, snapshot) => {
    const failedSchedules = snapshot.schedules.filter((_, i) => i % 50 === 3);
    const failedUsers = snapshot.users.filter((_, i) => i % 97 === 5);
    const failedUserIds = new Set(failedUsers.map((u) => u.id));
    return {
      roster,
      snapshot: {
        ...snapshot,
        users: snapshot.users.filter((u) => !failedUserIds.has(u.id)),
        schedules: snapshot.schedules.filter((_, i) => i % 50 !== 3),
        failures: [
          ...failedSchedules.map((s) => ({
            kind: "schedule" as const,
            scheduleId: s.id,
            message: "timeout",
          })),
          ...failedUsers.map((u) => ({ kind: "user" as const, userId: u.id, message: "HTTP 500" })),
        ],
      },
    };
  },
  // The user list failed: no user was read (and so none is known unknown).
  noUserList: (roster, snapshot) => ({
    roster,
    snapshot: {
      ...snapshot,
      users: [],
      unknownUserIds: [],
      failures: [{ kind: "users_list", message: "HTTP 503" }],
    },
  }),
  usersAndSchedulesReversed: (roster, snapshot) => ({
    roster,
    snapshot: {
      ...snapshot,
      users: [...snapshot.users].reverse(),
      schedules: [...snapshot.schedules].reverse(),
    },
  }),
  allReversed: (roster, snapshot) => ({
    roster: { ...roster, entries: [...roster.entries].reverse() },
    snapshot: {
      ...snapshot,
      users: [...snapshot.users].reverse(),
      unknownUserIds: [...snapshot.unknownUserIds].reverse(),
      schedules: [...snapshot.schedules].reverse().map((s) => ({
        ...s,
        periods: [...s.periods].reverse().map((p) => ({ ...p, members: [...p.members].reverse() })),
      })),
    },
  }),
};

const { values, positionals } = parseArgs({ options: { out: { type: "string" } }, allowPositionals: true });
const sizes = positionals.map(Number);
for (const people of sizes.length > 0 ? sizes : [10_000, 100_000]) {
  const { config, roster, snapshot } = checkerInput(people, SCHEDULES);
  for (const [name, variant] of Object.entries(VARIANTS)) {
    const input = variant(roster, snapshot);
    const report = checkAudit({ ...input, config, now: NOW });
    const json = JSON.stringify(report);
    const hash = createHash("sha256").update(json).digest("hex");
    if (values.out !== undefined) writeFileSync(join(values.out, `${people}-${name}.json`), json);
    console.log(`${people} ${name} ${hash} ${report.findings.length}`);
  }
}
