import { cookies } from "next/headers";
import { demoToken } from "../keys";

// Demo sign-in: puts the backend token (a JWT signed by the demo key, or a random token when
// none is configured) in an httpOnly cookie. No script on the page can read it; only the proxy
// route can.
export async function POST() {
  const { token, maxAge } = await demoToken();
  (await cookies()).set("auth_token", token, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    maxAge,
  });
  return new Response(null, { status: 204 });
}

export async function DELETE() {
  (await cookies()).delete("auth_token");
  return new Response(null, { status: 204 });
}
