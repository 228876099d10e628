import { chatkitSessionRoute } from "@/lib/chatkit";

// ChatKit flow 1: a client secret for the signed-in user (see lib/chatkit.ts).
export const POST = (request: Request) => chatkitSessionRoute(request, "start");
