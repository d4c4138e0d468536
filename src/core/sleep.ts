import { AbortError } from "./errors.js";

/**
 * The longest delay a timer can hold: Node and browsers store it in a signed 32-bit integer and
 * fire at once (Node with a TimeoutOverflowWarning) for anything longer, NaN or negative.
 */
const MAX_DELAY = 2 ** 31 - 1;

/** `ms` made safe for setTimeout: NaN and negatives become 0, anything too long the longest delay. */
export function timerDelay(ms: number): number {
  return ms > 0 ? Math.min(ms, MAX_DELAY) : 0;
}

/** Resolves after `ms`, or rejects with AbortError when `signal` fires; never leaves a timer behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, timerDelay(ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error to throw for an aborted signal: the caller's own reason if it is ours, else AbortError. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortError) return reason;
  return new AbortError("the request was aborted", { cause: reason });
}

/**
 * `promise`, or a rejection with the signal's reason as soon as it fires, whichever is first.
 * `onLate` receives a value that arrives after the signal won, so it can be given back.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, onLate: (value: T) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) onLate(value);
        else resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
