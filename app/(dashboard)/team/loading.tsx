import { CardsLoading } from "@/components/ui/states";

export default function YourTeamLoading() {
  return <CardsLoading label="Loading your team…" />;
}
