import { type IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { RequestBodyError } from "../errors.js";
import { writeResponse } from "./write-response.js";

/**
 * Answers an upgrade request over HTTP/1.1 on its socket, closing it after. Its body, if it
 * has one, was never parsed (after an Upgrade the bytes belong to the new protocol), so such a
 * request is refused: forwarding it would smuggle whatever followed the head (h2c smuggling).
 */
export function answerOnSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  serve: (res: ServerResponse) => Promise<void>,
): void {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Parameters<ServerResponse["assignSocket"]>[0]);
  res.once("finish", () => {
    res.detachSocket(socket as Parameters<ServerResponse["detachSocket"]>[0]);
    socket.end();
  });
  const hasBody =
    head.length > 0 ||
    req.headers["transfer-encoding"] !== undefined ||
    (req.headers["content-length"] ?? "0") !== "0";
  const answer = hasBody
    ? writeResponse(
        new RequestBodyError(new Error("upgrade request with a body")).toResponse(),
        res,
      )
    : serve(res);
  answer.catch(() => socket.destroy());
}
