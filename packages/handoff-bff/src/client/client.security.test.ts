import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createFetch, type FetchLike } from "./index.js";

const here = new URL("./", import.meta.url);
const sources = [
  ...readdirSync(here)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .map((name) => new URL(name, here)),
  new URL("../lib/event-stream.ts", here),
  new URL("../lib/media-type.ts", here),
].map((url) => ({
  name: url.pathname,
  // Without comments: TSDoc examples and explanations may name anything.
  code: readFileSync(url, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""),
}));

/** Records the Request the wrapper would send, without a network. */
function capture() {
  const sent: Request[] = [];
  const send: FetchLike = async (input, init) => {
    sent.push(new Request(input, init));
    return new Response(null, { status: 204 });
  };
  return { sent, send };
}

describe("handoff/client security", () => {
  it("imports only its own modules: no node:, no framework, nothing that runs in a server only", () => {
    for (const { name, code } of sources) {
      const specifiers = [...code.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map(
        (match) => match[1],
      );
      for (const specifier of specifiers) {
        expect(specifier, name).toMatch(/^\.\.?\/[\w./-]+\.js$/);
        expect(specifier, name).not.toMatch(/\/(node|next|proxy|tokens)\//);
      }
    }
  });

  it("never touches cookies, storage or an Authorization header itself", () => {
    for (const { name, code } of sources) {
      expect(code, name).not.toMatch(/\bdocument\b|localStorage|sessionStorage|indexedDB/);
      expect(code, name).not.toMatch(/["'](authorization|cookie|set-cookie)["']/i);
    }
  });

  it('never lets credentials: "include" through, whatever the caller asks', async () => {
    const { sent, send } = capture();
    const api = createFetch({ fetch: send });
    await api("https://app.example/a", { credentials: "include" });
    await api(new Request("https://other.example/b", { credentials: "include" }));
    expect(sent.map((request) => request.credentials)).toEqual(["same-origin", "same-origin"]);
  });

  it("never sends the CSRF header to another origin, even one the page links to", async () => {
    const { sent, send } = capture();
    const api = createFetch({
      baseUrl: "https://app.example/api/proxy",
      csrfHeader: true,
      fetch: send,
    });
    await api("/tasks", { method: "POST" });
    await api("https://evil.example/tasks", { method: "POST" });
    await api("//evil.example/tasks", { method: "POST" }); // prefixed, so it stays on app.example
    expect(sent.map((request) => [request.url, request.headers.get("x-csrf")])).toEqual([
      ["https://app.example/api/proxy/tasks", "1"],
      ["https://evil.example/tasks", null],
      ["https://app.example/api/proxy//evil.example/tasks", "1"],
    ]);
  });

  it("sends no CSRF header at all when neither the page nor baseUrl names an origin", async () => {
    const { sent, send } = capture();
    await createFetch({ csrfHeader: true, fetch: send })("https://app.example/a", {
      method: "POST",
    });
    expect(sent[0]?.headers.get("x-csrf")).toBeNull();
  });
});
