// One worker process of the fleet tests and the benchmark: a member of the fleet (member.ts) that
// sends its backlog once told to go. Bundled by esbuild (fleet.ts) and run under plain node.
// Configuration is one JSON argument; the worker prints "ready" when set up, waits for a line on
// stdin, then prints one JSON line of results. Lines of the pacer's own log go to stderr.
import { createInterface } from "node:readline";
import { member, type WorkerConfig } from "./member.js";

const config = JSON.parse(process.argv[2]!) as WorkerConfig;
if (config.skewMs) {
  const real = Date.now;
  Date.now = () => real() + config.skewMs!;
}
const me = member(config);
console.log("ready");
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
const result = await me.run();
for (const line of result.pacer) console.error(line);
console.log(JSON.stringify(result));
await me.close();
process.exit(0);
