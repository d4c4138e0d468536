// A real redis-server (Debian's package) for the redis test tier and the shared-pacer benchmark:
// started on 127.0.0.1 and a free port with persistence off (--save '' --appendonly no), ended by
// whoever started it, and killed with the process that started it should that end first.
// Plain JavaScript, so the benchmarks (plain Node) and the tests (TypeScript) share it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

/** Debian's package; REDIS_SERVER_PATH points elsewhere. */
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? "/usr/bin/redis-server";
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 20_000;
const PORT_ATTEMPTS = 5;

const live = new Set();
let hooked = false;

export function redisServerAvailable() {
  return existsSync(REDIS_SERVER);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server; `port` reuses a port (to bring a killed server back where its clients
 * reconnect). Resolves once it accepts connections.
 */
export async function startRedis({ port } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(port ?? (await freePort()));
    } catch (error) {
      if (!error.portTaken || attempt >= PORT_ATTEMPTS) throw error;
      if (port !== undefined) await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function launch(port) {
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      for (const child of live) child.kill("SIGKILL");
    });
  }
  const args = ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--loglevel", "notice"];
  const child = spawn(REDIS_SERVER, args, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let output = "";
  const append = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  child.on("error", (error) => append(`\n[startRedis] ${error.message}\n`));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  void exited.then(() => live.delete(child));

  const server = {
    port,
    url: `redis://${HOST}:${port}`,
    pid: child.pid,
    output: () => output,
    /** Sends a signal: SIGSTOP freezes it (a slow Redis), SIGCONT thaws it, SIGKILL kills it. */
    signal: (name) => child.kill(name),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
    /** Kills it at once, as a crash would, and resolves when it is gone. */
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => fail(new Error(`redis-server was not ready on port ${port} after ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    const onData = () => {
      if (!/Ready to accept connections/.test(output)) return;
      cleanup();
      resolve(server);
    };
    const onExit = () => {
      const error = new Error(`redis-server exited before it was ready:\n${output}`);
      error.portTaken = /Address already in use/.test(output);
      fail(error);
    };
    function cleanup() {
      clearTimeout(deadline);
      child.stdout.off("data", onData);
      child.off("exit", onExit);
    }
    function fail(error) {
      cleanup();
      child.kill("SIGKILL");
      reject(error);
    }
    child.stdout.on("data", onData);
    child.once("exit", onExit);
  });
}
