// The parts of the redis tier's in-process tests of one pacer: a real redis-server behind a switch
// that makes it fail, fall silent, answer nonsense or hold a step on demand, and that records each
// step and its answer; a reader of what Redis holds for a budget; a recorder of log lines.
import type { Logger } from "../../src/index.js";
import { budgetName, type RedisScripting } from "../../src/redis.js";
import { useRedis, type connect } from "./kit.js";

type Client = Awaited<ReturnType<typeof connect>>;

export type Mode =
  | "up"
  | "down"
  | "silent"
  /** Every step answered with this, without Redis. */
  | { answer: unknown }
  /** Steps of this operation reach Redis only once `until` settles; the others go at once. */
  | { hold: string; until: Promise<unknown> }
  /** EVALSHA fails with this error; EVAL still reaches Redis. */
  | { evalShaFails: string }
  /** Each step takes the next of these, without Redis (an Error fails it); then Redis answers. */
  | { script: unknown[] };

export interface Step {
  /** The script's ARGV: the operation, the common context, then the operation's own. */
  args: string[];
  /** How the pacer asked: EVALSHA, then EVAL too when Redis had not loaded the script. */
  via: ("evalSha" | "eval")[];
  /** Redis's answer, once it came. */
  reply?: string[];
}

/** `real` behind a switch; `state.steps` lists each step asked, in order, with Redis's answer. */
export function switchable(real: () => Client, mode: Mode = "up") {
  const state = { mode, steps: [] as Step[] };
  // The pacer retries a step with EVAL, with the same arguments, when EVALSHA finds no script: one
  // step, whichever test of a file runs first and so meets a Redis that has not loaded it yet.
  const byArgs = new WeakMap<string[], Step>();
  const guard = (run: () => Promise<unknown>, args: string[], via: "evalSha" | "eval") => {
    let step = via === "eval" ? byArgs.get(args) : undefined;
    if (step) step.via.push(via);
    else {
      step = { args, via: [via] };
      byArgs.set(args, step);
      state.steps.push(step);
    }
    const record = (reply: unknown) => ((step.reply = reply as string[]), reply);
    const m = state.mode;
    if (m === "down") return Promise.reject(new Error("connection lost"));
    if (m === "silent") return new Promise(() => {});
    if (typeof m === "object" && "answer" in m) return Promise.resolve(m.answer);
    if (typeof m === "object" && "script" in m && m.script.length) {
      const next = m.script.shift();
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(record(next));
    }
    if (typeof m === "object" && "evalShaFails" in m && via === "evalSha") return Promise.reject(new Error(m.evalShaFails));
    if (typeof m === "object" && "hold" in m && m.hold === args[0]) return m.until.then(run).then(record);
    return run().then(record);
  };
  const redis: RedisScripting = {
    evalSha: (sha, o) => guard(() => real().evalSha(sha, o), o.arguments, "evalSha"),
    eval: (script, o) => guard(() => real().eval(script, o), o.arguments, "eval"),
  };
  /** The steps of one operation. */
  const steps = (op: string) => state.steps.filter((s) => s.args[0] === op);
  return { redis, state, steps };
}

export const keyOf = (secret: string, token: string) => `propexo:rate-limit:${budgetName(secret, token)}`;

/** A token's budget as Redis holds it: the limit, others' calls held for, and each call. */
export async function held(real: Client, secret: string, token: string) {
  const out = (await real.eval(
    `local blob = redis.call('GET', KEYS[1]); if not blob then return {} end
     local s = cmsgpack.unpack(blob); local out = { tostring(s.limit), tostring(s.foreign) }
     for _, t in ipairs(s.sent) do out[#out + 1] = t[1] .. ' ' .. string.format('%.17g', t[2]) .. ' ' .. tostring(t[3]) end
     return out`,
    { keys: [keyOf(secret, token)], arguments: [] },
  )) as string[];
  const calls = out.slice(2).map((line) => {
    const [id, at, settled] = line.split(" ");
    return { id: id!, at: Number(at), settled: settled === "1" };
  });
  return { limit: Number(out[0]), foreign: Number(out[1]), calls };
}

/** A logger that keeps every line it is given, debug lines aside. */
export function recorder() {
  const lines: string[] = [];
  const logger: Logger = { error: (l) => void lines.push(l), warn: (l) => void lines.push(l), info: (l) => void lines.push(l), debug: () => {} };
  return { lines, logger };
}

/** Resolves once `check` holds, looking every 10 ms (the test's own timeout bounds the wait). */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

/**
 * The file's own redis-server (./kit.ts useRedis), with a switch over it and a reader of what it
 * holds for a budget named under `secret`.
 */
export function redisBehindSwitch(secret: string) {
  const tier = useRedis();
  return {
    client: tier.client,
    cleanups: tier.cleanups,
    switchable: (mode?: Mode) => switchable(tier.client, mode),
    held: (token: string) => held(tier.client(), secret, token),
  };
}

/** What a pacer logs on losing Redis (a client puts "[propexo] " before it). */
export const aloneWarning = (share: number, limit: number, fleet: number, reason = "connection lost") =>
  `shared rate limit: Redis failed (${reason}); pacing this process alone at ${share} of ${limit} requests a window (1/${fleet}) until Redis answers again`;

export const failedLines = (lines: string[]) => lines.filter((l) => l.includes("Redis failed"));
export const backLines = (lines: string[]) => lines.filter((l) => l.includes("Redis answers again;"));
