import { LoadingState, Skeleton } from "@/components/ui/states";

export default function YourFindingsLoading() {
  return (
    <div>
      <LoadingState label="Loading your findings…" />
      <div className="space-y-4">
        <Skeleton className="h-24" />
        <Skeleton className="h-24" />
      </div>
    </div>
  );
}
