// The one place where a timeout argument is checked and turned into a deadline.
import { TimeoutError } from '../errors.js';

export function validateTimeout(timeout: unknown, what = 'timeout'): asserts timeout is number {
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
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

/**
 * `promise`, or TimeoutError(`${what} within ${timeout} ms`) if it has not settled by then;
 * `timeout` undefined waits for ever. The timer never outlives the wait.
 */
export async function withTimeout<T>(promise: Promise<T>, timeout: number | undefined, what: string): Promise<T> {
  if (timeout === undefined) return promise;
  validateTimeout(timeout);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`${what} within ${timeout} ms`)), timeout);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
