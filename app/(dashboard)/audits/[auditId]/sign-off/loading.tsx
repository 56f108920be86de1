import { PageLoading, Skeleton } from "@/components/ui/states";

export default function SignOffLoading() {
  return (
    <PageLoading label="Loading the sign-off…">
      <div className="grid gap-6 lg:grid-cols-3">
        <Skeleton className="h-48" />
        <Skeleton className="h-48 lg:col-span-2" />
      </div>
    </PageLoading>
  );
}
