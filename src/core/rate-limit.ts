// Client-side pacing under Propexo's rate limit (docs: "Rate limiting"): by default 150 requests
// a minute; above 80% of that every response is delayed by 2 s, and at 100% the API answers 429
// until the minute is over. The pacer never reaches 100%, so it is never refused. Below 80% calls
// go out at once; past that line a call goes out slowed only when the 80% line is more than the
// slowdown away, because then a slowed answer comes sooner than waiting for an unslowed one.
// Concurrent calls beyond the limit wait in order and go out as earlier ones age out of the window.
//
// Each step reads the clock once and answers synchronously, so the shared pacer of
// propexo-appointments/redis can run the very same rule in a Redis script (src/redis/pacer.lua):
// test/redis feeds both the same inputs and compares their answers.
import type { Logger } from "./logger.js";
import { retryPolicy } from "./retry.js";
import { abortReason, sleep } from "./sleep.js";

/** Pacing settings. */
export interface RateLimitOptions {
  /** The contract's limit per minute (Propexo's default is 150). Updated from `x-ratelimit-limit`. */
  requestsPerMinute?: number | undefined;
  /** Length of the API's rate window in ms (60 000). Change it only to test against a simulated API. */
  windowMs?: number | undefined;
}

/**
 * What the client asks of a pacer: a turn before each attempt, the attempt's response, and its end.
 * The default pacer paces one process; `sharedRateLimit()` from propexo-appointments/redis paces
 * every process that shares a token.
 */
export interface Pacer<T = unknown> {
  /** Resolves with a ticket when a call may be sent; rejects with AbortError if `signal` fires first. */
  acquire(signal?: AbortSignal): Promise<T>;
  /** Learns from a response (the rate-limit headers, a 429 and its `Retry-After`). */
  observe(headers: Headers, status: number, retryAfterMs?: number, ticket?: T): void;
  /** Marks the ticket's call as answered or failed. */
  settle(ticket: T | undefined): void;
}

/**
 * Makes the pacer of one client; a client given one as `rateLimit` calls it once.
 *
 * @example
 * import { sharedRateLimit } from "propexo-appointments/redis";
 * new Propexo({ token, rateLimit: sharedRateLimit({ redis, secret }) });
 */
export interface PacerFactory {
  /** The pacer for `token` (to tell budgets apart, never to keep), logging through `log`. */
  (token: string, log: Logger): Pacer;
}

/** One paced call; `at` moves from its send time to its answer time when it settles. */
export interface Ticket {
  at: number;
  settled?: boolean;
  /** The API reported usage past the 80% line, so it held the answer back by the slowdown. */
  slowed?: boolean;
}

/** Propexo slows responses above this share of the limit... */
const SLOWDOWN_SHARE = 0.8;
/** ...by this share of the window (2 s of a minute). */
const SLOWDOWN_OF_WINDOW = 1 / 30;

/**
 * A sliding-window log: at most the limit in ANY window-long span, so whatever minute boundaries
 * the server counts by, no minute sees more than that from this client; and past 80% of it only
 * when being slowed beats waiting.
 */
export class RateLimiter implements Pacer<Ticket> {
  #limit = 1;
  /** Calls per window that are answered without a slowdown (80% of the limit). */
  #unslowed = 1;
  /**
   * This client's calls in the current window. Each counts from when it was sent until a window
   * after its answer came back: the server counts a call when it arrives, which can be anywhere
   * in between, so delivery delays can never squeeze two windows' worth into one.
   */
  readonly #sent: Ticket[] = [];
  /** Calls the server counted that were not this client's (others using the same token)... */
  #foreign = 0;
  /** ...until this time, when the window they were counted in has surely passed. */
  #foreignUntil = 0;
  /** No call leaves before this time (after a 429, or when the API reports the budget spent). */
  #pausedUntil = 0;
  /** Tail of the queue: each acquire waits for the one before it, so calls leave in order. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: RateLimitOptions = {}, now: () => number = Date.now) {
    this.#now = now;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#setLimit(options.requestsPerMinute ?? 150);
  }

  /** The limit per window the pacer is working to. */
  get limit(): number {
    return this.#limit;
  }

  #setLimit(limit: number) {
    if (limit > 0) {
      this.#limit = Math.max(1, Math.floor(limit));
      this.#unslowed = Math.max(1, Math.floor(limit * SLOWDOWN_SHARE));
    }
  }

  /** Resolves when this call may be sent; rejects with AbortError if `signal` fires first. */
  acquire(signal?: AbortSignal): Promise<Ticket> {
    const turn = this.#queue.then(async () => {
      for (;;) {
        if (signal?.aborted) throw abortReason(signal);
        const taken = this.take();
        if (typeof taken === "object") return taken;
        await sleep(taken, signal);
      }
    });
    // The next caller waits for this one's turn, whether it succeeded or was aborted.
    this.#queue = turn.catch(() => {});
    return turn;
  }

  /**
   * The decision, now: a ticket when a call may go (logged as sent), else the milliseconds to wait
   * before asking again.
   */
  take(): Ticket | number {
    const now = this.#now();
    const sent = this.#sent;
    // Calls leave from the front once answered and a window old. One still in flight at the
    // front holds back the ones behind it, which only ever counts too many, never too few.
    while (sent.length && sent[0]!.settled && sent[0]!.at <= now - this.#windowMs) sent.shift();
    if (now >= this.#foreignUntil) this.#foreign = 0;
    let times: number[] | undefined;
    // `free` more calls fit now, or once the call `free` places from the newest leaves the window.
    const opens = (free: number) => {
      if (sent.length < free) return now;
      if (free <= 0) return this.#foreignUntil;
      times ??= sent.map((t) => t.at).sort((a, b) => a - b);
      return times[times.length - free]! + this.#windowMs;
    };
    const unslowed = opens(this.#unslowed - this.#foreign);
    const belowLimit = opens(this.#limit - this.#foreign);
    // Past the 80% line the answer comes a slowdown later; take that when it is still sooner.
    const slot = unslowed - belowLimit > this.#windowMs * SLOWDOWN_OF_WINDOW ? belowLimit : unslowed;
    const wait = Math.max(slot, this.#pausedUntil) - now;
    if (wait > 0) return wait;
    const ticket = { at: now };
    sent.push(ticket);
    return ticket;
  }

  /**
   * Marks a call as answered (or failed): its window now counts from this moment, or from a
   * slowdown earlier for an answer the API held back, as the call reached it before the hold.
   */
  settle(ticket: Ticket | undefined): void {
    if (ticket) {
      ticket.at = Math.max(ticket.at, this.#now() - (ticket.slowed ? this.#windowMs * SLOWDOWN_OF_WINDOW : 0));
      ticket.settled = true;
    }
  }

  /**
   * Learns from a response: adopts the limit the API reports, counts calls made by others with
   * the same token (from `x-ratelimit-remaining`), notes whether `ticket`'s answer was slowed,
   * and pauses after a 429: for its Retry-After, but never longer than the longest Retry-After
   * the client honours (a longer one fails its own call at once; later calls wait only that long).
   */
  observe(headers: Headers, status: number, retryAfterMs?: number, ticket?: Ticket): void {
    // Both headers are read as whole numbers (parseInt): the log is indexed by them, and neither
    // "Infinity" nor a fraction may turn the pacer's arithmetic into NaN.
    this.#setLimit(parseInt(headers.get("x-ratelimit-limit")!));
    const now = this.#now();
    const remaining = parseInt(headers.get("x-ratelimit-remaining")!);
    if (Number.isFinite(remaining)) {
      if (ticket && status !== 429) ticket.slowed = this.#limit - remaining > this.#unslowed;
      const foreign = this.#limit - remaining - this.#sent.length;
      if (foreign > this.#foreign) {
        this.#foreign = foreign;
        this.#foreignUntil = now + this.#windowMs;
      }
      if (remaining <= 0) this.#pausedUntil = Math.max(this.#pausedUntil, Math.min(now, ...this.#sent.map((t) => t.at)) + this.#windowMs);
    }
    if (status === 429) {
      this.#pausedUntil = Math.max(this.#pausedUntil, now + Math.min(retryAfterMs ?? this.#windowMs / 4, retryPolicy.maxRetryAfterMs));
    }
  }
}
