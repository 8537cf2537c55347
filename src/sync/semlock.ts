// SemLock: the one primitive Lock, RLock, Semaphore and BoundedSemaphore are built from
// (as CPython's _multiprocessing.SemLock), over a slot of shared memory. The fast paths
// are Atomics in JavaScript; the kernel is entered only to sleep and to wake, and a
// contended acquire spins briefly first (the holder usually releases within microseconds,
// and a cross-CPU futex wake costs tens of them on these machines).
//
// Layout (Int32 words from the slot's offset):
//
//   0 STATE    Lock/RLock: 0 when free, else the holder's token (pid | threadId << 22), so
//              the owner is recorded by the same CAS that takes the lock.
//              Semaphore: the count.
//   1 WAITERS  threads sleeping or about to sleep (a release wakes only when > 0)
//   2 SEQ      bumped by a release that has waiters; sleepers wait on it
//   3 DEPTH    RLock recursion depth
//   4 CHAIN    RLock: the owning async call chain (0: the whole thread)
//   5 MAXVALUE BoundedSemaphore's bound
//   6 KIND     see Kind
//   7 unused
//   8..        HOLDER_SLOTS (pid, count) pairs of semaphore holders, for owner death
//
// Owner death: a waiter that has slept OWNER_CHECK_MS checks whether the holder (for
// semaphores: any recorded holder) is a dead process and, if so, takes its share back and
// reports it with a process warning. A Lock/RLock held by a thread child of this process is
// recovered once its starter has seen it exit (process/threads.ts); semaphore units of a
// stopped thread are not (they are recorded by pid).
import { availableParallelism } from 'node:os';
import { isMainThread, threadId } from 'node:worker_threads';
import { ProcessError } from '../errors.js';
import { waitAsync, waitSync, wake } from '../native/futex.js';
import { threadHasEnded } from '../process/threads.js';
import { allocate, attachShared } from '../shm/arena.js';
import { Timer, validateTimeout } from '../util/deadline.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { pidAlive, pidExited } from '../util/pid.js';

export enum Word {
  State = 0,
  Waiters = 1,
  Seq = 2,
  Depth = 3,
  Chain = 4,
  MaxValue = 5,
  Kind = 6,
  Holders = 8,
}
export const HOLDER_SLOTS = 24;
export const SEMLOCK_BYTES = (Word.Holders + HOLDER_SLOTS * 2) * 4;

export enum Kind {
  Lock = 0,
  RLock = 1,
  Semaphore = 2,
  BoundedSemaphore = 3,
}

/** Semaphores this process has recorded itself as holding units of (see forgetHolder). */
const recordedHere = new Set<SemLock>();
if (isMainThread) {
  process.on('exit', (code) => {
    if (code === 0) for (const sem of recordedHere) sem.forgetHolder();
  });
}

/** How long a waiter sleeps before it checks whether the holder died. */
const OWNER_CHECK_MS = 250;
/**
 * How long an acquirer keeps trying before it sleeps, when another CPU may release the lock
 * meanwhile (ms). A count of checks was too short once V8 had compiled the loop: a queue's
 * lock is held for a copy, a few microseconds for a batch, and an acquirer that registers as
 * a waiter makes the holder's release a wake-up system call.
 */
const SPIN_MS = availableParallelism() > 1 ? 0.02 : 0;
/** The same for the async pump, which spins on the event loop's thread: briefly. */
const PUMP_SPIN_MS = SPIN_MS / 10;
const PID_MASK = 0x3fffff;

/** This thread's token: what STATE holds while it owns a Lock or RLock. */
const TOKEN = (process.pid & PID_MASK) | ((threadId & 0x3ff) << 22);

export interface SemLockHandle {
  segment: string;
  offset: number;
}

export interface AcquireOptions {
  block?: boolean | undefined;
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The timeout an acquire call means: undefined = forever, 0 = do not wait. */
export function acquireTimeout(options: AcquireOptions | undefined): number | undefined {
  if (options === undefined) return undefined;
  const { block = true, timeout } = optionsArg(options, 'acquire', '{ block: false } or { timeout: 500 }');
  checkOptionNames(options, ['block', 'timeout', 'signal'], 'acquire');
  if (typeof block !== 'boolean') throw new TypeError('acquire option `block` must be a boolean');
  if (timeout !== undefined) validateTimeout(timeout);
  return block ? timeout : 0;
}

interface Waiter {
  resolve: (acquired: boolean) => void;
  reject: (reason: unknown) => void;
  onGrant: (() => void) | undefined;
  timer: Timer | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** The shared state and its atomic operations; the public classes wrap one of these. */
export class SemLock {
  readonly words: Int32Array;
  readonly handle: SemLockHandle;
  readonly kind: Kind;
  readonly #isLock: boolean;
  readonly #seqOffset: number;
  readonly #buffer: SharedArrayBuffer;
  /** This thread's async acquirers, FIFO; one pump sleeps on the shared word for them all. */
  #queue: Waiter[] = [];
  #pumping = false;
  /** Ends the pump's sleep at once when this thread releases (no kernel round trip). */
  readonly #wakeup: { fire?: (() => void) | undefined } = {};

  private constructor(handle: SemLockHandle, buffer: SharedArrayBuffer) {
    this.handle = handle;
    this.#buffer = buffer;
    this.#seqOffset = handle.offset + Word.Seq * 4;
    this.words = new Int32Array(buffer, handle.offset, SEMLOCK_BYTES / 4);
    this.kind = Atomics.load(this.words, Word.Kind) as Kind;
    this.#isLock = this.kind === Kind.Lock || this.kind === Kind.RLock;
  }

  static create(kind: Kind, value: number, maxValue: number): SemLock {
    const slot = allocate(SEMLOCK_BYTES);
    const words = new Int32Array(slot.buffer, slot.offset, SEMLOCK_BYTES / 4);
    const isLock = kind === Kind.Lock || kind === Kind.RLock;
    Atomics.store(words, Word.State, isLock ? 0 : value);
    Atomics.store(words, Word.MaxValue, maxValue);
    Atomics.store(words, Word.Kind, kind);
    return new SemLock({ segment: slot.segment, offset: slot.offset }, slot.buffer);
  }

  static attach(handle: SemLockHandle): SemLock {
    return new SemLock(handle, attachShared(handle.segment));
  }

  /** One attempt without waiting. */
  tryAcquire(): boolean {
    const words = this.words;
    if (this.#isLock) return Atomics.compareExchange(words, Word.State, 0, TOKEN) === 0;
    for (;;) {
      const value = Atomics.load(words, Word.State);
      if (value <= 0) return false;
      if (Atomics.compareExchange(words, Word.State, value, value - 1) === value) {
        this.#adjustHolder(process.pid, 1);
        return true;
      }
    }
  }

  /** Watches the word for up to `ms`, taking the lock when it looks free: true once taken. */
  #spinAcquire(ms = SPIN_MS): boolean {
    if (ms === 0) return false;
    const words = this.words;
    const deadline = performance.now() + ms;
    for (let i = 1; ; i++) {
      const state = Atomics.load(words, Word.State);
      if ((this.#isLock ? state === 0 : state > 0) && this.tryAcquire()) return true;
      if ((i & 63) === 0 && performance.now() > deadline) return false;
    }
  }

  /** Semaphores remember which processes hold how many units (best effort: HOLDER_SLOTS pids). */
  #adjustHolder(pid: number, delta: number): void {
    const words = this.words;
    if (delta > 0) recordedHere.add(this);
    let free = -1;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      const at = Word.Holders + i * 2;
      const holder = Atomics.load(words, at);
      if (holder === pid) {
        if (Atomics.add(words, at + 1, delta) + delta <= 0) {
          Atomics.store(words, at + 1, 0);
          Atomics.compareExchange(words, at, pid, 0);
          recordedHere.delete(this);
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

  /**
   * This process ends normally: the units it still holds were used up, not lost (a consumer
   * that took a signal another process released), so they are not "recovered" after it.
   * A process that crashes or is killed keeps its record, and waiters take its units back.
   */
  forgetHolder(): void {
    const words = this.words;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      const at = Word.Holders + i * 2;
      if (Atomics.load(words, at) !== process.pid) continue;
      Atomics.store(words, at + 1, 0);
      Atomics.compareExchange(words, at, process.pid, 0);
    }
  }

  #wakeWaiters(count: number): void {
    this.#wakeup.fire?.();
    if (Atomics.load(this.words, Word.Waiters) > 0) {
      Atomics.add(this.words, Word.Seq, 1);
      wake(this.#buffer, this.#seqOffset, count);
    }
  }

  /** Adds `n` units and wakes sleepers; false (and nothing changed) when that would pass MAXVALUE. */
  releaseUnits(n: number): boolean {
    const words = this.words;
    const bound = this.kind === Kind.BoundedSemaphore ? Atomics.load(words, Word.MaxValue) : Infinity;
    for (;;) {
      const value = Atomics.load(words, Word.State);
      if (value + n > bound) return false;
      if (Atomics.compareExchange(words, Word.State, value, value + n) === value) break;
    }
    this.#adjustHolder(process.pid, -n);
    this.#wakeWaiters(n);
    return true;
  }

  /** Releases a Lock/RLock whoever holds it: false when it was not held. */
  releaseLock(): boolean {
    if (Atomics.exchange(this.words, Word.State, 0) === 0) return false;
    this.#wakeWaiters(1);
    return true;
  }

  /** Blocks this thread until acquired or the timeout passes. */
  /**
   * Before an acquire gives up (a non-blocking one, or a timeout shorter than the owner check):
   * a dead owner's hold is taken back, and then the acquire may succeed.
   */
  #lastChance(): boolean {
    return this.recoverFromDeadOwner() && this.tryAcquire();
  }

  acquireSync(timeout: number | undefined): boolean {
    if (this.tryAcquire()) return true;
    if (timeout === 0) return this.#lastChance();
    if (this.#spinAcquire()) return true;
    const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
    const words = this.words;
    Atomics.add(words, Word.Waiters, 1);
    try {
      for (;;) {
        const seq = Atomics.load(words, Word.Seq);
        if (this.tryAcquire()) return true;
        const left = deadline - performance.now();
        if (left <= 0) return this.#lastChance();
        const outcome = waitSync(this.#buffer, this.#seqOffset, seq, Math.min(left, OWNER_CHECK_MS));
        if (outcome === 'timed-out') this.recoverFromDeadOwner();
        else if (this.#spinAcquire()) return true;
      }
    } finally {
      Atomics.sub(words, Word.Waiters, 1);
    }
  }

  /**
   * Waits without blocking the event loop. Async acquirers of this thread queue up FIFO and
   * one pump sleeps for all of them, handing the lock to the head of the queue; `onGrant`
   * runs at the moment of the grant (an RLock records its chain there).
   */
  acquireAsync(timeout: number | undefined, signal?: AbortSignal, onGrant?: () => void): Promise<boolean> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length === 0 && this.tryAcquire()) {
      onGrant?.();
      return Promise.resolve(true);
    }
    const lastChance = () => {
      if (!this.#lastChance()) return false;
      onGrant?.();
      return true;
    };
    if (timeout === 0) return Promise.resolve(lastChance());
    return new Promise<boolean>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, onGrant, timer: undefined, signal, onAbort: undefined };
      if (timeout !== undefined) {
        waiter.timer = new Timer(() => {
          if (this.#dequeue(waiter)) resolve(this.#queue.length === 0 && lastChance());
        }, timeout);
      }
      if (signal) {
        waiter.onAbort = () => {
          if (this.#dequeue(waiter)) reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      if (!this.#pumping) void this.#pump();
    });
  }

  #dequeue(waiter: Waiter): boolean {
    const index = this.#queue.indexOf(waiter);
    if (index < 0) return false;
    this.#queue.splice(index, 1);
    this.#settle(waiter);
    if (this.#queue.length === 0) this.#wakeup.fire?.();
    return true;
  }

  #settle(waiter: Waiter): void {
    waiter.timer?.clear();
    if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
  }

  /** The one sleeper of this thread: takes the lock for each queued acquirer in turn. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    const words = this.words;
    Atomics.add(words, Word.Waiters, 1);
    try {
      while (this.#queue.length > 0) {
        const seq = Atomics.load(words, Word.Seq);
        const mine = this.#isLock && Atomics.load(words, Word.State) === TOKEN;
        if (this.tryAcquire() || (!mine && this.#spinAcquire(PUMP_SPIN_MS))) {
          const waiter = this.#queue.shift()!;
          this.#settle(waiter);
          waiter.onGrant?.();
          waiter.resolve(true);
          continue;
        }
        const outcome = await waitAsync(this.#buffer, this.#seqOffset, seq, {
          timeout: OWNER_CHECK_MS,
          wakeup: this.#wakeup,
        });
        this.#wakeup.fire = undefined;
        if (outcome === 'timed-out') this.recoverFromDeadOwner();
      }
    } finally {
      Atomics.sub(words, Word.Waiters, 1);
      this.#pumping = false;
    }
  }

  /**
   * A Lock held by a worker thread of this process that has ended (a pool's thread killed
   * mid-put): release it. The caller knows the thread is gone; nothing else can tell.
   */
  releaseIfHeldByThread(threadId: number): boolean {
    if (!this.#isLock) return false;
    const token = (process.pid & PID_MASK) | ((threadId & 0x3ff) << 22);
    if (Atomics.load(this.words, Word.State) !== token) return false;
    return this.#forceRelease(token);
  }

  /**
   * A Lock held by a process the caller knows has exited (a pool's worker, killed by its
   * own pool mid-get): release it at once and without the warning meant for the user's locks.
   */
  releaseIfHeldByProcess(pid: number): boolean {
    if (!this.#isLock || pid === process.pid) return false;
    const token = Atomics.load(this.words, Word.State);
    pidExited(pid); // (the caller saw it exit: a fresh look, not what was seen of it lately)
    if (token === 0 || (token & PID_MASK) !== (pid & PID_MASK) || pidAlive(pid)) return false;
    return this.#forceRelease(token);
  }

  #forceRelease(token: number): boolean {
    const words = this.words;
    Atomics.store(words, Word.Depth, 0);
    Atomics.store(words, Word.Chain, 0);
    if (Atomics.compareExchange(words, Word.State, token, 0) !== token) return false;
    Atomics.add(words, Word.Seq, 1);
    wake(this.#buffer, this.#seqOffset, 1);
    return true;
  }

  /**
   * If the holder recorded in shared memory is a dead process, give its units back and
   * report it. Returns whether something was recovered.
   */
  recoverFromDeadOwner(): boolean {
    const words = this.words;
    if (this.#isLock) {
      const token = Atomics.load(words, Word.State);
      if (token === 0 || token === TOKEN) return false;
      const owner = token & PID_MASK;
      let holder: string;
      if (owner === (process.pid & PID_MASK)) {
        // A thread of this process: recovered only once it is known to have ended.
        const thread = (token >>> 22) & 0x3ff;
        if (!threadHasEnded(thread)) return false;
        holder = `thread ${thread} of this process, which ended`;
      } else {
        if (pidAlive(owner)) return false;
        holder = `process ${owner}, which died`;
      }
      if (!this.#forceRelease(token)) return false;
      process.emitWarning(
        `a ${this.kind === Kind.RLock ? 'RLock' : 'Lock'} was held by ${holder} without releasing it; it has been released`,
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
        Atomics.add(words, Word.State, units);
        Atomics.add(words, Word.Seq, 1);
        wake(this.#buffer, this.#seqOffset, units);
        process.emitWarning(
          `a Semaphore had ${units} unit(s) held by process ${holder}, which died without releasing them; they have been released`,
          { code: 'MP_LOCK_OWNER_DIED' },
        );
        recovered = true;
      }
    }
    return recovered;
  }

  /** Lock/RLock: whether it is held; Semaphore: its count. */
  get value(): number {
    return Atomics.load(this.words, Word.State);
  }

  /** Whether this thread of this process holds the Lock/RLock (and, if given, this chain). */
  ownedHere(chain?: number): boolean {
    const words = this.words;
    return (
      Atomics.load(words, Word.State) === TOKEN && (chain === undefined || Atomics.load(words, Word.Chain) === chain)
    );
  }

  /** The pid recorded as holding a Lock/RLock, or 0. */
  get ownerPid(): number {
    return Atomics.load(this.words, Word.State) & PID_MASK;
  }
}

export function notLockedError(what: string): ProcessError {
  return new ProcessError(`cannot release an un-acquired ${what}; call release() only after a successful acquire()`);
}
