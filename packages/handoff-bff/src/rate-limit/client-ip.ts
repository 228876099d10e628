const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * The default client address: the peer's, or, when `X-Forwarded-*` are trusted, the rightmost
 * `X-Forwarded-For` entry, the one the reverse proxy in front appended (entries to its left
 * were written by the client and prove nothing).
 */
export function defaultClientIp(trustForwarded: boolean) {
  return (request: Request, peer: string | undefined): string | undefined => {
    if (trustForwarded) {
      const list = request.headers.get("x-forwarded-for");
      if (list) {
        const last = list.slice(list.lastIndexOf(",") + 1).trim();
        if (last !== "") return last;
      }
    }
    return peer;
  };
}

/**
 * The counter key for an address: IPv4 as is (also when IPv4-mapped, `::ffff:192.0.2.1`, as a
 * dual-stack socket reports it); IPv6 cut to its first `subnet` bits, as one host usually holds
 * a whole prefix; a port or zone is dropped. Anything that is not an IP address (a key your
 * `clientIp` chose) is kept as it is.
 */
export function addressKey(address: string, subnet: number): string {
  let value = address.trim();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    if (end > 0) value = value.slice(1, end);
  } else {
    const withPort = IPV4_WITH_PORT.exec(value);
    if (withPort) value = withPort[1] as string;
  }
  const zone = value.indexOf("%");
  const bare = zone === -1 ? value : value.slice(0, zone);
  if (IPV4.test(bare)) return bare;
  const groups = ipv6Groups(bare);
  if (groups === null) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6] as number, groups[7] as number];
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  const masked = groups.map((group, index) => {
    const bits = Math.min(16, Math.max(0, subnet - index * 16));
    return bits === 0 ? 0 : group & (0xffff << (16 - bits)) & 0xffff;
  });
  return `${masked.map((group) => group.toString(16)).join(":")}/${subnet}`;
}

/** The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2 text forms), or `null`. */
function ipv6Groups(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const groups: number[] = [];
    const pieces = part.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && IPV4.test(piece)) {
        const [a, b, c, d] = piece.split(".").map(Number) as [number, number, number, number];
        if (a > 255 || b > 255 || c > 255 || d > 255) return null;
        groups.push((a << 8) | b, (c << 8) | d);
      } else if (HEX_GROUP.test(piece)) {
        groups.push(Number.parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return groups;
  };
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
