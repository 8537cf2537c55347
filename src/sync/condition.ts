// Condition: wait for a notification while holding a Lock or RLock, as
// multiprocessing.Condition. Each waiter takes a slot in shared memory and sleeps on its
// own word, so notify(n) wakes exactly n waiters (the oldest first) in any process.
//
// Layout (Int32 words): 0 TICKET (next waiter ticket), then SLOTS × (STATE, TICKET, PID):
//   STATE 0 free, 1 waiting, 2 notified; PID the waiting process (a dead one's slot is freed
//   by the next notify instead of taking the notification)
import { ProcessError } from '../errors.js';
import { waitAsync, wake } from '../native/futex.js';
import { kHandle, registerHandleType } from '../serialize/index.js';
import { allocate, attachShared } from '../shm/arena.js';
import { deadlineOf, remaining } from '../util/deadline.js';
import { pidAlive } from '../util/pid.js';
import { Lock } from './lock.js';
import { kHeldByThread } from './owner.js';
import { kOwned, kReleaseAll, kRestore, RLock } from './rlock.js';
import type { AcquireOptions } from './semlock.js';

const SLOTS = 64;
const TICKET = 0;
const FREE = 0;
const WAITING = 1;
const NOTIFIED = 2;
const SLOT_WORDS = 3;
const slotState = (i: number) => 1 + i * SLOT_WORDS;
const slotTicket = (i: number) => 2 + i * SLOT_WORDS;
const slotPid = (i: number) => 3 + i * SLOT_WORDS;
const WORDS = 1 + SLOTS * SLOT_WORDS;

interface ConditionHandle {
  segment: string;
  offset: number;
  lock: Lock | RLock;
}

let attaching: ConditionHandle | undefined;

export class Condition {
  readonly #lock: Lock | RLock;
  readonly #segment: string;
  readonly #offset: number;
  readonly #buffer: SharedArrayBuffer;
  readonly #words: Int32Array;

  constructor(lock?: Lock | RLock) {
    if (attaching) {
      const handle = attaching;
      attaching = undefined;
      this.#lock = handle.lock;
      this.#segment = handle.segment;
      this.#offset = handle.offset;
      this.#buffer = attachShared(handle.segment);
    } else {
      if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
        throw new TypeError('Condition(lock) takes a Lock or an RLock from multiprocessing');
      }
      this.#lock = lock ?? new RLock();
      const slot = allocate(WORDS * 4);
      this.#segment = slot.segment;
      this.#offset = slot.offset;
      this.#buffer = slot.buffer;
    }
    this.#words = new Int32Array(this.#buffer, this.#offset, WORDS);
  }

  async acquire(options?: AcquireOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  acquireSync(options?: AcquireOptions): boolean {
    return this.#lock.acquireSync(options);
  }

  release(): void {
    this.#lock.release();
  }

  withLock<R>(fn: () => R | Promise<R>): Promise<R> {
    return this.#lock.withLock(fn);
  }

  /** `using` support: its lock's (a release if this thread, or chain, holds it). */
  [Symbol.dispose](): void {
    this.#lock[Symbol.dispose]();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }

  #checkOwned(what: string): void {
    // (held by this thread: a lock another process holds does not let this one wait or notify)
    const owned = this.#lock instanceof RLock ? this.#lock[kOwned]() : this.#lock[kHeldByThread]();
    if (!owned)
      throw new ProcessError(`cannot ${what} on an un-acquired Condition; acquire it (or use withLock) first`);
  }

  /** Releases the lock, waits for notify() or the timeout, takes the lock back. True if notified. */
  async wait(timeout?: number): Promise<boolean> {
    const deadline = deadlineOf(timeout);
    this.#checkOwned('wait');
    const words = this.#words;
    let slot = -1;
    for (let i = 0; i < SLOTS && slot < 0; i++) {
      if (Atomics.compareExchange(words, slotState(i), FREE, WAITING) === FREE) slot = i;
    }
    if (slot < 0) throw new ProcessError(`a Condition supports at most ${SLOTS} simultaneous waiters`);
    Atomics.store(words, slotPid(slot), process.pid);
    Atomics.store(words, slotTicket(slot), Atomics.add(words, TICKET, 1));
    let saved: ReturnType<RLock[typeof kReleaseAll]> | undefined;
    if (this.#lock instanceof RLock) saved = this.#lock[kReleaseAll]();
    else this.#lock.release();
    let notified = false;
    try {
      for (;;) {
        if (Atomics.load(words, slotState(slot)) === NOTIFIED) {
          notified = true;
          break;
        }
        const left = remaining(deadline);
        if (left === 0) {
          // Leave the slot, unless a notify got there first.
          Atomics.store(words, slotPid(slot), 0);
          notified = Atomics.compareExchange(words, slotState(slot), WAITING, FREE) !== WAITING;
          break;
        }
        await waitAsync(this.#buffer, this.#offset + slotState(slot) * 4, WAITING, { timeout: left });
      }
    } finally {
      if (notified || Atomics.load(words, slotState(slot)) !== FREE) {
        Atomics.store(words, slotPid(slot), 0);
        Atomics.store(words, slotState(slot), FREE);
      }
      if (this.#lock instanceof RLock) await this.#lock[kRestore](saved!);
      else await this.#lock.acquire();
    }
    return notified;
  }

  /** Waits until predicate() is truthy (checked first, then after each notification). */
  async waitFor<T>(predicate: () => T, timeout?: number): Promise<T> {
    const deadline = deadlineOf(timeout);
    let result = predicate();
    while (!result) {
      const left = remaining(deadline);
      if (left === 0) break;
      await this.wait(left);
      result = predicate();
    }
    return result;
  }

  /** Wakes up to n waiters, oldest first. The caller must hold the lock. */
  notify(n = 1): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`notify(n) needs a non-negative integer, got ${String(n)}`);
    this.#checkOwned('notify');
    const words = this.#words;
    const waiting: Array<[ticket: number, slot: number]> = [];
    for (let i = 0; i < SLOTS; i++) {
      if (Atomics.load(words, slotState(i)) === WAITING) waiting.push([Atomics.load(words, slotTicket(i)), i]);
    }
    waiting.sort((a, b) => a[0] - b[0]);
    let woken = 0;
    for (const [, i] of waiting) {
      if (woken >= n) break;
      const pid = Atomics.load(words, slotPid(i));
      if (pid !== process.pid && pid !== 0 && !pidAlive(pid)) {
        // Its waiter died waiting: free the slot (its pid first, so no one takes a new
        // waiter there for the dead one).
        if (Atomics.compareExchange(words, slotPid(i), pid, 0) === pid) {
          Atomics.compareExchange(words, slotState(i), WAITING, FREE);
        }
        continue;
      }
      if (Atomics.compareExchange(words, slotState(i), WAITING, NOTIFIED) === WAITING) {
        wake(this.#buffer, this.#offset + slotState(i) * 4, 1);
        woken++;
      }
    }
  }

  notifyAll(): void {
    this.notify(SLOTS);
  }

  [kHandle](): { type: string; data: ConditionHandle } {
    return { type: 'Condition', data: { segment: this.#segment, offset: this.#offset, lock: this.#lock } };
  }

  static fromHandle(handle: ConditionHandle): Condition {
    attaching = handle;
    return new Condition();
  }
}

registerHandleType('Condition', (data) => Condition.fromHandle(data as ConditionHandle));
