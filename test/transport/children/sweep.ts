// The client side of the fault-injection sweep (../sweep.test.ts), run in its own process so the
// test can see that nothing the client leaves behind (a timer, a socket, a listener) keeps that
// process alive: it makes every call of the plan, prints what each came to, and then simply
// returns, never calling process.exit.
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { Propexo, PropexoError, type ClientOptions } from "../../../src/index.js";
import { nodeTransport } from "../../../src/node.js";

/** One call of the plan: which method of the client, with which arguments. */
export interface PlannedCall {
  kind: string;
  /** Where the method sits in the client, e.g. ["appointments", "list"]. */
  where: string[];
  args: unknown[];
  /** How to read the result: a page (firstPage), a write job's wait(), or the promise itself. */
  read: "page" | "wait" | "call";
}

export interface Plan {
  baseUrl: string;
  token: string;
  /** Each hostile answer, with the time limit of each attempt against it. */
  cases: { name: string; timeoutMs: number }[];
  calls: PlannedCall[];
  options: { maxRetries: number; maxResponseBytes: number; waitTimeoutMs: number };
  /** A call that has not settled by then is reported as unsettled. */
  deadlineMs: number;
  /** Calls in flight at once. */
  concurrency: number;
}

export interface Outcome {
  transport: string;
  case: string;
  kind: string;
  settled: "resolved" | "rejected" | "unsettled";
  ms: number;
  propexo: boolean;
  name: string;
  /** Every way the error can be printed or serialised. */
  printed: string[];
}

const plan: Plan = JSON.parse(readFileSync(process.env.SWEEP_PLAN!, "utf8"));
const logLines: string[] = [];
const line = (m: string) => void logLines.push(m);
const logger = { error: line, warn: line, info: line, debug: line };
// Sockets enough for every call at once: a call queued behind another case's silent server would
// time out for that reason instead of meeting its own case.
const transports: [string, () => ClientOptions][] = [
  ["global fetch", () => ({})],
  ["nodeTransport()", ((shared) => () => shared)(nodeTransport({ connections: 512 }))],
];

async function one(transport: string, options: ClientOptions, { name: hostile, timeoutMs }: Plan["cases"][number], call: PlannedCall): Promise<Outcome> {
  const { maxRetries, maxResponseBytes, waitTimeoutMs } = plan.options;
  const client = new Propexo({ token: plan.token, baseUrl: plan.baseUrl, timeoutMs, maxRetries, maxResponseBytes, logger, logLevel: "debug", ...options });
  let method: any = client;
  for (const key of call.where) method = method[key];
  const started = performance.now();
  const run = async () => {
    if (call.read === "wait") return (method as (id: string, o: object) => Promise<unknown>)(`case-${hostile}`, { timeoutMs: waitTimeoutMs, initialDelayMs: 10 });
    const result = method(...call.args, { headers: { "x-case": hostile } });
    return call.read === "page" ? result.firstPage() : result;
  };
  let watchdog: NodeJS.Timeout | undefined;
  const deadline = new Promise<"unsettled">((resolve) => {
    watchdog = setTimeout(() => resolve("unsettled"), plan.deadlineMs);
    // The watchdog itself must not keep the process alive.
    watchdog.unref();
  });
  const settled = await Promise.race([
    run().then(
      () => ({ settled: "resolved" as const, error: undefined }),
      (error: unknown) => ({ settled: "rejected" as const, error }),
    ),
    deadline.then(() => ({ settled: "unsettled" as const, error: undefined })),
  ]);
  clearTimeout(watchdog);
  const { error } = settled;
  const printed =
    settled.settled === "rejected"
      ? [inspect(error, { depth: 10 }), inspect(error, { depth: 10, showHidden: true }), String(error), JSON.stringify(error) ?? "", (error as Error)?.stack ?? ""]
      : [];
  return {
    transport,
    case: hostile,
    kind: call.kind,
    settled: settled.settled,
    ms: Math.round(performance.now() - started),
    propexo: error instanceof PropexoError,
    name: (error as Error | undefined)?.name ?? "",
    printed,
  };
}

async function main() {
  const jobs: (() => Promise<Outcome>)[] = [];
  for (const [name, transport] of transports) {
    for (const hostile of plan.cases) for (const call of plan.calls) jobs.push(() => one(name, transport(), hostile, call));
  }
  // A few dozen at a time: all at once would starve a loaded machine, and calls would time out
  // for that reason instead of meeting their own case.
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      outcomes[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  process.stdout.write(`${JSON.stringify({ outcomes, logLines, doneAt: Date.now() })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`sweep child failed: ${inspect(err)}\n`);
  process.exitCode = 1;
});
