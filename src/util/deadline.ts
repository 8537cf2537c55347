// The one place where a timeout argument is checked and turned into a deadline.
import { TimeoutError } from '../errors.js';

export function validateTimeout(timeout: unknown, what = 'timeout'): asserts timeout is number {
  if (typeof timeout !== 'number') {
    const got = timeout === null ? 'null' : typeof timeout === 'string' ? `the string '${timeout}'` : typeof timeout;
    throw new TypeError(
      `${what} must be a number of milliseconds (or undefined to wait forever; Python's None is undefined here), got ${got}`,
    );
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(
      `${what} must be a non-negative number of milliseconds (or undefined to wait forever), got ${String(timeout)}`,
    );
  }
}

/** Absolute deadline on performance.now()'s clock; Infinity for "wait forever". */
export function deadlineOf(timeout: number | undefined, what = 'timeout'): number {
  if (timeout === undefined) return Infinity;
  validateTimeout(timeout, what);
  return performance.now() + timeout;
}

/** Milliseconds left until `deadline` (never negative); undefined when there is none. */
export function remaining(deadline: number): number | undefined {
  return deadline === Infinity ? undefined : Math.max(0, deadline - performance.now());
}

/** The longest delay a Node timer takes (about 24.8 days): a longer one would fire after 1 ms. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * A one-shot timer for any non-negative delay in ms: `Infinity` never fires, and a delay past
 * Node's limit is reached in steps. (`setTimeout` fires a too-long delay after 1 ms.)
 */
export class Timer {
  #handle: NodeJS.Timeout | undefined;
  #referenced = true;
  #cleared = false;

  constructor(fire: () => void, ms: number) {
    this.#arm(fire, performance.now() + ms);
  }

  #arm(fire: () => void, at: number): void {
    if (this.#cleared || at === Infinity) return;
    const left = at - performance.now();
    this.#handle =
      left > MAX_TIMER_MS ? setTimeout(() => this.#arm(fire, at), MAX_TIMER_MS) : setTimeout(fire, Math.max(0, left));
    if (!this.#referenced) this.#handle.unref();
  }

  /** Lets the program exit while the timer runs. */
  unref(): this {
    this.#referenced = false;
    this.#handle?.unref();
    return this;
  }

  clear(): void {
    this.#cleared = true;
    clearTimeout(this.#handle);
  }
}

/**
 * `promise`, or TimeoutError(`${what} within ${timeout} ms`) if it has not settled by then;
 * `timeout` undefined waits for ever. The timer never outlives the wait.
 */
export async function withTimeout<T>(promise: Promise<T>, timeout: number | undefined, what: string): Promise<T> {
  if (timeout === undefined) return promise;
  validateTimeout(timeout);
  let timer: Timer | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = new Timer(() => reject(new TimeoutError(`${what} within ${timeout} ms`)), timeout);
      }),
    ]);
  } finally {
    timer?.clear();
  }
}
