import { cookies } from "next/headers";

// Demo sign-in: puts a random token in an httpOnly cookie, as a real sign-in would put the
// backend's JWT there. No script on the page can read it; only the proxy route can.
export async function POST() {
  const store = await cookies();
  store.set("auth_token", `demo_${crypto.randomUUID()}`, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
  });
  return new Response(null, { status: 204 });
}

export async function DELETE() {
  (await cookies()).delete("auth_token");
  return new Response(null, { status: 204 });
}
