import { LoadingState, Skeleton } from "@/components/ui/states";

export default function FindingsLoading() {
  return (
    <div>
      <Skeleton className="mb-6 h-12 w-72" />
      <Skeleton className="mb-4 h-32" />
      <LoadingState label="Loading findings…" />
      <div className="space-y-2">
        {Array.from({ length: 8 }, (_, i) => (
          <Skeleton key={i} className="h-12" />
        ))}
      </div>
    </div>
  );
}
