// The three measurements: small GETs under load, a large download, SSE first-event latency.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createGunzip } from "node:zlib";
import autocannon from "autocannon";

const MiB = 1024 * 1024;
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
const now = () => performance.timeOrigin + performance.now();

export const median = (values) => {
  const sorted = values.filter((v) => typeof v === "number").sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Resident set size of a process in bytes, from /proc/<pid>/status VmRSS. */
function rss(pid) {
  const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kib) * 1024;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** One autocannon round against url; cpuPid's CPU time is charged per request. */
export async function load(url, { connections, duration, headers, cpuPid }) {
  const cpuBefore = cpuPid ? cpuMs(cpuPid) : 0;
  const result = await autocannon({ url, connections, duration, headers });
  const cpu = cpuPid ? cpuMs(cpuPid) - cpuBefore : null;
  const requests = result.requests.total;
  return {
    rps: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    failures: result.errors + result.timeouts + result.non2xx,
    cpuUsPerRequest: cpu === null || requests === 0 ? null : (cpu * 1000) / requests,
  };
}

/** Downloads url, discarding the body; samples rssPid's RSS every 20 ms meanwhile. */
export function download(url, { rssPid, headers }) {
  const baseline = rssPid ? rss(rssPid) : 0;
  let peak = baseline;
  const sampler = rssPid && setInterval(() => (peak = Math.max(peak, rss(rssPid))), 20);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let bytes = 0;
      res.on("data", (chunk) => (bytes += chunk.length));
      res.on("error", reject);
      res.on("end", () => {
        const seconds = (performance.now() - started) / 1000;
        if (rssPid) peak = Math.max(peak, rss(rssPid));
        resolve({
          status: res.statusCode,
          bytes,
          seconds,
          mibPerSecond: bytes / MiB / seconds,
          rssGrowthMiB: rssPid ? (peak - baseline) / MiB : null,
        });
      });
    });
    req.on("error", reject);
    req.end();
  }).finally(() => clearInterval(sampler));
}

/**
 * Time from the upstream writing the first SSE event (its `t` field, wall clock) to this
 * client decoding it. Same machine, same clock, so the difference is the delivery delay.
 */
export function firstEvent(url, { headers, timeoutMs }) {
  return new Promise((resolve) => {
    let encoding = null;
    let settled = false;
    const done = (latencyMs, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ latencyMs, encoding, error });
    };
    const timer = setTimeout(() => done(null, `no event within ${timeoutMs} ms`), timeoutMs);
    const req = request(url, { headers }, (res) => {
      encoding = res.headers["content-encoding"] ?? "identity";
      if (res.statusCode !== 200) return done(null, `HTTP ${res.statusCode}`);
      const body = encoding === "gzip" ? res.pipe(createGunzip()) : res;
      let text = "";
      body.setEncoding("utf8");
      body.on("data", (chunk) => {
        text += chunk;
        const end = text.indexOf("\n\n");
        if (end === -1) return;
        const data = /^data: (.*)$/m.exec(text.slice(0, end))?.[1];
        const sent = data && JSON.parse(data).t;
        done(typeof sent === "number" ? now() - sent : null, sent ? undefined : "bad event");
      });
      body.on("error", (error) => done(null, error.message));
      body.on("end", () => done(null, "stream ended without an event"));
    });
    req.on("error", (error) => done(null, error.message));
    req.end();
  });
}
