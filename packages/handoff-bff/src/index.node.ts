import { nodeTransport } from "./node/transport.js";
import { buildProxy, type HandoffProxy } from "./proxy/create-proxy.js";
import type { ProxyOptions } from "./proxy/options.js";
import type { Transport } from "./proxy/transport.js";

// The Node.js build of `handoff-bff` (the package's "node" export condition): the same API and
// types as index.ts, with `nodeTransport` (undici's dispatcher) as the default transport. `nodeTransport` itself, for
// custom agent settings, is exported from `handoff-bff/node`.
export * from "./index.js";

let shared: Transport | undefined;

/** {@inheritDoc createProxy} */
export function createProxy(options: ProxyOptions): HandoffProxy {
  // One keep-alive pool for every proxy of the process, created on first use.
  return buildProxy(options, () => {
    shared ??= nodeTransport();
    return shared;
  });
}
