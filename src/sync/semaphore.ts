// Semaphore and BoundedSemaphore over the shared SemLock counter.
import { ProcessError } from '../errors.js';
import { kHandle, registerHandleType } from '../serialize/index.js';
import { type AcquireOptions, acquireTimeout, Kind, SemLock, type SemLockHandle } from './semlock.js';

let attaching: SemLock | undefined;

function validateValue(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x3fffffff) {
    throw new RangeError(`semaphore initial value must be an integer from 0 to ${0x3fffffff}, got ${String(value)}`);
  }
  return value;
}

export class Semaphore {
  readonly #sem: SemLock;

  constructor(value = 1) {
    this.#sem = attaching ?? SemLock.create(Kind.Semaphore, validateValue(value), 0);
    attaching = undefined;
  }

  async acquire(options?: AcquireOptions): Promise<boolean> {
    const timeout = acquireTimeout(options);
    return this.#sem.acquireAsync(timeout, options?.signal);
  }

  acquireSync(options?: AcquireOptions): boolean {
    const timeout = acquireTimeout(options);
    return this.#sem.acquireSync(timeout);
  }

  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`release(n) needs a positive integer n, got ${String(n)}`);
    if (!this.#sem.releaseUnits(n)) throw new ProcessError('BoundedSemaphore released too many times');
  }

  getValue(): number {
    return this.#sem.value;
  }

  async withLock<R>(fn: () => R | Promise<R>): Promise<R> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  [kHandle](): { type: string; data: SemLockHandle } {
    return { type: 'Semaphore', data: this.#sem.handle };
  }

  toString(): string {
    return `<${this.constructor.name}(value=${this.getValue()})>`;
  }

  static fromHandle(handle: SemLockHandle): Semaphore {
    attaching = SemLock.attach(handle);
    return attaching.kind === Kind.BoundedSemaphore ? new BoundedSemaphore() : new Semaphore();
  }

  /** Used by BoundedSemaphore's constructor. */
  static withBound(value: number): void {
    attaching ??= SemLock.create(Kind.BoundedSemaphore, validateValue(value), value);
  }
}

/** A Semaphore whose release() above the initial value throws ProcessError. */
export class BoundedSemaphore extends Semaphore {
  constructor(value = 1) {
    Semaphore.withBound(value);
    super(value);
  }
}

registerHandleType('Semaphore', (data) => Semaphore.fromHandle(data as SemLockHandle));
