import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type * as z from "zod";

import { createPagerDutyClient } from "@/lib/pagerduty/client";
import type { RateLimiter } from "@/lib/http/rate-limit";
import {
  ScheduleResponseSchema,
  UserResponseSchema,
  UsersPageSchema,
  V3EventsPageSchema,
  V3RotationsPageSchema,
  V3ScheduleResponseSchema,
  V3SchedulesPageSchema,
} from "@/lib/pagerduty/schemas";
import { fetchPagerDutySnapshot } from "@/lib/pagerduty/snapshot";

/**
 * Our schemas against PagerDuty's published OpenAPI description: they must accept its response examples,
 * and every request the snapshot sends must use a documented path and documented query parameters.
 */

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const openApi = JSON.parse(
  readFileSync(path.resolve(projectRoot, "..", "shared", "pagerduty-openapiv3.json"), "utf8"),
) as unknown;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Follows `$ref`s (`#/a/b~1c`) until a concrete object. */
function deref(value: unknown): unknown {
  let current = value;
  for (let hops = 0; isObject(current) && typeof current.$ref === "string" && hops < 20; hops++) {
    const parts = current.$ref
      .replace(/^#\//, "")
      .split("/")
      .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    current = at(openApi, ...parts);
  }
  return current;
}

function getOperation(template: string): Record<string, unknown> {
  const operation = deref(at(openApi, "paths", template, "get"));
  if (!isObject(operation)) throw new Error(`OpenAPI has no GET ${template}`);
  return operation;
}

function responseExamples(template: string): Json[] {
  const content = deref(at(getOperation(template), "responses", "200"));
  const examples = at(content, "content", "application/json", "examples");
  if (!isObject(examples)) throw new Error(`OpenAPI has no examples for GET ${template}`);
  return Object.values(examples).map((example) => at(deref(example), "value") as Json);
}

interface QueryParameter {
  name: string;
  enum: string[] | null;
}

function queryParameters(template: string): QueryParameter[] {
  const parameters = at(getOperation(template), "parameters");
  if (!Array.isArray(parameters)) return [];
  return parameters.map(deref).flatMap((p) => {
    if (!isObject(p) || p.in !== "query" || typeof p.name !== "string") return [];
    const schema = deref(p.schema);
    const values = at(schema, "enum") ?? at(schema, "items", "enum");
    return [{ name: p.name, enum: Array.isArray(values) ? values.map(String) : null }];
  });
}

const ENDPOINTS: { template: string; schema: z.ZodType }[] = [
  { template: "/users", schema: UsersPageSchema },
  { template: "/users/{id}", schema: UserResponseSchema },
  { template: "/schedules/{id}", schema: ScheduleResponseSchema },
  { template: "/v3/schedules", schema: V3SchedulesPageSchema },
  { template: "/v3/schedules/{id}", schema: V3ScheduleResponseSchema },
  // The v3 schedule example has no rotations, and the rotation list's example no events: both are read.
  { template: "/v3/schedules/{id}/rotations", schema: V3RotationsPageSchema },
  { template: "/v3/schedules/{id}/rotations/{rotation_id}/events", schema: V3EventsPageSchema },
];

function matchTemplate(pathname: string): { template: string; ids: string[] } | null {
  for (const { template } of ENDPOINTS) {
    const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, "([^/]+)")}$`);
    const match = pattern.exec(pathname);
    if (match) return { template, ids: match.slice(1).map((id) => decodeURIComponent(id)) };
  }
  return null;
}

/** The path IDs under which the examples describe a template: those of the examples they belong to. */
function documentedIds(template: string): unknown[] {
  const exampleOf = (t: string) => responseExamples(t)[0];
  if (template === "/users/{id}") return [at(exampleOf(template), "user", "id")];
  if (template === "/schedules/{id}") return [at(exampleOf(template), "schedule", "id")];
  if (!template.startsWith("/v3/schedules/{id}")) return [];
  const scheduleId = at(exampleOf("/v3/schedules/{id}"), "schedule", "id");
  const rotations = at(exampleOf("/v3/schedules/{id}/rotations"), "rotations");
  const rotationId = Array.isArray(rotations) ? at(rotations[0], "id") : undefined;
  return template.includes("{rotation_id}") ? [scheduleId, rotationId] : [scheduleId];
}

describe("PagerDuty OpenAPI contract", () => {
  it.each(ENDPOINTS)("our schema accepts the documented example of GET $template", ({ template, schema }) => {
    const examples = responseExamples(template);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const result = schema.safeParse(example);
      expect(result.success ? "accepted" : result.error.issues).toBe("accepted");
    }
  });

  it("sends only documented paths and query parameters, and reads the documented examples end to end", async () => {
    const sent: { template: string; query: [string, string][] }[] = [];
    const undocumented: string[] = [];
    // PagerDuty as the OpenAPI examples describe it: each template answers its example for the examples'
    // IDs and 404 for any other.
    const fetchFromExamples = async (input: string | URL | Request): Promise<Response> => {
      const url = new URL(String(input));
      const matched = matchTemplate(url.pathname);
      if (!matched) {
        undocumented.push(url.pathname);
        return new Response("{}", { status: 404 });
      }
      const query = [...url.searchParams.entries()];
      sent.push({ template: matched.template, query });
      const documented = queryParameters(matched.template);
      for (const [name, value] of query) {
        const parameter = documented.find((p) => p.name === name);
        if (!parameter) undocumented.push(`${matched.template}?${name}`);
        else if (parameter.enum && !parameter.enum.includes(value)) {
          undocumented.push(`${matched.template}?${name}=${value}`);
        }
      }
      const exampleIds = documentedIds(matched.template);
      if (matched.ids.length !== exampleIds.length || matched.ids.some((id, i) => id !== exampleIds[i])) {
        return new Response(JSON.stringify({ error: {} }), { status: 404 });
      }
      return new Response(JSON.stringify(responseExamples(matched.template)[0]), { status: 200 });
    };
    const noLimit: RateLimiter = {
      acquire: async () => undefined,
      pauseFor: () => undefined,
      inWindow: () => 0,
    };
    const client = createPagerDutyClient({
      baseUrl: "https://api.pagerduty.com",
      token: "contract-test",
      concurrency: 2,
      requestsPerMinute: 900,
      timeoutMs: 1_000,
      rateLimiter: noLimit,
      fetch: fetchFromExamples as typeof fetch,
    });

    const snapshot = await fetchPagerDutySnapshot(client, {
      scheduleIds: ["PI7DH85", "PS1A2B3C", "PGONE00"],
      rosterUserIds: ["PXPGF42", "PAM4FGS", "PUNKNWN"],
      rosterPeople: [],
      now: new Date("2026-01-01T00:00:00Z"),
    });

    expect(undocumented).toEqual([]);
    expect(new Set(sent.map((s) => s.template))).toEqual(new Set(ENDPOINTS.map((e) => e.template)));
    expect(snapshot.users.map((u) => u.id)).toEqual(["PXPGF42", "PAM4FGS"]);
    expect(snapshot.users[0]).toEqual({
      id: "PXPGF42",
      name: "Earline Greenholt",
      email: "125.greenholt.earline@graham.name",
      deletedAt: null,
      invitationSent: false,
      contactMethodCount: 1,
      notificationRuleCount: 1,
    });
    expect(snapshot.unknownUserIds).toEqual(["PUNKNWN"]);
    expect(snapshot.schedules.map((s) => [s.id, s.kind])).toEqual([
      ["PI7DH85", "v2"],
      ["PS1A2B3C", "v3"],
    ]);
    expect(snapshot.schedules[0]?.periods).toEqual([
      {
        id: "PG68P1M",
        name: "Layer 1",
        start: "2015-11-06T21:00:00-05:00",
        end: null,
        members: [{ userId: "PXPGF42", name: "Regina Phalange", deletedAt: null }],
      },
    ]);
    // Its one rotation has, per the events example, no events: read, not assumed.
    expect(snapshot.schedules[1]?.periods).toEqual([]);
    expect(snapshot.missingScheduleIds).toEqual(["PGONE00"]);
    expect(snapshot.failures).toEqual([]);
  });
});
