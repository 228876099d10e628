import { afterEach, describe, expect, it, vi } from "vitest";
import { errorCode } from "../errors.js";
import {
  authConfig,
  createSigningKey,
  type JwksServer,
  refusedUrl,
  rejection,
  sign,
  startJwksServer,
} from "../testing/issuer.js";
import { createVerifier } from "./verify.js";

const T0 = new Date("2030-01-01T00:00:00Z").getTime();
const servers: JwksServer[] = [];

async function serve(...keys: Parameters<typeof startJwksServer>[0]): Promise<JwksServer> {
  const server = await startJwksServer(keys);
  servers.push(server);
  return server;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Asserts a 503 ERR_AUTH_UNAVAILABLE problem with a Retry-After and no Bearer challenge. */
async function expectUnavailable(promise: Promise<unknown>, retryAfter = "5") {
  const error = await rejection(promise);
  expect(error.code).toBe("ERR_AUTH_UNAVAILABLE");
  expect(error.status).toBe(503);
  expect(error.cause).toBeDefined();
  const response = error.toResponse();
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe(retryAfter);
  expect(response.headers.get("www-authenticate")).toBeNull();
  expect(await response.json()).toMatchObject({ code: "ERR_AUTH_UNAVAILABLE", status: 503 });
  return error;
}

describe("createVerifier", () => {
  it("answers the principal: sub, tenant_id, email and every claim", async () => {
    const key = await createSigningKey("k1");
    const verify = createVerifier(authConfig((await serve(key)).url));
    const principal = await verify(`Bearer ${await sign(key, { role: "admin" })}`);
    expect(principal).toMatchObject({
      userId: "user_1",
      tenantId: "tenant_a",
      email: "ada@example.test",
      claims: { sub: "user_1", tenant_id: "tenant_a", role: "admin" },
    });
  });

  it("leaves email out when the token has none, or not a string", async () => {
    const key = await createSigningKey("k1");
    const verify = createVerifier(authConfig((await serve(key)).url));
    for (const email of [undefined, 42]) {
      const principal = await verify(`Bearer ${await sign(key, { email })}`);
      expect("email" in principal).toBe(false);
    }
  });

  it("fetches the JWKS once for many concurrent first requests, then serves from cache", async () => {
    const key = await createSigningKey("k1");
    const server = await serve(key);
    const verify = createVerifier(authConfig(server.url));
    const token = await sign(key);
    await Promise.all(Array.from({ length: 10 }, () => verify(`Bearer ${token}`)));
    await verify(`Bearer ${token}`);
    expect(server.hits).toBe(1);
  });
});

describe("key rotation", () => {
  /** A verifier that has fetched the JWKS once (at T0) and seen a token from the old key. */
  async function verifiedOnce() {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    const [oldKey, newKey] = [await createSigningKey("2030-a"), await createSigningKey("2030-b")];
    const server = await serve(oldKey);
    const verify = createVerifier(authConfig(server.url), { jwks: { cooldownMs: 10_000 } });
    await verify(`Bearer ${await sign(oldKey)}`);
    return { oldKey, newKey, server, verify };
  }

  it("accepts a token from a newly published key once it re-fetches the JWKS", async () => {
    const { oldKey, newKey, server, verify } = await verifiedOnce();

    server.publish([oldKey, newKey]);
    vi.setSystemTime(T0 + 10_001);
    const principal = await verify(`Bearer ${await sign(newKey, { sub: "user_2" })}`);
    expect(principal.userId).toBe("user_2");
    expect(server.hits).toBe(2);
    await expect(verify(`Bearer ${await sign(oldKey)}`)).resolves.toBeDefined();
  });

  it("refuses a new key for at most the cooldown after the last fetch (the price of the rate limit)", async () => {
    const { oldKey, newKey, server, verify } = await verifiedOnce();
    server.publish([oldKey, newKey]);

    vi.setSystemTime(T0 + 9_000);
    const error = await rejection(verify(`Bearer ${await sign(newKey)}`));
    expect(error.code).toBe("ERR_TOKEN_INVALID");
    expect(errorCode(error.cause)).toBe("ERR_JWKS_NO_MATCHING_KEY");
    vi.setSystemTime(T0 + 10_001);
    await expect(verify(`Bearer ${await sign(newKey)}`)).resolves.toBeDefined();
  });

  it("stops accepting a withdrawn key once the cached set is older than cacheMaxAge", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    const [oldKey, newKey] = [await createSigningKey("2030-a"), await createSigningKey("2030-b")];
    const server = await serve(oldKey, newKey);
    const verify = createVerifier(authConfig(server.url), { jwks: { cacheMaxAgeMs: 600_000 } });
    await verify(`Bearer ${await sign(oldKey)}`);
    server.publish([newKey]);

    vi.setSystemTime(T0 + 599_000);
    await expect(verify(`Bearer ${await sign(oldKey)}`)).resolves.toBeDefined();
    vi.setSystemTime(T0 + 600_001);
    expect((await rejection(verify(`Bearer ${await sign(oldKey)}`))).code).toBe(
      "ERR_TOKEN_INVALID",
    );
    await expect(verify(`Bearer ${await sign(newKey)}`)).resolves.toBeDefined();
    expect(server.hits).toBe(2);
  });
});

describe("when the JWKS cannot be fetched", () => {
  it("answers 503 ERR_AUTH_UNAVAILABLE when nothing listens (connection refused)", async () => {
    const key = await createSigningKey("k1");
    const verify = createVerifier(authConfig(await refusedUrl()));
    await expectUnavailable(verify(`Bearer ${await sign(key)}`));
  });

  it.each([
    ["answers 500", "error"],
    ["answers something that is not JSON", "garbage"],
  ] as const)("answers 503 when the JWKS endpoint %s", async (_name, mode) => {
    const key = await createSigningKey("k1");
    const server = await serve(key);
    server.mode = mode;
    const verify = createVerifier(authConfig(server.url));
    await expectUnavailable(verify(`Bearer ${await sign(key)}`));
    expect(server.hits).toBe(1);
  });

  it("answers 503 within the fetch timeout when the JWKS endpoint never answers", async () => {
    const key = await createSigningKey("k1");
    const server = await serve(key);
    server.mode = "hang";
    const verify = createVerifier(authConfig(server.url), { jwks: { timeoutMs: 200 } });
    const started = performance.now();
    const error = await expectUnavailable(verify(`Bearer ${await sign(key)}`));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(errorCode(error.cause)).toBe("ERR_JWKS_TIMEOUT");
  });

  it("fails fast during the back-off, then recovers when the endpoint does", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    const key = await createSigningKey("k1");
    const server = await serve(key);
    server.mode = "error";
    const verify = createVerifier(authConfig(server.url), { jwks: { failureBackoffMs: 5_000 } });
    const token = await sign(key);
    await expectUnavailable(verify(`Bearer ${token}`), "5");
    expect(server.hits).toBe(1);

    server.mode = "serve";
    vi.setSystemTime(T0 + 3_500);
    await expectUnavailable(verify(`Bearer ${token}`), "2");
    expect(server.hits).toBe(1);

    vi.setSystemTime(T0 + 5_001);
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ userId: "user_1" });
    expect(server.hits).toBe(2);
  });

  it("keeps verifying with cached keys while the endpoint is down", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    const key = await createSigningKey("k1");
    const server = await serve(key);
    const verify = createVerifier(authConfig(server.url), { jwks: { cooldownMs: 10_000 } });
    await verify(`Bearer ${await sign(key)}`);
    server.mode = "error";

    vi.setSystemTime(T0 + 60_000);
    await expect(verify(`Bearer ${await sign(key)}`)).resolves.toBeDefined();
    expect(server.hits).toBe(1);
    // An unknown kid needs a fetch, which fails: the honest answer is 503, not 401.
    const stranger = await createSigningKey("stranger");
    await expectUnavailable(verify(`Bearer ${await sign(stranger)}`));
    // Cached keys still work during the back-off.
    await expect(verify(`Bearer ${await sign(key)}`)).resolves.toBeDefined();
  });

  it("still answers 401, not 503, for a credential it can refuse without keys", async () => {
    const verify = createVerifier(authConfig(await refusedUrl()));
    expect((await rejection(verify("Bearer not-a-jwt"))).code).toBe("ERR_TOKEN_INVALID");
    expect((await rejection(verify(null))).code).toBe("ERR_TOKEN_MISSING");
  });
});
