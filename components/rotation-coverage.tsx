import type { MatchedRotationCoverage } from "@/lib/service/schedules";
import { Badge } from "./ui/badge";
import { Table, Td, Th } from "./ui/table";

type Schedule = MatchedRotationCoverage["schedules"][number];

/** Who is on a rotation's schedules next to who should be, with the differences marked (matched by the server). */
export function RotationCoverageView({ coverage }: { coverage: MatchedRotationCoverage }) {
  const readSchedules = coverage.schedules.filter((s) => s.status === "read");
  const anyRead = readSchedules.length > 0;
  const expected = coverage.expected.map((person) => ({ person, on: person.onSchedules }));
  const missing = anyRead ? expected.filter((e) => e.on.length === 0).length : 0;
  const unexpected = new Set(
    readSchedules.flatMap((s) => s.members.filter((m) => !m.expected).map((m) => m.pagerdutyId)),
  ).size;
  const broken = coverage.schedules.length - readSchedules.length;
  const headingId = `rotation-${coverage.rotation}`;

  return (
    <section aria-labelledby={headingId} className="rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <header className="flex flex-wrap items-baseline justify-between gap-3">
        <h2 id={headingId} className="text-base font-semibold text-slate-900">
          {coverage.name}{" "}
          <span className="font-mono text-xs font-normal text-slate-500">{coverage.rotation}</span>
        </h2>
        <ul className="flex flex-wrap gap-1.5" aria-label="Summary">
          <li>
            <Badge>{coverage.expected.length} expected</Badge>
          </li>
          {missing > 0 && (
            <li>
              <Badge tone="danger">{missing} missing from the schedules</Badge>
            </li>
          )}
          {unexpected > 0 && (
            <li>
              <Badge tone="warning">{unexpected} not expected</Badge>
            </li>
          )}
          {broken > 0 && (
            <li>
              <Badge tone="danger">
                {broken} schedule{broken === 1 ? "" : "s"} missing or unreadable
              </Badge>
            </li>
          )}
          {missing === 0 && unexpected === 0 && broken === 0 && (
            <li>
              <Badge tone="success">Matches the roster</Badge>
            </li>
          )}
        </ul>
      </header>

      <div className="mt-4 grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Table caption={`Who should be on ${coverage.name}`}>
          <thead>
            <tr>
              <Th>Person</Th>
              <Th>PagerDuty ID</Th>
              <Th>On schedules</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {expected.length === 0 && (
              <tr>
                <Td colSpan={3} className="text-slate-500">
                  The roster puts no one in this rotation.
                </Td>
              </tr>
            )}
            {expected.map(({ person, on }) => (
              <tr key={person.email} className={anyRead && on.length === 0 ? "bg-rose-50/60" : undefined}>
                <Td>
                  <div className="font-medium text-slate-900">{person.name}</div>
                  <div className="text-xs text-slate-500">{person.email}</div>
                </Td>
                <Td className="font-mono text-xs">
                  {person.pagerdutyId ?? <Badge tone="danger">None</Badge>}
                </Td>
                <Td>
                  {!anyRead ? (
                    <span className="text-slate-500">Unknown (no schedule could be read)</span>
                  ) : on.length === 0 ? (
                    <Badge tone="danger">Missing</Badge>
                  ) : (
                    <span className="text-slate-700">{on.map((s) => s.name ?? s.id).join(", ")}</span>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>

        <div className="space-y-4">
          {coverage.schedules.map((schedule) => (
            <ScheduleMembers key={schedule.id} schedule={schedule} />
          ))}
        </div>
      </div>
    </section>
  );
}

function ScheduleMembers({ schedule }: { schedule: Schedule }) {
  const title = schedule.name ?? schedule.id;
  if (schedule.status !== "read") {
    return (
      <div className="rounded-lg border border-rose-200 bg-rose-50 p-4">
        <p className="text-sm font-semibold text-rose-900">
          {schedule.name ?? "Schedule"} <span className="font-mono text-xs font-normal">{schedule.id}</span>
        </p>
        <p className="mt-1 text-sm text-rose-800">
          {schedule.status === "missing"
            ? "This configured schedule exists in PagerDuty neither as a layer-based nor as a shift-based schedule. Fix the ID in the audit config, or create the schedule."
            : "This schedule could not be read from PagerDuty, so findings that depend on it were withheld. Run the audit again."}
        </p>
      </div>
    );
  }
  return (
    <Table
      caption={
        <span className="flex flex-wrap items-center gap-2">
          <span>Members of {title}</span>
          <span className="font-mono text-xs font-normal text-slate-500">{schedule.id}</span>
          {schedule.kind && <Badge>{schedule.kind === "v3" ? "shift-based" : "layer-based"}</Badge>}
        </span>
      }
    >
      <thead>
        <tr>
          <Th>Member</Th>
          <Th>PagerDuty ID</Th>
          <Th>Check</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {schedule.members.length === 0 && (
          <tr>
            <Td colSpan={3} className="text-slate-500">
              No one is on this schedule now.
            </Td>
          </tr>
        )}
        {schedule.members.map((member) => {
          const isExpected = member.expected;
          const problem = member.deleted || !member.inRoster || !isExpected;
          return (
            <tr key={member.pagerdutyId} className={problem ? "bg-amber-50/60" : undefined}>
              <Td>
                <div className="font-medium text-slate-900">{member.name ?? "Unknown name"}</div>
                {member.email && <div className="text-xs text-slate-500">{member.email}</div>}
              </Td>
              <Td className="font-mono text-xs">{member.pagerdutyId}</Td>
              <Td>
                <span className="flex flex-wrap gap-1">
                  {member.deleted && <Badge tone="danger">Deleted user</Badge>}
                  {!member.inRoster && <Badge tone="warning">Not in roster</Badge>}
                  {member.inRoster && !isExpected && <Badge tone="warning">Not expected here</Badge>}
                  {!problem && <Badge tone="success">Expected</Badge>}
                </span>
              </Td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
