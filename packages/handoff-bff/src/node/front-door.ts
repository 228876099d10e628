import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { AmbiguousPathError, InvalidConfigError } from "../errors.js";
import type { HandoffProxy } from "../proxy/create-proxy.js";
import { answerOnSocket } from "./answer-on-socket.js";
import { serveProxy } from "./listener.js";
import { disguisedMount, type Mounted, mountOf } from "./mounts.js";
import { isWebSocketUpgrade, upgradeWebSocket } from "./websocket.js";
import { writeResponse } from "./write-response.js";

/** A `node:http` upgrade handler: `server.on("upgrade", handler)`. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => unknown;

/**
 * A proxy the front door serves. `upgrade` is the hook by which a proxy claims the protocol
 * upgrades (WebSockets) under its mount; a proxy without it answers them as ordinary requests.
 */
export interface FrontDoorProxy extends HandoffProxy {
  upgrade?: UpgradeListener;
}

/** Where everything outside the proxies' mounts goes: the framework behind the front door. */
export interface FrontDoorFallback {
  /** Next.js: `app.getRequestHandler()`. */
  request(req: IncomingMessage, res: ServerResponse): unknown;
  /** Next.js: `app.getUpgradeHandler()` (its dev server's HMR socket, its own WebSockets). */
  upgrade?: UpgradeListener;
}

/** Options of {@link createFrontDoor}. */
export interface FrontDoorOptions {
  /** Proxies created with a `mount` (`createProxy({ mount: "/api/proxy", … })`). */
  proxies: readonly FrontDoorProxy[];
  fallback: FrontDoorFallback;
  /**
   * A reverse proxy you run stands in front and overwrites `X-Forwarded-Proto`: the `Request`
   * each proxy reads then has the public scheme in its URL. What a proxy forwards upstream is
   * still decided by its own `trustForwarded`. Any client can write the header otherwise.
   * @default false
   */
  trustForwarded?: boolean;
}

/** The two `node:http` handlers: `http.createServer(listener).on("upgrade", upgrade)`. */
export interface FrontDoor {
  listener(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * Handoff in front of a framework in one process: requests whose raw path is under a proxy's
 * mount go to that proxy (raw path and query byte for byte, `X-Forwarded-For` from the
 * socket), everything else to `fallback` untouched. A path outside every mount that a router
 * would read as under one (`/api/%70roxy`, `/x/../api/proxy`) is refused with 400
 * `ERR_AMBIGUOUS_PATH`, so the framework never gets to read it its own way.
 *
 * @example
 * ```ts
 * import http from "node:http";
 * import next from "next";
 * import { createFrontDoor } from "handoff-bff/node";
 *
 * const app = next({ dev: false });
 * await app.prepare();
 * const door = createFrontDoor({
 *   proxies: [proxy],
 *   fallback: { request: app.getRequestHandler(), upgrade: app.getUpgradeHandler() },
 * });
 * http.createServer(door.listener).on("upgrade", door.upgrade).listen(3000);
 * ```
 */
export function createFrontDoor(options: FrontDoorOptions): FrontDoor {
  const mounted = mountsOf(options.proxies);
  const { fallback } = options;
  const trustForwarded = options.trustForwarded ?? false;

  return {
    listener(req, res) {
      const path = pathOf(req.url);
      const entry = mountOf(path, mounted);
      if (entry) {
        serveProxy(entry.proxy, req, res, trustForwarded).catch(() => res.destroy());
      } else if (disguisedMount(path, mounted)) {
        refuse(res).catch(() => res.destroy());
      } else {
        settle(
          () => fallback.request(req, res),
          () => fail(res),
        );
      }
    },
    upgrade(req, socket, head) {
      const path = pathOf(req.url);
      const entry = mountOf(path, mounted);
      if (entry?.proxy.upgrade) {
        settle(
          () => entry.proxy.upgrade?.(req, socket, head),
          () => socket.destroy(),
        );
      } else if (entry?.proxy.websocket && isWebSocketUpgrade(req)) {
        const { websocket } = entry.proxy;
        settle(
          () => upgradeWebSocket({ ...entry.proxy, websocket }, req, socket, head, trustForwarded),
          () => socket.destroy(),
        );
      } else if (entry) {
        // A server may ignore Upgrade and answer as usual (RFC 9110 §7.8): the proxy drops the
        // header, so the upstream sees a plain request.
        answerOnSocket(req, socket, head, (res) =>
          serveProxy(entry.proxy, req, res, trustForwarded),
        );
      } else if (disguisedMount(path, mounted)) {
        answerOnSocket(req, socket, head, refuse);
      } else if (fallback.upgrade) {
        settle(
          () => fallback.upgrade?.(req, socket, head),
          () => socket.destroy(),
        );
      } else {
        // As `node:http` does when nobody listens for upgrades: an ordinary request.
        answerOnSocket(req, socket, head, async (res) => {
          await fallback.request(req, res);
        });
      }
    },
  };
}

function mountsOf(proxies: readonly FrontDoorProxy[]): Mounted<FrontDoorProxy>[] {
  const mounted: Mounted<FrontDoorProxy>[] = [];
  for (const proxy of proxies) {
    const mount = proxy.mount;
    // A proxy without a mount would take every path, leaving the fallback nothing.
    if (typeof mount !== "string" || mount === "") {
      throw new InvalidConfigError(
        "createFrontDoor: every proxy needs a mount (createProxy({ mount: '/api/proxy', … }))",
      );
    }
    if (mounted.some((entry) => entry.mount === mount)) {
      throw new InvalidConfigError(`createFrontDoor: two proxies share the mount ${mount}`);
    }
    mounted.push({ mount, proxy });
  }
  return mounted.sort((a, b) => b.mount.length - a.mount.length);
}

function pathOf(url: string | undefined): string {
  const raw = url ?? "";
  const query = raw.indexOf("?");
  return query === -1 ? raw : raw.slice(0, query);
}

function refuse(res: ServerResponse): Promise<void> {
  return writeResponse(
    new AmbiguousPathError("is under a mount only once decoded").toResponse(),
    res,
  );
}

/** Runs a handler of the app's, so that its failure ends one exchange, not the process. */
function settle(handler: () => unknown, onError: () => void): void {
  try {
    const result = handler();
    if (result instanceof Promise) result.catch(onError);
  } catch {
    onError();
  }
}

function fail(res: ServerResponse): void {
  if (res.headersSent) res.destroy();
  else res.writeHead(500).end();
}
