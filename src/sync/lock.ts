// Lock: a non-recursive mutex shared by every thread of every process that holds it,
// as multiprocessing.Lock. Any holder of the object may release it (as Python's).
import { kHandle, registerHandleType } from '../serialize/index.js';
import { kHeldByThread, selfDeadlock } from './owner.js';
import { type AcquireOptions, acquireTimeout, Kind, notLockedError, SemLock, type SemLockHandle } from './semlock.js';

// Set by fromHandle for the constructor to pick up instead of allocating.
let attaching: SemLock | undefined;

export class Lock {
  readonly #sem: SemLock;

  constructor() {
    this.#sem = attaching ?? SemLock.create(Kind.Lock, 0, 0);
    attaching = undefined;
  }

  /** Resolves true once acquired, false if `block: false` or the timeout passed first. */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const timeout = acquireTimeout(options);
    return this.#sem.acquireAsync(timeout, options?.signal);
  }

  /** Blocks this thread (only) until acquired. */
  acquireSync(options?: AcquireOptions): boolean {
    if (options === undefined && this.#sem.tryAcquire()) return true; // the uncontended path: one CAS
    const timeout = acquireTimeout(options);
    if (timeout === undefined && this.#sem.ownedHere()) throw selfDeadlock('Lock');
    return this.#sem.acquireSync(timeout);
  }

  release(): void {
    if (!this.#sem.releaseLock()) throw notLockedError('Lock');
  }

  locked(): boolean {
    return this.#sem.value !== 0;
  }

  /** Runs `fn` holding the lock (Python's `with lock:`). */
  async withLock<R>(fn: () => R | Promise<R>): Promise<R> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Whether this thread of this process holds it (Value's accessors then skip locking). */
  [kHeldByThread](): boolean {
    return this.#sem.ownedHere();
  }

  /**
   * `using lock = …` after an acquire: releases the lock if this thread holds it (not when
   * another process does, nor when the acquire failed).
   */
  [Symbol.dispose](): void {
    if (this.#sem.ownedHere()) this.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }

  [kHandle](): { type: string; data: SemLockHandle } {
    return { type: 'Lock', data: this.#sem.handle };
  }

  static fromHandle(handle: SemLockHandle): Lock {
    attaching = SemLock.attach(handle);
    return new Lock();
  }

  toString(): string {
    return `<Lock(${this.locked() ? 'locked' : 'unlocked'})>`;
  }
}

registerHandleType('Lock', (data) => Lock.fromHandle(data as SemLockHandle));
