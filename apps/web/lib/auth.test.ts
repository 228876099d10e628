import { eq } from "drizzle-orm";
import { betterAuthToken } from "handoff-bff";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { workspace, workspaceMember } from "./db/schema";
import { authUnderTest, ORIGIN, signUp } from "./testing/auth";
import { personalWorkspace } from "./workspaces";

const state = authUnderTest();

async function jwks() {
  const response = await state.auth.handler(new Request(`${ORIGIN}/api/auth/jwks`));
  expect(response.status).toBe(200);
  return (await response.json()) as { keys: Record<string, string>[] };
}

describe("sign-up", () => {
  // Better Auth checks the Drizzle schema against the tables it writes on first use
  // (advanced.database.validateSchema, on by default): a drifted schema.ts fails here.
  it("gives every new user a personal workspace named after them", async () => {
    const { response } = await signUp(state.auth, {
      name: "Grace",
      email: "grace@example.test",
      password: "correct horse",
    });
    const { user } = (await response.json()) as { user: { id: string } };
    const rows = await state.database.db
      .select({ name: workspace.name, role: workspaceMember.role })
      .from(workspaceMember)
      .innerJoin(workspace, eq(workspace.id, workspaceMember.workspaceId))
      .where(eq(workspaceMember.userId, user.id));
    expect(rows).toEqual([{ name: "Grace's workspace", role: "owner" }]);
  });

  it("refuses passwords shorter than 8 characters", async () => {
    await expect(
      signUp(state.auth, { name: "Bob", email: "bob@example.test", password: "short" }),
    ).rejects.toThrow(/PASSWORD_TOO_SHORT|too short/i);
  });
});

describe("the JWT for the API", () => {
  it("is EdDSA, for the API's audience, with sub, email and tenant_id, and verifies against the JWKS", async () => {
    const { cookie, user } = await signUp(state.auth);
    const token = await betterAuthToken(state.auth)(
      new Request(`${ORIGIN}/api/proxy/api/tasks`, { headers: { cookie } }),
    );
    expect(typeof token).toBe("string");
    const { keys } = await jwks();
    expect(keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(keys[0]).not.toHaveProperty("d"); // public keys only
    const { payload } = await jwtVerify(token as string, createLocalJWKSet({ keys }), {
      issuer: ORIGIN,
      audience: "taskflow-api",
      algorithms: ["EdDSA"],
    });
    expect(decodeProtectedHeader(token as string).alg).toBe("EdDSA");
    const tenant = await personalWorkspace(state.database.db, {
      id: String(payload.sub),
      name: "",
      email: user.email,
    });
    expect(payload).toMatchObject({ email: user.email, tenant_id: tenant.id });
    // Nothing else of the user (name, image, verification state) leaves the web app.
    expect(Object.keys(payload).sort()).toEqual([
      "aud",
      "email",
      "exp",
      "iat",
      "iss",
      "sub",
      "tenant_id",
    ]);
    expect((payload.exp as number) - (payload.iat as number)).toBe(15 * 60);
  });

  it("is null without a session, so the proxy answers 401", async () => {
    const source = betterAuthToken(state.auth);
    expect(await source(new Request(`${ORIGIN}/api/proxy/api/tasks`))).toBeNull();
    const forged = new Request(`${ORIGIN}/api/proxy/api/tasks`, {
      headers: { cookie: "better-auth.session_token=forged.value" },
    });
    expect(await source(forged)).toBeNull();
  });
});

describe("personalWorkspace", () => {
  it("creates one workspace when two requests race to create it", async () => {
    const { response } = await signUp(state.auth);
    const { user } = (await response.json()) as { user: { id: string; email: string } };
    await state.database.db.delete(workspaceMember).where(eq(workspaceMember.userId, user.id));
    const owner = { id: user.id, name: "Racer", email: user.email };
    const [first, second] = await Promise.all([
      personalWorkspace(state.database.db, owner),
      personalWorkspace(state.database.db, owner),
    ]);
    expect(first.id).toBe(second.id);
  });
});
