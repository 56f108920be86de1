import { LoadingState, Skeleton } from "@/components/ui/states";

export default function PersonLoading() {
  return (
    <div>
      <Skeleton className="mb-6 h-14 w-80" />
      <Skeleton className="mb-6 h-16" />
      <LoadingState label="Loading this person's findings…" />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <Skeleton className="h-48" />
          <Skeleton className="h-48" />
        </div>
        <Skeleton className="h-80" />
      </div>
    </div>
  );
}
