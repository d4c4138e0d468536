// propexo-appointments/redis: one rate-limit budget for every process that shares a token. The
// pacer's log lives in Redis, and each decision is one atomic script (./redis/script.ts) running
// the local pacer's rule on Redis's clock, so a fleet of workers paces as one client would.
//
// Redis failing must never hang or lose a call: every Redis step is given `stepTimeoutMs`, after
// which this process paces alone (a local RateLimiter working to its share of the limit), logs
// that once, asks Redis again every `probeIntervalMs` and rejoins, adding what it sent meanwhile.
// The budget's key is an HMAC of the token under a secret Redis never sees: neither the token nor
// anything to test guesses of it against is stored. Needs a node-redis client (`redis`, v6).
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { Logger } from "./core/logger.js";
import { RateLimiter, type Pacer, type PacerFactory, type RateLimitOptions, type Ticket } from "./core/rate-limit.js";
import { sleep } from "./core/sleep.js";
import { PACER_SCRIPT, arg, facts, num, stepArguments } from "./redis/script.js";

/** What the shared pacer needs of a Redis client: the scripting commands of node-redis. */
export interface RedisScripting {
  /** EVALSHA. */
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** EVAL. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Settings of {@link sharedRateLimit}. */
export interface SharedRateLimitOptions extends RateLimitOptions {
  /**
   * A node-redis client (`createClient()`, or `createCluster()`), connected or connecting. A
   * client of its own (`client.duplicate()`) keeps the pacer's steps from queueing behind your
   * other commands.
   */
  redis: RedisScripting;
  /**
   * The deployment's secret, at least 32 bytes (e.g. `openssl rand -base64 32`), the same in every
   * process that shares a budget. Budgets are named by HMAC-SHA-256(secret, token); without the
   * secret, which Redis never sees, a reader of Redis cannot test guesses of a token.
   */
  secret: string | Uint8Array;
  /** Prefix of the budget's key (default "propexo:rate-limit:"). */
  prefix?: string | undefined;
  /**
   * Longest wait for one Redis step before the process paces alone (default 1000 ms: small next
   * to the minute-long window, and long enough that a busy machine does not set it off).
   */
  stepTimeoutMs?: number | undefined;
  /** While pacing alone, how often to ask Redis whether it is back (default windowMs / 60: 1 s). */
  probeIntervalMs?: number | undefined;
  /**
   * How far ahead a process may book a call's turn (default windowMs / 60: 1 s). A call whose turn
   * comes within this time is booked in the same step and sent when it comes, without asking Redis
   * again, so that a process with several calls waiting sends them on time when a window opens
   * rather than one Redis round trip apart. A booked turn stands: a 429 seen in the meantime does
   * not withdraw it. 0 books nothing ahead; at most windowMs.
   */
  reserveAheadMs?: number | undefined;
  /**
   * How many processes share the token, for a process that cannot reach Redis before it has seen
   * the others: each then takes this share of the limit (default 1, the whole limit).
   */
  processes?: number | undefined;
  /**
   * How long past the window a call may stay in flight before its process is presumed dead and the
   * call no longer counted or kept (default windowMs). Keep it above your `timeoutMs`.
   */
  inFlightMs?: number | undefined;
}

/** A call paced through Redis (`sentAt` on Redis's clock) or, while Redis is unreachable, alone. */
interface SharedTicket {
  id: string;
  sentAt?: number;
  /** `performance.now()` when the step that admitted it was sent. */
  asked?: number;
  /** The response's rate-limit facts, sent to Redis with the settle. */
  facts?: string[];
  /** The local ticket of a call paced alone... */
  local?: Ticket;
  /** ...and whether Redis has it since. */
  merged?: boolean;
}

/** EVALSHA names a script by the SHA-1 of its text. */
const SHA = createHash("sha1").update(PACER_SCRIPT).digest("hex");
const MIN_SECRET_BYTES = 32;
/** Domain separation: this HMAC names rate-limit budgets and nothing else. */
const KEY_CONTEXT = "propexo-appointments rate-limit budget v1\0";
/** The facts of a call that got no answer: a settle without a response. */
const NO_FACTS = facts(new Headers(), 0, undefined);

/** Every option checked has a default, so each has a value here. */
function check(field: string, value: number, ok: boolean, rule: string): void {
  if (!ok) throw new TypeError(`sharedRateLimit: options.${field} ${rule}, received ${String(value)}`);
}

/**
 * A pacer shared through Redis by every process (and client) configured with the same Redis,
 * secret and token: together they keep to the limit in any window, as one client would.
 *
 * @example
 * import { createClient } from "redis";
 * import { Propexo } from "propexo-appointments";
 * import { sharedRateLimit } from "propexo-appointments/redis";
 *
 * const redis = createClient({ url: process.env.REDIS_URL });
 * redis.on("error", () => {}); // the pacer notices failures itself
 * await redis.connect();
 * const propexo = new Propexo({
 *   token: process.env.PROPEXO_TOKEN,
 *   rateLimit: sharedRateLimit({ redis, secret: process.env.PROPEXO_RATE_LIMIT_SECRET! }),
 * });
 */
export function sharedRateLimit(options: SharedRateLimitOptions): PacerFactory {
  const { redis, secret, prefix = "propexo:rate-limit:", requestsPerMinute = 150, windowMs = 60_000 } = options;
  const { stepTimeoutMs = 1000, probeIntervalMs = windowMs / 60, reserveAheadMs = windowMs / 60, processes = 1, inFlightMs = windowMs } = options;
  if (typeof redis?.evalSha !== "function" || typeof redis.eval !== "function") {
    throw new TypeError("sharedRateLimit: options.redis must be a node-redis client (evalSha and eval)");
  }
  // The secret is never echoed, only its length.
  const secretBytes = typeof secret === "string" ? Buffer.byteLength(secret) : secret instanceof Uint8Array ? secret.byteLength : 0;
  if (secretBytes < MIN_SECRET_BYTES) {
    throw new TypeError(`sharedRateLimit: options.secret must be a string or bytes of at least ${MIN_SECRET_BYTES} bytes, received ${secretBytes} (value not shown)`);
  }
  check("requestsPerMinute", requestsPerMinute, requestsPerMinute > 0 && requestsPerMinute < Infinity, "must be a positive number");
  for (const [field, value] of Object.entries({ windowMs, stepTimeoutMs, probeIntervalMs, inFlightMs })) {
    check(field, value, value > 0 && value < Infinity, "must be a positive number of milliseconds");
  }
  // No further than a window: a booking must not outlive the budget's key, nor the call that waits for it.
  check("reserveAheadMs", reserveAheadMs, reserveAheadMs >= 0 && reserveAheadMs <= windowMs, "must be a number of milliseconds from 0 to windowMs");
  check("processes", processes, Number.isInteger(processes) && processes > 0, "must be a whole number ≥ 1");
  if (typeof prefix !== "string") throw new TypeError(`sharedRateLimit: options.prefix must be a string, received ${typeof prefix}`);
  const settings = { redis, requestsPerMinute, windowMs, stepTimeoutMs, probeIntervalMs, reserveAheadMs, processes, inFlightMs };
  // A closure, not a field: the secret is not on any object a log or util.inspect could show.
  return (token, log) => new SharedPacer({ ...settings, key: prefix + budgetName(secret, token) }, log);
}

/** The name of a token's budget: HMAC-SHA-256 under the deployment's secret, 128 bits in hex. */
export function budgetName(secret: string | Uint8Array, token: string): string {
  return createHmac("sha256", secret)
    .update(KEY_CONTEXT + token)
    .digest("hex")
    .slice(0, 32);
}

interface Settings {
  redis: RedisScripting;
  key: string;
  requestsPerMinute: number;
  windowMs: number;
  stepTimeoutMs: number;
  probeIntervalMs: number;
  reserveAheadMs: number;
  processes: number;
  inFlightMs: number;
}

/** A call waiting for its turn. */
interface Waiter {
  resolve: (ticket: SharedTicket | undefined) => void;
  signal?: AbortSignal | undefined;
  /** A turn booked ahead: the ticket, and the timer that hands it over when the turn comes. */
  booked?: { ticket: SharedTicket; timer: ReturnType<typeof setTimeout> } | undefined;
}

/** Rejected when a Redis step runs past its time. */
class StepTimeout extends Error {}

class SharedPacer implements Pacer<SharedTicket | undefined> {
  readonly #s: Settings;
  readonly #log: Logger;
  /** Ticket ids are this process's id and a counter; the process id also counts it in the fleet. */
  readonly #pid = randomBytes(6).toString("hex");
  #seq = 0;
  /** Calls waiting for their turn, in order, and whether a loop is handing out turns. */
  #waiters: Waiter[] = [];
  #pumping = false;
  /** When (performance.now()) the last turn handed out or booked is handed over: turns go in order. */
  #lastHand = -Infinity;
  /** Cuts the pump's sleep short. */
  #wake: AbortController | undefined;
  /**
   * While Redis is unreachable: the pacer of this process, the calls it let through, and when
   * (performance.now()) Redis was last asked whether it is back.
   */
  #alone: { limiter: RateLimiter; tickets: Set<SharedTicket>; lastProbe: number } | undefined;
  /** What the last answer from Redis said: the limit in force, and how many processes take part. */
  #limit: number;
  #fleet: number;
  /** The calls in the shared log at the last answer, if there was one. */
  #used: number | undefined;
  /**
   * Redis's clock less this process's (Date.now), from the last answer that carried Redis's time;
   * for the take deadline. A step Redis calls late that still came back in time means this
   * estimate was off (this process's clock jumped, or a slow step skewed it): the late answer
   * carries Redis's time too, so the next step asks with a deadline that holds.
   */
  #offset: number | undefined;

  constructor(settings: Settings, log: Logger) {
    this.#s = settings;
    this.#log = log;
    this.#limit = settings.requestsPerMinute;
    this.#fleet = settings.processes;
  }

  /**
   * A ticket once the call may go; undefined when `signal` fired first, and the client then
   * throws its own AbortError (one class whichever build of this package loaded the pacer).
   */
  acquire(signal?: AbortSignal): Promise<SharedTicket | undefined> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(undefined);
      const waiter: Waiter = { resolve, signal };
      // An AbortSignal fires "abort" once at most, so the listener needs no { once: true }.
      signal?.addEventListener("abort", () => {
        const { booked } = waiter;
        if (booked) {
          // A booked turn given up counts as a call sent would: it is settled unused.
          clearTimeout(booked.timer);
          waiter.booked = undefined;
          resolve(undefined);
          this.settle(booked.ticket);
          return;
        }
        const i = this.#waiters.indexOf(waiter);
        if (i < 0) return;
        this.#waiters.splice(i, 1);
        resolve(undefined);
        this.#wake?.abort();
      });
      this.#waiters.push(waiter);
      void this.#pump();
    });
  }

  /** Hands out turns to the waiting calls, in order, for as long as there are any. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#waiters.length) {
        const wait = this.#alone ? this.#takeAlone() : await this.#takeShared();
        if (wait > 0) {
          this.#wake = new AbortController();
          // Woken early when a waiting call is cancelled; while alone, at least every probe interval.
          await sleep(this.#alone ? Math.min(wait, this.#s.probeIntervalMs) : wait, this.#wake.signal).catch(() => {});
          this.#wake = undefined;
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Gives the first waiting call its turn, now or, when booked ahead, after `booked` ms (and never
   * before a turn handed out earlier); false when none is waiting any more.
   */
  #hand(ticket: SharedTicket, booked = 0): boolean {
    const waiter = this.#waiters.shift();
    if (!waiter) return false;
    // Never before a turn handed out earlier, even one Redis gave a later instant (a booked call
    // can move the 80% line): later than its turn is always within the budget, as the call counts
    // from its turn until its answer.
    const now = performance.now();
    this.#lastHand = Math.max(now + booked, this.#lastHand);
    const delay = this.#lastHand - now;
    if (delay > 0) {
      const timer = setTimeout(() => {
        waiter.booked = undefined;
        waiter.resolve(ticket);
      }, delay);
      waiter.booked = { ticket, timer };
    } else waiter.resolve(ticket);
    return true;
  }

  /** Turns from the local pacer while Redis is unreachable; answers how long to wait for the next. */
  #takeAlone(): number {
    const alone = this.#alone!;
    this.#probe();
    while (this.#waiters.length) {
      const taken = alone.limiter.take();
      if (typeof taken !== "object") return taken;
      const ticket: SharedTicket = { id: this.#id(), local: taken };
      alone.tickets.add(ticket);
      this.#hand(ticket);
    }
    return 0;
  }

  /**
   * One step for the first waiting call; answers how long to wait before asking again when it may
   * not go yet. A turn that comes within reserveAheadMs is booked now. (The
   * script can admit several calls in one step, as that many local take() would; one at a time
   * keeps the processes interleaved when a window opens, which is what makes their shares fair:
   * with several per step, the first processes to ask drained the window before a process whose
   * timer fired late had asked at all.)
   */
  async #takeShared(): Promise<number> {
    const s = this.#s;
    const id = this.#id();
    const asked = performance.now();
    const deadline = this.#offset === undefined ? undefined : Date.now() + this.#offset + s.stepTimeoutMs;
    let reply: string[];
    try {
      reply = await this.#step("take", [arg(deadline), arg(s.reserveAheadMs), id]);
    } catch (error) {
      this.#goAlone(error);
      return 0;
    }
    // Asked again once the turn is within reach of booking.
    if (reply[0] === "0") return num(reply[1]) - s.reserveAheadMs;
    if (reply[0] === "-1") return 0; // late: ask again, with the clock the answer gave
    // The settle reports the answer's time as this step's time plus the time seen to pass since
    // `asked`: never before the true time, whether the turn was now or booked ahead.
    const ticket: SharedTicket = { id, sentAt: num(reply[1]), asked };
    // A call cancelled during the step leaves its turn to the next; with none left, the turn is
    // settled unused (it counts, as one sent would).
    if (!this.#hand(ticket, num(reply[6]))) this.settle(ticket);
    return 0;
  }

  #id(): string {
    // Stryker disable next-line UpdateOperator: equivalent, counting down names the calls as uniquely
    return `${this.#pid}.${++this.#seq}`;
  }

  observe(headers: Headers, status: number, retryAfterMs?: number, ticket?: SharedTicket): void {
    const limit = parseInt(headers.get("x-ratelimit-limit")!);
    if (limit > 0) this.#limit = limit;
    const alone = this.#alone;
    if (ticket?.local || (!ticket && alone)) {
      // Alone, the process works to its share of the limit the API reports.
      const share = new Headers(headers);
      if (limit > 0) share.set("x-ratelimit-limit", String(Math.max(1, Math.floor(limit / this.#fleet))));
      alone?.limiter.observe(share, status, retryAfterMs, ticket?.local);
      if (!ticket?.merged) return;
    }
    if (ticket) ticket.facts = facts(headers, status, retryAfterMs);
    else this.#send("observe", facts(headers, status, retryAfterMs));
  }

  settle(ticket: SharedTicket | undefined): void {
    if (!ticket) return;
    if (ticket.local) {
      this.#alone?.limiter.settle(ticket.local);
      if (!ticket.merged) return;
    }
    const { sentAt, asked } = ticket;
    const elapsed = asked === undefined ? undefined : performance.now() - asked;
    this.#send("finish", [ticket.id, ...(ticket.facts ?? NO_FACTS), arg(sentAt), arg(elapsed)]);
  }

  /**
   * A step whose answer nothing waits for (settling, observing); a failure still counts. Sent
   * even while alone: a settle carries the time it happened, so one Redis runs late is still right.
   */
  #send(op: string, args: string[]): void {
    this.#step(op, args).catch((error: unknown) => this.#goAlone(error));
  }

  /** One script step, given at most stepTimeoutMs. */
  async #step(op: string, args: string[]): Promise<string[]> {
    const s = this.#s;
    const options = { keys: [s.key], arguments: stepArguments(op, undefined, { ...s, pid: this.#pid }, args) };
    const before = Date.now();
    const run = async () => {
      try {
        return await s.redis.evalSha(SHA, options);
      } catch (error) {
        // A restarted Redis has forgotten the script; EVAL loads it again.
        if (!/NOSCRIPT/.test(String(error))) throw error;
        return s.redis.eval(PACER_SCRIPT, options);
      }
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const command = run();
    // Late answers and failures are no one's business once the step has timed out.
    command.catch(() => {});
    try {
      const reply = (await Promise.race([
        command,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StepTimeout(`no answer within ${s.stepTimeoutMs} ms`)), s.stepTimeoutMs);
        }),
      ])) as string[];
      const known = Array.isArray(reply) && (reply[0] === "1" || reply[0] === "0" || reply[0] === "-1") && !Number.isNaN(num(reply[1]));
      if (!known) throw new Error(`unexpected answer ${JSON.stringify(reply)?.slice(0, 100)}`);
      // "1" and "-1" carry Redis's time; "0" a wait.
      if (reply[0] !== "0") this.#offset = num(reply[1]) - (before + Date.now()) / 2;
      if (reply.length >= 5) {
        this.#fleet = Math.max(this.#s.processes, Number(reply[2]));
        this.#limit = num(reply[3]);
        this.#used = Number(reply[4]);
      }
      return reply;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Redis failed or was too slow: pace this process alone, at its share, until it is back. */
  #goAlone(error: unknown): void {
    if (this.#alone) return;
    const s = this.#s;
    const share = Math.max(1, Math.floor(this.#limit / this.#fleet));
    const limiter = new RateLimiter({ requestsPerMinute: share, windowMs: s.windowMs });
    // The fleet's calls of the last window may all still count at the server: until a window has
    // passed, this process takes its share of what they left (the API's own headers would say so
    // too, but only after the first answers).
    const left = share - Math.ceil((this.#used ?? 0) / this.#fleet);
    limiter.observe(new Headers({ "x-ratelimit-limit": String(share), "x-ratelimit-remaining": String(left) }), 200);
    this.#alone = { limiter, tickets: new Set(), lastProbe: performance.now() };
    const reason = error instanceof Error ? error.message : String(error);
    this.#log.warn(
      `shared rate limit: Redis failed (${reason}); pacing this process alone at ${share} of ${this.#limit} requests a window ` +
        `(1/${this.#fleet}) until Redis answers again`,
    );
  }

  /** While alone, ask Redis at most every probe interval; on an answer, hand it what was sent meanwhile. */
  #probe(): void {
    const alone = this.#alone;
    const now = performance.now();
    if (!alone || now - alone.lastProbe < this.#s.probeIntervalMs) return;
    alone.lastProbe = now;
    const wallNow = Date.now();
    // Calls a window old and answered count no more: forget them, so a long outage keeps few.
    for (const t of alone.tickets) if (t.local!.settled && t.local!.at <= wallNow - this.#s.windowMs) alone.tickets.delete(t);
    const live = [...alone.tickets];
    const inFlight = live.filter((t) => !t.local!.settled);
    // Room for the others' shares, which they may still be sending alone.
    const reserve = (this.#fleet - 1) * Math.max(1, Math.floor(this.#limit / this.#fleet));
    this.#step("merge", [String(reserve), String(live.length), ...this.#entries(live)]).then(
      () => {
        if (this.#alone !== alone) return;
        for (const t of live) t.merged = true;
        this.#alone = undefined;
        // Redis has these in flight since they were let through: those answered while the merge
        // was on its way are settled now, or they would count from then until presumed dead.
        for (const t of inFlight) if (t.local!.settled) this.settle(t);
        // Calls let through while the merge was on its way go in a second one.
        const late = [...alone.tickets].filter((t) => !t.merged);
        for (const t of late) t.merged = true;
        if (late.length) this.#send("merge", ["0", String(late.length), ...this.#entries(late)]);
        this.#log.info(`shared rate limit: Redis answers again; pacing with the other processes`);
      },
      () => {},
    );
  }

  /** Calls paced alone, as the merge step takes them: id, age in ms, settled. */
  #entries(tickets: SharedTicket[]): string[] {
    const now = Date.now();
    return tickets.flatMap((t) => [t.id, String(Math.max(0, now - t.local!.at)), t.local!.settled ? "1" : "0"]);
  }
}
