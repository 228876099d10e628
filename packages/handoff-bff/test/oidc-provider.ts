// A real OpenID provider (oidc-provider 9) on 127.0.0.1 for the handoff-bff/oidc tests: one
// confidential client, PKCE required, refresh tokens rotated, back-channel logout on, and a
// minimal interaction that signs in whichever demo user the test chose (no HTML to drive).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";

export const CLIENT_ID = "handoff-app";
export const CLIENT_SECRET = "handoff-app-secret-0123456789abcdef";

export interface TestProvider {
  issuer: string;
  provider: Provider;
  /** Token endpoint calls by grant type. */
  tokenCalls: Record<string, number>;
  /** The user the next sign-in signs in. */
  user: string;
  /** Access token lifetime, in seconds, for tokens issued from now on. */
  accessTtl: number;
  /** Grant ids by account, to revoke them. */
  grants: Map<string, string[]>;
  /** Back-channel logout deliveries (ok or failed). */
  backchannel: { ok: number; failed: number };
  /** Signs a JWT with the provider's key, to make logout tokens of the test's choosing. */
  sign(claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Where the provider may send the browser back, and post logout tokens. */
export interface AppUris {
  redirectUri: string;
  postLogoutRedirectUri: string;
  backchannelLogoutUri: string;
}

export async function startProvider(app: AppUris): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const state: TestProvider = {
    issuer,
    provider: undefined as unknown as Provider,
    tokenCalls: {},
    user: "ada",
    accessTtl: 3600,
    grants: new Map(),
    backchannel: { ok: 0, failed: 0 },
    sign: (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: "k1", typ: "logout+jwt" })
        .sign(privateKey),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [app.redirectUri],
        post_logout_redirect_uris: [app.postLogoutRedirectUri],
        backchannel_logout_uri: app.backchannelLogoutUri,
        backchannel_logout_session_required: true,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: "k1" }] },
    cookies: { keys: ["test-cookie-key-0123456789"] },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, email: `${sub}@example.com`, name: sub.toUpperCase() }),
    }),
    claims: { openid: ["sub"], email: ["email"], profile: ["name"] },
    // The scopes' claims in the ID token too, as most providers do.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The test users consent by construction: a grant for what the client asks.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session } = ctx.oidc;
      if (client === undefined || session?.accountId === undefined) return undefined;
      const grantId = session.grantIdFor(client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope("openid email profile offline_access");
      const id = await grant.save();
      state.grants.set(session.accountId, [...(state.grants.get(session.accountId) ?? []), id]);
      return grant;
    },
    // The app is on 127.0.0.1, which oidc-provider's SSRF guard refuses to post logout tokens
    // to; its guard is a dispatcher passed to `fetch`, dropped here for the tests only.
    fetch: (url, options) => {
      const { dispatcher: _guard, ...rest } = (options ?? {}) as RequestInit & {
        dispatcher?: unknown;
      };
      return fetch(url, rest);
    },
    issueRefreshToken: async () => true,
    rotateRefreshToken: true,
    ttl: {
      // biome-ignore lint/correctness/noComponentHookFactories: oidc-provider's name, not a component.
      AccessToken: () => state.accessTtl,
      IdToken: 3600,
      RefreshToken: 86_400,
      Session: 86_400,
      Grant: 86_400,
      Interaction: 600,
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === "/token" && ctx.method === "POST") {
      const type = String((ctx.oidc?.params?.grant_type as string | undefined) ?? "unknown");
      state.tokenCalls[type] = (state.tokenCalls[type] ?? 0) + 1;
    }
  });
  provider.on("backchannel.success", () => {
    state.backchannel.ok += 1;
  });
  provider.on("backchannel.error", (_ctx, error) => {
    if (process.env.DEBUG_OIDC) console.error("backchannel", error);
    state.backchannel.failed += 1;
  });
  const callback = provider.callback();
  server.on("request", async (req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      try {
        await provider.interactionFinished(req, res, { login: { accountId: state.user } });
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
      return;
    }
    callback(req, res);
  });
  state.provider = provider;
  return state;
}

/** A browser's cookie jar, one per origin, following `Set-Cookie` as browsers do (simplified). */
export class Browser {
  readonly jars = new Map<string, Map<string, string>>();

  cookies(origin: string): Map<string, string> {
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    return jar;
  }

  header(origin: string): string {
    return [...this.cookies(origin)].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  store(origin: string, response: Response): void {
    const jar = this.cookies(origin);
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/;\s*max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const origin = new URL(url).origin;
    const headers = new Headers(init.headers);
    const cookie = this.header(origin);
    if (cookie !== "") headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.store(origin, response);
    return response;
  }

  /** Follows redirects from `url` until one leaves for `stopAt`; returns that URL. */
  async follow(url: string, stopAt: string): Promise<string> {
    let next = url;
    for (let hop = 0; hop < 10; hop++) {
      if (next.startsWith(stopAt)) return next;
      const response = await this.fetch(next);
      await response.arrayBuffer();
      const location = response.headers.get("location");
      if (location === null) throw new Error(`no redirect from ${next}: ${response.status}`);
      next = new URL(location, next).href;
    }
    throw new Error("too many redirects");
  }
}
