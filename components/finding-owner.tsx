import { ExternalLink } from "@/components/ui/external-link";
import type { PagerDutyLinks } from "@/lib/service/findings";

/**
 * Who fixes a finding no colleague can (someone on a schedule who is not in the roster, a deleted user, a
 * schedule that does not exist), what they do, and where in PagerDuty; nobody is chased about it.
 */
export function FindingOwner({
  owner,
  task,
  links,
}: {
  owner: string;
  task: string | null;
  links: PagerDutyLinks;
}) {
  return (
    <section
      aria-label={`Owner: ${owner}`}
      className="mt-3 rounded-md bg-sky-50 p-3 text-sm text-sky-950 ring-1 ring-inset ring-sky-200"
    >
      <p>
        <span className="font-medium">{owner} owns this finding.</span> {task}
      </p>
      <p className="mt-1 text-xs text-sky-900">
        Nobody is pinged about it. Once it is fixed in PagerDuty, the next run finds it fixed; if it is meant
        to stay, mark it intentional or waive it with a justification.
      </p>
      {(links.schedule || links.user) && (
        <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs">
          {links.schedule && (
            <li>
              <ExternalLink href={links.schedule}>Open the schedule in PagerDuty</ExternalLink>
            </li>
          )}
          {links.user && (
            <li>
              <ExternalLink href={links.user}>Open the user in PagerDuty</ExternalLink>
            </li>
          )}
        </ul>
      )}
    </section>
  );
}
