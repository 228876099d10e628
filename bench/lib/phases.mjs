// The three phases of a run, each over every target in turn, interleaved, summarised as
// medians: small GETs under load, a large download, SSE first-event latency.
import { download, firstEvent, load, median } from "./measure.mjs";

// The proxy reads the token from this cookie; every target gets the same request headers.
const headers = { cookie: "auth_token=bench-token-0123456789abcdef" };
const sseQuery = "first=100&every=200&count=5"; // a buffered stream shows up as ~800 ms
const sseTimeoutMs = 3000;

const log = (...args) => console.error("[bench]", ...args);
const mapValues = (object, fn) =>
  Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value)]));
const medians = (results, fields) =>
  Object.fromEntries(fields.map((field) => [field, median(results.map((r) => r[field]))]));

/** Every target must answer the small GET as the upstream does, or there is nothing to compare. */
export async function preflight(targets, small) {
  for (const t of targets) {
    const res = await fetch(t.smallUrl, { headers });
    const body = await res.text();
    if (res.status !== 200 || (t.base && body !== small)) {
      throw new Error(`${t.name} answers HTTP ${res.status}: ${body.slice(0, 300)}`);
    }
  }
}

export async function smallGets(targets, config) {
  const { connections, warmupS, durationS, rounds: count } = config;
  const round = (t, duration) =>
    load(t.smallUrl, { connections, duration, headers, cpuPid: t.pid });
  log(`small GET: warm-up ${warmupS} s per target`);
  for (const t of targets) await round(t, warmupS);
  const rounds = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let i = 1; i <= count; i++) {
    for (const t of targets) {
      const result = await round(t, durationS);
      rounds[t.name].push(result);
      log(`small GET round ${i}/${count} ${t.name}: ${result.rps.toFixed(0)} req/s`);
    }
  }
  // Paired by round, so drift in machine speed cancels out.
  const ratio = (a, b) =>
    rounds[a] && rounds[b] ? median(rounds[a].map((r, i) => r.rps / rounds[b][i].rps)) : Number.NaN;
  return {
    summary: mapValues(rounds, (rs) => ({
      ...medians(rs, ["rps", "p50", "p99", "cpuUsPerRequest"]),
      failures: rs.reduce((sum, r) => sum + r.failures, 0),
    })),
    ratios: {
      proxyToFloor: ratio("proxy", "floor"),
      proxyToRewrites: ratio("proxy", "rewrites"),
      frontDoorToRewrites: ratio("front-door", "rewrites"),
      frontDoorToFloor: ratio("front-door", "floor"),
    },
    rounds,
  };
}

export async function downloads(targets, config) {
  const bytes = Math.round(config.downloadMiB * 1024 * 1024);
  // Untimed warm-up, so the first measured target does not pay for first-use allocations.
  for (const t of targets) await download(`${t.base}/download?mb=16`, { headers });
  const tries = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let i = 1; i <= config.downloadTries; i++) {
    for (const t of targets) {
      const url = `${t.base}/download?mb=${config.downloadMiB}`;
      const result = await download(url, { headers, rssPid: t.pid });
      if (result.status !== 200 || result.bytes !== bytes) {
        throw new Error(`download ${t.name}: HTTP ${result.status}, ${result.bytes}/${bytes} B`);
      }
      tries[t.name].push(result);
      log(
        `download ${i}/${config.downloadTries} ${t.name}: ${result.mibPerSecond.toFixed(0)} MiB/s`,
      );
    }
  }
  const summary = mapValues(tries, (rs) =>
    medians(rs, ["mibPerSecond", "seconds", "rssGrowthMiB"]),
  );
  const per = (a, b) =>
    summary[a] && summary[b] ? summary[a].mibPerSecond / summary[b].mibPerSecond : Number.NaN;
  return {
    summary,
    ratios: {
      proxyToRewrites: per("proxy", "rewrites"),
      frontDoorToRewrites: per("front-door", "rewrites"),
    },
    tries,
  };
}

/** First-event latency per target, with and without Accept-Encoding: gzip (Next compresses). */
export async function sse(targets, config) {
  const cases = targets.flatMap((t) => [
    { key: t.name, target: t, gzip: false },
    { key: `${t.name}+gzip`, target: t, gzip: true },
  ]);
  const tries = Object.fromEntries(cases.map((c) => [c.key, []]));
  for (let i = 0; i < config.sseTries; i++) {
    for (const { key, target, gzip } of cases) {
      const sseHeaders = { ...headers, accept: "text/event-stream" };
      if (gzip) sseHeaders["accept-encoding"] = "gzip";
      const url = `${target.base}/sse?${sseQuery}`;
      tries[key].push(await firstEvent(url, { headers: sseHeaders, timeoutMs: sseTimeoutMs }));
    }
  }
  log("SSE first-event latency: done");
  const summary = Object.fromEntries(
    cases.map(({ key, target, gzip }) => {
      const rs = tries[key];
      const missed = rs.filter((r) => r.latencyMs === null);
      return [
        key,
        {
          target: target.name,
          acceptGzip: gzip,
          latencyMs: median(rs.map((r) => r.latencyMs)),
          encoding: [...new Set(rs.map((r) => r.encoding).filter(Boolean))].join(",") || null,
          missed: missed.length,
          error: missed[0]?.error ?? null,
        },
      ];
    }),
  );
  return { summary, tries };
}
