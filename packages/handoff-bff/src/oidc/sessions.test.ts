import { describe, expect, it } from "vitest";
import { resolveOidcOptions } from "./options.js";
import { createSessions } from "./sessions.js";
import type { OidcSession } from "./types.js";

const options = resolveOidcOptions({
  issuer: "https://id.example",
  clientId: "app",
  redirectUri: "https://app.example/auth/callback",
  appOrigin: "https://app.example",
  session: { secret: "s".repeat(32) },
});

const session = (idToken: string): OidcSession => {
  const now = Date.now();
  return {
    id: "id-1",
    sub: "ada",
    idToken,
    accessToken: "at",
    expiresAt: now + 60_000,
    createdAt: now,
    updatedAt: now,
  };
};

const withCookies = (setCookie: string[], previous = new Map<string, string>()) => {
  const jar = new Map(previous);
  for (const line of setCookie) {
    const [pair = ""] = line.split(";");
    const name = pair.slice(0, pair.indexOf("="));
    if (line.endsWith("Max-Age=0")) jar.delete(name);
    else jar.set(name, pair.slice(name.length + 1));
  }
  const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  return { jar, request: new Request("https://app.example/", { headers: { cookie } }) };
};

describe("sealed cookie sessions", () => {
  it("are __Host-, Secure, HttpOnly, SameSite=Lax JWEs (dir, A256GCM), chunked past 4 KB, stale chunks expired on rewrite", async () => {
    const sessions = createSessions(options);
    const big = session("x".repeat(9000));
    const first = withCookies(await sessions.create(new Request("https://app.example/"), big));
    const names = [...first.jar.keys()];
    expect(names.length).toBeGreaterThan(2);
    expect(names).toEqual(names.map((_, index) => `__Host-handoff.session.${index}`));
    for (const value of first.jar.values()) expect(value.length).toBeLessThanOrEqual(3936);
    const header = JSON.parse(
      atob((first.jar.get("__Host-handoff.session.0") ?? "").split(".")[0] ?? ""),
    );
    expect(header).toMatchObject({ alg: "dir", enc: "A256GCM" });
    expect((await sessions.read(first.request))?.session).toEqual(big);

    const small = session("y");
    const lines = await sessions.save(first.request, small);
    expect(lines[0]).toMatch(
      /^__Host-handoff\.session=.+; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=\d+$/,
    );
    const second = withCookies(lines, first.jar);
    expect([...second.jar.keys()]).toEqual(["__Host-handoff.session"]);
    expect((await sessions.read(second.request))?.session).toEqual(small);
  });

  it("read nothing from a cookie sealed with another secret", async () => {
    const other = createSessions(
      resolveOidcOptions({
        ...options,
        issuer: "https://id.example",
        clientId: "app",
        redirectUri: "https://app.example/auth/callback",
        appOrigin: "https://app.example",
        session: { secret: "t".repeat(32) },
      }),
    );
    const { request } = withCookies(
      await other.create(new Request("https://app.example/"), session("z")),
    );
    expect(await createSessions(options).read(request)).toBeNull();
  });
});
