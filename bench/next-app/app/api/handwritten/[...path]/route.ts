// Reference point: the minimal fetch passthrough people hand-write (none of Handoff's checks).
const upstream = process.env.BENCH_UPSTREAM ?? "http://127.0.0.1:8100";
const mount = "/api/handwritten";

export async function GET(request: Request): Promise<Response> {
  const token = /(?:^|;\s*)auth_token=([^;]*)/.exec(request.headers.get("cookie") ?? "")?.[1];
  if (!token) return Response.json({ error: "unauthorized" }, { status: 401 });
  const url = new URL(request.url);
  const res = await fetch(upstream + url.pathname.slice(mount.length) + url.search, {
    headers: { authorization: `Bearer ${token}` },
    signal: request.signal,
  });
  return new Response(res.body, { status: res.status, headers: res.headers });
}
