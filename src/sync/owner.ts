// Shared between the lock classes and their users inside the package.
import { ProcessError } from '../errors.js';

/** `lock[kHeldByThread]()`: whether this thread of this process holds the lock (any chain). */
export const kHeldByThread = Symbol('multiprocessing.heldByThread');

/** A blocking acquire of a lock this very thread holds could never return. */
export function selfDeadlock(what: string): ProcessError {
  return new ProcessError(
    `acquireSync() of a ${what} that this thread already holds (in another async chain) would block forever; release it first, await acquire() instead, or pass a timeout`,
  );
}
