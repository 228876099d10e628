import { afterEach, describe, expect, it, vi } from "vitest";
import { createChatKitFetch } from "./chatkit-fetch.js";

describe("createChatKitFetch", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function recording() {
    const sent: Request[] = [];
    const fetch = async (input: RequestInfo | URL) => {
      sent.push(input as Request);
      return new Response("{}", { status: 200 });
    };
    return { sent, fetch };
  }

  it("adds the CSRF header to the app's own origin, and no credential of its own", async () => {
    vi.stubGlobal("location", { origin: "http://app.test" });
    const { sent, fetch } = recording();
    const chatkitFetch = createChatKitFetch({ csrfHeader: true, fetch });

    // As ChatKit calls it: its own headers and body, credentials "include".
    await chatkitFetch("http://app.test/api/chatkit", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "threads.create" }),
      credentials: "include",
    });

    const [request] = sent;
    expect(request?.headers.get("x-csrf")).toBe("1");
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(request?.headers.get("authorization")).toBeNull();
    // Cookies to the app's own origin only, even when asked for "include".
    expect(request?.credentials).toBe("same-origin");
    expect(await request?.text()).toBe(JSON.stringify({ type: "threads.create" }));
  });

  it("sends no CSRF header to another origin", async () => {
    vi.stubGlobal("location", { origin: "http://app.test" });
    const { sent, fetch } = recording();
    await createChatKitFetch({ csrfHeader: true, fetch })("https://files.example/upload", {
      method: "PUT",
    });
    expect(sent[0]?.headers.get("x-csrf")).toBeNull();
  });

  it("calls onUnauthorized on a 401", async () => {
    vi.stubGlobal("location", { origin: "http://app.test" });
    const onUnauthorized = vi.fn();
    const chatkitFetch = createChatKitFetch({
      onUnauthorized,
      fetch: async () => new Response(null, { status: 401 }),
    });
    const response = await chatkitFetch("http://app.test/api/chatkit", { method: "POST" });
    expect(response.status).toBe(401);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });
});
