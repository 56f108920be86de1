import { describe, expect, it } from "vitest";
import type { RotationCoverage } from "@/lib/audit/types";
import { matchCoverage } from "./schedules";

const member = (pagerdutyId: string, email: string | null) => ({
  pagerdutyId,
  name: pagerdutyId,
  email,
  inRoster: true,
  deleted: false,
});

const COVERAGE: RotationCoverage = {
  rotation: "emea",
  name: "EMEA",
  expected: [
    { name: "Amara", email: "amara@example.com", pagerdutyId: "PAMARA" },
    { name: "Lukas", email: "Lukas@Example.com", pagerdutyId: null },
    { name: "Grace", email: "grace@example.com", pagerdutyId: "PGRACE" },
  ],
  schedules: [
    {
      id: "S1",
      name: "EMEA primary",
      kind: "v2",
      status: "read",
      // Amara by her PagerDuty ID (her PagerDuty email differs), Lukas by his email, Theo not expected.
      members: [
        member("PAMARA", "amara.o@example.com"),
        member("PLUKAS", " lukas@example.com"),
        member("PTHEO", "theo@example.com"),
      ],
    },
    { id: "S2", name: null, kind: null, status: "failed", members: [member("PGRACE", "grace@example.com")] },
  ],
};

describe("matchCoverage", () => {
  it("joins on the PagerDuty ID, else the person key, and only over schedules that were read", () => {
    const matched = matchCoverage(COVERAGE);
    expect(matched.expected.map((e) => [e.name, e.onSchedules.map((s) => s.id)])).toEqual([
      ["Amara", ["S1"]],
      ["Lukas", ["S1"]],
      ["Grace", []],
    ]);
    expect(matched.schedules.map((s) => s.members.map((m) => [m.pagerdutyId, m.expected]))).toEqual([
      [
        ["PAMARA", true],
        ["PLUKAS", true],
        ["PTHEO", false],
      ],
      [["PGRACE", true]],
    ]);
  });
});
