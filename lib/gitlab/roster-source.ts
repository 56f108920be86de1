import { DEFAULT_GITLAB_INSTANCE_URL, type AuditConfig } from "@/lib/config/schema";
import { AppError } from "@/lib/errors";
import {
  loadRoster,
  loadRosterForConfig,
  type GitLabFileRequest,
  type GitLabTreeRequest,
  type RosterLoadDeps,
} from "@/lib/roster/load";
import type { Roster } from "@/lib/roster/schema";
import { createGitLabClient, type GitLabClient, type GitLabClientOptions } from "./client";

/** What a roster read needs of the config: where the roster is, and the issue export's GitLab instance. */
export type RosterConfig = Pick<AuditConfig, "roster" | "gitlab">;

/** How the CLI and the server reach a roster kept in GitLab. */
export interface RosterGitLabAccess {
  /** GL_TOKEN (read through lib/env.ts); needed only when the roster is in GitLab. */
  token: string | undefined;
  /** Client settings other than the instance and the token (tests: fewer retries). */
  client?: Omit<GitLabClientOptions, "baseUrl" | "token">;
}

/**
 * The GitLab instance a GitLab roster is read from: `roster.gitlab.url`, else the config's `gitlab.url`
 * (the audits project's instance), else gitlab.com. Null for a local roster.
 */
export function rosterGitLabUrl(config: RosterConfig): string | null {
  if (!("gitlab" in config.roster)) return null;
  return config.roster.gitlab.url ?? config.gitlab?.url ?? DEFAULT_GITLAB_INSTANCE_URL;
}

/**
 * `loadRoster`'s deps for the config's roster: none for a local path; for a roster in GitLab, a client of
 * its instance (`rosterGitLabUrl`) authenticated with `access.token`. Throws AppError
 * `invalid:environment` when the roster is in GitLab and there is no token.
 */
export function createRosterDepsForConfig(config: RosterConfig, access: RosterGitLabAccess): RosterLoadDeps {
  const { roster } = config;
  if (!("gitlab" in roster)) return {};
  const baseUrl = rosterGitLabUrl(config) ?? DEFAULT_GITLAB_INSTANCE_URL;
  if (!access.token) {
    const { project, path, ref } = roster.gitlab;
    throw new AppError(
      "invalid:environment",
      `GL_TOKEN is not set: the roster is read from GitLab (${path} at ${ref} in project ${project} on ${baseUrl}). Export a GitLab token with the read_api scope as GL_TOKEN, or point roster.path at a local checkout.`,
    );
  }
  return createGitLabRosterDeps(createGitLabClient({ ...access.client, baseUrl, token: access.token }));
}

/**
 * The config's roster, with GitLab wired in (`createRosterDepsForConfig`): the one roster read of the CLI,
 * the server's audit runs and sign-in, so they cannot drift apart. An audit holds the roster to the config
 * (`loadRosterForConfig`: every rotation id it names exists, every `reports_to` is in the roster); sign-in
 * (`{ forSignIn: true }`) reads people only, so a typo in one entry does not lock everyone out.
 */
export function loadConfiguredRoster(
  config: RosterConfig & Pick<AuditConfig, "rotations" | "exempt">,
  access: RosterGitLabAccess,
  options: { forSignIn?: boolean } = {},
): Promise<Roster> {
  const deps = createRosterDepsForConfig(config, access);
  return options.forSignIn ? loadRoster(config.roster, deps) : loadRosterForConfig(config, deps);
}

/**
 * `loadRoster`'s GitLab dependencies, read through `client`. A missing file or directory becomes
 * `not_found:roster` (the roster is what is missing, not GitLab); other GitLab errors pass through. A
 * roster source naming a different GitLab instance than the client's is `invalid:config`: this client's
 * token belongs to its own instance.
 */
export function createGitLabRosterDeps(client: GitLabClient): Required<RosterLoadDeps> {
  const checkInstance = (request: GitLabFileRequest | GitLabTreeRequest) => {
    if (request.url === undefined) return;
    if (new URL(request.url).origin !== new URL(client.baseUrl).origin) {
      throw new AppError(
        "invalid:config",
        `The roster is on ${request.url}, but the GitLab client is configured for ${client.baseUrl}.`,
      );
    }
  };
  const where = (request: GitLabFileRequest | GitLabTreeRequest) =>
    `${request.path} in GitLab project ${request.project} at ref ${request.ref}`;
  const notFoundAsRoster = (error: unknown, what: string): never => {
    if (error instanceof AppError && error.code === "not_found:gitlab") {
      throw new AppError("not_found:roster", `The roster ${what} was not found (${error.message})`, {
        cause: error,
      });
    }
    throw error;
  };

  return {
    async readGitLabFile(request) {
      checkInstance(request);
      try {
        return await client.getRawFile(request.project, request.path, request.ref, {
          maxBytes: request.maxBytes,
        });
      } catch (error) {
        return notFoundAsRoster(error, `file ${where(request)}`);
      }
    },
    async readGitLabTree(request) {
      checkInstance(request);
      try {
        const items = await client.listTree(request.project, request.path, request.ref);
        return items.flatMap((item) =>
          item.type === "commit" ? [] : [{ path: item.path, type: item.type }],
        );
      } catch (error) {
        return notFoundAsRoster(error, `directory ${where(request)}`);
      }
    },
  };
}
