// Liveness: the process serves requests. It checks nothing else, so that a database or Redis
// outage takes instances out of the pool (/api/ready) without getting them restarted.
export const dynamic = "force-dynamic";
export const GET = () =>
  Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
