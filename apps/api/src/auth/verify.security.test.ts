import { base64url, exportSPKI } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type ApiError, errorCode } from "../errors.js";
import {
  AUDIENCE,
  authConfig,
  createSigningKey,
  type JwksServer,
  nowSeconds,
  rejection,
  type SigningKey,
  sign,
  startJwksServer,
} from "../testing/issuer.js";
import { createVerifier, type Verifier } from "./verify.js";

const INVALID_CHALLENGE = 'Bearer realm="taskflow", error="invalid_token"';
const GENERIC_DETAIL =
  "The bearer token is not valid for this service. Sign in again to get a new one.";
const T0 = new Date("2030-01-01T00:00:00Z").getTime();

let key: SigningKey;
let jwks: JwksServer;
let verify: Verifier;

beforeAll(async () => {
  key = await createSigningKey("k1");
  jwks = await startJwksServer([key]);
  verify = createVerifier(authConfig(jwks.url));
});
afterAll(() => jwks.close());
afterEach(() => {
  vi.useRealTimers();
});

/** Asserts a 401 ERR_TOKEN_INVALID with the RFC 6750 challenge and the generic detail. */
async function expectInvalid(promise: Promise<unknown>): Promise<ApiError> {
  const error = await rejection(promise);
  expect(error.code).toBe("ERR_TOKEN_INVALID");
  expect(error.status).toBe(401);
  const response = error.toResponse();
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toBe(INVALID_CHALLENGE);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = await response.json();
  expect(body).toMatchObject({ code: "ERR_TOKEN_INVALID", status: 401, detail: GENERIC_DETAIL });
  return error;
}

/** A compact JWS with the given header and payload and any signature, built by hand. */
function compact(header: object, payload: object, signature = ""): string {
  const part = (value: object) => base64url.encode(JSON.stringify(value));
  return `${part(header)}.${part(payload)}.${signature}`;
}

const validClaims = () => ({
  iss: "https://web.taskflow.test",
  aud: AUDIENCE,
  sub: "user_1",
  tenant_id: "tenant_a",
  iat: nowSeconds(),
  exp: nowSeconds() + 300,
});

describe("a valid token (the control for every attack below)", () => {
  it("is accepted", async () => {
    const principal = await verify(`Bearer ${await sign(key)}`);
    expect(principal).toMatchObject({ userId: "user_1", tenantId: "tenant_a" });
  });
});

describe("time claims", () => {
  it("refuses an expired token, keeping jose's reason as the cause for logs", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    const token = await sign(key, { exp: nowSeconds() + 60 });
    vi.setSystemTime(T0 + (60 + 31) * 1000);
    const error = await expectInvalid(verify(`Bearer ${token}`));
    expect(errorCode(error.cause)).toBe("ERR_JWT_EXPIRED");
  });

  it("accepts a token that expired less than the clock skew ago", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    const token = await sign(key, { exp: nowSeconds() + 60 });
    vi.setSystemTime(T0 + (60 + 29) * 1000);
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ userId: "user_1" });
  });

  it("refuses a token that is not valid yet (nbf beyond the clock skew)", async () => {
    const error = await expectInvalid(
      verify(`Bearer ${await sign(key, { nbf: nowSeconds() + 60 })}`),
    );
    expect(errorCode(error.cause)).toBe("ERR_JWT_CLAIM_VALIDATION_FAILED");
  });

  it("accepts a token whose nbf is in the future by less than the clock skew", async () => {
    const token = await sign(key, { nbf: nowSeconds() + 20 });
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ userId: "user_1" });
  });

  it("refuses a token without exp: it would never expire", async () => {
    await expectInvalid(verify(`Bearer ${await sign(key, { exp: undefined })}`));
  });

  it("refuses a token whose exp is not a number", async () => {
    await expectInvalid(verify(`Bearer ${await sign(key, { exp: "tomorrow" })}`));
  });
});

describe("issuer and audience", () => {
  it("refuses a token for another audience", async () => {
    await expectInvalid(verify(`Bearer ${await sign(key, { aud: "another-api" })}`));
  });

  it("refuses a token with no audience", async () => {
    await expectInvalid(verify(`Bearer ${await sign(key, { aud: undefined })}`));
  });

  it("accepts a token whose audience list contains ours (RFC 7519 §4.1.3)", async () => {
    const token = await sign(key, { aud: ["another-api", AUDIENCE] });
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ userId: "user_1" });
  });

  it("refuses a token from another issuer", async () => {
    await expectInvalid(verify(`Bearer ${await sign(key, { iss: "https://evil.test" })}`));
  });

  it("refuses a token with no issuer", async () => {
    await expectInvalid(verify(`Bearer ${await sign(key, { iss: undefined })}`));
  });
});

describe("algorithms (RFC 8725 §2.1, §3.1)", () => {
  it.each(["none", "None", "NONE", "nOnE"])(
    "refuses an unsecured token with alg %j and an empty signature",
    async (alg) => {
      const token = compact({ alg, typ: "JWT" }, validClaims());
      const error = await expectInvalid(verify(`Bearer ${token}`));
      expect(errorCode(error.cause)).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
    },
  );

  it("refuses an unsecured token that names the real kid", async () => {
    const token = compact({ alg: "none", kid: key.kid }, validClaims());
    await expectInvalid(verify(`Bearer ${token}`));
  });

  it("refuses HS256 tokens keyed with the public key (algorithm confusion), in every encoding", async () => {
    const x = key.jwk.x as string;
    const pem = await exportSPKI(key.publicKey);
    const secrets = {
      "raw x bytes": base64url.decode(x),
      "x as text": new TextEncoder().encode(x),
      "SPKI PEM": new TextEncoder().encode(pem),
      "SPKI PEM without newline": new TextEncoder().encode(pem.trim()),
      "JWK JSON": new TextEncoder().encode(JSON.stringify(key.jwk)),
    };
    for (const [name, secret] of Object.entries(secrets)) {
      const token = await sign({ kid: key.kid, alg: "HS256", privateKey: secret });
      const error = await expectInvalid(verify(`Bearer ${token}`));
      expect(errorCode(error.cause), name).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
    }
  });

  it("refuses an RS256 token when only EdDSA is configured, even if the JWKS publishes its key", async () => {
    const rsa = await createSigningKey("rsa-1", "RS256");
    const both = await startJwksServer([key, rsa]);
    try {
      const strict = createVerifier(authConfig(both.url));
      const error = await expectInvalid(strict(`Bearer ${await sign(rsa)}`));
      expect(errorCode(error.cause)).toBe("ERR_JOSE_ALG_NOT_ALLOWED");
      // The same token passes once RS256 is configured: the refusal above was the allow-list.
      const lax = createVerifier(authConfig(both.url, { algorithms: ["EdDSA", "RS256"] }));
      await expect(lax(`Bearer ${await sign(rsa)}`)).resolves.toMatchObject({ userId: "user_1" });
    } finally {
      await both.close();
    }
  });
});

describe("keys", () => {
  it("refuses a token signed by another key set under the SAME kid", async () => {
    const impostor = await createSigningKey(key.kid);
    const error = await expectInvalid(verify(`Bearer ${await sign(impostor)}`));
    expect(errorCode(error.cause)).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  it("ignores a key embedded in the token (jwk header) and a jku pointing at the attacker's JWKS", async () => {
    const attacker = await createSigningKey("attacker");
    const attackerJwks = await startJwksServer([attacker]);
    try {
      const token = await sign(attacker, {}, { jwk: attacker.jwk, jku: attackerJwks.url.href });
      await expectInvalid(verify(`Bearer ${token}`));
      expect(attackerJwks.hits).toBe(0);
    } finally {
      await attackerJwks.close();
    }
  });

  it("refuses a tampered payload (claims changed, signature kept)", async () => {
    const [header, payload, signature] = (await sign(key)).split(".") as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
    for (const change of [
      { tenant_id: "tenant_b" },
      { sub: "admin" },
      { exp: claims.exp + 86_400 },
    ]) {
      const forged = base64url.encode(JSON.stringify({ ...claims, ...change }));
      const error = await expectInvalid(verify(`Bearer ${header}.${forged}.${signature}`));
      expect(errorCode(error.cause)).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    }
  });

  it("refuses a tampered header (kid swapped, signature kept)", async () => {
    const [, payload, signature] = (await sign(key)).split(".") as [string, string, string];
    const header = base64url.encode(JSON.stringify({ alg: "EdDSA", kid: key.kid, typ: "at+jwt" }));
    await expectInvalid(verify(`Bearer ${header}.${payload}.${signature}`));
  });

  describe("an unknown kid", () => {
    it("makes a cold verifier fetch the JWKS once, then is refused", async () => {
      const server = await startJwksServer([key]);
      try {
        const cold = createVerifier(authConfig(server.url));
        const stranger = await createSigningKey("stranger");
        for (let i = 0; i < 20; i++) await expectInvalid(cold(`Bearer ${await sign(stranger)}`));
        expect(server.hits).toBe(1);
      } finally {
        await server.close();
      }
    });

    it("triggers at most one re-fetch per cooldown, however many arrive (rate limit)", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(T0);
      const server = await startJwksServer([key]);
      try {
        const guarded = createVerifier(authConfig(server.url), { jwks: { cooldownMs: 10_000 } });
        await guarded(`Bearer ${await sign(key)}`);
        expect(server.hits).toBe(1);
        const stranger = await createSigningKey("stranger");
        const forged = await sign(stranger);

        // Within the cooldown of the first fetch: 20 unknown kids, no fetch at all.
        for (let i = 0; i < 20; i++) await expectInvalid(guarded(`Bearer ${forged}`));
        expect(server.hits).toBe(1);

        // Cooldown over: 20 at once share exactly one re-fetch, still unknown → 401.
        vi.setSystemTime(T0 + 10_001);
        await Promise.all(
          Array.from({ length: 20 }, () => expectInvalid(guarded(`Bearer ${forged}`))),
        );
        expect(server.hits).toBe(2);

        // And 20 more straight after: the new cooldown holds.
        for (let i = 0; i < 20; i++) await expectInvalid(guarded(`Bearer ${forged}`));
        expect(server.hits).toBe(2);
        // Known keys kept working throughout.
        await expect(guarded(`Bearer ${await sign(key)}`)).resolves.toBeDefined();
        expect(server.hits).toBe(2);
      } finally {
        await server.close();
      }
    });
  });
});

describe("claims the API relies on", () => {
  it.each([
    ["missing", { sub: undefined }],
    ["empty", { sub: "" }],
    ["a number", { sub: 42 }],
  ])("refuses a token whose sub is %s", async (_name, claims) => {
    await expectInvalid(verify(`Bearer ${await sign(key, claims)}`));
  });

  it.each([
    ["missing", { tenant_id: undefined }],
    ["empty", { tenant_id: "" }],
    ["blank", { tenant_id: "   " }],
    ["a number", { tenant_id: 7 }],
    ["null", { tenant_id: null }],
  ])("answers 403 ERR_TENANT_MISSING when tenant_id is %s", async (_name, claims) => {
    const error = await rejection(verify(`Bearer ${await sign(key, claims)}`));
    expect(error.code).toBe("ERR_TENANT_MISSING");
    expect(error.status).toBe(403);
    const response = error.toResponse();
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(await response.json()).toMatchObject({ code: "ERR_TENANT_MISSING", status: 403 });
  });

  it("checks the signature before the tenant: a forged token without tenant is a 401", async () => {
    const impostor = await createSigningKey(key.kid);
    await expectInvalid(verify(`Bearer ${await sign(impostor, { tenant_id: undefined })}`));
  });
});

describe("the Authorization header", () => {
  it.each([
    ["one word", "Bearer abc"],
    ["three empty-ish segments", "Bearer a.b.c"],
    ["dots only", "Bearer ..."],
    ["a header alone", "Bearer eyJhbGciOiJFZERTQSJ9"],
    ["a header and an empty payload", "Bearer eyJhbGciOiJFZERTQSJ9.e30"],
    ["four segments", "Bearer eyJ.eyJ.sig.extra"],
    ["a percent-encoded NUL", "Bearer %00"],
    ["a non-ASCII character", "Bearer ü"],
    ["9,000 characters", `Bearer ${"A".repeat(9000)}`],
    ["the string null", "Bearer null"],
  ])("refuses a garbage credential: %s", async (_name, header) => {
    await expectInvalid(verify(header));
  });

  it.each(["Bearer", "Bearer ", "bearer", "BEARER   "])(
    "refuses %j: the Bearer scheme with no token",
    async (header) => {
      await expectInvalid(verify(header));
    },
  );

  it("refuses two tokens in one header, however they are separated", async () => {
    const token = await sign(key);
    for (const header of [
      `Bearer ${token} ${token}`,
      `Bearer ${token},${token}`,
      `Bearer ${token}, Bearer ${token}`,
      `Bearer ${token}\t${token}`,
    ]) {
      await expectInvalid(verify(header));
    }
  });

  it("refuses two Authorization fields, as Fetch merges them", async () => {
    const token = await sign(key);
    const headers = new Headers();
    headers.append("authorization", `Bearer ${token}`);
    headers.append("authorization", `Bearer ${token}`);
    await expectInvalid(verify(headers.get("authorization")));
  });

  it("accepts any case of the scheme and several spaces (RFC 9110 §11.1, RFC 6750 §2.1)", async () => {
    const token = await sign(key);
    for (const header of [`bearer ${token}`, `BEARER ${token}`, `Bearer   ${token}`]) {
      await expect(verify(header)).resolves.toMatchObject({ userId: "user_1" });
    }
  });

  it.each([
    [null],
    [undefined],
    [""],
    ["   "],
    ["Basic dXNlcjpwYXNz"],
    ["Digest username=x"],
    ["Token abc"],
    ["Bearerabc.def.ghi"],
  ])("treats %j as no bearer token: 401 with a bare challenge (RFC 6750 §3.1)", async (header) => {
    const error = await rejection(verify(header));
    expect(error.code).toBe("ERR_TOKEN_MISSING");
    expect(error.status).toBe(401);
    const response = error.toResponse();
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="taskflow"');
  });
});

describe("what a refusal reveals", () => {
  it("gives the same status, challenge and detail whatever check failed, and never the token", async () => {
    const impostor = await createSigningKey(key.kid);
    const tokens = [
      await sign(key, { exp: nowSeconds() - 3600 }),
      await sign(key, { aud: "x" }),
      await sign(key, { iss: "x" }),
      await sign(impostor),
      compact({ alg: "none" }, validClaims()),
    ];
    const bodies = new Set<string>();
    for (const token of tokens) {
      const error = await expectInvalid(verify(`Bearer ${token}`));
      const { detail, title } = (await error.toResponse().json()) as Record<string, unknown>;
      bodies.add(JSON.stringify({ detail, title }));
      expect(JSON.stringify(await error.toResponse().json())).not.toContain(token);
    }
    expect(bodies.size).toBe(1);
  });
});
