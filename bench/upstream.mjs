// The upstream for the benchmark: plain node:http with keep-alive, on 127.0.0.1.
//   GET /small               ~100 bytes of JSON with Content-Length
//   GET /download?mb=256     mb MiB streamed from one reusable buffer, with backpressure
//   GET /sse?first=100&every=200&count=5
//                            SSE: first event after `first` ms, then one every `every` ms;
//                            each event carries `t`, the wall-clock send time in ms (µs precision)
// Prints {"port": n} on stdout once listening (port from argv[2], 0 = any free port).
import { createServer } from "node:http";

const small = Buffer.from(
  JSON.stringify({ id: 42, name: "small", tags: ["bench", "handoff"], done: false, n: 1234567 }),
);
const chunk = Buffer.alloc(64 * 1024, 0x61);
const now = () => performance.timeOrigin + performance.now();

function download(res, bytes) {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes });
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) return void res.once("drain", pump);
    }
    res.end();
  };
  res.on("close", () => {
    left = 0;
  });
  pump();
}

function sse(res, { first, every, count }) {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
  });
  res.flushHeaders();
  let i = 0;
  let timer;
  const send = () => {
    res.write(`id: ${i}\ndata: ${JSON.stringify({ i, t: now() })}\n\n`);
    if (++i < count) timer = setTimeout(send, every);
    else res.end();
  };
  timer = setTimeout(send, first);
  res.on("close", () => clearTimeout(timer));
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const url = new URL(req.url ?? "/", "http://upstream");
  const num = (name, fallback) => Number(url.searchParams.get(name) ?? fallback);
  if (url.pathname === "/small") {
    res.writeHead(200, { "content-type": "application/json", "content-length": small.length });
    res.end(small);
  } else if (url.pathname === "/download") {
    download(res, Math.round(num("mb", 256) * 1024 * 1024));
  } else if (url.pathname === "/sse") {
    sse(res, { first: num("first", 100), every: num("every", 200), count: num("count", 5) });
  } else {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
});

server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
