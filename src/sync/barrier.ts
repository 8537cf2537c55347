// Barrier: `parties` processes wait until all have arrived, as multiprocessing.Barrier.
// The last to arrive runs the action and opens the barrier for everyone.
//
// Layout (Int32 words): 0 COUNT (arrived in this generation), 1 GENERATION (bumped when
// the barrier opens, is reset or breaks; waiters sleep on it), 2 BROKEN (1 until reset),
// 3 BROKEN_GEN (the generation whose waiters must fail), 4 PARTIES. A SemLock guards them.
import { BrokenBarrierError } from '../errors.js';
import { waitAsync, wake } from '../native/futex.js';
import { deserializeSync, kHandle, registerHandleType, serialize } from '../serialize/index.js';
import { allocate, attachShared } from '../shm/arena.js';
import { deadlineOf, remaining, validateTimeout } from '../util/deadline.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { Lock } from './lock.js';

const COUNT = 0;
const GENERATION = 1;
const BROKEN = 2;
const BROKEN_GEN = 3;
const PARTIES = 4;

interface BarrierHandle {
  segment: string;
  offset: number;
  lock: Lock;
  /** The action, serialized when the barrier is first sent (it need not be sendable otherwise). */
  action: Uint8Array | null;
  timeout: number | undefined;
}

let attaching: BarrierHandle | undefined;

export interface BarrierOptions {
  action?: (() => unknown) | undefined;
  timeout?: number | undefined;
}

export class Barrier {
  readonly #handle: BarrierHandle;
  readonly #buffer: SharedArrayBuffer;
  readonly #words: Int32Array;
  readonly #action: (() => unknown) | undefined;

  constructor(parties: number, options: BarrierOptions = {}) {
    if (attaching) {
      this.#handle = attaching;
      attaching = undefined;
      this.#buffer = attachShared(this.#handle.segment);
      this.#action = this.#handle.action ? deserializeSync<() => unknown>(this.#handle.action) : undefined;
    } else {
      if (!Number.isInteger(parties) || parties < 1) {
        throw new RangeError(`Barrier parties must be a positive integer, got ${String(parties)}`);
      }
      const { action, timeout } = optionsArg(options, 'Barrier(parties, options)', '{ action, timeout: 5000 }');
      checkOptionNames(options, ['action', 'timeout'], 'Barrier');
      if (action !== undefined && typeof action !== 'function')
        throw new TypeError('Barrier action must be a function');
      if (timeout !== undefined) validateTimeout(timeout);
      const slot = allocate(5 * 4);
      this.#buffer = slot.buffer;
      this.#action = action;
      this.#handle = {
        segment: slot.segment,
        offset: slot.offset,
        lock: new Lock(),
        action: null,
        timeout,
      };
    }
    this.#words = new Int32Array(this.#buffer, this.#handle.offset, 5);
    if (Atomics.load(this.#words, PARTIES) === 0) {
      Atomics.store(this.#words, BROKEN_GEN, -1);
      Atomics.store(this.#words, PARTIES, parties);
    }
  }

  get parties(): number {
    return Atomics.load(this.#words, PARTIES);
  }

  get nWaiting(): number {
    return Atomics.load(this.#words, COUNT);
  }

  get broken(): boolean {
    return Atomics.load(this.#words, BROKEN) === 1;
  }

  #open(): void {
    Atomics.store(this.#words, COUNT, 0);
    Atomics.add(this.#words, GENERATION, 1);
    wake(this.#buffer, this.#handle.offset + GENERATION * 4);
  }

  /** Breaks the current generation: its waiters throw BrokenBarrierError. Lock held. */
  #break(keepBroken: boolean): void {
    Atomics.store(this.#words, BROKEN, keepBroken ? 1 : 0);
    if (Atomics.load(this.#words, COUNT) > 0 || keepBroken) {
      Atomics.store(this.#words, BROKEN_GEN, Atomics.load(this.#words, GENERATION));
      this.#open();
    }
  }

  /** Resolves with this arrival's index (0 … parties-1) once all parties have arrived. */
  async wait(timeout?: number): Promise<number> {
    const deadline = deadlineOf(timeout ?? this.#handle.timeout);
    const words = this.#words;
    const lock = this.#handle.lock;
    await lock.acquire();
    let generation: number;
    let index: number;
    try {
      if (this.broken) throw new BrokenBarrierError('the barrier is broken; reset() it before waiting again');
      generation = Atomics.load(words, GENERATION);
      index = Atomics.add(words, COUNT, 1);
      if (index + 1 === this.parties) {
        try {
          await this.#action?.();
        } catch (error) {
          this.#break(true);
          throw error;
        }
        this.#open();
        return index;
      }
    } finally {
      lock.release();
    }
    for (;;) {
      if (Atomics.load(words, GENERATION) !== generation) {
        // BROKEN_GEN names the last broken generation (a later break of a later generation
        // before this waiter looks is the one case it cannot tell apart; it then returns).
        if (Atomics.load(words, BROKEN_GEN) === generation) {
          throw new BrokenBarrierError(
            'the barrier was broken (aborted, reset, or another party timed out) while waiting',
          );
        }
        return index;
      }
      const left = remaining(deadline);
      if (left === 0) {
        await lock.withLock(() => {
          if (Atomics.load(words, GENERATION) === generation) this.#break(true);
        });
        continue;
      }
      await waitAsync(this.#buffer, this.#handle.offset + GENERATION * 4, generation, { timeout: left });
    }
  }

  /** Returns the barrier to its initial state; current waiters get BrokenBarrierError. */
  reset(): void {
    const lock = this.#handle.lock;
    lock.acquireSync();
    try {
      this.#break(false);
    } finally {
      lock.release();
    }
  }

  /** Puts the barrier into the broken state until reset(). */
  abort(): void {
    const lock = this.#handle.lock;
    lock.acquireSync();
    try {
      this.#break(true);
    } finally {
      lock.release();
    }
  }

  [kHandle](): { type: string; data: BarrierHandle } {
    if (this.#action && !this.#handle.action) this.#handle.action = serialize(this.#action);
    return { type: 'Barrier', data: this.#handle };
  }

  static fromHandle(handle: BarrierHandle): Barrier {
    attaching = handle;
    return new Barrier(1);
  }
}

registerHandleType('Barrier', (data) => Barrier.fromHandle(data as BarrierHandle));
