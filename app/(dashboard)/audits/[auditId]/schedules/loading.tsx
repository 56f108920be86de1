import { PageLoading, Skeleton } from "@/components/ui/states";

export default function SchedulesLoading() {
  return (
    <PageLoading label="Loading schedule coverage…">
      <div className="space-y-4">
        <Skeleton className="h-20" />
        <Skeleton className="h-40" />
        <Skeleton className="h-14" />
      </div>
    </PageLoading>
  );
}
