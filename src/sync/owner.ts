// Shared between the lock classes and their users inside the package.

/** `lock[kHeldByThread]()`: whether this thread of this process holds the lock (any chain). */
export const kHeldByThread = Symbol('multiprocessing.heldByThread');
