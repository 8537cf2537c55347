// Pool: Python's multiprocessing.Pool (and ThreadPool) over the task engine: long-lived
// workers pulling tasks from one shared queue, with concurrent.futures' answer to a dying
// worker (the task it ran fails, the worker is replaced, nothing else is lost).
import { ProcessError } from '../errors.js';
import { cpuCount } from '../process/current.js';
import type { StartMethod, StartMethodOrContext } from '../process/start-method.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { AsyncResult } from './async-result.js';
import {
  ChunkError,
  checkFunction,
  placeResultError,
  type SubmitOptions,
  TaskEngine,
  type TaskSink,
  validateCount,
  workerOptions,
} from './engine.js';
import { LazyMap } from './imap.js';
import { MAX_TASK_ID, type TaskKind } from './worker.js';

export interface PoolOptions {
  processes?: number | null | undefined;
  initializer?: ((...args: any[]) => unknown) | undefined;
  initargs?: unknown[] | undefined;
  maxtasksperchild?: number | undefined;
  context?: StartMethodOrContext | undefined;
}

export type TaskOptions = SubmitOptions;

const POOL_OPTIONS = ['processes', 'initializer', 'initargs', 'maxtasksperchild', 'context'] as const;
const APPLY_OPTIONS = ['signal', 'timeout', 'callback', 'errorCallback'] as const;
const MAP_OPTIONS = ['signal', 'timeout', 'chunksize', 'onProgress', 'callback', 'errorCallback'] as const;

export interface MapOptions extends TaskOptions {
  chunksize?: number | undefined;
  onProgress?: ((done: number, total: number | undefined) => void) | undefined;
}

/** Whether `items` is a sync or an async iterable; a TypeError naming `call` if neither. */
export function iterableKind(items: unknown, call: string): 'sync' | 'async' {
  const object = items === null || items === undefined ? undefined : Object(items);
  if (typeof object?.[Symbol.iterator] === 'function') return 'sync';
  if (typeof object?.[Symbol.asyncIterator] === 'function') return 'async';
  const got =
    items === null ? 'null' : typeof items === 'object' ? 'a non-iterable object' : `${typeof items} ${String(items)}`;
  throw new TypeError(`${call} needs an iterable or an async iterable of items, got ${got}`);
}

export async function collect<T>(iterable: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  if (Array.isArray(iterable)) return iterable;
  if (iterableKind(iterable, 'map()') === 'sync') return Array.from(iterable as Iterable<T>); // no await per item
  const items: T[] = [];
  for await (const item of iterable as AsyncIterable<T>) items.push(item);
  return items;
}

/** The chunks' results as one array: concat() copies arrays of numbers as blocks. */
function concatenate(lists: unknown[][], length: number): unknown[] {
  // (one call's arguments are bounded: many small chunks are copied item by item)
  if (lists.length <= 4096) return ([] as unknown[]).concat(...lists);
  const out: unknown[] = new Array(length);
  let at = 0;
  for (const list of lists) for (let i = 0; i < list.length; i++) out[at++] = list[i];
  return out;
}

/** Whether a call's tasks can be aborted or time out (each then has a promise of its own). */
const guarded = (options: TaskOptions) => options.signal !== undefined || options.timeout !== undefined;

/** How many task ids come from `first` to `id`: ids are handed out in turn, 1 to MAX_TASK_ID and round again. */
export function idsBetween(first: number, id: number): number {
  return id >= first ? id - first : id + MAX_TASK_ID - first;
}

/**
 * A map over chunks: each chunk's results are kept in order as they come; once every chunk
 * is in, the map resolves with them all, or rejects with the first failure in input order.
 * A map whose chunks are single items is itself the sink of its tasks (takesItem): no slot,
 * no array of one and no list per item.
 */
class MapCall implements TaskSink {
  readonly #lists: unknown[][] = [];
  readonly #total: number;
  readonly #onProgress: MapOptions['onProgress'];
  /** Single items: their results, by index. */
  readonly #values: unknown[] | undefined;
  /** Single items: the first one's task id (the others' follow on from it). */
  #firstId = 0;
  /** Single items whose task ids did not follow on (another submission came between). */
  #stray: Map<number, number> | undefined;
  #expected = 0;
  #settled = 0;
  #done = 0;
  #failure: ChunkError | undefined;
  #sealed = false;
  #finish: { resolve: (values: unknown[]) => void; reject: (error: unknown) => void } | undefined;

  constructor(total: number, onProgress: MapOptions['onProgress'], items: boolean) {
    this.#total = total;
    this.#onProgress = onProgress;
    this.#values = items ? new Array(total) : undefined;
  }

  /** Whether this call takes its items' outcomes itself (chunks of one item). */
  get takesItem(): boolean {
    return this.#values !== undefined;
  }

  /** One more chunk was sent. */
  expect(): void {
    this.#expected++;
  }

  /** The item at `index` was sent as the task `id`. */
  sent(index: number, id: number): void {
    if (index === 0) this.#firstId = id;
    else if (this.#indexOf(id) !== index) (this.#stray ??= new Map()).set(id, index);
    this.#expected++;
  }

  #indexOf(id: number): number {
    return this.#stray?.get(id) ?? idsBetween(this.#firstId, id);
  }

  /** Every chunk was sent: the results once they are all in. */
  seal(): Promise<unknown[]> {
    this.#sealed = true;
    return new Promise((resolve, reject) => {
      this.#finish = { resolve, reject };
      this.#check();
    });
  }

  /** An item's result (as the sink of its task). */
  resolve(value: unknown, id: number): void {
    const index = this.#indexOf(id);
    this.#values![index] = value;
    this.#progress(1, index);
  }

  /** An item's failure (as the sink of its task); no id when the pool fails every task. */
  reject(error: unknown, id: number | undefined): void {
    this.chunkFailed(id === undefined ? this.#total : this.#indexOf(id), 1, error);
  }

  chunkDone(start: number, index: number, values: unknown[]): void {
    this.#lists[index] = values;
    this.#progress(values.length, start);
  }

  #progress(items: number, start: number): void {
    this.#done += items;
    try {
      this.#onProgress?.(this.#done, this.#total);
    } catch (error) {
      this.#fail(new ChunkError(error, 0, start));
    }
    this.#settled++;
    this.#check();
  }

  chunkFailed(start: number, length: number, error: unknown): void {
    placeResultError(error, start, length);
    this.#fail(error instanceof ChunkError ? error.withOffset(start) : new ChunkError(error, 0, start));
    this.#settled++;
    this.#check();
  }

  #fail(failure: ChunkError): void {
    if (!this.#failure || failure.index < this.#failure.index) this.#failure = failure;
  }

  #check(): void {
    if (!this.#sealed || this.#settled < this.#expected || !this.#finish) return;
    if (this.#failure) this.#finish.reject(this.#failure.error);
    else this.#finish.resolve(this.#values ?? concatenate(this.#lists, this.#total));
  }
}

/** Where one chunk's outcome goes (the engine calls resolve or reject once). */
class ChunkSlot {
  readonly #call: MapCall;
  readonly #start: number;
  readonly #index: number;
  readonly #length: number;

  constructor(call: MapCall, index: number, start: number, length: number) {
    this.#call = call;
    this.#index = index;
    this.#start = start;
    this.#length = length;
  }

  resolve(values: unknown): void {
    this.#call.chunkDone(this.#start, this.#index, values as unknown[]);
  }

  reject(error: unknown): void {
    this.#call.chunkFailed(this.#start, this.#length, error);
  }
}

export class Pool {
  readonly #processes: number;
  readonly #engine: TaskEngine;

  constructor(processes?: number | PoolOptions | null) {
    // (null stands for Python's None: as many workers as CPUs)
    const options: PoolOptions = typeof processes === 'object' && processes !== null ? processes : { processes };
    if (typeof processes !== 'object' && processes !== undefined && typeof processes !== 'number') {
      throw new TypeError('Pool takes a number of processes or an options object');
    }
    checkOptionNames(options, POOL_OPTIONS, 'Pool');
    this.#processes = options.processes == null ? cpuCount() : validateCount(options.processes, 'processes');
    this.#engine = new TaskEngine({
      processes: this.#processes,
      ...workerOptions({ ...options, maxtasks: options.maxtasksperchild }, this.defaultContext(), 'maxtasksperchild'),
      lazy: false,
      prefix: 'PoolWorker',
      onCrash: 'replace',
    });
  }

  /** The start method when none is given (ThreadPool: 'thread'). */
  protected defaultContext(): StartMethod | undefined {
    return undefined;
  }

  get processes(): number {
    return this.#processes;
  }

  #checkRunning(): void {
    this.#engine.checkRunning();
  }

  #submit(
    kind: TaskKind,
    fn: (...args: any[]) => unknown,
    args: unknown[],
    options?: TaskOptions,
    held = false,
  ): Promise<unknown> {
    return this.#engine.submit(kind, fn, args, options, held);
  }

  /**
   * Sends a chunk of an accepted call (held: also after close()). Its outcome goes straight to
   * `sink` (no promise per chunk) unless the chunk can be aborted or time out. An item that
   * cannot be serialized throws here.
   */
  #sendChunk(
    kind: TaskKind,
    fn: (...a: any[]) => unknown,
    chunk: unknown[],
    options: MapOptions,
    sink: TaskSink,
  ): void {
    if (!guarded(options)) {
      this.#engine.submitTo(kind, fn, chunk, sink, true);
      return;
    }
    this.#submit(kind, fn, chunk, options, true).then(
      (values) => sink.resolve(values, 0),
      (error: unknown) => sink.reject(error, undefined),
    );
  }

  /**
   * Accepts a call whose items are still to be read: checked now, and the pool stays open for
   * it until it has submitted them (close() right after map() must not fail the map).
   */
  #accept(fn: unknown, options: MapOptions, call: string, onClose?: () => void): () => void {
    checkFunction(fn);
    checkOptions(options, MAP_OPTIONS, call);
    return this.#engine.hold(onClose);
  }

  // -------------------------------------------------------------------------------------
  // Python's API.

  apply<R>(fn: (...a: any[]) => R, args: unknown[] = [], options?: TaskOptions): Promise<Awaited<R>> {
    // Not an async function: one promise per call, not three (this is the tiny-task path).
    // Misuse still rejects rather than throws, as from an async function.
    try {
      checkFunction(fn);
      if (!Array.isArray(args)) throw new TypeError('apply(fn, args): args must be an array');
      if (options !== undefined) checkOptions(options, APPLY_OPTIONS, 'apply()');
      return this.#submit('apply', fn, args, options) as Promise<Awaited<R>>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  applyAsync<R>(
    fn: (...a: any[]) => R,
    args: unknown[] = [],
    options: TaskOptions & { callback?: (r: Awaited<R>) => void; errorCallback?: (e: Error) => void } = {},
  ): AsyncResult<Awaited<R>> {
    this.#checkRunning(); // misuse throws here, as Python's apply_async raises
    return withCallbacks(this.apply(fn, args, options), options);
  }

  #chunksize(length: number, options: MapOptions): number {
    if (options.chunksize !== undefined) return validateCount(options.chunksize, 'chunksize');
    // Python's rule: ceil(len / (4 * workers)).
    return Math.max(1, Math.ceil(length / (4 * this.#processes)));
  }

  /** Reads the items of an accepted call (see #accept); the hold is released on failure. */
  async #items<T>(iterable: Iterable<T> | AsyncIterable<T>, release: () => void, starmap = false): Promise<T[]> {
    try {
      const items = await collect(iterable);
      if (starmap && !items.every((item) => Array.isArray(item))) {
        throw new TypeError('starmap() needs an iterable of argument arrays');
      }
      return items;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Submits the chunks of an accepted call, releases its hold, and gathers the results. */
  async #mapItems(
    kind: 'map' | 'starmap',
    fn: (...a: any[]) => unknown,
    items: unknown[],
    options: MapOptions,
    release: () => void,
  ) {
    let call: MapCall;
    try {
      const size = this.#chunksize(items.length, options);
      // (single items with no signal or timeout: the call itself is the sink of their tasks)
      call = new MapCall(items.length, options.onProgress, size === 1 && !guarded(options));
      if (call.takesItem) {
        for (let i = 0; i < items.length; i++) call.sent(i, this.#engine.submitTo(kind, fn, [items[i]], call, true));
      } else {
        for (let start = 0, index = 0; start < items.length; start += size, index++) {
          const chunk = items.slice(start, start + size);
          // (an item that cannot be serialized throws here: map() rejects with that; the chunks
          // already sent may still fail, and nobody will look at them)
          this.#sendChunk(kind, fn, chunk, options, new ChunkSlot(call, index, start, chunk.length));
          call.expect();
        }
      }
    } finally {
      release();
    }
    return call.seal();
  }

  async map<T, R>(
    fn: (x: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions = {},
  ): Promise<Awaited<R>[]> {
    const release = this.#accept(fn, options, 'map()');
    const items = await this.#items(iterable, release);
    return (await this.#mapItems('map', fn, items, options, release)) as Awaited<R>[];
  }

  mapAsync<T, R>(
    fn: (x: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions & { callback?: (r: Awaited<R>[]) => void; errorCallback?: (e: Error) => void } = {},
  ): AsyncResult<Awaited<R>[]> {
    this.#checkRunning(); // misuse throws here, as Python's apply_async raises
    return withCallbacks(this.map(fn, iterable, options), options);
  }

  async starmap<R>(
    fn: (...a: any[]) => R,
    iterable: Iterable<unknown[]> | AsyncIterable<unknown[]>,
    options: MapOptions = {},
  ): Promise<Awaited<R>[]> {
    const release = this.#accept(fn, options, 'starmap()');
    const items = await this.#items(iterable, release, true);
    return (await this.#mapItems('starmap', fn, items, options, release)) as Awaited<R>[];
  }

  starmapAsync<R>(
    fn: (...a: any[]) => R,
    iterable: Iterable<unknown[]> | AsyncIterable<unknown[]>,
    options: MapOptions & { callback?: (r: Awaited<R>[]) => void; errorCallback?: (e: Error) => void } = {},
  ): AsyncResult<Awaited<R>[]> {
    this.#checkRunning(); // misuse throws here, as Python's apply_async raises
    return withCallbacks(this.starmap(fn, iterable, options), options);
  }

  /** Results in input order; the input is read lazily, a bounded window ahead of the results. */
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

  /**
   * Checked at the call, as Python's. The input is read a bounded window ahead of the results
   * (flat memory over an endless generator; see imap.ts); at close() the rest is read and
   * submitted at once, since a call made before close() runs to its end even if nobody
   * iterates yet.
   */
  #imap<T>(
    fn: (x: T) => unknown,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions,
    ordered: boolean,
  ): AsyncIterableIterator<unknown> {
    const call = ordered ? 'imap()' : 'imapUnordered()';
    checkOptions(options, MAP_OPTIONS, call);
    const chunksize = options.chunksize === undefined ? 1 : validateCount(options.chunksize, 'chunksize');
    const kind = iterableKind(iterable, call);
    checkFunction(fn);
    this.#checkRunning();
    const iterator: Iterator<T> | AsyncIterator<T> =
      kind === 'async'
        ? (iterable as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (iterable as Iterable<T>)[Symbol.iterator]();
    // (lazy is set before the pool can call back: #accept's onClose runs at close(), later)
    let lazy: LazyMap<T> | undefined;
    const release = this.#accept(fn, options, call, () => lazy?.readAll());
    lazy = new LazyMap({
      iterator,
      async: kind === 'async',
      ordered,
      chunksize,
      floor: this.#processes * 2 * chunksize,
      send: (chunk, sink) => this.#sendChunk('map', fn, chunk, options, sink),
      release,
      onProgress: options.onProgress,
    });
    return lazy.results();
  }

  /** No new tasks; workers exit once the queue is drained. */
  close(): void {
    this.#engine.close();
  }

  /** Stops the workers now; outstanding results reject with ProcessError. */
  async terminate(): Promise<void> {
    await this.#engine.terminate(new ProcessError('the pool was terminated before this task finished'));
  }

  /** Waits for every worker to exit; only after close() or terminate(). */
  async join(): Promise<void> {
    if (this.#engine.state === 'run') throw new ProcessError('join() needs close() or terminate() first');
    await this.#engine.join();
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

/** The trailing options object of a call: an object, with only the names the call knows. */
function checkOptions(options: object, known: readonly string[], call: string): void {
  checkOptionNames(optionsArg(options, call, '{ timeout: 5000 }'), known, call);
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
