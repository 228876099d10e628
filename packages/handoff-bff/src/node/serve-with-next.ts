import http from "node:http";
import type { Duplex } from "node:stream";
import { createFrontDoor, type FrontDoorProxy } from "./front-door.js";

/** The part of a Next.js app (`next({ … })`) the front door uses. */
export interface NextApp {
  prepare(): Promise<void>;
  getRequestHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  getUpgradeHandler?(): (req: http.IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>;
}

/** Options for `next(…)`, when `serveWithNext` is to create the app itself. */
export interface NextAppOptions {
  dev?: boolean;
  /** The Next.js project directory. @default process.cwd() */
  dir?: string;
  [option: string]: unknown;
}

/** Options of {@link serveWithNext}. */
export interface ServeWithNextOptions {
  /** A Next.js app (`next({ dev, dir, hostname, port })`), or the options to create one with. */
  next: NextApp | NextAppOptions;
  proxies: readonly FrontDoorProxy[];
  /** @default 3000 */
  port?: number;
  /**
   * The address to listen on.
   * @default "localhost"
   */
  hostname?: string;
  /** See {@link FrontDoorOptions.trustForwarded}. @default false */
  trustForwarded?: boolean;
}

/**
 * Prepares a Next.js app and serves it behind a front door in one call: the proxies take
 * their mounts, Next.js everything else (its pages, route handlers and upgrade sockets).
 * `next` is loaded only when given as options, so nothing else in Handoff depends on it.
 *
 * @example
 * ```ts
 * import next from "next";
 * import { serveWithNext } from "handoff-bff/node";
 *
 * const server = await serveWithNext({
 *   next: next({ dev: process.env.NODE_ENV !== "production", hostname: "localhost", port: 3000 }),
 *   proxies: [proxy],
 *   port: 3000,
 * });
 * ```
 */
export async function serveWithNext(options: ServeWithNextOptions): Promise<http.Server> {
  const port = options.port ?? 3000;
  const hostname = options.hostname ?? "localhost";
  const app = isApp(options.next) ? options.next : await createNext(options.next, hostname, port);
  await app.prepare();
  const upgrade = app.getUpgradeHandler?.();
  const door = createFrontDoor({
    proxies: options.proxies,
    fallback: { request: app.getRequestHandler(), ...(upgrade ? { upgrade } : {}) },
    ...(options.trustForwarded === undefined ? {} : { trustForwarded: options.trustForwarded }),
  });
  const server = http.createServer(door.listener);
  // Next's request handler adds an upgrade listener of its own to the server of the first
  // request it serves (next/dist/server/next.js, setupWebSocketHandler). It would answer every
  // upgrade a second time and end the proxies' WebSockets; the front door already hands Next
  // the upgrades outside the mounts, so the front door's stays the only listener.
  server.on("newListener", (event, listener) => {
    if (event === "upgrade" && listener !== door.upgrade) {
      process.nextTick(() => server.off("upgrade", listener));
    }
  });
  server.on("upgrade", door.upgrade);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}

function isApp(value: NextApp | NextAppOptions): value is NextApp {
  return typeof (value as { prepare?: unknown }).prepare === "function";
}

async function createNext(
  options: NextAppOptions,
  hostname: string,
  port: number,
): Promise<NextApp> {
  // Lazily, and through a variable, so that neither the bundle nor the types need Next.js.
  const specifier = "next";
  const loaded = (await import(specifier)) as { default: unknown };
  const factory = (
    typeof loaded.default === "function"
      ? loaded.default
      : (loaded.default as { default: unknown }).default
  ) as (options: NextAppOptions) => NextApp;
  return factory({ hostname, port, ...options });
}
