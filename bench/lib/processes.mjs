// Child processes for the benchmark: the builds, the upstream, `next start`.
// Each child gets its own process group, and every group is killed when the runner exits,
// whatever the reason; the servers also exit on their own when the runner's pipe closes.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const children = new Set();
let stopping = false;
const watchdog = new URL("./exit-with-parent.mjs", import.meta.url).pathname;

/** Kills every child's process group at once (last resort: also runs on process exit). */
function killAll() {
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
}

/** Kills every child and waits until they are gone, so none is left behind. */
export async function stopAll() {
  const exited = [...children].map((child) => new Promise((r) => child.once("exit", r)));
  killAll();
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 2000))]);
}

process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => stopAll().then(() => process.exit(130)));
}

function start(command, args, options) {
  const child = spawn(command, args, { detached: true, ...options });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Runs a command to completion, its output on our stderr; throws unless it exits with 0. */
export async function run(command, args, { cwd, env }) {
  const child = start(command, args, { cwd, env, stdio: ["ignore", 2, 2] });
  const code = await new Promise((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`\`${[command, ...args].join(" ")}\` exited with ${code}`);
}

/**
 * Starts a Node server script and waits until readyUrl answers 200. Its stdin is a pipe
 * whose end tells it the runner is gone; its output is kept for the error message.
 */
export async function server(args, { cwd, env, readyUrl }) {
  const child = start(process.execPath, ["--import", watchdog, ...args], { cwd, env });
  let log = "";
  const keep = (data) => {
    log = (log + data).slice(-4000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.once("exit", (code, signal) => {
    if (!stopping) console.error(`[bench] ${args[0]} died (${signal ?? code}); it said:\n${log}`);
  });
  await waitForHttp(readyUrl, child).catch((error) => {
    throw new Error(`${args.join(" ")}: ${error.message}\n${log}`);
  });
  return child.pid;
}

async function waitForHttp(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** `preferred` if it is free on 127.0.0.1, otherwise any free port. */
export function freePort(preferred = 0) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error) => {
      if (preferred && error.code === "EADDRINUSE") resolve(freePort(0));
      else reject(error);
    });
    probe.listen(preferred, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
