// Client-side pacing under Propexo's rate limit (docs: "Rate limiting"): by default 150 requests
// a minute; above 80% of that every response is delayed by 2 s, and at 100% the API answers 429
// until the minute is over. The pacer keeps this client below the 80% line, so that it is never
// slowed down and never refused, and spreads concurrent calls out instead of sending them at once.
import { abortReason, sleep } from "./sleep.js";

/** Pacing settings. */
export interface RateLimitOptions {
  /** The contract's limit per minute (Propexo's default is 150). Updated from `x-ratelimit-limit`. */
  requestsPerMinute?: number | undefined;
  /** Length of the API's rate window in ms (60 000). Change it only to test against a simulated API. */
  windowMs?: number | undefined;
}

/** Propexo slows responses above this share of the limit. */
const SLOWDOWN_SHARE = 0.8;
/** Calls that may go out back to back before pacing starts, as a share of the paced budget. */
const BURST_SHARE = 0.1;

/**
 * A token bucket whose burst plus one minute of refill never exceeds 80% of the limit, so no
 * 60-second window (however the server aligns its minute) sees more than that from this client.
 */
export class RateLimiter {
  #limit: number;
  #capacity = 1;
  #perMs = 0;
  #tokens: number;
  #updatedAt: number;
  /** Tail of the queue: each acquire waits for the one before it, so calls leave in order. */
  #queue: Promise<void> = Promise.resolve();
  /** No call leaves before this time (set after a 429 or when the API reports the budget spent). */
  #pausedUntil = 0;
  readonly #now: () => number;
  readonly #windowMs: number;

  constructor(options: RateLimitOptions = {}, now: () => number = Date.now) {
    this.#now = now;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#limit = 0;
    this.#updatedAt = now();
    this.#tokens = 0;
    this.#setLimit(options.requestsPerMinute ?? 150);
    this.#tokens = this.#capacity;
  }

  /** The limit per minute the pacer is working to. */
  get limit(): number {
    return this.#limit;
  }

  #setLimit(limit: number) {
    if (!(limit > 0) || limit === this.#limit) return;
    this.#limit = limit;
    const budget = Math.max(1, Math.floor(limit * SLOWDOWN_SHARE));
    this.#capacity = Math.max(1, Math.floor(budget * BURST_SHARE));
    // Refill so that capacity + one minute of refill stays within the budget.
    this.#perMs = Math.max(1, budget - this.#capacity) / this.#windowMs;
    this.#tokens = Math.min(this.#tokens, this.#capacity);
  }

  #refill() {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updatedAt) * this.#perMs);
    this.#updatedAt = now;
  }

  /** Resolves when this call may be sent; rejects with AbortError if `signal` fires first. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#take(signal));
    // The next caller waits for this one's turn, whether it succeeded or was aborted.
    this.#queue = turn.catch(() => {});
    return turn;
  }

  async #take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      this.#refill();
      const pause = this.#pausedUntil - this.#now();
      const wait = pause > 0 ? pause : this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs);
      if (wait <= 0) {
        this.#tokens -= 1;
        return;
      }
      await sleep(wait, signal);
    }
  }

  /**
   * Learns from a response: adopts the limit the API reports, stops the burst when others using
   * the same token have pushed usage near the slow-down line, and pauses after a 429.
   */
  observe(headers: Headers, status: number, retryAfterMs?: number): void {
    const limit = Number(headers.get("x-ratelimit-limit"));
    if (Number.isFinite(limit) && limit > 0) this.#setLimit(limit);
    const remainingText = headers.get("x-ratelimit-remaining");
    const remaining = remainingText === null ? NaN : Number(remainingText);
    if (Number.isFinite(remaining) && remaining <= this.#limit * (1 - SLOWDOWN_SHARE)) {
      // Past the slow-down line already: no bursting until the bucket refills at the paced rate.
      this.#refill();
      this.#tokens = Math.min(this.#tokens, 0);
    }
    if (status === 429 || (Number.isFinite(remaining) && remaining <= 0)) {
      this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + (retryAfterMs ?? this.#windowMs / 4));
    }
  }
}
