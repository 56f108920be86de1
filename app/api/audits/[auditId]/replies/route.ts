import { API_ROUTES } from "@/lib/api/app-routes";

export const dynamic = "force-dynamic";

export const { POST } = API_ROUTES.replies;
