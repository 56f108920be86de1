import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { dottedPathProblem, parseAuditConfig } from "./parse";
import { DEFAULT_EXEMPT_TITLES, DEFAULT_PAGERDUTY_URL } from "./schema";
import { thrownAppError } from "@/lib/testing/errors";

const EXAMPLE = join(import.meta.dirname, "fixtures", "good", "audit.config.example.yaml");
const ROTATION =
  "rotations:\n  - id: emea\n    name: EMEA\n    schedules: [PSCH001]\n    members: { field: pagerduty.rotations }\n";

describe("parseAuditConfig", () => {
  it("reads the example, which shows every option", async () => {
    const config = parseAuditConfig(await readFile(EXAMPLE, "utf8"), EXAMPLE);
    expect(config.roster).toEqual({ path: "support-team.yaml" });
    expect(config.pagerduty).toEqual({
      url: "https://api.pagerduty.com",
      requests_per_minute: 900,
      concurrency: 8,
      timeout_ms: 15000,
      max_retries: 5,
    });
    expect(config.exempt.titles).toEqual(["VP of Support", "Vice President of Support"]);
    expect(config.rotations.map((r) => r.id)).toEqual([
      "amer-west",
      "amer-central",
      "amer-east",
      "emea",
      "apac",
      "amer-managers",
    ]);
    // A schedule's owner, when named: a GitLab username without its `@`, or an email as its person key.
    expect(config.rotations.map((r) => r.owner)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      "apac-scheduler",
      undefined,
    ]);
    expect(config.rotations.at(-1)?.members).toEqual({
      where: { title: "Manager", region: ["AMER-W", "AMER-C", "AMER-E"] },
    });
    expect(config.gitlab).toEqual({
      url: "https://gitlab.com",
      project: "gitlab-com/support/support-ops/audits",
      template: "Pagerduty",
      labels: ["Support Ops", "PagerDuty audit"],
      assignee: "jdoe",
    });
    expect(config.working_time).toEqual({
      mode: "working_days",
      default_timezone: "Europe/London",
      working_days: ["mon", "tue", "wed", "thu", "fri"],
      hours: "09:00-17:00",
      holidays: { all: ["2027-01-01"], EMEA: ["2026-12-25", "2026-12-26"] },
    });
    expect(config.autopilot).toEqual({ open_audits: true, rerun_every_hours: 24, reminders: [50] });
    expect(config.slack).toEqual({ dm_on_ping: true });
  });

  it("fills in defaults for what a minimal config leaves out", () => {
    const config = parseAuditConfig(`roster: { path: team.yaml }\n${ROTATION}`, "audit.yaml");
    expect(config.pagerduty.url).toBe(DEFAULT_PAGERDUTY_URL);
    expect(config.pagerduty.requests_per_minute).toBe(900);
    expect(config.exempt.titles).toEqual(DEFAULT_EXEMPT_TITLES);
    expect(config.gitlab).toBeUndefined();
  });

  it("fills in the gitlab section's defaults and takes a numeric project or an @username", () => {
    const config = parseAuditConfig(
      `roster: { path: team.yaml }\ngitlab: { project: 42, assignee: "@jdoe" }\n${ROTATION}`,
      "audit.yaml",
    );
    expect(config.gitlab).toEqual({
      url: "https://gitlab.com",
      project: 42,
      template: "Pagerduty",
      labels: [],
      assignee: "jdoe",
    });
  });

  const problems: { name: string; text: string; details: [string | undefined, number, number, RegExp][] }[] =
    [
      {
        name: "every problem at once, in file order, with path, line and column",
        text: `roster: { path: team.yaml }\npagerduty:\n  concurrency: 0\n  timeout_ms: 1.5\nrotations:\n  - id: emea\n    name: EMEA\n    schedules: [PSCH001, psch2]\n    members: { field: x }\n  - id: EMEA\n    name: EMEA again\n    schedules: [PSCH003]\n    members: { where: {} }\n`,
        details: [
          ["pagerduty.concurrency", 3, 16, /at least 1/],
          ["pagerduty.timeout_ms", 4, 15, /whole number/],
          ["rotations[0].schedules[1]", 8, 26, /PBLAHV7/],
          ["rotations[1].id", 10, 9, /already used by rotations\[0\] \(line 6\)/],
          ["rotations[1].members.where", 13, 23, /at least one key/],
        ],
      },
      {
        name: "a schedule owner that is neither an email nor a GitLab username",
        text: `roster: { path: team.yaml }\nrotations:\n  - id: m\n    name: M\n    schedules: [PSCH001]\n    owner: Support Ops\n    members: { field: x }\n`,
        details: [
          [
            "rotations[0].owner",
            6,
            12,
            /expected a roster person's email \(ana@example\.com\) or GitLab username \(@ana\)/,
          ],
        ],
      },
      {
        name: "a where value of the wrong type",
        text: `roster: { path: team.yaml }\nrotations:\n  - id: m\n    name: M\n    schedules: [PSCH001]\n    members:\n      where:\n        region: { a: 1 }\n`,
        details: [
          ["rotations[0].members.where.region", 8, 17, /expected text or a list of text; found keys: a/],
        ],
      },
      {
        name: "a GitLab URL that is not http(s)",
        text: `roster:\n  gitlab: { project: g/p, path: team.yaml, url: "file:///etc/passwd" }\n${ROTATION}`,
        details: [["roster.gitlab.url", 2, 49, /http\(s\) URL/]],
      },
      {
        name: "a working time that cannot count: unknown zone, day names, hours the wrong way round",
        text: `roster: { path: team.yaml }\n${ROTATION}working_time:\n  default_timezone: Europe/Berlln\n  working_days: [mon, friday]\n  hours: "17:00-09:00"\n  holidays: { EMEA: [25-12-2026] }\n`,
        details: [
          ["working_time.default_timezone", 8, 21, /tz database time zone such as Europe\/London/],
          ["working_time.working_days[1]", 9, 23, /mon, tue, wed/],
          ["working_time.holidays.EMEA[0]", 11, 22, /date such as 2026-12-25/],
        ],
      },
      {
        name: "working hours that end before they start",
        text: `roster: { path: team.yaml }\n${ROTATION}working_time:\n  hours: "17:00-09:00"\n`,
        details: [["working_time", 7, 1, /start before it ends \(17:00–09:00\)/]],
      },
      {
        name: "a key with a dot is quoted in the path",
        text: `roster: { path: team.yaml }\n${ROTATION}"odd.key": 1\n`,
        details: [['["odd.key"]', 7, 1, /unknown key/]],
      },
    ];

  it.each(problems)("$name", ({ text, details }) => {
    const error = thrownAppError(() => parseAuditConfig(text, "audit.yaml"));
    expect(error.code).toBe("invalid:config");
    expect(error.details.map((d) => [d.path, d.line, d.column])).toEqual(
      details.map(([p, l, c]) => [p, l, c]),
    );
    error.details.forEach((d, i) => expect(d.message).toMatch(details[i]?.[3] ?? /never/));
  });

  it("throws nothing but AppError on any input", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseAuditConfig(`roster: { path: x }\nrotations:\n  - ${text}\n`, "fuzz.yaml");
          parseAuditConfig(text, "fuzz.yaml");
        } catch (error) {
          if (!(error instanceof AppError) || error.code !== "invalid:config") throw error;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("dottedPathProblem", () => {
  it.each([
    ["pagerduty.rotations", null],
    ["region", null],
    ["pagerduty..rotations", /empty segment/],
    [".rotations", /empty segment/],
    ["rotations.", /empty segment/],
    ["pagerduty. rotations", /spaces/],
  ])("%s", (path, problem) => {
    const found = dottedPathProblem(path);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });
});

describe("a rotation's schedule owner", () => {
  it.each([
    ["@Ana.Lima", "ana.lima"],
    ["alima", "alima"],
    [" Ana.Lima@Example.com ", "ana.lima@example.com"],
  ])("%s is kept as %s", (owner, kept) => {
    const text = `roster: { path: team.yaml }\nrotations:\n  - id: m\n    name: M\n    schedules: [PSCH001]\n    owner: "${owner}"\n    members: { field: x }\n`;
    expect(parseAuditConfig(text, "audit.yaml").rotations[0]?.owner).toBe(kept);
  });
});
