// Future, wait and asCompleted: concurrent.futures' objects over a promise. A Future is a
// thenable (`await executor.submit(...)` works) that can also be asked about its state
// synchronously, cancelled while still queued, and given done-callbacks.
import { TimeoutError } from '../errors.js';
import { Timer, validateTimeout, withTimeout } from '../util/deadline.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { CancelledError, InvalidStateError } from './errors.js';

type State = 'pending' | 'cancelled' | 'fulfilled' | 'rejected';

/** What the executor behind a future can do for it. */
export interface FutureSource {
  /** Takes the task back if no worker has it yet; true when it will never run. */
  withdraw(reason: unknown): boolean;
  /** True while a worker runs it. */
  isRunning(): boolean;
}

/** The source of a future made with `new Future()`: nothing to take back, never running. */
const OWN_SOURCE: FutureSource = { withdraw: () => true, isRunning: () => false };
/** The source of the future being made by futureOf(). */
let making: FutureSource | undefined;

/** A rejected promise that is not reported as unhandled (the future holds the error). */
function quietRejection(error: unknown): Promise<never> {
  const rejected = Promise.reject(error);
  rejected.catch(() => {});
  return rejected;
}

let outcomeOf: <R>(future: Future<R>) => { state: State; error: unknown };
/** Takes back a done-callback that wait() or asCompleted() no longer needs. */
let removeDoneCallback: <R>(future: Future<R>, fn: (future: Future<R>) => void) => void;
/** Internal (for the tests; not exported by the package): how many done-callbacks wait on `future`. */
export let doneCallbackCount: <R>(future: Future<R>) => number;
/**
 * Package-internal: a future that its source settles with settleFuture() (an executor's task:
 * no promise is made for it unless someone awaits it).
 */
export let futureOf: <R>(source: FutureSource) => Future<R>;
/** Package-internal: the outcome of a futureOf() future's task (ignored once it is done). */
export let settleFuture: <R>(future: Future<R>, ok: boolean, outcome: unknown) => void;

const NOOP = () => {};

/** A promise and the functions that settle it. */
interface Deferred<R> {
  promise: Promise<R>;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

// A promise's executor that is no closure: one function for every deferred, which leaves what it
// is given here for the caller to take at once.
let captured: Deferred<unknown> | undefined;
function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  captured = { promise: undefined as never, resolve, reject };
}

export class Future<R> implements PromiseLike<R> {
  #state: State = 'pending';
  #value: R | undefined;
  #error: unknown;
  /** Made by the first addDoneCallback() (most futures never get one). */
  #callbacks: Array<(future: Future<R>) => void> | undefined;
  #started = false;
  /** True while cancel() takes the task back (its source then rejects it: that is the cancel). */
  #withdrawing = false;
  readonly #source: FutureSource;
  /** What then() and result() wait on while the future is pending: made by the first of them. */
  #deferred: Deferred<R> | undefined;

  static {
    outcomeOf = <R>(future: Future<R>) => ({ state: future.#state, error: future.#error });
    doneCallbackCount = (future) => future.#callbacks?.length ?? 0;
    removeDoneCallback = (future, fn) => {
      const at = future.#callbacks?.indexOf(fn as never) ?? -1;
      if (at >= 0) future.#callbacks!.splice(at, 1);
    };
    futureOf = <R>(source: FutureSource) => {
      making = source;
      return new Future<R>();
    };
    settleFuture = (future, ok, outcome) => {
      if (future.#withdrawing) return;
      if (ok) future.#finish('fulfilled', outcome as never, undefined);
      else future.#finish('rejected', undefined, outcome);
    };
  }

  /**
   * `new Future()`: a pending future that its maker settles with setResult()/setException(),
   * as Python's `Future()`. (Executors make theirs over their task's outcome.)
   */
  constructor(...made: []) {
    if (made.length !== 0) {
      throw new TypeError('new Future() takes no arguments (an executor makes the futures of its tasks)');
    }
    this.#source = making ?? OWN_SOURCE;
    making = undefined;
  }

  #checkPending(what: string): void {
    if (this.#state !== 'pending') throw new InvalidStateError(`${what}: the future is already ${this.#state}`);
  }

  /** Python's set_result: the future is done with `value`. InvalidStateError if it was already. */
  setResult(value: R): void {
    this.#checkPending('setResult()');
    this.#finish('fulfilled', value, undefined);
  }

  /** Python's set_exception: the future failed with `error`. InvalidStateError if it was already done. */
  setException(error: unknown): void {
    this.#checkPending('setException()');
    this.#finish('rejected', undefined, error);
  }

  /**
   * Python's set_running_or_notify_cancel: false if the future was cancelled, else it is now
   * running (cancel() no longer works) and true. InvalidStateError if it is running or done.
   */
  setRunningOrNotifyCancel(): boolean {
    if (this.#state === 'cancelled') return false;
    this.#checkPending('setRunningOrNotifyCancel()');
    if (this.#started) throw new InvalidStateError('setRunningOrNotifyCancel(): the future is already running');
    this.#started = true;
    return true;
  }

  #finish(state: State, value: R | undefined, error: unknown): void {
    if (this.#state !== 'pending') return; // cancelled first
    this.#state = state;
    this.#value = value;
    this.#error = error;
    const deferred = this.#deferred;
    if (deferred) {
      if (state === 'fulfilled') deferred.resolve(value as R);
      else deferred.reject(error);
    }
    const callbacks = this.#callbacks;
    if (!callbacks) return;
    this.#callbacks = undefined;
    for (const callback of callbacks) this.#call(callback);
  }

  #call(callback: (future: Future<R>) => void): void {
    try {
      callback(this);
    } catch (error) {
      // As Python: a failing callback is reported and does not disturb the others.
      console.error('exception calling callback for', this, error);
    }
  }

  /** Cancels the task if no worker has started it: true when it is (or was already) cancelled. */
  cancel(): boolean {
    if (this.#state === 'cancelled') return true;
    if (this.#state !== 'pending' || this.#started) return false;
    const error = new CancelledError('the future was cancelled before it ran');
    this.#withdrawing = true;
    let withdrawn: boolean;
    try {
      withdrawn = this.#source.withdraw(error);
    } finally {
      this.#withdrawing = false;
    }
    if (!withdrawn) return false; // running: it cannot be stopped
    this.#finish('cancelled', undefined, error); // (result() calls already waiting return now)
    return true;
  }

  cancelled(): boolean {
    return this.#state === 'cancelled';
  }

  /** True from the moment a worker has the task until done() is true (never back to pending). */
  running(): boolean {
    if (this.#state !== 'pending') return false;
    if (!this.#started) this.#started = this.#source.isRunning();
    return this.#started;
  }

  done(): boolean {
    return this.#state !== 'pending';
  }

  /** A promise of the outcome: settled already if the future is done, else by #finish(). */
  #outcome(): Promise<R> {
    if (this.#state === 'fulfilled') return Promise.resolve(this.#value as R);
    if (this.#state !== 'pending') return quietRejection(this.#error);
    if (!this.#deferred) {
      const promise = new Promise<unknown>(capture) as Promise<R>;
      const deferred = captured as unknown as Deferred<R>;
      deferred.promise = promise;
      this.#deferred = deferred; // (its callers handle its rejection at once)
    }
    return this.#deferred.promise;
  }

  /** Waits up to `timeout` ms (undefined: for ever) for the future to settle. */
  async #wait(timeout: number | undefined): Promise<void> {
    if (this.#state !== 'pending') return;
    await withTimeout(this.#outcome().then(NOOP, NOOP), timeout, 'the future was not done');
  }

  /** The task's result; its error; CancelledError; TimeoutError after `timeout` ms. */
  async result(timeout?: number): Promise<R> {
    await this.#wait(timeout);
    if (this.#state === 'fulfilled') return this.#value as R;
    throw this.#error;
  }

  /** The task's error, or null if it succeeded; CancelledError; TimeoutError after `timeout` ms. */
  async exception(timeout?: number): Promise<Error | null> {
    await this.#wait(timeout);
    if (this.#state === 'cancelled') throw this.#error;
    return this.#state === 'rejected' ? (this.#error as Error) : null;
  }

  /** Calls `fn(future)` once it is done (at once if it is). */
  addDoneCallback(fn: (future: Future<R>) => void): void {
    if (typeof fn !== 'function') throw new TypeError('addDoneCallback needs a function');
    if (this.#state === 'pending') (this.#callbacks ??= []).push(fn);
    else this.#call(fn);
  }

  // biome-ignore lint/suspicious/noThenProperty: a Future is deliberately a thenable
  then<A = R, B = never>(
    onFulfilled?: ((value: R) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: any) => B | PromiseLike<B>) | null, // any, as in Promise#then
  ): Promise<A | B> {
    // (straight on the outcome's promise: result() would add two async calls per await)
    return this.#outcome().then(onFulfilled, onRejected);
  }

  get [Symbol.toStringTag](): string {
    return `Future ${this.#state === 'pending' ? (this.running() ? 'running' : 'pending') : this.#state}`;
  }
}

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

function futuresOf<R>(fs: Iterable<Future<R>>, what: string): Set<Future<R>> {
  if (fs === null || typeof fs !== 'object' || !(Symbol.iterator in fs)) {
    throw new TypeError(`${what} needs an iterable of futures`);
  }
  const set = new Set(fs);
  for (const f of set) {
    if (!(f instanceof Future)) throw new TypeError(`${what} needs futures (from submit()), got ${String(f)}`);
  }
  return set;
}

const failed = <R>(f: Future<R>) => outcomeOf(f).state === 'rejected';

/**
 * Waits until the futures meet `returnWhen` (default ALL_COMPLETED) or `timeout` ms pass;
 * never throws on timeout: it returns which are done and which are not.
 */
export async function wait<R>(
  fs: Iterable<Future<R>>,
  options: { timeout?: number | undefined; returnWhen?: ReturnWhen | undefined } = {},
): Promise<{ done: Set<Future<R>>; notDone: Set<Future<R>> }> {
  const all = futuresOf(fs, 'wait()');
  const { timeout, returnWhen = ALL_COMPLETED } = optionsArg(
    options,
    'wait()',
    "{ timeout: 5000, returnWhen: 'FIRST_COMPLETED' }",
  );
  checkOptionNames(options, ['timeout', 'returnWhen'], 'wait()');
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new RangeError(
      `returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${String(returnWhen)}`,
    );
  }
  if (timeout !== undefined) validateTimeout(timeout);
  // Counted as futures finish, not recounted over all of them at each one.
  let pending = 0;
  let finished = 0;
  let failures = 0;
  for (const f of all) {
    if (!f.done()) pending++;
    else if (failed(f)) failures++;
  }
  const satisfied = () =>
    pending === finished ||
    (returnWhen === FIRST_COMPLETED && (finished > 0 || pending < all.size)) ||
    (returnWhen === FIRST_EXCEPTION && failures > 0);
  if (!satisfied() && timeout !== 0) {
    const watched = new Map<Future<R>, () => void>();
    await new Promise<void>((resolve) => {
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        timer?.clear();
        resolve();
      };
      const timer = timeout === undefined ? undefined : new Timer(finish, timeout);
      for (const f of all) {
        if (f.done()) continue;
        const onDone = () => {
          finished++;
          if (failed(f)) failures++;
          if (satisfied()) finish();
        };
        watched.set(f, onDone);
        f.addDoneCallback(onDone);
      }
    });
    // As Python's waiters: none stays on a future once the wait is over (a polling loop of
    // timed-out waits would pile them up).
    for (const [f, onDone] of watched) removeDoneCallback(f, onDone);
  }
  const done = new Set<Future<R>>();
  const notDone = new Set<Future<R>>();
  for (const f of all) (f.done() ? done : notDone).add(f);
  return { done, notDone };
}

/**
 * Yields the given futures as they complete (those already done first). Throws TimeoutError
 * if `timeout` ms pass before all are done. A plain iterator, not an async generator: those
 * would unwrap the futures, which are thenables.
 */
export function asCompleted<R>(fs: Iterable<Future<R>>, timeout?: number): AsyncIterableIterator<Future<R>> {
  const all = futuresOf(fs, 'asCompleted()');
  if (timeout !== undefined) validateTimeout(timeout);
  const deadline = timeout === undefined ? undefined : Date.now() + timeout;
  const ready: Array<Future<R>> = [];
  /** The futures not done yet, with the callback that tells of each. */
  const waiting = new Map<Future<R>, () => void>();
  /** next() calls waiting for a future, served in the order they were made. */
  const takers: Array<{ resolve: (result: IteratorResult<Future<R>>) => void; reject: (error: unknown) => void }> = [];
  let timer: Timer | undefined;
  /** Set when the timeout passed with futures unfinished: thrown once, by the next() that would wait. */
  let timedOut: TimeoutError | undefined;
  const end = { done: true, value: undefined } as const;
  /** No more futures will come: callbacks taken back; next() calls that wait get `error` or the end. */
  const detach = (error?: TimeoutError) => {
    for (const [f, onDone] of waiting) removeDoneCallback(f, onDone);
    waiting.clear();
    timer?.clear();
    const left = takers.splice(0);
    if (error && left.length === 0) timedOut = error;
    for (const [i, taker] of left.entries()) {
      if (error && i === 0) taker.reject(error);
      else taker.resolve(end);
    }
  };
  for (const f of all) {
    if (f.done()) ready.push(f);
    else waiting.set(f, () => {});
  }
  for (const f of waiting.keys()) {
    const onDone = () => {
      if (!waiting.delete(f)) return;
      const taker = takers.shift();
      if (taker) taker.resolve({ done: false, value: f });
      else ready.push(f);
      if (waiting.size === 0) detach();
    };
    waiting.set(f, onDone);
    f.addDoneCallback(onDone);
  }
  if (waiting.size > 0 && deadline !== undefined) {
    // One timer for the whole iteration, as Python's: the futures done by then are still
    // yielded; the call that would wait for more throws, and the iteration ends.
    timer = new Timer(
      () => detach(new TimeoutError(`${waiting.size} (of ${all.size}) futures unfinished after ${timeout} ms`)),
      deadline - Date.now(),
    );
  }
  const iterator: AsyncIterableIterator<Future<R>> = {
    next(): Promise<IteratorResult<Future<R>>> {
      const f = ready.shift();
      if (f !== undefined) return Promise.resolve({ done: false, value: f });
      if (timedOut) {
        const error = timedOut;
        timedOut = undefined;
        return Promise.reject(error);
      }
      if (waiting.size === 0) return Promise.resolve(end);
      return new Promise((resolve, reject) => takers.push({ resolve, reject }));
    },
    async return(): Promise<IteratorResult<Future<R>>> {
      ready.length = 0;
      detach();
      return end;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
