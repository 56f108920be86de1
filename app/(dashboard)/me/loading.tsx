import { CardsLoading } from "@/components/ui/states";

export default function YourFindingsLoading() {
  return <CardsLoading label="Loading your findings…" />;
}
