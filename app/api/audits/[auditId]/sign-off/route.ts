import { API_ROUTES } from "@/lib/api/app-routes";

export const dynamic = "force-dynamic";

export const { GET, POST } = API_ROUTES.signOff;
