// RLock: a recursive lock. Its owner is one thread of one process and, within it, one
// async call chain: `withLock` runs its callback in its own chain (AsyncLocalStorage), so
// nested withLock calls re-enter while a concurrent chain waits. Bare acquire()/release()
// outside any withLock belong to the thread, as Python's threading RLock.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ProcessError } from '../errors.js';
import { kHandle, registerHandleType } from '../serialize/index.js';
import { kHeldByThread, selfDeadlock } from './owner.js';
import { type AcquireOptions, acquireTimeout, Kind, SemLock, type SemLockHandle, Word } from './semlock.js';

const chains = new AsyncLocalStorage<number>();
let nextChain = 1;
/**
 * withLock calls running now. The chains' storage is turned off whenever none is: while an
 * AsyncLocalStorage is on, Node runs a hook for every promise of the program (promise-heavy
 * code ran 1.9× slower), and it stayed on for good after a program's first withLock.
 */
let running = 0;

function currentChain(): number {
  return chains.getStore() ?? 0;
}

let attaching: SemLock | undefined;

/** Condition's access: release an RLock whatever its depth, and take it back at that depth. */
export const kReleaseAll = Symbol('RLock.releaseAll');
export const kRestore = Symbol('RLock.restore');
export const kOwned = Symbol('RLock.owned');

export class RLock {
  readonly #sem: SemLock;

  constructor() {
    this.#sem = attaching ?? SemLock.create(Kind.RLock, 0, 0);
    attaching = undefined;
  }

  #enter(chain: number): boolean {
    if (!this.#sem.ownedHere(chain)) return false;
    Atomics.add(this.#sem.words, Word.Depth, 1);
    return true;
  }

  #took(chain: number): void {
    Atomics.store(this.#sem.words, Word.Chain, chain);
    Atomics.store(this.#sem.words, Word.Depth, 1);
  }

  async #acquireIn(chain: number, options?: AcquireOptions): Promise<boolean> {
    const timeout = acquireTimeout(options);
    if (this.#enter(chain)) return true;
    return this.#sem.acquireAsync(timeout, options?.signal, () => this.#took(chain));
  }

  async acquire(options?: AcquireOptions): Promise<boolean> {
    return this.#acquireIn(currentChain(), options);
  }

  acquireSync(options?: AcquireOptions): boolean {
    const timeout = acquireTimeout(options);
    const chain = currentChain();
    if (this.#enter(chain)) return true;
    if (timeout === undefined && this.#sem.ownedHere()) throw selfDeadlock('RLock');
    if (!this.#sem.acquireSync(timeout)) return false;
    this.#took(chain);
    return true;
  }

  #releaseIn(chain: number): void {
    const words = this.#sem.words;
    if (!this.#sem.ownedHere(chain)) {
      throw new ProcessError(
        Atomics.load(words, Word.State) === 0
          ? 'cannot release an un-acquired RLock'
          : 'cannot release an RLock owned by another process, thread or async chain; only its owner may release it',
      );
    }
    if (Atomics.sub(words, Word.Depth, 1) === 1) {
      Atomics.store(words, Word.Chain, -1); // no chain owns it until the next grant records one
      this.#sem.releaseLock();
    }
  }

  release(): void {
    this.#releaseIn(currentChain());
  }

  locked(): boolean {
    return this.#sem.value !== 0;
  }

  /** Runs `fn` holding the lock, in its own async chain; nested calls in `fn` re-enter. */
  async withLock<R>(fn: () => R | Promise<R>): Promise<R> {
    const outer = currentChain();
    const chain = outer !== 0 ? outer : nextChain++;
    await this.#acquireIn(chain);
    running++;
    try {
      return await chains.run(chain, fn);
    } finally {
      // (first: a release that throws, the lock let go inside fn, must not leave it on)
      if (--running === 0) chains.disable();
      this.#releaseIn(chain);
    }
  }

  [kHeldByThread](): boolean {
    return this.#sem.ownedHere();
  }

  [kOwned](): boolean {
    return this.#sem.ownedHere(currentChain());
  }

  /** `using` support: one release if this chain holds it (Lock's dispose, re-entrantly). */
  [Symbol.dispose](): void {
    if (this[kOwned]()) this.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }

  [kReleaseAll](): { depth: number; chain: number } {
    const chain = currentChain();
    if (!this.#sem.ownedHere(chain))
      throw new ProcessError('cannot wait on an un-acquired Condition; acquire its lock first');
    const depth = Atomics.load(this.#sem.words, Word.Depth);
    Atomics.store(this.#sem.words, Word.Depth, 0);
    Atomics.store(this.#sem.words, Word.Chain, -1);
    this.#sem.releaseLock();
    return { depth, chain };
  }

  async [kRestore](saved: { depth: number; chain: number }): Promise<void> {
    await this.#sem.acquireAsync(undefined, undefined, () => {
      Atomics.store(this.#sem.words, Word.Chain, saved.chain);
      Atomics.store(this.#sem.words, Word.Depth, saved.depth);
    });
  }

  [kHandle](): { type: string; data: SemLockHandle } {
    return { type: 'RLock', data: this.#sem.handle };
  }

  static fromHandle(handle: SemLockHandle): RLock {
    attaching = SemLock.attach(handle);
    return new RLock();
  }

  toString(): string {
    const words = this.#sem.words;
    return this.locked()
      ? `<RLock(owner=${this.#sem.ownerPid}, count=${Atomics.load(words, Word.Depth)})>`
      : '<RLock(None, 0)>';
  }
}

registerHandleType('RLock', (data) => RLock.fromHandle(data as SemLockHandle));
