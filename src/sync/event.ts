// Event: a shared flag that processes wait for, as multiprocessing.Event.
//
// Layout (Int32 words): 0 FLAG (0/1), 1 SEQ (bumped by every set(), the word waiters sleep on)

import { waitAsync, waitSync, wake } from '../native/futex.js';
import { kHandle, registerHandleType } from '../serialize/index.js';
import { allocate, attachShared } from '../shm/arena.js';
import { validateTimeout } from '../util/deadline.js';

const FLAG = 0;
const SEQ = 1;

interface EventHandle {
  segment: string;
  offset: number;
}

let attaching: EventHandle | undefined;

export class Event {
  readonly #handle: EventHandle;
  readonly #buffer: SharedArrayBuffer;
  readonly #words: Int32Array;

  constructor() {
    if (attaching) {
      this.#handle = attaching;
      this.#buffer = attachShared(attaching.segment);
      attaching = undefined;
    } else {
      const slot = allocate(8);
      this.#handle = { segment: slot.segment, offset: slot.offset };
      this.#buffer = slot.buffer;
    }
    this.#words = new Int32Array(this.#buffer, this.#handle.offset, 2);
  }

  isSet(): boolean {
    return Atomics.load(this.#words, FLAG) === 1;
  }

  set(): void {
    Atomics.store(this.#words, FLAG, 1);
    Atomics.add(this.#words, SEQ, 1);
    wake(this.#buffer, this.#handle.offset + SEQ * 4);
  }

  clear(): void {
    Atomics.store(this.#words, FLAG, 0);
  }

  /**
   * Resolves true once the flag is set, false if the timeout passes first. A set() during the
   * wait ends it even if a clear() follows at once, as Python's (then with the flag's value,
   * false): a waiter never sleeps through a set()/clear() pulse.
   */
  async wait(timeout?: number, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    if (timeout !== undefined) validateTimeout(timeout);
    const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
    const seq = Atomics.load(this.#words, SEQ);
    if (this.isSet()) return true;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await waitAsync(this.#buffer, this.#handle.offset + SEQ * 4, seq, {
        timeout: left === Infinity ? undefined : left,
        signal: options.signal,
      });
      if (Atomics.load(this.#words, SEQ) !== seq) return this.isSet();
    }
  }

  waitSync(timeout?: number): boolean {
    if (timeout !== undefined) validateTimeout(timeout);
    const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
    const seq = Atomics.load(this.#words, SEQ);
    if (this.isSet()) return true;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      waitSync(this.#buffer, this.#handle.offset + SEQ * 4, seq, left === Infinity ? undefined : left);
      if (Atomics.load(this.#words, SEQ) !== seq) return this.isSet();
    }
  }

  [kHandle](): { type: string; data: EventHandle } {
    return { type: 'Event', data: this.#handle };
  }

  static fromHandle(handle: EventHandle): Event {
    attaching = handle;
    return new Event();
  }

  toString(): string {
    return `<Event(${this.isSet() ? 'set' : 'unset'})>`;
  }
}

registerHandleType('Event', (data) => Event.fromHandle(data as EventHandle));
