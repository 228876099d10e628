// The human-readable report: plain aligned tables, numbers rounded for reading.
const fixed = (value, digits = 0) => (typeof value === "number" ? value.toFixed(digits) : "–");

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])));
  return [line(header), widths.map((w) => "-".repeat(w)), ...rows.map(line)]
    .map((cells) => `  ${cells.join("  ")}`)
    .join("\n");
}

// For "direct" the server is the upstream; for every other target it is Next.
const upstreamNote = (name) => (name === "direct" ? " (upstream)" : "");

export function formatReport({ meta, small, download, sse }) {
  const c = meta.config;
  const out = [
    "",
    "Handoff benchmark",
    `  command   ${meta.command}`,
    `  versions  node ${meta.node}, next ${meta.next}, autocannon ${meta.autocannon}, handoff ${meta.handoff}`,
    `  machine   ${meta.cpu}`,
    `  config    ${c.rounds} interleaved rounds × ${c.durationS} s, ${c.connections} connections, warm-up ${c.warmupS} s; download ${c.downloadMiB} MiB × ${c.downloadTries}; SSE × ${c.sseTries}`,
  ];

  if (small) out.push(...smallSection(small));
  if (download) out.push(...downloadSection(download, c));
  if (sse) out.push(...sseSection(sse));
  return out.join("\n");
}

function smallSection(small) {
  const out = [];
  out.push("", "Small GET (~100 B JSON), medians over rounds");
  out.push(
    table(
      ["target", "req/s", "p50 ms", "p99 ms", "server CPU µs/req", "failed requests"],
      Object.entries(small.summary).map(([name, s]) => [
        name,
        fixed(s.rps),
        fixed(s.p50, 1),
        fixed(s.p99, 1),
        fixed(s.cpuUsPerRequest) + upstreamNote(name),
        s.failures,
      ]),
    ),
  );
  for (const [name, s] of Object.entries(small.summary)) {
    if (!s.failures) continue;
    out.push(`  WARNING   ${name}: ${s.failures} errors/non-2xx, counted in its req/s`);
  }
  out.push(
    "",
    `  >>> proxy/floor req/s = ${fixed(small.ratios.proxyToFloor, 2)}   (proxy/rewrites = ${fixed(small.ratios.proxyToRewrites, 2)}; median of per-round ratios)`,
    `  >>> front-door/rewrites req/s = ${fixed(small.ratios.frontDoorToRewrites, 2)}   (front-door/floor = ${fixed(small.ratios.frontDoorToFloor, 2)})`,
  );

  return out;
}

function downloadSection(download, c) {
  const out = [];
  out.push("", `Download ${c.downloadMiB} MiB (client discards), medians`);
  out.push(
    table(
      ["target", "MiB/s", "seconds", "server peak RSS growth MiB"],
      Object.entries(download.summary).map(([name, s]) => [
        name,
        fixed(s.mibPerSecond),
        fixed(s.seconds, 2),
        fixed(s.rssGrowthMiB, 1) + upstreamNote(name),
      ]),
    ),
  );
  out.push(
    "",
    `  >>> proxy/rewrites MiB/s = ${fixed(download.ratios.proxyToRewrites, 2)}   (front-door/rewrites = ${fixed(download.ratios.frontDoorToRewrites, 2)})`,
  );

  return out;
}

function sseSection(sse) {
  const out = [];
  out.push("", "SSE first-event latency (upstream write → client decode), medians");
  out.push(
    table(
      ["target", "Accept-Encoding", "ms", "response encoding", "missed"],
      Object.values(sse.summary).map((s) => [
        s.target,
        s.acceptGzip ? "gzip" : "(none)",
        fixed(s.latencyMs, 1),
        s.encoding ?? "–",
        s.missed ? `${s.missed} (${s.error})` : 0,
      ]),
    ),
  );
  return out;
}
