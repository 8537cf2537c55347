// The one place where a timeout argument is checked and turned into a deadline.

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
