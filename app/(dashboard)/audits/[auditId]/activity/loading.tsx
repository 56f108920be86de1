import { LoadingState, Skeleton } from "@/components/ui/states";

export default function ActivityLoading() {
  return (
    <div>
      <Skeleton className="mb-6 h-14 w-full max-w-80" />
      <LoadingState label="Loading the activity…" />
      <div className="space-y-3">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-10" />
        ))}
      </div>
    </div>
  );
}
