import { chatkitSessionRoute } from "@/lib/chatkit";

// ChatKit flow 1: exchanges the current client secret for a new one, for the same user only.
export const POST = (request: Request) => chatkitSessionRoute(request, "refresh");
