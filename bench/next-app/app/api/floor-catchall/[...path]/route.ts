// Diagnostic floor: the same constant JSON as the floor, from a catch-all route like the
// proxy's, to separate Next's cost for dynamic route segments from the proxy's own.
export const dynamic = "force-dynamic";

const body = JSON.stringify({ ok: true, items: [1, 2, 3], message: "constant floor response" });

export function GET(): Response {
  return new Response(body, { headers: { "content-type": "application/json" } });
}
