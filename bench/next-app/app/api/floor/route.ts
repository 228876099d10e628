// The floor: the cheapest thing a Next route handler can do. Dynamic so it is not prerendered.
export const dynamic = "force-dynamic";

const body = JSON.stringify({ ok: true, items: [1, 2, 3], message: "constant floor response" });

export function GET(): Response {
  return new Response(body, { headers: { "content-type": "application/json" } });
}
