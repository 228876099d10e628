import { randomBytes } from "node:crypto";

/**
 * Follows the frames of one direction of a WebSocket byte stream (RFC 6455 §5.2) without
 * touching them: it reads each header for the payload length and holds a header back until it
 * is whole, so that what has been forwarded always ends on a frame boundary or inside a
 * payload. That is what lets the relay refuse a frame before any of it leaves, and insert a
 * close frame between two frames (RFC 6455 §5.4 allows control frames between fragments).
 */
export class FrameTracker {
  /** Payload bytes of the current frame still to pass. */
  private remaining = 0;
  /** Payload bytes of the current message so far (data frames up to FIN). */
  private message = 0;
  private held: Buffer | null = null;

  constructor(private readonly maxMessageBytes: number) {}

  /** Whether the bytes forwarded so far end exactly after a frame. */
  get atBoundary(): boolean {
    return this.remaining === 0;
  }

  /** What of `chunk` may be forwarded now; `tooBig` when a frame after it exceeds the limit. */
  feed(chunk: Buffer): { forward: Buffer; tooBig: boolean } {
    let bytes = chunk;
    if (this.held !== null) {
      bytes = Buffer.concat([this.held, chunk]);
      this.held = null;
    }
    let at = 0;
    while (at < bytes.length) {
      if (this.remaining > 0) {
        const step = Math.min(this.remaining, bytes.length - at);
        this.remaining -= step;
        at += step;
        continue;
      }
      const header = readHeader(bytes, at);
      if (header === null) {
        this.held = Buffer.from(bytes.subarray(at));
        return { forward: bytes.subarray(0, at), tooBig: false };
      }
      if (header.opcode < 8) {
        // Opcode 0 continues a message; 1 and 2 start one (RFC 6455 §5.4).
        const size = (header.opcode === 0 ? this.message : 0) + header.length;
        if (size > this.maxMessageBytes) return { forward: bytes.subarray(0, at), tooBig: true };
        this.message = header.fin ? 0 : size;
      }
      this.remaining = header.length;
      at += header.size;
    }
    return { forward: bytes, tooBig: false };
  }
}

interface Header {
  fin: boolean;
  opcode: number;
  /** Header bytes, masking key included. */
  size: number;
  length: number;
}

function readHeader(bytes: Buffer, at: number): Header | null {
  if (bytes.length - at < 2) return null;
  const first = bytes[at] as number;
  const second = bytes[at + 1] as number;
  const short = second & 0x7f;
  const extended = short === 126 ? 2 : short === 127 ? 8 : 0;
  const size = 2 + extended + (second & 0x80 ? 4 : 0);
  if (bytes.length - at < size) return null;
  const length =
    short === 126
      ? bytes.readUInt16BE(at + 2)
      : short === 127
        ? // A 63-bit length (§5.2); anything past 2^53 exceeds every limit anyway.
          Number(bytes.readBigUInt64BE(at + 2))
        : short;
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, size, length };
}

/**
 * A close frame (RFC 6455 §5.5.1) with a code and a reason of at most 123 bytes. Frames to a
 * server are masked with a fresh key and frames to a client are not (§5.1, §5.3).
 */
export function closeFrame(code: number, reason: string, masked: boolean): Buffer {
  const text = Buffer.from(reason).subarray(0, 123);
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  const head = Buffer.from([0x88, payload.length | (masked ? 0x80 : 0)]);
  if (!masked) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  for (let i = 0; i < payload.length; i++) {
    payload[i] = (payload[i] as number) ^ (key[i % 4] as number);
  }
  return Buffer.concat([head, key, payload]);
}
