import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { acceptWebSockets, type WebSocketUpgrade } from "./websocket.js";

/** Anything with a Fetch-style handler, such as a Hono app; `env` reaches its routes as `c.env`. */
interface FetchApp {
  fetch(request: Request, env?: { upgrade?: WebSocketUpgrade }): Response | Promise<Response>;
}

/** Options for {@link startServer}. */
export interface ServerOptions {
  app: FetchApp;
  /**
   * The TCP port; 0 picks a free one.
   * @default 8000
   */
  port?: number;
  /**
   * The interface to listen on. Loopback by default: the API sits behind Handoff, and binding
   * every interface by accident exposes it to the network (CWE-1327).
   * @default "127.0.0.1"
   */
  host?: string;
  /**
   * How long {@link RunningServer.shutdown} lets in-flight requests and streams finish before
   * destroying their connections.
   * @default 10_000
   */
  drainTimeoutMs?: number;
}

/** A listening server. */
export interface RunningServer {
  /** The base URL, such as `http://127.0.0.1:8000`. */
  readonly url: URL;
  readonly port: number;
  /**
   * Stops accepting connections at once, closes WebSockets with 1001, lets in-flight requests
   * finish, destroys whatever is still open after the drain timeout, and resolves once every connection is closed. Calling
   * it again returns the same promise.
   */
  shutdown(): Promise<void>;
}

/**
 * Serves `app` over HTTP/1.1 with `@hono/node-server`, with WebSocket upgrades (src/websocket.ts)
 * and graceful shutdown.
 *
 * @example
 * ```ts
 * const server = await startServer({ app, port: 8000 });
 * process.once("SIGTERM", () => void server.shutdown());
 * ```
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { app, port = 8000, host = "127.0.0.1", drainTimeoutMs = 10_000 } = options;
  let draining = false;
  const server = await new Promise<Server>((resolve, reject) => {
    const created = serve({ fetch: (request) => app.fetch(request), port, hostname: host }, () =>
      resolve(created as Server),
    ) as Server;
    created.once("error", reject);
  });
  // Upgraded sockets leave the server's connection tracking: the hub ends them on shutdown.
  const sockets = acceptWebSockets(server, app);
  server.on("request", (_request, response) => {
    // A keep-alive connection that sends another request while draining gets its answer, then
    // is closed instead of being kept idle until the drain timeout.
    if (draining) response.setHeader("connection", "close");
    response.once("finish", () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  const address = server.address() as AddressInfo;
  const hostname = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: new URL(`http://${hostname}:${address.port}`),
    port: address.port,
    shutdown() {
      closed ??= new Promise<void>((resolve) => {
        draining = true;
        sockets.drain();
        const timer = setTimeout(() => {
          server.closeAllConnections();
          sockets.terminate();
        }, drainTimeoutMs);
        // close() stops listening now (new connections are refused) and, since Node 19, closes
        // idle keep-alive connections; busy ones end as their responses finish.
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closed;
    },
  };
}

/**
 * Calls `shutdown` once on the first SIGTERM or SIGINT (what orchestrators and Ctrl-C send) and
 * returns a function that removes the handlers.
 *
 * @example
 * ```ts
 * onShutdownSignal(() => server.shutdown());
 * ```
 */
export function onShutdownSignal(
  shutdown: (signal: NodeJS.Signals) => unknown,
  signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"],
): () => void {
  // One handler per signal that knows its name: listeners are not always given it.
  const handlers = signals.map((signal) => [signal, () => fire(signal)] as const);
  const remove = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
  const fire = (signal: NodeJS.Signals) => {
    remove();
    shutdown(signal);
  };
  for (const [signal, handler] of handlers) process.once(signal, handler);
  return remove;
}
