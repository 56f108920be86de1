import { LoadingState, Skeleton } from "@/components/ui/states";

export default function SchedulesLoading() {
  return (
    <div>
      <Skeleton className="mb-6 h-14 w-80" />
      <LoadingState label="Loading schedule coverage…" />
      <div className="space-y-6">
        <Skeleton className="h-64" />
        <Skeleton className="h-64" />
      </div>
    </div>
  );
}
