import http from "node:http";
import { afterEach, beforeEach, expect, it } from "vitest";
import { listenOn, startRawUpstream, TOKEN } from "../../test/helpers.js";
import { createProxy } from "../index.node.js";
import { toNodeListener } from "./listener.js";

const MIB = 1024 * 1024;
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
beforeEach(() => {
  warnings.length = 0;
  process.on("warning", onWarning);
});
afterEach(() => {
  process.off("warning", onWarning);
});

it("streams a large download to a slow reader with one close listener, and no warning", async () => {
  const upstream = await startRawUpstream((_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    const pump = () => {
      while (sent < 16 * 16) {
        sent++;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  });
  const listener = toNodeListener(createProxy({ upstream: upstream.url, token: () => TOKEN }));
  let most = 0;
  let waits = 0;
  const server = await listenOn(
    http.createServer((req, res) => {
      // Sampled at every backpressure wait's end, when a leaked listener would show.
      res.on("drain", () => {
        waits++;
        most = Math.max(most, res.listenerCount("close"));
      });
      listener(req, res);
    }),
  );
  const received = await new Promise<number>((resolve, reject) => {
    http.get(`${server.url}/download`, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        // A slow reader: a pause after every chunk, so the server waits for `drain` again.
        res.pause();
        setTimeout(() => res.resume(), 1);
      });
      res.on("end", () => resolve(bytes));
      res.on("error", reject);
    });
  });
  await new Promise((resolve) => setImmediate(resolve));
  expect(received).toBe(16 * MIB);
  expect(waits).toBeGreaterThan(20);
  expect(most).toBeLessThanOrEqual(3);
  expect(warnings.map((warning) => warning.name)).not.toContain("MaxListenersExceededWarning");
  await Promise.all([server.close(), upstream.close()]);
});
