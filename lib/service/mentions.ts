import PQueue from "p-queue";
import type { AuditReport } from "@/lib/audit/types";
import type { GitLabClient } from "@/lib/gitlab/client";
import { isMentionable, type KnownUsers } from "@/lib/report/escape";

/** A GitLab username the dashboard would mention, and the person it stands for. */
export interface MentionCandidate {
  username: string;
  /** Who the username belongs to, for the warning (a roster name); null when it is the config's. */
  person: string | null;
}

/** The GitLab usernames a report would mention, with their people. */
export function mentionCandidatesOf(report: AuditReport): MentionCandidate[] {
  return report.findings.flatMap((f) =>
    f.person?.gitlab ? [{ username: f.person.gitlab, person: f.person.name }] : [],
  );
}

/** User lookups in flight at once: a 60-person export waits for 15 round trips, not 60. */
const LOOKUPS_IN_FLIGHT = 4;

/**
 * Asks GitLab which of `candidates` are users (`GET /users?username=`, once per username however many
 * times it comes, a few at a time), for one export or one ping: GitLab answers `[]` for a group path or an unknown name,
 * and `@group` would notify every member of the group. Returns the known users (lower-cased) for
 * `mention`, and a warning for each username that is left inert, for the person who exported or pinged.
 * Usernames that can never be live (`all`, `here`, bad characters) are not asked about.
 */
export async function findKnownUsers(
  client: GitLabClient,
  candidates: readonly MentionCandidate[],
): Promise<{ known: KnownUsers; warnings: string[] }> {
  const people = new Map<string, { username: string; people: Set<string> }>();
  for (const { username, person } of candidates) {
    if (!isMentionable(username)) continue;
    const key = username.toLowerCase();
    const entry = people.get(key) ?? { username, people: new Set<string>() };
    if (person !== null) entry.people.add(person);
    people.set(key, entry);
  }
  const queue = new PQueue({ concurrency: LOOKUPS_IN_FLIGHT });
  const entries = [...people];
  const found = await Promise.all(
    entries.map(([, { username }]) =>
      queue.add(async () => (await client.findUserByUsername(username)) !== null),
    ),
  );
  const known = new Set<string>();
  const warnings: string[] = [];
  entries.forEach(([key, { username, people: names }], i) => {
    if (found[i]) {
      known.add(key);
      return;
    }
    const whose = names.size > 0 ? ` (gitlab.username of ${[...names].join(", ")})` : "";
    warnings.push(
      `${username}${whose} is not a user on ${client.baseUrl}: a group, or no one. ` +
        "It is written without a live @ so that it notifies no one; correct it in the roster.",
    );
  });
  return { known, warnings };
}
