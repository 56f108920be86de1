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

/**
 * Asks GitLab which of `candidates` are users (`GET /users?username=`, once per username however many
 * times it comes), for one export or one ping: GitLab answers `[]` for a group path or an unknown name,
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
  const known = new Set<string>();
  const warnings: string[] = [];
  for (const [key, { username, people: names }] of people) {
    if (await client.findUserByUsername(username)) {
      known.add(key);
      continue;
    }
    const whose = names.size > 0 ? ` (gitlab.username of ${[...names].join(", ")})` : "";
    warnings.push(
      `${username}${whose} is not a user on ${client.baseUrl}: a group, or no one. ` +
        "It is written without a live @ so that it notifies no one; correct it in the roster.",
    );
  }
  return { known, warnings };
}
