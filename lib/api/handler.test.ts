import { describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { managerChainOf, type SessionUser } from "@/lib/auth/roles";
import { TEST_ROSTER, sessionUserOf } from "@/lib/auth/testing";
import { publicOriginsOf, readEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { AppContext } from "@/lib/service/context";
import { createApiHandler, type RouteParams } from "./handler";

// `server-only` throws outside a React Server Components build; the wrapper's logic is what is tested here.
vi.mock("server-only", () => ({}));

const SITE = "https://audit.example.com";
const OPS_MANAGER = sessionUserOf("Olivia Grant");
const MEMBER = sessionUserOf("Sam Rivera");
const MANAGER = sessionUserOf("Mia Chen");

/** The server's side of the wrapper, which these tests of the wrapper's own checks do not use. */
const SERVER = {
  getAppContext: async () => ({}) as AppContext,
  getRoster: async () => TEST_ROSTER,
  isDemoMode: () => false,
};

function setup(user: SessionUser | null, publicOrigins: readonly string[] = [SITE]) {
  const logError = vi.fn();
  const apiHandler = createApiHandler({
    ...SERVER,
    getSessionUser: async () => user,
    logError,
    publicOrigins: () => publicOrigins,
  });
  return { apiHandler, logError };
}

function post(path: string, body: unknown, headers: Record<string, string> = { origin: SITE }): Request {
  return new Request(`${SITE}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const get = (path: string) => new Request(`${SITE}${path}`);
const context = (params: RouteParams = {}) => ({ params: Promise.resolve(params) });

async function errorOf(response: Response) {
  const body: unknown = await response.json();
  return z
    .object({
      error: z.object({
        code: z.string(),
        message: z.string(),
        details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
      }),
    })
    .parse(body).error;
}

const RunSchema = z.object({ reason: z.string().min(3), schedules: z.array(z.string()).max(2).optional() });

describe("apiHandler", () => {
  it("answers JSON from run with the user and validated input, and is never cached", async () => {
    const run = vi.fn(async ({ user, input }: { user: SessionUser; input: z.output<typeof RunSchema> }) => ({
      startedBy: user.name,
      reason: input.reason,
    }));
    const { apiHandler } = setup(OPS_MANAGER);
    const handler = apiHandler({ permission: "audit:run", input: RunSchema, run });
    const response = await handler(post("/api/audits", { reason: "Q3 audit" }), context());
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ startedBy: "Olivia Grant", reason: "Q3 audit" });
  });

  it("401 without a session, before reading the input", async () => {
    const run = vi.fn(async () => "ran");
    const { apiHandler } = setup(null);
    const handler = apiHandler({ input: RunSchema, run });
    const response = await handler(post("/api/audits", { reason: 1 }), context());
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe("unauthorized:session");
    expect(run).not.toHaveBeenCalled();

    const read = await apiHandler({ run })(get("/api/audits"), context());
    expect(read.status).toBe(401);
  });

  it("403 for a role without the permission, and run is not called", async () => {
    const run = vi.fn(async () => "ran");
    const { apiHandler } = setup(MEMBER);
    const response = await apiHandler({ permission: "audit:run", run })(post("/api/audits", {}), context());
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error.code).toBe("forbidden:role");
    expect(error.message).toBe("You may not run an audit: only Support Operations can.");
    expect(run).not.toHaveBeenCalled();
  });

  it("lets any signed-in person read when no permission is named", async () => {
    const { apiHandler } = setup(MEMBER);
    const response = await apiHandler({ run: async ({ user }) => ({ role: user.role }) })(
      get("/api/audits"),
      context(),
    );
    expect(await response.json()).toEqual({ role: "member" });
  });

  describe("item permissions checked against the item owner's person key", () => {
    const ItemSchema = z.object({ owner: z.string() });
    const handlerFor = (user: SessionUser) =>
      setup(user).apiHandler({
        input: ItemSchema,
        permission: ({ input }) => ({
          permission: "item:ping",
          target: { managerChain: managerChainOf(input.owner, TEST_ROSTER) },
        }),
        run: async ({ input }) => ({ pinged: input.owner }),
      });

    it("allows a manager on a report's item and refuses them on someone else's", async () => {
      const allowed = await handlerFor(MANAGER)(
        post("/api/items/ping", { owner: "sam@example.com" }),
        context(),
      );
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ pinged: "sam@example.com" });

      const refused = await handlerFor(MANAGER)(
        post("/api/items/ping", { owner: "ana@example.com" }),
        context(),
      );
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).message).toContain("managers act only on their reports' items");
    });
  });

  describe("same-origin requirement for state-changing methods", () => {
    const handler = (publicOrigins: readonly string[] = [SITE]) =>
      setup(OPS_MANAGER, publicOrigins).apiHandler({
        permission: "audit:run",
        run: async () => ({ ok: true }),
      });

    it.each([
      ["another site", { origin: "https://evil.example" }],
      ["a sibling subdomain", { origin: "https://evil.audit.example.com" }],
      ["the same host on another port", { origin: "https://audit.example.com:8443" }],
      ["an opaque origin", { origin: "null" }],
      ["no Origin header", {}],
      ["a garbage Origin", { origin: "not a url" }],
    ])("403 forbidden:csrf from %s", async (_what, headers) => {
      const response = await handler()(post("/api/audits", {}, headers), context());
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe("forbidden:csrf");
    });

    it.each(["PUT", "PATCH", "DELETE"])("checks %s too", async (method) => {
      const request = new Request(`${SITE}/api/audits/1`, {
        method,
        headers: { origin: "https://evil.example" },
      });
      expect((await handler()(request, context())).status).toBe(403);
    });

    it("accepts the public origin whatever Host a proxy passes", async () => {
      expect((await handler()(post("/api/audits", {}), context())).status).toBe(200);
      const internal = new Request("http://10.0.0.5:3000/api/audits", {
        method: "POST",
        headers: { origin: SITE, host: "10.0.0.5:3000" },
      });
      expect((await handler()(internal, context())).status).toBe(200);
      const sameHost = new Request("http://10.0.0.5:3000/api/audits", {
        method: "POST",
        headers: { origin: "http://10.0.0.5:3000", host: "10.0.0.5:3000" },
      });
      expect((await handler()(sameHost, context())).status).toBe(403);
    });

    it("without a public origin (development), matches Origin against Host or X-Forwarded-Host only", async () => {
      const at = (headers: Record<string, string>) =>
        handler([])(new Request("http://localhost:3000/api/audits", { method: "POST", headers }), context());
      expect((await at({ origin: "http://dev.example:3000", host: "dev.example:3000" })).status).toBe(200);
      expect(
        (await at({ origin: SITE, host: "localhost:3000", "x-forwarded-host": "audit.example.com" })).status,
      ).toBe(200);
      // The request URL (the listening address) is not the site: a page on the visitor's localhost is not.
      expect((await at({ origin: "http://localhost:3000" })).status).toBe(403);
      expect((await at({ origin: "https://evil.example", host: "dev.example:3000" })).status).toBe(403);
    });

    it("refuses a localhost Origin on a deployment whose public URL is elsewhere", async () => {
      // Next builds the request URL on the address it listens on; a page on the visitor's own localhost
      // is another site all the same.
      const publicOrigins = publicOriginsOf(readEnv({ NEXTAUTH_URL: SITE, NODE_ENV: "production" }));
      const attempts: Record<string, string>[] = [
        { origin: "http://localhost:3000" },
        { origin: "http://localhost:3000", host: "localhost:3000" },
        { origin: "http://localhost:3000", "x-forwarded-host": "localhost:3000" },
        { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" },
      ];
      for (const headers of attempts) {
        const request = new Request("http://localhost:3000/api/audits", { method: "POST", headers });
        const response = await handler(publicOrigins)(request, context());
        expect(response.status, JSON.stringify(headers)).toBe(403);
        expect((await errorOf(response)).code).toBe("forbidden:csrf");
      }
      const fromSite = new Request("http://localhost:3000/api/audits", {
        method: "POST",
        headers: { origin: SITE, host: "localhost:3000" },
      });
      expect((await handler(publicOrigins)(fromSite, context())).status).toBe(200);
    });

    it("takes the public names of AUDIT_ALLOWED_HOSTS, with NEXTAUTH_URL's scheme", async () => {
      const publicOrigins = publicOriginsOf(
        readEnv({ NEXTAUTH_URL: SITE, AUDIT_ALLOWED_HOSTS: "audit.corp.example, audit.example.com:8443" }),
      );
      expect(publicOrigins).toEqual([SITE, "https://audit.corp.example", "https://audit.example.com:8443"]);
      const from = (origin: string) =>
        handler(publicOrigins)(
          new Request("http://10.0.0.5:3000/api/audits", { method: "POST", headers: { origin } }),
          context(),
        );
      expect((await from("https://audit.corp.example")).status).toBe(200);
      expect((await from("http://audit.corp.example")).status).toBe(403);
    });

    it("does not require Origin for reads", async () => {
      const { apiHandler } = setup(MEMBER);
      const request = new Request(`${SITE}/api/audits`, { headers: { origin: "https://evil.example" } });
      expect((await apiHandler({ run: async () => [] })(request, context())).status).toBe(200);
    });
  });

  describe("input validation", () => {
    it("400 invalid:request listing each problem with its path", async () => {
      const { apiHandler } = setup(OPS_MANAGER);
      const handler = apiHandler({ permission: "audit:run", input: RunSchema, run: async () => "ran" });
      const response = await handler(post("/api/audits", { reason: "Q", schedules: ["A", 3] }), context());
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe("invalid:request");
      expect(error.message).toBe("The request has 2 problems.");
      expect(error.details.map((d) => d.path)).toEqual(["reason", "schedules.1"]);
    });

    it("400 for a body that is not JSON, or too large", async () => {
      const { apiHandler } = setup(OPS_MANAGER);
      const handler = apiHandler({ input: RunSchema, run: async () => "ran" });
      const notJson = await handler(post("/api/audits", "{reason:"), context());
      expect(notJson.status).toBe(400);
      expect((await errorOf(notJson)).message).toBe("The request body is not valid JSON.");
      const huge = await handler(post("/api/audits", { reason: "x".repeat(1024 * 1024) }), context());
      expect(huge.status).toBe(400);
    });

    it("validates the query string of a GET and the route params", async () => {
      const { apiHandler } = setup(MEMBER);
      const handler = apiHandler({
        input: z.object({ page: z.coerce.number().int().min(1), code: z.array(z.string()).optional() }),
        params: z.object({ auditId: z.coerce.number().int().positive() }),
        run: async ({ input, params }) => ({ input, params }),
      });
      const ok = await handler(get("/api/audits/7/items?page=2&code=a&code=b"), context({ auditId: "7" }));
      expect(await ok.json()).toEqual({ input: { page: 2, code: ["a", "b"] }, params: { auditId: 7 } });

      const bad = await handler(get("/api/audits/x/items?page=0"), context({ auditId: "x" }));
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).details.map((d) => d.path)).toEqual(["params.auditId"]);
    });
  });

  describe("errors", () => {
    it.each([
      [new AppError("not_found:audit", "Audit 9 does not exist."), 404],
      [
        new AppError("conflict:item_state", "The item was already fixed.", {
          details: [{ message: "fixed" }],
        }),
        409,
      ],
      [new AppError("upstream:gitlab", "GitLab did not answer."), 502],
    ])("maps %s to its status with code, message and details", async (thrown, status) => {
      const { apiHandler } = setup(OPS_MANAGER);
      const response = await apiHandler({
        run: async () => {
          throw thrown;
        },
      })(get("/api/audits/9"), context());
      expect(response.status).toBe(status);
      expect(await errorOf(response)).toEqual({
        code: thrown.code,
        message: thrown.message,
        details: thrown.details,
      });
    });

    it("500 with a generic message for anything else; the real error is only logged", async () => {
      const { apiHandler, logError } = setup(OPS_MANAGER);
      const secret = new Error("connect ECONNREFUSED postgres://audit:hunter2@db:5432");
      const response = await apiHandler({
        run: async () => {
          throw secret;
        },
      })(get("/api/audits"), context());
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toContain("hunter2");
      expect(text).not.toContain("ECONNREFUSED");
      expect(JSON.parse(text)).toEqual({
        error: {
          code: "internal:unexpected",
          message: expect.stringContaining("It has been logged"),
          details: [],
        },
      });
      expect(logError).toHaveBeenCalledWith("api: GET /api/audits failed", secret);
    });

    it("500 when the session lookup itself fails", async () => {
      const logError = vi.fn();
      const apiHandler = createApiHandler({
        ...SERVER,
        getSessionUser: () => Promise.reject(new Error("JWT decryption failed")),
        logError,
      });
      const response = await apiHandler({ run: async () => "ran" })(get("/api/audits"), context());
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain("JWT");
      expect(logError).toHaveBeenCalledTimes(1);
    });
  });

  it("passes a Response from run through unchanged (downloads)", async () => {
    const { apiHandler } = setup(OPS_MANAGER);
    const csv = new Response("a,b\n", { headers: { "content-type": "text/csv" } });
    const response = await apiHandler({ permission: "audit:export", run: async () => csv })(
      get("/api/audits/1/export"),
      context(),
    );
    expect(response).toBe(csv);
  });
});
