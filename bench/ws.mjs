// WebSocket round trips and messages per second through the proxy against direct, on loopback,
// one process (upstream, proxy and client share one core's event loop: figures are relative).
//   node ws.mjs    (after `npm run build -w handoff-bff`)
import http from "node:http";
import { performance } from "node:perf_hooks";
import { createProxy } from "handoff-bff";
import { toNodeListener } from "handoff-bff/node";
import { WebSocket, WebSocketServer } from "ws";

const ROUND_TRIPS = 2_000;
const MESSAGES = 50_000;
const WINDOW = 100;
const PAYLOAD = Buffer.alloc(64, 1);

const listen = (server) =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));

const upstream = http.createServer();
new WebSocketServer({ server: upstream, perMessageDeflate: false }).on("connection", (socket) =>
  socket.on("message", (data, binary) => socket.send(data, { binary })),
);
const upstreamPort = await listen(upstream);
const listener = toNodeListener(
  createProxy({
    upstream: `http://127.0.0.1:${upstreamPort}`,
    mount: "/ws",
    token: () => "bench-token",
    websocket: true,
  }),
);
const front = http.createServer(listener).on("upgrade", listener.upgrade);
const frontPort = await listen(front);

async function open(url, origin) {
  const socket = new WebSocket(url, { origin, perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  return socket;
}

async function measure(url, origin) {
  const socket = await open(url, origin);
  const next = () => new Promise((resolve) => socket.once("message", resolve));
  const times = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const started = performance.now();
    socket.send(PAYLOAD);
    await next();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const started = performance.now();
  await new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    socket.on("message", () => {
      received++;
      if (received === MESSAGES) resolve();
      else if (sent < MESSAGES) {
        sent++;
        socket.send(PAYLOAD);
      }
    });
    for (; sent < WINDOW; sent++) socket.send(PAYLOAD);
  });
  const seconds = (performance.now() - started) / 1000;
  socket.close();
  const at = (q) => times[Math.floor(q * (times.length - 1))].toFixed(3);
  return { p50ms: at(0.5), p99ms: at(0.99), messagesPerSecond: Math.round(MESSAGES / seconds) };
}

const direct = await measure(`ws://127.0.0.1:${upstreamPort}/`, undefined);
const proxied = await measure(
  `ws://127.0.0.1:${frontPort}/ws/echo`,
  `http://127.0.0.1:${frontPort}`,
);
console.table({ direct, "through the proxy": proxied });
front.close();
upstream.close();
process.exit(0);
