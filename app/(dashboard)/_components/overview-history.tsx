import Link from "next/link";
import { AuditStatusBadge } from "@/components/status-badge";
import { DateTime, Day } from "@/components/time";
import { EmptyState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";
import type { Audit } from "@/lib/db/queries";
import { findingsPath } from "../_lib/paths";

/** Every audit opened here, newest first, with its sign-off. */
export function OverviewHistory({ audits }: { audits: Audit[] }) {
  return (
    <section aria-labelledby="history" className="mt-8">
      <h2 id="history" className="mb-3 text-base font-semibold text-slate-900">
        Audit history
      </h2>
      {audits.length === 0 ? (
        <EmptyState title="No audits yet">
          The audits opened here, and their sign-off, will be listed.
        </EmptyState>
      ) : (
        <Table caption="Audit history" captionHidden>
          <thead>
            <tr>
              <Th>Audit</Th>
              <Th>Status</Th>
              <Th>Opened</Th>
              <Th>Due</Th>
              <Th>Signed off</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {audits.map((audit) => (
              <tr key={audit.id}>
                <Td>
                  <Link href={findingsPath(audit.id)} className="font-medium text-indigo-700 hover:underline">
                    {audit.name}
                  </Link>
                </Td>
                <Td>
                  <AuditStatusBadge status={audit.status} />
                </Td>
                <Td>
                  <DateTime iso={audit.createdAt} />
                  <div className="text-xs text-slate-500">by {audit.createdBy}</div>
                </Td>
                <Td>
                  <Day day={audit.dueOn} />
                </Td>
                <Td>
                  {audit.signedOffAt ? (
                    <>
                      <DateTime iso={audit.signedOffAt} />
                      <div className="text-xs text-slate-500">by {audit.signedOffBy}</div>
                    </>
                  ) : (
                    <span className="text-slate-500">Not yet</span>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
