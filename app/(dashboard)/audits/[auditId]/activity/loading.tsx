import { PageLoading, Skeleton } from "@/components/ui/states";

export default function ActivityLoading() {
  return (
    <PageLoading label="Loading the activity…">
      <div className="space-y-3">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-10" />
        ))}
      </div>
    </PageLoading>
  );
}
