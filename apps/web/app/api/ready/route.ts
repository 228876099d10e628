import { readiness } from "@/lib/readiness";
import { getRuntime } from "@/lib/runtime";

// Readiness, for a load balancer's health check: 200 when the database (and Redis, with
// REDIS_URL) answer within a second, 503 ERR_NOT_READY otherwise and from SIGTERM on.
export const dynamic = "force-dynamic";
export const GET = () => readiness(getRuntime);
