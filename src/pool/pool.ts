// Pool: long-lived worker processes (or threads) pulling tasks from one shared queue, as
// Python's multiprocessing.Pool, with concurrent.futures' answer to a dying worker.
//
//   parent                         shared memory                      workers
//   apply/map ── tasks (tagged) ──▶ [task queue] ── tagged take ──▶ worker i: running[i] = id
//   pump ◀──────────── results ───── [result queue] ◀──────────── run, send the outcome
//   worker i exits ──▶ fail running[i] (if no result came) ──▶ start a replacement
//
// A take records the task's id in the worker's slot in the same locked step that removes it
// from the queue, so a worker that dies at any moment fails exactly the task it held, and no
// other task is lost or run twice.
import { ProcessError, TimeoutError } from '../errors.js';
import { cpuCount } from '../process/current.js';
import { Process } from '../process/process.js';
import { type StartMethod, validateStartMethod } from '../process/start-method.js';
import { kChannel, Queue } from '../queues/queue.js';
import { serialize } from '../serialize/index.js';
import { RawArray } from '../sharedctypes/array.js';
import { validateTimeout } from '../util/deadline.js';
import { AsyncResult } from './async-result.js';
import { poolWorker, type ResultMessage, type TaskKind, type TaskMessage, type WorkerSetup } from './worker.js';

export interface PoolOptions {
  processes?: number | undefined;
  initializer?: ((...args: any[]) => unknown) | undefined;
  initargs?: unknown[] | undefined;
  maxtasksperchild?: number | undefined;
  context?: StartMethod | undefined;
}

export interface TaskOptions {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
}

export interface MapOptions extends TaskOptions {
  chunksize?: number | undefined;
  onProgress?: ((done: number, total: number | undefined) => void) | undefined;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Tag of the sentinel that tells a worker to exit (close()). */
const SENTINEL_TAG = -1;

function validateCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

async function collect<T>(iterable: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  if (iterable === null || (typeof iterable !== 'object' && typeof iterable !== 'string')) {
    throw new TypeError('map() needs an iterable or an async iterable of items');
  }
  const items: T[] = [];
  for await (const item of iterable as AsyncIterable<T>) items.push(item);
  return items;
}

function checkFunction(fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`a pool task must be a function (or a taskRef), got ${typeof fn}`);
}

export class Pool {
  readonly #processes: number;
  readonly #context: StartMethod | undefined;
  readonly #initializer: PoolOptions['initializer'];
  readonly #initargs: unknown[];
  readonly #maxtasks: number;
  readonly #tasks = new Queue<TaskMessage | null>();
  readonly #results = new Queue<ResultMessage>();
  readonly #running: Int32Array;
  readonly #workers: Array<Process | undefined>;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #workerCounter = 0;
  #state: 'run' | 'close' | 'terminate' = 'run';
  #pumping = false;
  #idle: AbortController | undefined;

  constructor(processes?: number | PoolOptions) {
    const options: PoolOptions = typeof processes === 'object' && processes !== null ? processes : { processes };
    if (typeof processes !== 'object' && processes !== undefined && typeof processes !== 'number') {
      throw new TypeError('Pool takes a number of processes or an options object');
    }
    this.#processes = options.processes === undefined ? cpuCount() : validateCount(options.processes, 'processes');
    this.#context =
      options.context === undefined ? this.defaultContext() : validateStartMethod(options.context, 'context');
    if (options.initializer !== undefined) checkFunction(options.initializer);
    this.#initializer = options.initializer;
    this.#initargs = options.initargs ?? [];
    if (!Array.isArray(this.#initargs)) throw new TypeError('initargs must be an array');
    this.#maxtasks =
      options.maxtasksperchild === undefined ? 0 : validateCount(options.maxtasksperchild, 'maxtasksperchild');
    this.#running = RawArray('i', this.#processes) as unknown as Int32Array;
    this.#workers = new Array(this.#processes).fill(undefined);
    for (let i = 0; i < this.#processes; i++) this.#startWorker(i);
  }

  /** The start method when none is given (ThreadPool: 'thread'). */
  protected defaultContext(): StartMethod | undefined {
    return undefined;
  }

  get processes(): number {
    return this.#processes;
  }

  #startWorker(slot: number): void {
    const setup: WorkerSetup = {
      tasks: this.#tasks,
      results: this.#results,
      running: this.#running,
      slot,
      initializer: this.#initializer,
      initargs: this.#initargs,
      maxtasks: this.#maxtasks,
    };
    Atomics.store(this.#running, slot, 0);
    const worker = new Process({
      target: poolWorker,
      args: [setup],
      daemon: true,
      name: `PoolWorker-${++this.#workerCounter}`,
      context: this.#context,
    });
    worker.start();
    this.#workers[slot] = worker;
    void worker.sentinel.then(() => this.#onWorkerExit(slot, worker));
  }

  /** A worker ended: fail the task it held (unless its result came), replace it if needed. */
  #onWorkerExit(slot: number, worker: Process): void {
    if (this.#workers[slot] !== worker) return;
    this.#workers[slot] = undefined;
    if (this.#state === 'terminate') return;
    this.#drainResults();
    const held = Atomics.load(this.#running, slot);
    Atomics.store(this.#running, slot, 0);
    if (held === SENTINEL_TAG) return; // it took its close() sentinel and left
    if (this.#state === 'close' && held === 0 && worker.exitcode === 0 && this.#tasks.qsize() === 0) return;
    if (held > 0) {
      const code = worker.exitcode ?? 0;
      const how = code < 0 ? `was killed by signal ${-code}` : `exited with code ${code}`;
      this.#settle(
        held,
        false,
        new ProcessError(`the pool worker ${worker.name} (pid ${worker.pid}) ${how} while running this task`),
      );
    }
    this.#startWorker(slot);
  }

  #drainResults(): void {
    for (;;) {
      let result: ResultMessage;
      try {
        result = this.#results.getNowait();
      } catch {
        return;
      }
      this.#dispatch(result);
    }
  }

  #dispatch(result: ResultMessage): void {
    if (result.ok) this.#settle(result.id, true, result.value);
    else this.#settle(result.id, false, result.error, result.at);
  }

  #settle(id: number, ok: boolean, value: unknown, at?: number): void {
    const pending = this.#pending.get(id);
    if (!pending) return; // aborted, timed out or terminated meanwhile
    this.#pending.delete(id);
    this.#checkIdle();
    if (ok) pending.resolve(value);
    else pending.reject(at === undefined ? value : new ChunkError(value, at));
  }

  /** Reads results while tasks are outstanding (and only then, so an idle pool keeps no one alive). */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    const idle = new AbortController();
    this.#idle = idle;
    try {
      while (this.#pending.size > 0 && this.#state !== 'terminate') {
        let result: ResultMessage;
        try {
          result = await this.#results.get({ signal: idle.signal });
        } catch (error) {
          if (idle.signal.aborted) return;
          throw error;
        }
        this.#dispatch(result);
      }
    } finally {
      this.#pumping = false;
      this.#idle = undefined;
    }
  }

  /** Called when tasks leave #pending other than through a result: stop the pump if idle. */
  #checkIdle(): void {
    if (this.#pending.size === 0) this.#idle?.abort();
  }

  #checkRunning(): void {
    if (this.#state !== 'run') {
      throw new ProcessError(
        `the pool is ${this.#state === 'close' ? 'closed' : 'terminated'}; no new tasks can be submitted`,
      );
    }
  }

  /** Sends one task; the promise settles with its outcome. Serialization errors throw here. */
  #submit(
    kind: TaskKind,
    fn: (...args: any[]) => unknown,
    args: unknown[],
    options: TaskOptions = {},
  ): Promise<unknown> {
    this.#checkRunning();
    const { signal, timeout } = options;
    if (timeout !== undefined) validateTimeout(timeout);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#nextId++;
    const data = serialize({ id, kind, fn, args } satisfies TaskMessage);
    const promise = new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
    });
    this.#tasks[kChannel].tryPut(data, false, id);
    void this.#pump();
    if (!signal && timeout === undefined) return promise;
    return this.#guard(id, promise, signal, timeout);
  }

  /** Aborts or times out a task: rejects it, and ends its worker if it is running. */
  #guard(id: number, promise: Promise<unknown>, signal: AbortSignal | undefined, timeout: number | undefined) {
    return new Promise<unknown>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = (reason: unknown) => {
        if (!this.#pending.has(id)) return;
        this.#pending.delete(id);
        // Still queued: take it back. Otherwise a worker took it (its slot says which, under
        // the same lock), so end that worker; #onWorkerExit replaces it.
        if (!this.#tasks[kChannel].withdraw(id)) {
          const slot = Array.prototype.indexOf.call(this.#running, id);
          if (slot >= 0) this.#workers[slot]?.kill();
        }
        this.#checkIdle();
        reject(reason);
      };
      const onAbort = () => stop(signal!.reason);
      if (timeout !== undefined) {
        timer = setTimeout(() => stop(new TimeoutError(`the task did not finish within ${timeout} ms`)), timeout);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
    });
  }

  // -------------------------------------------------------------------------------------
  // Python's API.

  async apply<R>(fn: (...a: any[]) => R, args: unknown[] = [], options?: TaskOptions): Promise<Awaited<R>> {
    checkFunction(fn);
    if (!Array.isArray(args)) throw new TypeError('apply(fn, args): args must be an array');
    return (await this.#submit('apply', fn, args, options)) as Awaited<R>;
  }

  applyAsync<R>(
    fn: (...a: any[]) => R,
    args: unknown[] = [],
    options: TaskOptions & { callback?: (r: Awaited<R>) => void; errorCallback?: (e: Error) => void } = {},
  ): AsyncResult<Awaited<R>> {
    return withCallbacks(this.apply(fn, args, options), options);
  }

  #chunksize(length: number, options: MapOptions): number {
    if (options.chunksize !== undefined) return validateCount(options.chunksize, 'chunksize');
    // Python's rule: ceil(len / (4 * workers)).
    return Math.max(1, Math.ceil(length / (4 * this.#processes)));
  }

  async #mapItems(kind: 'map' | 'starmap', fn: (...a: any[]) => unknown, items: unknown[], options: MapOptions) {
    checkFunction(fn);
    this.#checkRunning();
    const size = this.#chunksize(items.length, options);
    const chunks: Array<Promise<unknown[]>> = [];
    let done = 0;
    for (let start = 0; start < items.length; start += size) {
      const chunk = items.slice(start, start + size);
      const promise = this.#submit(kind, fn, chunk, options).then((values) => {
        done += chunk.length;
        options.onProgress?.(done, items.length);
        return values as unknown[];
      });
      chunks.push(
        promise.catch((error: unknown) => {
          throw error instanceof ChunkError ? error.withOffset(start) : new ChunkError(error, 0, start);
        }),
      );
    }
    const outcomes = await Promise.allSettled(chunks);
    // The first error in input order wins, as a single rejection.
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failures.length > 0) {
      const first = failures.map((f) => f.reason as ChunkError).sort((a, b) => a.index - b.index)[0]!;
      throw first.error;
    }
    return outcomes.flatMap((o) => (o as PromiseFulfilledResult<unknown[]>).value);
  }

  async map<T, R>(
    fn: (x: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions = {},
  ): Promise<Awaited<R>[]> {
    return (await this.#mapItems('map', fn, await collect(iterable), options)) as Awaited<R>[];
  }

  mapAsync<T, R>(
    fn: (x: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions & { callback?: (r: Awaited<R>[]) => void; errorCallback?: (e: Error) => void } = {},
  ): AsyncResult<Awaited<R>[]> {
    return withCallbacks(this.map(fn, iterable, options), options);
  }

  async starmap<R>(
    fn: (...a: any[]) => R,
    iterable: Iterable<unknown[]> | AsyncIterable<unknown[]>,
    options: MapOptions = {},
  ): Promise<Awaited<R>[]> {
    const items = await collect(iterable);
    for (const item of items) {
      if (!Array.isArray(item)) throw new TypeError('starmap() needs an iterable of argument arrays');
    }
    return (await this.#mapItems('starmap', fn, items, options)) as Awaited<R>[];
  }

  starmapAsync<R>(
    fn: (...a: any[]) => R,
    iterable: Iterable<unknown[]> | AsyncIterable<unknown[]>,
    options: MapOptions & { callback?: (r: Awaited<R>[]) => void; errorCallback?: (e: Error) => void } = {},
  ): AsyncResult<Awaited<R>[]> {
    return withCallbacks(this.starmap(fn, iterable, options), options);
  }

  /** Results in input order; the input is read lazily, a few chunks ahead of the results. */
  imap<T, R>(
    fn: (x: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions = {},
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#imap(fn, iterable, options, true) as AsyncIterableIterator<Awaited<R>>;
  }

  /** Results as they complete; the input is read lazily. */
  imapUnordered<T, R>(
    fn: (x: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions = {},
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#imap(fn, iterable, options, false) as AsyncIterableIterator<Awaited<R>>;
  }

  async *#imap<T>(
    fn: (x: T) => unknown,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions,
    ordered: boolean,
  ): AsyncGenerator<unknown> {
    checkFunction(fn);
    this.#checkRunning();
    const size = options.chunksize === undefined ? 1 : validateCount(options.chunksize, 'chunksize');
    const iterator =
      Symbol.asyncIterator in Object(iterable)
        ? (iterable as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (iterable as Iterable<T>)[Symbol.iterator]();
    const ahead = this.#processes * 2;
    const inFlight: Array<{ promise: Promise<unknown[]>; settled: boolean; values?: unknown[]; error?: unknown }> = [];
    let exhausted = false;
    let done = 0;
    const refill = async () => {
      while (!exhausted && inFlight.length < ahead) {
        const chunk: T[] = [];
        while (chunk.length < size) {
          const next = await iterator.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          chunk.push(next.value);
        }
        if (chunk.length === 0) break;
        const entry: (typeof inFlight)[number] = { promise: Promise.resolve([]), settled: false };
        entry.promise = this.#submit('map', fn, chunk, options).then(
          (values) => {
            entry.settled = true;
            entry.values = values as unknown[];
            return entry.values;
          },
          (error: unknown) => {
            entry.settled = true;
            entry.error = error instanceof ChunkError ? error.error : error;
            throw entry.error;
          },
        );
        entry.promise.catch(() => {});
        inFlight.push(entry);
      }
    };
    await refill();
    while (inFlight.length > 0) {
      let index = 0;
      if (!ordered) {
        await Promise.race(inFlight.map((entry) => entry.promise.catch(() => {})));
        index = inFlight.findIndex((entry) => entry.settled);
      }
      const [entry] = inFlight.splice(index, 1);
      const values = await entry!.promise;
      done += values.length;
      options.onProgress?.(done, undefined);
      await refill();
      yield* values;
    }
  }

  /** No new tasks; workers exit once the queue is drained. */
  close(): void {
    if (this.#state !== 'run') return;
    this.#state = 'close';
    const sentinel = serialize(null);
    for (let i = 0; i < this.#processes; i++) this.#tasks[kChannel].tryPut(sentinel, false, SENTINEL_TAG);
  }

  /** Stops the workers now; outstanding results reject with ProcessError. */
  async terminate(): Promise<void> {
    if (this.#state === 'terminate') return;
    this.#state = 'terminate';
    const error = new ProcessError('the pool was terminated before this task finished');
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#checkIdle();
    const workers = this.#workers.filter((w): w is Process => w !== undefined);
    for (const worker of workers) worker.terminate();
    await Promise.all(workers.map((worker) => worker.join()));
  }

  /** Waits for every worker to exit; only after close() or terminate(). */
  async join(): Promise<void> {
    if (this.#state === 'run') throw new ProcessError('join() needs close() or terminate() first');
    for (;;) {
      const workers = this.#workers.filter((w): w is Process => w !== undefined);
      if (workers.length === 0) return;
      await Promise.all(workers.map((worker) => worker.join()));
      await new Promise((resolve) => setImmediate(resolve)); // let replacements register
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }
}

/** A Pool whose workers are threads of this process (Python's multiprocessing.pool.ThreadPool). */
export class ThreadPool extends Pool {
  protected override defaultContext(): StartMethod {
    return 'thread';
  }
}

/**
 * Python's callback/error_callback: called with the outcome. A task's error without an
 * errorCallback is reported through the AsyncResult only; an error thrown by a callback
 * itself surfaces as an unhandled rejection, as a bug in it should.
 */
function withCallbacks<R>(
  promise: Promise<R>,
  options: { callback?: ((value: R) => void) | undefined; errorCallback?: ((error: Error) => void) | undefined },
): AsyncResult<R> {
  void promise.then(
    (value) => options.callback?.(value),
    (error: Error) => options.errorCallback?.(error),
  );
  return new AsyncResult(promise);
}

/** An error from one item of a chunk, with the item's position in the whole input. */
class ChunkError {
  constructor(
    readonly error: unknown,
    readonly at: number,
    readonly offset = 0,
  ) {}
  get index(): number {
    return this.offset + this.at;
  }
  withOffset(offset: number): ChunkError {
    return new ChunkError(this.error, this.at, offset);
  }
}
