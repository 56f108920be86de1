import { LoadingState, Skeleton } from "@/components/ui/states";

export default function SchedulesLoading() {
  return (
    <div>
      <Skeleton className="mb-6 h-14 w-full max-w-80" />
      <LoadingState label="Loading schedule coverage…" />
      <div className="space-y-4">
        <Skeleton className="h-20" />
        <Skeleton className="h-40" />
        <Skeleton className="h-14" />
      </div>
    </div>
  );
}
