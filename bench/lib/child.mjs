// Child processes: a server started in its own process, and one-off Node runs timed from outside.
import { spawn } from "node:child_process";
import { once } from "node:events";

/** Starts `script` under node; resolves once it prints {"port":n}. `stop()` ends it. */
export async function startServerProcess(script, args = []) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let buffer = "";
  const port = await new Promise((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.stdout.on("data", (d) => {
      buffer += d;
      const line = buffer.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line).port);
    });
  });
  child.removeAllListeners("exit");
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** Runs node with `args`; resolves to { code, stdout, stderr, ms } (wall time of the whole process). */
export function runNode(args, options) {
  return runCommand(process.execPath, args, options);
}

/** Runs a command; resolves to { code, stdout, stderr, ms }. Killed, and rejected, after `timeoutMs`. */
export function runCommand(command, args, { cwd, env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.slice(0, 2).join(" ")} took over ${timeoutMs} ms; killed`));
    }, timeoutMs);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}
