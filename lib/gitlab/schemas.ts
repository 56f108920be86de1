import * as z from "zod";

/**
 * GitLab's REST v4 responses as far as this project reads them. Objects are loose (GitLab adds fields all
 * the time); the fields we use are required, so a changed API fails loudly.
 */

/**
 * Error bodies. `message` is a string (`"404 Project Not Found"`), an object of field → messages (a
 * validation error, `{"title":["can't be blank"]}`; `base` holds what concerns no one field) or an object
 * with one `error` sentence (an application limit); rarely a list. Parameter errors use `error` (`"title is
 * missing"`); OAuth errors a code in `error` with the sentence in `error_description`, and for a token
 * without the scope a route needs (403 `insufficient_scope`) the scopes that would do in `scope`, separated
 * by spaces (`"api read_api"`).
 */
export const ErrorBodySchema = z.looseObject({
  message: z.unknown().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
  scope: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const IssueTemplateSchema = z.looseObject({ name: z.string(), content: z.string() });
export type IssueTemplate = z.infer<typeof IssueTemplateSchema>;

export const UserSchema = z.looseObject({
  id: z.number().int(),
  username: z.string().min(1),
  name: z.string(),
  state: z.string().optional(),
  web_url: z.string().optional(),
});
export type User = z.infer<typeof UserSchema>;

export const UsersSchema = z.array(UserSchema);

export const IssueSchema = z.looseObject({
  id: z.number().int(),
  iid: z.number().int().positive(),
  project_id: z.number().int(),
  title: z.string(),
  // GitLab answers null for an issue created without a description.
  description: z.string().nullable(),
  state: z.enum(["opened", "closed"]),
  labels: z.array(z.string()),
  web_url: z.string().min(1),
});
export type Issue = z.infer<typeof IssueSchema>;

/** An issue as the issue list answers it: who opened it and when (GitLab's clock) are read too. */
export const ListedIssueSchema = IssueSchema.extend({
  author: z.looseObject({ username: z.string().min(1) }),
  created_at: z.string(),
});
export type ListedIssue = z.infer<typeof ListedIssueSchema>;

export const ListedIssuesSchema = z.array(ListedIssueSchema);

export const NoteSchema = z.looseObject({
  id: z.number().int(),
  body: z.string(),
  author: z.looseObject({ username: z.string().min(1) }),
  created_at: z.string(),
  system: z.boolean().optional(),
});
export type Note = z.infer<typeof NoteSchema>;

export const NotesSchema = z.array(NoteSchema);

export const TreeItemSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  // `commit` is a submodule.
  type: z.enum(["blob", "tree", "commit"]),
  path: z.string().min(1),
  mode: z.string().optional(),
});
export type TreeItem = z.infer<typeof TreeItemSchema>;

export const TreeSchema = z.array(TreeItemSchema);
