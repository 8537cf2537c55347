// SemLock: the one primitive Lock, RLock, Semaphore and BoundedSemaphore are built from
// (as CPython's _multiprocessing.SemLock), over a slot of shared memory. The fast paths
// are Atomics in JavaScript; the kernel is entered only to sleep and to wake.
//
// Layout (Int32 words from the slot's offset):
//
//   0 VALUE    semaphore count (a Lock: 1 free, 0 held)
//   1 WAITERS  threads sleeping or about to sleep on VALUE (wake only when > 0)
//   2 OWNER    pid of the last acquirer of a Lock/RLock (0 when released), for owner death
//   3 OWNER_T  threadId of that acquirer
//   4 DEPTH    RLock recursion depth
//   5 MAXVALUE BoundedSemaphore's bound
//   6 KIND     0 lock, 1 rlock, 2 semaphore, 3 bounded semaphore
//   7 SEQ      bumped on each release, so an async waiter never misses one
//   8 CHAIN    RLock: the owning async call chain (0: the whole thread)
//   9..        up to HOLDERS (pid, count) pairs of semaphore holders, for owner death
//
// Owner death: a waiter that has slept OWNER_CHECK_MS checks whether the recorded owner
// (or, for semaphores, any recorded holder) is dead and, if so, takes its share back and
// reports it with a process warning.
import { threadId } from 'node:worker_threads';
import { ProcessError } from '../errors.js';
import { waitAsync, waitSync, wake } from '../native/futex.js';
import { allocate, attachShared } from '../shm/arena.js';

export enum Word {
  Value = 0,
  Waiters = 1,
  Owner = 2,
  OwnerThread = 3,
  Depth = 4,
  MaxValue = 5,
  Kind = 6,
  Seq = 7,
  Chain = 8,
  Holders = 9,
}
export const HOLDER_SLOTS = 23; // (pid, count) pairs; the whole SemLock fits in 4 cache lines
export const SEMLOCK_BYTES = (Word.Holders + HOLDER_SLOTS * 2) * 4;

export enum Kind {
  Lock = 0,
  RLock = 1,
  Semaphore = 2,
  BoundedSemaphore = 3,
}

function isSemaphore(kind: Kind): boolean {
  return kind === Kind.Semaphore || kind === Kind.BoundedSemaphore;
}

/** How long a waiter sleeps before it checks whether the holder died. */
const OWNER_CHECK_MS = 250;

export interface SemLockHandle {
  segment: string;
  offset: number;
}

export interface AcquireOptions {
  block?: boolean | undefined;
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function validateAcquireOptions(options: AcquireOptions | undefined): {
  block: boolean;
  timeout: number | undefined;
} {
  if (options === undefined) return { block: true, timeout: undefined };
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('acquire options must be an object such as { block: false } or { timeout: 500 }');
  }
  const { block = true, timeout } = options;
  if (typeof block !== 'boolean') throw new TypeError('acquire option `block` must be a boolean');
  if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
    throw new RangeError(`timeout must be a non-negative number of milliseconds, got ${String(timeout)}`);
  }
  return { block, timeout: block ? timeout : 0 };
}

/** The shared state and its atomic operations; the public classes wrap one of these. */
export class SemLock {
  readonly words: Int32Array;
  readonly handle: SemLockHandle;
  readonly #base: number;
  readonly #buffer: SharedArrayBuffer;
  /** In-process FIFO of async acquirers, so only the head sleeps on the shared word. */
  #queue: Turn[] = [];
  #headBusy = false;

  private constructor(handle: SemLockHandle, buffer: SharedArrayBuffer) {
    this.handle = handle;
    this.#buffer = buffer;
    this.#base = handle.offset;
    this.words = new Int32Array(buffer, handle.offset, SEMLOCK_BYTES / 4);
  }

  static create(kind: Kind, value: number, maxValue: number): SemLock {
    const slot = allocate(SEMLOCK_BYTES);
    const lock = new SemLock({ segment: slot.segment, offset: slot.offset }, slot.buffer);
    Atomics.store(lock.words, Word.Value, value);
    Atomics.store(lock.words, Word.MaxValue, maxValue);
    Atomics.store(lock.words, Word.Kind, kind);
    return lock;
  }

  static attach(handle: SemLockHandle): SemLock {
    return new SemLock(handle, attachShared(handle.segment));
  }

  get kind(): Kind {
    return Atomics.load(this.words, Word.Kind) as Kind;
  }

  /** One attempt without waiting. */
  tryAcquire(): boolean {
    const words = this.words;
    for (;;) {
      const value = Atomics.load(words, Word.Value);
      if (value <= 0) return false;
      if (Atomics.compareExchange(words, Word.Value, value, value - 1) === value) {
        this.#recordAcquire();
        return true;
      }
    }
  }

  #recordAcquire(): void {
    const words = this.words;
    if (isSemaphore(this.kind)) {
      this.#adjustHolder(process.pid, 1);
    } else {
      Atomics.store(words, Word.Owner, process.pid);
      Atomics.store(words, Word.OwnerThread, threadId);
    }
  }

  /** Semaphores remember which processes hold how many units (best effort: HOLDER_SLOTS pids). */
  #adjustHolder(pid: number, delta: number): void {
    const words = this.words;
    let free = -1;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      const at = Word.Holders + i * 2;
      const holder = Atomics.load(words, at);
      if (holder === pid) {
        if (Atomics.add(words, at + 1, delta) + delta <= 0) {
          Atomics.store(words, at + 1, 0);
          Atomics.compareExchange(words, at, pid, 0);
        }
        return;
      }
      if (holder === 0 && free < 0) free = i;
    }
    if (delta <= 0) return; // released by a process that never recorded an acquire
    for (let i = Math.max(free, 0); i < HOLDER_SLOTS; i++) {
      const at = Word.Holders + i * 2;
      if (Atomics.compareExchange(words, at, 0, pid) === 0) {
        Atomics.add(words, at + 1, delta);
        return;
      }
    }
  }

  /** Adds `n` units and wakes sleepers; false (and nothing changed) when that would pass MAXVALUE. */
  releaseUnits(n: number): boolean {
    const words = this.words;
    const bound = this.kind === Kind.BoundedSemaphore ? Atomics.load(words, Word.MaxValue) : Infinity;
    for (;;) {
      const value = Atomics.load(words, Word.Value);
      if (value + n > bound) return false;
      if (Atomics.compareExchange(words, Word.Value, value, value + n) === value) break;
    }
    this.#adjustHolder(process.pid, -n);
    Atomics.add(words, Word.Seq, 1);
    if (Atomics.load(words, Word.Waiters) > 0) wake(this.#buffer, this.#base + Word.Seq * 4, n);
    return true;
  }

  /** Releases a Lock/RLock: false when it was not held. */
  releaseLock(): boolean {
    const words = this.words;
    Atomics.store(words, Word.Owner, 0);
    Atomics.store(words, Word.OwnerThread, 0);
    Atomics.store(words, Word.Chain, 0);
    if (Atomics.compareExchange(words, Word.Value, 0, 1) !== 0) return false;
    Atomics.add(words, Word.Seq, 1);
    if (Atomics.load(words, Word.Waiters) > 0) wake(this.#buffer, this.#base + Word.Seq * 4, 1);
    return true;
  }

  /** Blocks this thread until acquired or the timeout passes. */
  acquireSync(timeout: number | undefined): boolean {
    if (this.tryAcquire()) return true;
    if (timeout === 0) return false;
    const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
    const words = this.words;
    Atomics.add(words, Word.Waiters, 1);
    try {
      for (;;) {
        const seq = Atomics.load(words, Word.Seq);
        if (this.tryAcquire()) return true;
        const left = deadline - performance.now();
        if (left <= 0) return false;
        const outcome = waitSync(this.#buffer, this.#base + Word.Seq * 4, seq, Math.min(left, OWNER_CHECK_MS));
        if (outcome === 'timed-out') this.recoverFromDeadOwner();
      }
    } finally {
      Atomics.sub(words, Word.Waiters, 1);
    }
  }

  /** Waits without blocking the event loop. In-process waiters queue up FIFO. */
  async acquireAsync(timeout: number | undefined, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) throw signal.reason;
    if (this.#queue.length === 0 && !this.#headBusy && this.tryAcquire()) return true;
    if (timeout === 0) return false;
    const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
    // Wait for our turn at the head of this process's queue.
    if (this.#headBusy) {
      const turn: Turn = { granted: false, grant: () => {} };
      const granted = new Promise<void>((resolve) => {
        turn.grant = () => {
          turn.granted = true;
          resolve();
        };
      });
      this.#queue.push(turn);
      const outcome = await raceDeadline(granted, deadline, signal);
      if (outcome !== 'ok') {
        // Give up our place; if our turn came meanwhile, pass it on.
        if (turn.granted) this.#passTurn();
        else this.#queue.splice(this.#queue.indexOf(turn), 1);
        if (outcome === 'aborted') throw signal!.reason;
        return false;
      }
    }
    this.#headBusy = true;
    const words = this.words;
    Atomics.add(words, Word.Waiters, 1);
    try {
      for (;;) {
        const seq = Atomics.load(words, Word.Seq);
        if (this.tryAcquire()) return true;
        const left = deadline - performance.now();
        if (left <= 0) return false;
        const outcome = await waitAsync(this.#buffer, this.#base + Word.Seq * 4, seq, {
          timeout: Math.min(left, OWNER_CHECK_MS),
          signal,
        });
        if (outcome === 'timed-out') this.recoverFromDeadOwner();
      }
    } finally {
      Atomics.sub(words, Word.Waiters, 1);
      this.#passTurn();
    }
  }

  #passTurn(): void {
    const next = this.#queue.shift();
    if (next) next.grant();
    else this.#headBusy = false;
  }

  /**
   * If the holder recorded in shared memory is a dead process, give its units back and
   * report it. Returns whether something was recovered.
   */
  recoverFromDeadOwner(): boolean {
    const words = this.words;
    if (!isSemaphore(this.kind)) {
      const owner = Atomics.load(words, Word.Owner);
      if (owner === 0 || owner === process.pid || pidAlive(owner)) return false;
      if (Atomics.compareExchange(words, Word.Owner, owner, 0) !== owner) return false;
      Atomics.store(words, Word.Depth, 0);
      Atomics.store(words, Word.Chain, 0);
      Atomics.store(words, Word.Value, 1);
      Atomics.add(words, Word.Seq, 1);
      wake(this.#buffer, this.#base + Word.Seq * 4, 1);
      process.emitWarning(
        `a ${this.kind === Kind.RLock ? 'RLock' : 'Lock'} was held by process ${owner}, which died without releasing it; it has been released`,
        { code: 'MP_LOCK_OWNER_DIED' },
      );
      return true;
    }
    let recovered = false;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      const at = Word.Holders + i * 2;
      const holder = Atomics.load(words, at);
      if (holder === 0 || holder === process.pid || pidAlive(holder)) continue;
      if (Atomics.compareExchange(words, at, holder, 0) !== holder) continue;
      const units = Atomics.exchange(words, at + 1, 0);
      if (units > 0) {
        Atomics.add(words, Word.Value, units);
        Atomics.add(words, Word.Seq, 1);
        wake(this.#buffer, this.#base + Word.Seq * 4, units);
        process.emitWarning(
          `a Semaphore had ${units} unit(s) held by process ${holder}, which died without releasing them; they have been released`,
          { code: 'MP_LOCK_OWNER_DIED' },
        );
        recovered = true;
      }
    }
    return recovered;
  }

  get value(): number {
    return Atomics.load(this.words, Word.Value);
  }

  /** Whether the recorded owner is this thread of this process (and this chain, if given). */
  ownedHere(chain?: number): boolean {
    const words = this.words;
    return (
      Atomics.load(words, Word.Value) === 0 &&
      Atomics.load(words, Word.Owner) === process.pid &&
      Atomics.load(words, Word.OwnerThread) === threadId &&
      (chain === undefined || Atomics.load(words, Word.Chain) === chain)
    );
  }
}

interface Turn {
  granted: boolean;
  grant: () => void;
}

async function raceDeadline(
  turn: Promise<void>,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<'ok' | 'timeout' | 'aborted'> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => finish('aborted');
    const finish = (outcome: 'ok' | 'timeout' | 'aborted') => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    if (deadline !== Infinity) timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - performance.now()));
    signal?.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => finish('ok'));
  });
}

export function notLockedError(what: string): ProcessError {
  return new ProcessError(`cannot release an un-acquired ${what}; call release() only after a successful acquire()`);
}
