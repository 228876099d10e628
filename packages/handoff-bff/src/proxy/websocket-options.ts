/**
 * WebSockets through the proxy (`createProxy({ websocket: { … } })`), served by
 * `toNodeListener(proxy).upgrade` and `createFrontDoor`. Off by default.
 */
export interface WebSocketOptions {
  /**
   * ms without a byte either way, after which both sides get close code 1001. A socket nobody
   * uses holds a connection to the upstream forever otherwise; ping more often than this.
   * @default 60_000 (nginx's proxy_read_timeout)
   */
  idleTimeout?: number;
  /**
   * Largest message relayed either way, counted as its frames' payload bytes on the wire
   * (compressed, with permessage-deflate); larger → both sides get close code 1009 (RFC 6455
   * §7.4.1). An unbounded message lets one peer make the other buffer without limit.
   * @default 1 MiB
   */
  maxMessageBytes?: number;
  /**
   * ms between asks of the token source whether the session still stands; `null`, a 401 or an
   * expired JWT closes the socket with 4401. A socket outlives the handshake that checked it,
   * so a session ended elsewhere must end it too. `false`: only a revocation store and the
   * JWT's `exp` end it.
   * @default 30_000
   */
  recheckInterval?: number | false;
}
