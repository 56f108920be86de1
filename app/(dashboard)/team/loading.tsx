import { LoadingState, Skeleton } from "@/components/ui/states";

export default function YourTeamLoading() {
  return (
    <div>
      <LoadingState label="Loading your team…" />
      <div className="space-y-4">
        <Skeleton className="h-24" />
        <Skeleton className="h-24" />
      </div>
    </div>
  );
}
