import { LoadingState, Skeleton } from "@/components/ui/states";

export default function SignOffLoading() {
  return (
    <div>
      <Skeleton className="mb-6 h-14 w-full max-w-80" />
      <LoadingState label="Loading the sign-off…" />
      <div className="grid gap-6 lg:grid-cols-3">
        <Skeleton className="h-48" />
        <Skeleton className="h-48 lg:col-span-2" />
      </div>
    </div>
  );
}
