import { AppError } from "@/lib/errors";
import type { GitLabFileRequest, GitLabTreeRequest, RosterLoadDeps } from "@/lib/roster/load";
import type { GitLabClient } from "./client";

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
