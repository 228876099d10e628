import { encode } from "@auth/core/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authjsToken, betterAuthToken, cookieToken } from "../src/index.js";
import type { TokenSource } from "../src/tokens/index.js";
import { makeAuth } from "./better-auth.js";
import { FLAVOURS, nodeRequest, startProxy, startUpstream, type TestServer } from "./helpers.js";

const AUTHJS_SECRET = "authjs-secret-0123456789abcdef0123456789";
const SECURE = "__Secure-authjs.session-token";

/** A signed-in victim's cookie, an attacker's cookie of the same name, and the source reading them. */
interface Case {
  name: string;
  token: () => TokenSource;
  victim: (flavour: string) => Promise<string>;
  attacker: (flavour: string) => Promise<string>;
  /** Whose the bearer token the upstream received is. */
  owner: (bearer: string) => Promise<string>;
}

const app = makeAuth();
const authjsCookie = async (who: string, name = SECURE) =>
  `${name}=${await encode({ token: { backendToken: `${who}-api-token` }, salt: SECURE, secret: AUTHJS_SECRET })}`;

const CASES: Case[] = [
  {
    name: "cookieToken",
    token: () => cookieToken("__Host-auth_token"),
    victim: async () => "__Host-auth_token=victim-api-token",
    attacker: async () => "__Host-auth_token=attacker-api-token",
    owner: async (bearer) => bearer.replace("-api-token", ""),
  },
  {
    name: "authjsToken",
    token: () => authjsToken({ secret: AUTHJS_SECRET }),
    victim: () => authjsCookie("victim"),
    attacker: () => authjsCookie("attacker"),
    owner: async (bearer) => bearer.replace("-api-token", ""),
  },
  {
    name: "authjsToken (a tossed chunk beside the whole cookie)",
    token: () => authjsToken({ secret: AUTHJS_SECRET }),
    victim: () => authjsCookie("victim"),
    attacker: async () => (await authjsCookie("attacker")).replace(`${SECURE}=`, `${SECURE}.0=`),
    owner: async (bearer) => bearer.replace("-api-token", ""),
  },
  {
    name: "betterAuthToken",
    token: () => betterAuthToken(app.auth),
    victim: (flavour) => app.signUp(`victim-${flavour}`),
    attacker: (flavour) => app.signUp(`attacker-${flavour}`),
    owner: async (bearer) => String((await app.verify(bearer)).email).split("-")[0] as string,
  },
];

describe.each(FLAVOURS)("a tossed session cookie through the %s transport", (flavour) => {
  describe.each(CASES)("$name", ({ token, victim, attacker, owner }) => {
    let canary: TestServer;
    let proxy: TestServer;
    let victimCookie: string;
    let attackerCookie: string;

    beforeAll(async () => {
      victimCookie = await victim(flavour);
      attackerCookie = await attacker(flavour);
      canary = await startUpstream();
      proxy = await startProxy(flavour, { upstream: canary.url, mount: "/api", token: token() });
    });
    afterAll(async () => {
      await Promise.all([proxy.close(), canary.close()]);
    });

    it("answers 401 ERR_AMBIGUOUS_SESSION_COOKIE and the upstream receives nothing", async () => {
      const orders = [
        // What a browser sends after a sibling subdomain set `Domain=` with a longer `Path=`.
        `${attackerCookie}; theme=dark; ${victimCookie}`,
        `${victimCookie}; ${attackerCookie}`,
      ];
      for (const cookie of orders) {
        const response = await nodeRequest(`${proxy.url}/api/me`, { headers: { cookie } });
        expect(response.status).toBe(401);
        expect(response.headers["content-type"]).toBe("application/problem+json");
        const problem = JSON.parse(response.body.toString());
        expect(problem).toMatchObject({ status: 401, code: "ERR_AMBIGUOUS_SESSION_COOKIE" });
        expect(response.body.toString()).not.toContain("api-token");
      }
      // Two Cookie header lines (as HTTP/2 may split them) are one list to the proxy.
      const split = await nodeRequest(`${proxy.url}/api/me`, {
        headers: { cookie: [attackerCookie, victimCookie] },
      });
      expect(split.status).toBe(401);
      expect(JSON.parse(split.body.toString()).code).toBe("ERR_AMBIGUOUS_SESSION_COOKIE");
      expect(canary.seen).toHaveLength(0);
    });

    it("still forwards the victim's own cookie alone, so the canary can hear", async () => {
      const response = await nodeRequest(`${proxy.url}/api/me`, {
        headers: { cookie: `theme=dark; ${victimCookie}` },
      });
      expect(response.status).toBe(200);
      expect(canary.seen).toHaveLength(1);
      const bearer = String(canary.seen[0]?.headers.authorization).replace(/^Bearer /, "");
      expect(await owner(bearer)).toBe("victim");
    });
  });
});
