// Pool: Python's multiprocessing.Pool (and ThreadPool) over the task engine: long-lived
// workers pulling tasks from one shared queue, with concurrent.futures' answer to a dying
// worker (the task it ran fails, the worker is replaced, nothing else is lost).
import { ProcessError } from '../errors.js';
import { cpuCount } from '../process/current.js';
import type { StartMethod, StartMethodOrContext } from '../process/start-method.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { AsyncResult } from './async-result.js';
import { ChunkError, checkFunction, type SubmitOptions, TaskEngine, validateCount, workerOptions } from './engine.js';
import type { TaskKind } from './worker.js';

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
    return this.#engine.submit(kind, fn, args, options, held).promise;
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
    const lists: unknown[][] = [];
    const chunks: Array<Promise<void>> = [];
    let done = 0;
    try {
      const size = this.#chunksize(items.length, options);
      for (let start = 0; start < items.length; start += size) {
        const index = lists.length;
        lists.push([]);
        const chunk = items.slice(start, start + size);
        const count = chunk.length; // (the chunk itself is garbage once it is serialized)
        let submitted: Promise<unknown>;
        try {
          submitted = this.#submit(kind, fn, chunk, options, true);
        } catch (error) {
          // This chunk cannot be sent (an item cannot be serialized): map() rejects with that;
          // the chunks already sent may still fail, and nobody will look at them.
          for (const sent of chunks) sent.catch(() => {});
          throw error;
        }
        const promise = submitted.then((values) => {
          lists[index] = values as unknown[];
          done += count;
          options.onProgress?.(done, items.length);
        });
        chunks.push(
          promise.catch((error: unknown) => {
            throw error instanceof ChunkError ? error.withOffset(start) : new ChunkError(error, 0, start);
          }),
        );
      }
    } finally {
      release();
    }
    const outcomes = await Promise.allSettled(chunks);
    // The first error in input order wins, as a single rejection.
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failures.length > 0) {
      const first = failures.map((f) => f.reason as ChunkError).sort((a, b) => a.index - b.index)[0]!;
      throw first.error;
    }
    return concatenate(lists, items.length);
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

  /**
   * Checked at the call, as Python's. The input is read a few chunks ahead of the results
   * (flat memory over an endless generator); at close() the rest is read and submitted at
   * once, since a call made before close() runs to its end even if nobody iterates yet.
   */
  #imap<T>(
    fn: (x: T) => unknown,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions,
    ordered: boolean,
  ): AsyncIterableIterator<unknown> {
    const call = ordered ? 'imap()' : 'imapUnordered()';
    checkOptions(options, MAP_OPTIONS, call);
    const size = options.chunksize === undefined ? 1 : validateCount(options.chunksize, 'chunksize');
    const kind = iterableKind(iterable, call);
    checkFunction(fn);
    this.#checkRunning();
    const iterator: Iterator<T> | AsyncIterator<T> =
      kind === 'async'
        ? (iterable as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (iterable as Iterable<T>)[Symbol.iterator]();
    type Entry = { promise: Promise<unknown[]>; settled: boolean };
    const inFlight: Entry[] = [];
    let ahead = this.#processes * 2;
    let exhausted = false;
    let reading: Promise<void> | undefined;
    const release = this.#accept(fn, options, call, () => {
      ahead = Infinity;
      void refill().catch(() => {}); // (a failure reaches the iteration through its entry)
    });
    const finish = () => {
      exhausted = true;
      release();
    };
    const add = (promise: Promise<unknown>) => {
      const entry: Entry = { promise: Promise.resolve([]), settled: false };
      entry.promise = promise.then(
        (values) => {
          entry.settled = true;
          return values as unknown[];
        },
        (error: unknown) => {
          entry.settled = true;
          throw error instanceof ChunkError ? error.error : error;
        },
      );
      entry.promise.catch(() => {});
      inFlight.push(entry);
    };
    // One reader at a time; reading the input or sending a chunk fails in its place in order.
    const refill = (): Promise<void> =>
      (reading ??= (async () => {
        try {
          while (!exhausted && inFlight.length < ahead) {
            const chunk: T[] = [];
            while (chunk.length < size) {
              const next = await iterator.next();
              if (next.done) {
                finish();
                break;
              }
              chunk.push(next.value);
            }
            if (chunk.length === 0) break;
            add(new Promise<unknown>((resolve) => resolve(this.#submit('map', fn, chunk, options, true))));
          }
        } catch (error) {
          finish();
          add(Promise.reject(error));
        } finally {
          reading = undefined;
        }
      })());
    const results = async function* (): AsyncGenerator<unknown> {
      let done = 0;
      try {
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
      } finally {
        if (!exhausted) {
          // Left early (break, or an error): the input is closed, as a for-of would.
          finish();
          await iterator.return?.();
        }
      }
    };
    return results();
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
