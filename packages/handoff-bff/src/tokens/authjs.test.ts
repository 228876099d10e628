import { hkdfSync } from "node:crypto";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { encode } from "@auth/core/jwt";
import { EncryptJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorCode } from "../errors.js";
import { type AuthjsTokenOptions, authjsToken } from "./authjs.js";

const SECRET = "current-secret-0123456789abcdef0123456789";
const OLD_SECRET = "previous-secret-fedcba9876543210fedcba98";
const PLAIN = "authjs.session-token";
const SECURE = "__Secure-authjs.session-token";

interface Cookie {
  name: string;
  value: string;
}
interface SessionStoreLike {
  chunk(value: string, options: object): Cookie[];
}

// @auth/core does not export SessionStore; load it from the installed package so the chunks
// are cut by Auth.js's own code, not by a copy of it.
const jwtPath = createRequire(import.meta.url).resolve("@auth/core/jwt");
const { SessionStore } = (await import(
  pathToFileURL(jwtPath.replace(/jwt\.js$/, "lib/utils/cookie.js")).href
)) as {
  SessionStore: new (
    option: { name: string; options: object },
    cookies: Record<string, string>,
    logger: { debug(): void },
  ) => SessionStoreLike;
};

function mint(token: Record<string, unknown>, salt = PLAIN, secret = SECRET, maxAge?: number) {
  return encode({ token, salt, secret, ...(maxAge === undefined ? {} : { maxAge }) });
}

function chunk(name: string, value: string): Cookie[] {
  return new SessionStore({ name, options: {} }, {}, { debug() {} }).chunk(value, {});
}

function request(cookies: Cookie[] | string): Request {
  const header =
    typeof cookies === "string" ? cookies : cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  return new Request("https://app.example/api/proxy/me", { headers: { cookie: header } });
}

const read = (options: Partial<AuthjsTokenOptions>, cookies: Cookie[] | string) =>
  authjsToken({ secret: SECRET, ...options })(request(cookies));

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("authjsToken", () => {
  it("reads the claim from a plain authjs.session-token cookie", async () => {
    const value = await mint({ backendToken: "api-token-1" });
    expect(await read({}, [{ name: PLAIN, value }])).toBe("api-token-1");
  });

  it("reads the claim from a __Secure-authjs.session-token cookie", async () => {
    const value = await mint({ backendToken: "api-token-2" }, SECURE);
    expect(await read({}, [{ name: SECURE, value }])).toBe("api-token-2");
  });

  it("reads the claim from a chunked cookie", async () => {
    const value = await mint({ backendToken: "api-token-3", profile: "x".repeat(6000) }, SECURE);
    const chunks = chunk(SECURE, value);
    expect(chunks.map((c) => c.name)).toEqual([`${SECURE}.0`, `${SECURE}.1`, `${SECURE}.2`]);
    expect(await read({}, chunks)).toBe("api-token-3");
  });

  it("reassembles chunks that arrive out of order in the Cookie header", async () => {
    const value = await mint({ backendToken: "api-token-4", profile: "y".repeat(6000) });
    const chunks = chunk(PLAIN, value);
    const shuffled = [chunks[2], chunks[0], chunks[1]].filter((c) => c !== undefined);
    expect(await read({}, [{ name: "other", value: "1" }, ...shuffled])).toBe("api-token-4");
  });

  it("returns null when a chunk is missing", async () => {
    const value = await mint({ backendToken: "api-token-5", profile: "z".repeat(6000) });
    const [first, , third] = chunk(PLAIN, value);
    expect(
      await read(
        {},
        [first, third].filter((c) => c !== undefined),
      ),
    ).toBeNull();
  });

  it("refuses an unchunked cookie sent beside chunks: one of them was tossed in", async () => {
    const attacker = await mint({ backendToken: "attacker" });
    const victim = chunk(PLAIN, await mint({ backendToken: "victim", profile: "v".repeat(6000) }));
    for (const cookies of [
      [{ name: PLAIN, value: attacker }, ...victim],
      [...victim, { name: PLAIN, value: attacker }],
    ]) {
      await expect(read({}, cookies)).rejects.toMatchObject({
        code: "ERR_AMBIGUOUS_SESSION_COOKIE",
        status: 401,
      });
    }
  });

  it.each([
    ["the plain name", PLAIN, {}],
    ["the __Secure- name", SECURE, {}],
    ["the __Secure- name with secureCookie: true", SECURE, { secureCookie: true }],
    ["a custom cookieName", "app.session", { cookieName: "app.session" }],
  ] as const)("refuses %s sent twice, whichever copy is valid", async (_name, name, options) => {
    const attacker = await mint({ backendToken: "attacker" }, name);
    const victim = await mint({ backendToken: "victim" }, name);
    for (const cookies of [
      [
        { name, value: attacker },
        { name, value: victim },
      ],
      [
        { name, value: victim },
        { name: "theme", value: "dark" },
        { name, value: "garbage" },
      ],
    ]) {
      await expect(read(options, cookies)).rejects.toMatchObject({
        code: "ERR_AMBIGUOUS_SESSION_COOKIE",
      });
    }
  });

  it("refuses a chunk sent twice", async () => {
    const attacker = chunk(
      SECURE,
      await mint({ backendToken: "a", profile: "a".repeat(6000) }, SECURE),
    );
    const victim = chunk(
      SECURE,
      await mint({ backendToken: "v", profile: "v".repeat(6000) }, SECURE),
    );
    // A sibling subdomain only has to toss one chunk of its own in front of the victim's.
    const cookies = [attacker[1], ...victim].filter((c) => c !== undefined);
    await expect(read({}, cookies)).rejects.toMatchObject({ code: "ERR_AMBIGUOUS_SESSION_COOKIE" });
  });

  it("ignores a repeated plain cookie when the __Secure- one decides", async () => {
    const secure = await mint({ backendToken: "from-secure" }, SECURE);
    const plain = await mint({ backendToken: "from-plain" }, PLAIN);
    const cookies = [
      { name: PLAIN, value: plain },
      { name: SECURE, value: secure },
      { name: PLAIN, value: plain },
    ];
    expect(await read({}, cookies)).toBe("from-secure");
  });

  it("prefers the __Secure- cookie when both names are sent", async () => {
    const secure = await mint({ backendToken: "from-secure" }, SECURE);
    const plain = await mint({ backendToken: "from-plain" }, PLAIN);
    const cookies = [
      { name: PLAIN, value: plain },
      { name: SECURE, value: secure },
    ];
    expect(await read({}, cookies)).toBe("from-secure");
  });

  it("does not fall back to a plain cookie when the __Secure- one is invalid", async () => {
    const plain = await mint({ backendToken: "tossed-in" }, PLAIN);
    const cookies = [
      { name: SECURE, value: "garbage" },
      { name: PLAIN, value: plain },
    ];
    expect(await read({}, cookies)).toBeNull();
  });

  it("reads only the __Secure- name when secureCookie is true", async () => {
    const plain = await mint({ backendToken: "plain" }, PLAIN);
    expect(await read({ secureCookie: true }, [{ name: PLAIN, value: plain }])).toBeNull();
  });

  it("reads only the plain name when secureCookie is false", async () => {
    const secure = await mint({ backendToken: "secure" }, SECURE);
    const plain = await mint({ backendToken: "plain" }, PLAIN);
    const cookies = [
      { name: SECURE, value: secure },
      { name: PLAIN, value: plain },
    ];
    expect(await read({ secureCookie: false }, cookies)).toBe("plain");
    expect(await read({ secureCookie: false }, cookies.slice(0, 1))).toBeNull();
  });

  it("reads a custom cookieName and uses it as the salt", async () => {
    const value = await mint({ backendToken: "custom" }, "my-session");
    expect(await read({ cookieName: "my-session" }, [{ name: "my-session", value }])).toBe(
      "custom",
    );
  });

  it("returns null for a token moved to a cookie name it was not made for", async () => {
    const value = await mint({ backendToken: "moved" }, PLAIN);
    expect(await read({}, [{ name: SECURE, value }])).toBeNull();
  });

  it("reads the claim named by the claim option", async () => {
    const value = await mint({ accessToken: "access", backendToken: "backend" });
    expect(await read({ claim: "accessToken" }, [{ name: PLAIN, value }])).toBe("access");
  });

  it("accepts a cookie made with the old secret after rotation", async () => {
    const value = await mint({ backendToken: "old" }, PLAIN, OLD_SECRET);
    const cookies = [{ name: PLAIN, value }];
    expect(await read({ secret: [SECRET, OLD_SECRET] }, cookies)).toBe("old");
    expect(await read({ secret: SECRET }, cookies)).toBeNull();
  });

  it("returns null for a cookie made with a secret it does not know", async () => {
    const value = await mint({ backendToken: "foreign" }, PLAIN, "someone-elses-secret");
    expect(await read({ secret: [SECRET, OLD_SECRET] }, [{ name: PLAIN, value }])).toBeNull();
  });

  it("uses the current secret for a token without kid, as Auth.js does", async () => {
    const salt = PLAIN;
    const derive = (secret: string) =>
      new Uint8Array(
        hkdfSync("sha256", secret, salt, `Auth.js Generated Encryption Key (${salt})`, 64),
      );
    const make = (secret: string) =>
      new EncryptJWT({ backendToken: "no-kid" })
        .setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512" })
        .setExpirationTime("1h")
        .encrypt(derive(secret));
    const options = { secret: [SECRET, OLD_SECRET] };
    expect(await read(options, [{ name: PLAIN, value: await make(SECRET) }])).toBe("no-kid");
    expect(await read(options, [{ name: PLAIN, value: await make(OLD_SECRET) }])).toBeNull();
  });

  it("returns null for a tampered cookie", async () => {
    const value = await mint({ backendToken: "tampered" });
    const parts = value.split(".");
    const ciphertext = parts[3] ?? "";
    const middle = Math.floor(ciphertext.length / 2);
    const flipped = ciphertext[middle] === "A" ? "B" : "A";
    parts[3] = ciphertext.slice(0, middle) + flipped + ciphertext.slice(middle + 1);
    expect(await read({}, [{ name: PLAIN, value: parts.join(".") }])).toBeNull();
  });

  it("returns null for an expired cookie, allowing 15 s of clock skew", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2030-01-01T00:00:00Z").getTime();
    vi.setSystemTime(start);
    const cookies = [
      { name: PLAIN, value: await mint({ backendToken: "brief" }, PLAIN, SECRET, 60) },
    ];
    vi.setSystemTime(start + 70_000);
    expect(await read({}, cookies)).toBe("brief");
    vi.setSystemTime(start + 76_000);
    expect(await read({}, cookies)).toBeNull();
  });

  it("returns null when the claim is missing", async () => {
    const value = await mint({ name: "Ada", email: "ada@example.com" });
    expect(await read({}, [{ name: PLAIN, value }])).toBeNull();
  });

  it.each([
    ["a number", 42],
    ["an object", { token: "x" }],
    ["an empty string", ""],
    ["null", null],
  ])("returns null when the claim is %s", async (_label, backendToken) => {
    const value = await mint({ backendToken });
    expect(await read({}, [{ name: PLAIN, value }])).toBeNull();
  });

  it("does not read inherited properties as claims", async () => {
    const value = await mint({ backendToken: "x" });
    expect(await read({ claim: "constructor" }, [{ name: PLAIN, value }])).toBeNull();
  });

  it.each([
    ["no Cookie header", ""],
    ["an unrelated cookie", "theme=dark"],
    ["an empty session cookie", `${PLAIN}=`],
    ["a value that is not a JWE", `${PLAIN}=not-a-token`],
    ["a five-part value that is not a JWE", `${PLAIN}=a.b.c.d.e`],
  ])("returns null for %s", async (_label, header) => {
    expect(await read({}, header)).toBeNull();
  });

  it("derives each key once, not per request", async () => {
    const value = await mint({ backendToken: "cached" });
    const deriveBits = vi.spyOn(crypto.subtle, "deriveBits");
    const source = authjsToken({ secret: [SECRET, OLD_SECRET] });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => source(request([{ name: PLAIN, value }]))),
    );
    expect(results).toEqual(Array(5).fill("cached"));
    expect(deriveBits).toHaveBeenCalledTimes(2);
  });

  it("rejects, rather than answering null, when key derivation fails, and retries it", async () => {
    const value = await mint({ backendToken: "retried" });
    vi.spyOn(crypto.subtle, "deriveBits").mockRejectedValueOnce(new Error("no Web Crypto"));
    const source = authjsToken({ secret: SECRET });
    await expect(source(request([{ name: PLAIN, value }]))).rejects.toThrow("no Web Crypto");
    expect(await source(request([{ name: PLAIN, value }]))).toBe("retried");
  });

  it.each([
    ["an empty secret", { secret: "" }],
    ["an empty secret array", { secret: [] }],
    ["an empty secret in the array", { secret: [SECRET, ""] }],
    ["a secret that is not a string", { secret: 42 }],
    ["an empty claim", { secret: SECRET, claim: "" }],
    ["a claim that is not a string", { secret: SECRET, claim: 1 }],
    ["an invalid cookie name", { secret: SECRET, cookieName: "bad name;" }],
    ["a secureCookie that is not a boolean", { secret: SECRET, secureCookie: "yes" }],
    ["no options", undefined],
  ])("refuses %s with ERR_INVALID_CONFIG", (_label, options) => {
    const create = () => authjsToken(options as unknown as AuthjsTokenOptions);
    expect(create).toThrow();
    try {
      create();
    } catch (error) {
      expect(errorCode(error)).toBe("ERR_INVALID_CONFIG");
      expect(String(error)).not.toContain(SECRET);
    }
  });
});

describe("authjsToken's sessionKey", () => {
  it("is the SHA-256 of the session cookie, chunks joined, the same for every instance", async () => {
    const value = await mint({ backendToken: "api-token-k", profile: "k".repeat(6000) });
    const chunks = chunk(PLAIN, value);
    expect(chunks.length).toBeGreaterThan(1);
    const one = authjsToken({ secret: SECRET }).sessionKey?.(request(chunks));
    const two = authjsToken({ secret: SECRET }).sessionKey?.(request(`${PLAIN}=${value}`));
    expect(await one).toBe(await two);
    expect(await one).toMatch(/^[\w-]{43}$/);
    expect(await authjsToken({ secret: SECRET }).sessionKey?.(request("theme=dark"))).toBeNull();
  });
});
