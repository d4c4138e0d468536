// Client-side pacing under Propexo's rate limit (docs: "Rate limiting"): by default 150 requests
// a minute; above 80% of that every response is delayed by 2 s, and at 100% the API answers 429
// until the minute is over. The pacer never reaches 100%, so it is never refused. Below 80% calls
// go out at once; past that line a call goes out slowed only when the 80% line is more than the
// slowdown away, because then a slowed answer comes sooner than waiting for an unslowed one.
// Concurrent calls beyond the limit wait in order and go out as earlier ones age out of the window.
import { retryPolicy } from "./retry.js";
import { abortReason, sleep } from "./sleep.js";

/** Pacing settings. */
export interface RateLimitOptions {
  /** The contract's limit per minute (Propexo's default is 150). Updated from `x-ratelimit-limit`. */
  requestsPerMinute?: number | undefined;
  /** Length of the API's rate window in ms (60 000). Change it only to test against a simulated API. */
  windowMs?: number | undefined;
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
export class RateLimiter {
  #limit = 1;
  /** Calls per window that are answered without a slowdown (80% of the limit). */
  #unslowed = 1;
  /**
   * This client's calls in the current window. Each counts from when it was sent until a window
   * after its answer came back: the server counts a call when it arrives, which can be anywhere
   * in between, so delivery delays can never squeeze two windows' worth into one.
   */
  #sent: Ticket[] = [];
  /** Calls the server counted that were not this client's (others using the same token)... */
  #foreign = 0;
  /** ...until this time, when the window they were counted in has surely passed. */
  #foreignUntil = 0;
  /** No call leaves before this time (after a 429, or when the API reports the budget spent). */
  #pausedUntil = 0;
  /** Tail of the queue: each acquire waits for the one before it, so calls leave in order. */
  #queue: Promise<void> = Promise.resolve();
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
    const turn = this.#queue.then(() => this.#take(signal));
    // The next caller waits for this one's turn, whether it succeeded or was aborted.
    this.#queue = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }

  async #take(signal?: AbortSignal): Promise<Ticket> {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
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
      if (wait <= 0) {
        const ticket = { at: now };
        sent.push(ticket);
        return ticket;
      }
      await sleep(wait, signal);
    }
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
    this.#setLimit(Number(headers.get("x-ratelimit-limit")));
    const now = this.#now();
    const remaining = headers.get("x-ratelimit-remaining");
    if (remaining !== null && remaining.trim() !== "" && Number.isFinite(+remaining)) {
      if (ticket && status !== 429) ticket.slowed = this.#limit - +remaining > this.#unslowed;
      const foreign = this.#limit - +remaining - this.#sent.length;
      if (foreign > this.#foreign) {
        this.#foreign = foreign;
        this.#foreignUntil = now + this.#windowMs;
      }
      if (+remaining <= 0) this.#pausedUntil = Math.max(this.#pausedUntil, Math.min(now, ...this.#sent.map((t) => t.at)) + this.#windowMs);
    }
    if (status === 429) {
      this.#pausedUntil = Math.max(this.#pausedUntil, now + Math.min(retryAfterMs ?? this.#windowMs / 4, retryPolicy.maxRetryAfterMs));
    }
  }
}
