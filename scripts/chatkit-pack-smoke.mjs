#!/usr/bin/env node
// Proves that `npm pack` of packages/chatkit-server makes a working package: packs it, installs
// the tarball into an empty project (its dependencies from the registry), and serves the ChatKit
// protocol from a plain node:http server (Request → handle → Response) with memoryStore() and a
// responder that yields strings. Expects packages/chatkit-server/dist to be built.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const packageDir = new URL("../packages/chatkit-server/", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "handoff-chatkit-pack-"));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

try {
  run("npm", ["pack", "--silent", "--pack-destination", work], packageDir);
  const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
  if (!tarball) throw new Error("npm pack wrote no tarball");
  writeFileSync(
    join(work, "package.json"),
    '{ "name": "smoke", "private": true, "type": "module" }',
  );
  run("npm", ["install", "--silent", "--no-audit", "--no-fund", `./${tarball}`], work);
  writeFileSync(
    join(work, "smoke.mjs"),
    `import http from "node:http";
import { Readable } from "node:stream";
import { createChatKitServer, memoryStore, messageText } from "handoff-chatkit";

const server = createChatKitServer({
  store: memoryStore(),
  respond: async function* ({ input }) {
    yield "You said: ";
    yield messageText(input?.content ?? []);
  },
});

// node:http → Request → handle → Response; the user comes from a header, as a stand-in for auth.
const listener = http.createServer(async (req, res) => {
  const request = new Request("http://" + req.headers.host + req.url, {
    method: req.method,
    headers: req.headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : Readable.toWeb(req),
    duplex: "half",
  });
  const response = await server.handle(request, { userId: String(req.headers["x-user"]) });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body) for await (const chunk of response.body) res.write(chunk);
  res.end();
});
await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
const url = "http://127.0.0.1:" + listener.address().port + "/chatkit";
const post = (user, body) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-user": user }, body: typeof body === "string" ? body : JSON.stringify(body) });
const json = async (user, type, params) => {
  const response = await post(user, { type, params });
  if (response.status !== 200) throw new Error(type + " answered " + response.status + ": " + (await response.text()));
  return response.json();
};
const check = (ok, what) => { if (!ok) throw new Error("failed: " + what); };
const input = { content: [{ type: "input_text", text: "hello" }], attachments: [], inference_options: {} };

const created = await post("ada", { type: "threads.create", params: { input } });
check(created.headers.get("content-type") === "text/event-stream; charset=utf-8", "threads.create streams");
const events = (await created.text()).split("\\n\\n").filter(Boolean).map((block) => JSON.parse(block.slice(6)));
const types = events.map((event) => event.type);
check(types[0] === "thread.created" && types[1] === "thread.item.done" && events[1].item.type === "user_message", "the user message is streamed");
check(types.includes("thread.item.added") && types.includes("thread.item.updated"), "the answer is streamed as deltas");
check(events.at(-1).type === "thread.item.done" && events.at(-1).item.content[0].text === "You said: hello", "the answer is done");
const threadId = events[0].thread.id;

check((await json("ada", "threads.list", {})).data.map((t) => t.id).join() === threadId, "threads.list");
check((await json("ada", "threads.get_by_id", { thread_id: threadId })).items.data.length === 2, "threads.get_by_id");
check((await json("ada", "items.list", { thread_id: threadId, order: "asc" })).data.map((i) => i.type).join() === "user_message,assistant_message", "items.list");
check((await json("ada", "threads.update", { thread_id: threadId, title: "Renamed" })).title === "Renamed", "threads.update");

check((await json("bob", "threads.list", {})).data.length === 0, "another user lists nothing");
const stolen = await post("bob", { type: "threads.get_by_id", params: { thread_id: threadId } });
check(stolen.status === 404, "another user gets 404, not the thread");

for (const body of ["{ not json", "[]", '{"type":"threads.explode"}', '{"type":"threads.get_by_id"}']) {
  const response = await post("ada", body);
  check(response.status >= 400 && response.status < 500, "malformed body " + body + " is a 4xx, got " + response.status);
  check(response.headers.get("content-type") === "application/problem+json" && typeof (await response.json()).code === "string", "malformed body answers JSON");
}

check(JSON.stringify(await json("ada", "threads.delete", { thread_id: threadId })) === "{}", "threads.delete");
check((await post("ada", { type: "threads.get_by_id", params: { thread_id: threadId } })).status === 404, "the thread is gone");
listener.close();
console.log("packed handoff-chatkit works: " + types.length + " events, 5 JSON requests, 2 owners, 4 malformed bodies refused");
`,
  );
  process.stdout.write(run("node", ["smoke.mjs"], work));
} finally {
  rmSync(work, { recursive: true, force: true });
}
