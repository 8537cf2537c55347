// Futex waits and wakes on a 32-bit word of a shared buffer, for every thread of every
// process. Sync waits block the calling thread; async waits go to one native waiter per
// JavaScript thread (never libuv's thread pool), and many JavaScript waits on the same
// word and expected value share one native watch.
//
// Protocol: a waker changes the word, then wakes it. A wake of an unchanged word may be
// missed by a waiter that has checked the word but not yet gone to sleep.
import { Timer } from '../util/deadline.js';
import { type NativeWaiter, native, WaitResult } from './binding.js';

export type WaitOutcome = 'ok' | 'not-equal' | 'timed-out';

const outcomes: WaitOutcome[] = ['ok', 'not-equal', 'timed-out'];

/** Longer timeouts (some 30 000 years, and Infinity) wait forever: a timespec cannot hold them. */
const FOREVER_MS = 1e15;

/** Blocks this thread while the word equals `expected`; `timeout` in ms, undefined = forever. */
export function waitSync(
  buffer: SharedArrayBuffer,
  byteOffset: number,
  expected: number,
  timeout?: number,
): WaitOutcome {
  const ms = timeout === undefined || timeout >= FOREVER_MS ? -1 : Math.max(0, timeout);
  return outcomes[native().wait(buffer, byteOffset, expected, ms)]!;
}

export function wake(buffer: SharedArrayBuffer, byteOffset: number, count = 0x7fffffff): number {
  return native().wake(buffer, byteOffset, count);
}

interface Listener {
  ref: boolean;
  settle(outcome: WaitOutcome): void;
}

interface Watch {
  id: number;
  key: string;
  buffer: SharedArrayBuffer;
  listeners: Set<Listener>;
}

// One per thread (module state is per thread in Node).
let waiter: NativeWaiter | undefined;
let nextId = 1;
const byId = new Map<number, Watch>();
const byBuffer = new WeakMap<SharedArrayBuffer, Map<string, Watch>>();
let referenced = 0; // pending waits that keep the event loop alive

function fired(ids: number[]): void {
  for (const id of ids) {
    const watch = byId.get(id);
    if (!watch) continue;
    byId.delete(id);
    byBuffer.get(watch.buffer)?.delete(watch.key);
    for (const listener of [...watch.listeners]) release(watch, listener, false) && listener.settle('ok');
  }
}

/** Detaches a listener; false when it was already detached (settled some other way). */
function release(watch: Watch, listener: Listener, removeNative: boolean): boolean {
  if (!watch.listeners.delete(listener)) return false;
  if (removeNative && watch.listeners.size === 0 && byId.get(watch.id) === watch) {
    waiter!.remove(watch.id);
    byId.delete(watch.id);
    byBuffer.get(watch.buffer)?.delete(watch.key);
  }
  if (listener.ref && --referenced === 0) waiter!.ref(false);
  return true;
}

export interface AsyncWaitOptions {
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Keep the event loop alive while waiting (default true, like a pending socket read). */
  ref?: boolean;
  /**
   * Filled in with a function that ends this wait at once with 'ok': a waker in this very
   * thread uses it instead of a round trip through the kernel and the waiter thread.
   */
  wakeup?: { fire?: (() => void) | undefined };
}

/**
 * Resolves when the word is woken or differs from `expected` ('ok'), immediately with
 * 'not-equal' if it already differs, or with 'timed-out'. An aborted signal rejects with
 * its reason.
 */
export function waitAsync(
  buffer: SharedArrayBuffer,
  byteOffset: number,
  expected: number,
  options: AsyncWaitOptions = {},
): Promise<WaitOutcome> {
  const { timeout, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (Atomics.load(new Int32Array(buffer, byteOffset, 1), 0) !== expected) return Promise.resolve('not-equal');
  if (timeout !== undefined && timeout <= 0) return Promise.resolve('timed-out');
  waiter ??= native().createWaiter(fired);
  const key = `${byteOffset}:${expected}`;
  let perBuffer = byBuffer.get(buffer);
  if (!perBuffer) byBuffer.set(buffer, (perBuffer = new Map()));
  let watch = perBuffer.get(key);
  if (!watch) {
    watch = { id: nextId++, key, buffer, listeners: new Set() };
    if (nextId > 0xfffffff0) nextId = 1;
    perBuffer.set(key, watch);
    byId.set(watch.id, watch);
    waiter.add(watch.id, buffer, byteOffset, expected);
  }
  const current = watch;
  const ref = options.ref !== false;
  return new Promise<WaitOutcome>((resolve, reject) => {
    let timer: Timer | undefined;
    const done = () => {
      timer?.clear();
      signal?.removeEventListener('abort', onAbort);
    };
    const listener: Listener = {
      ref,
      settle(outcome) {
        done();
        resolve(outcome);
      },
    };
    const onAbort = () => {
      if (!release(current, listener, true)) return;
      done();
      reject(signal!.reason);
    };
    current.listeners.add(listener);
    if (options.wakeup) {
      options.wakeup.fire = () => {
        if (release(current, listener, true)) listener.settle('ok');
      };
    }
    if (ref && referenced++ === 0) waiter!.ref(true);
    if (timeout !== undefined) {
      timer = new Timer(() => {
        if (release(current, listener, true)) listener.settle('timed-out');
      }, timeout);
      if (!ref) timer.unref();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export { WaitResult };
