#!/usr/bin/env node
// The example's embedded OpenID provider, for DEVELOPMENT ONLY: oidc-provider 9 on 127.0.0.1 with
// one confidential client (this example), one demo user and a bare sign-in page. It keeps
// everything in memory (a restart signs everyone out), generates its keys at each start, and
// posts back-channel logout tokens to a loopback app, which a real provider refuses (SSRF).
// scripts/start-oidc.mjs starts it when no OIDC_ISSUER is given.
//
// Env: OIDC_DEV_PORT (default 3200), APP_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_DEV_ACCESS_TTL (seconds, default 300).
import { generateKeyPairSync, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import Provider from "oidc-provider";

const env = process.env;
const port = Number(env.OIDC_DEV_PORT ?? 3200);
const issuer = `http://127.0.0.1:${port}`;
const appUrl = (env.APP_URL ?? "http://127.0.0.1:3100").replace(/\/$/, "");
const accessTtl = Number(env.OIDC_DEV_ACCESS_TTL ?? 300);
for (const name of ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]) {
  if (!env[name]) throw new Error(`dev-provider: ${name} is required`);
}

/** The demo user, and the password the README documents. */
const DEMO = {
  sub: "demo-user",
  email: "demo@example.test",
  name: "Demo User",
  password: "handoff-demo",
  tenant: "demo",
};
/** The TaskFlow API as a resource server (RFC 8707): its tokens are JWTs for `taskflow-api`. */
const RESOURCE = "urn:handoff:taskflow-api";
const AUDIENCE = "taskflow-api";

/** A private JWK made now: RS256 signs ID and logout tokens, EdDSA the API's access tokens. */
const jwk = (type, options, alg, kid) => ({
  ...generateKeyPairSync(type, options).privateKey.export({ format: "jwk" }),
  alg,
  use: "sig",
  kid,
});

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.OIDC_CLIENT_ID,
      client_secret: env.OIDC_CLIENT_SECRET,
      redirect_uris: [`${appUrl}/auth/callback`],
      post_logout_redirect_uris: [`${appUrl}/`],
      backchannel_logout_uri: `${appUrl}/auth/backchannel-logout`,
      backchannel_logout_session_required: true,
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  jwks: {
    keys: [
      jwk("rsa", { modulusLength: 2048 }, "RS256", "dev-rs256"),
      jwk("ed25519", undefined, "EdDSA", "dev-eddsa"),
    ],
  },
  cookies: { keys: [randomBytes(32).toString("base64url")] },
  findAccount: (_ctx, sub) =>
    sub === DEMO.sub
      ? {
          accountId: sub,
          claims: () => ({ sub, email: DEMO.email, email_verified: true, name: DEMO.name }),
        }
      : undefined,
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  conformIdTokenClaims: false,
  // The API scopes every query by tenant_id (apps/api/src/auth/verify.ts).
  extraTokenClaims: (_ctx, token) =>
    token.kind === "AccessToken" ? { tenant_id: DEMO.tenant, email: DEMO.email } : undefined,
  features: {
    devInteractions: { enabled: false },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== RESOURCE) throw new Provider.errors.InvalidTarget();
        return {
          scope: "tasks",
          audience: AUDIENCE,
          accessTokenTTL: accessTtl,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "EdDSA" } },
        };
      },
    },
  },
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // The demo user consents by construction: the grant covers what this client asks.
  loadExistingGrant: async (ctx) => {
    const { client, session } = ctx.oidc;
    if (client === undefined || session?.accountId === undefined) return undefined;
    const id = session.grantIdFor(client.clientId);
    const existing = id ? await ctx.oidc.provider.Grant.find(id) : undefined;
    if (existing) return existing;
    const grant = new ctx.oidc.provider.Grant({
      clientId: client.clientId,
      accountId: session.accountId,
    });
    grant.addOIDCScope("openid email profile offline_access");
    grant.addResourceScope(RESOURCE, "tasks");
    await grant.save();
    return grant;
  },
  // oidc-provider refuses to post logout tokens to loopback addresses (its SSRF guard, a
  // dispatcher passed to fetch). The example app is on 127.0.0.1, so the guard is dropped: one
  // of the reasons this provider is for development only.
  fetch: (url, options) => {
    const { dispatcher: _guard, ...rest } = options ?? {};
    return fetch(url, rest);
  },
  issueRefreshToken: async () => true,
  rotateRefreshToken: true,
  ttl: {
    AccessToken: accessTtl,
    IdToken: 3600,
    RefreshToken: 86_400,
    Session: 86_400,
    Grant: 86_400,
    Interaction: 600,
  },
});

// One line per token-endpoint call, by grant type (never a token): refreshes show in the log.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === "/token" && ctx.method === "POST") {
    console.log(`dev-provider: token ${ctx.oidc?.params?.grant_type ?? "?"} → ${ctx.status}`);
  }
});
provider.on("backchannel.success", (_ctx, client) =>
  console.log(`dev-provider: back-channel logout delivered to ${client.clientId}`),
);
provider.on("backchannel.error", (_ctx, error, client) =>
  console.error(`dev-provider: back-channel logout to ${client.clientId} failed: ${error.message}`),
);
provider.on("server_error", (_ctx, error) => console.error("dev-provider:", error));

const html = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:360px;margin:4rem auto;padding:0 1rem;color:#18181b}
.dev{background:#fef3c7;border:1px solid #f59e0b;padding:.5rem .75rem;border-radius:6px;font-size:.875rem}
label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b91c1c}</style></head><body>
<p class="dev">Development OpenID provider of the Handoff OIDC example. Not for production.</p>
<h1>${html(title)}</h1>${body}</body></html>`;
}

function signInPage(uid, error = "") {
  return page(
    "Sign in",
    `${error ? `<p class="error" role="alert">${html(error)}</p>` : ""}
<form method="post" action="/interaction/${html(uid)}/login">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" value="${html(DEMO.email)}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form>
<p>Demo user: <code>${html(DEMO.email)}</code> / <code>${html(DEMO.password)}</code></p>`,
  );
}

async function logoutSource(ctx, form) {
  ctx.body = page(
    "Sign out",
    `${form}<p>Sign out of the development provider?</p>
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page(
    "Signed out",
    `<p>You are signed out. <a href="${html(appUrl)}/">Back to the app</a></p>`,
  );
}

const same = (a, b) => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
};

async function readForm(req) {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error("form too large");
  }
  return new URLSearchParams(body);
}

async function interaction(req, res) {
  const send = (status, html) => {
    res.writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    });
    res.end(html);
  };
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== "login") {
    send(400, page("Unexpected prompt", `<p>${html(details.prompt.name)}</p>`));
    return;
  }
  if (req.method === "GET") {
    send(200, signInPage(details.uid));
    return;
  }
  const form = await readForm(req);
  const ok =
    same(form.get("email") ?? "", DEMO.email) && same(form.get("password") ?? "", DEMO.password);
  if (!ok) {
    send(401, signInPage(details.uid, "Wrong email or password."));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: DEMO.sub } });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url?.startsWith("/interaction/")) {
    interaction(req, res).catch((error) => {
      console.error(`dev-provider: interaction failed: ${error.message}`);
      if (!res.headersSent) res.writeHead(400, { "content-type": "text/plain" });
      res.end("The sign-in could not be completed; start again from the app.");
    });
    return;
  }
  callback(req, res);
});
server.listen(port, "127.0.0.1", () => {
  const line = "!".repeat(78);
  console.warn(
    `${line}\n! DEVELOPMENT-ONLY OpenID provider on ${issuer} (oidc-provider, in memory).\n` +
      `! Demo user ${DEMO.email} / ${DEMO.password}. Never expose it; set OIDC_ISSUER for a real one.\n${line}`,
  );
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
