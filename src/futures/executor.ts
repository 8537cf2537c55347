// ProcessPoolExecutor and ThreadPoolExecutor: concurrent.futures' executors over the same
// task engine as Pool. Workers start as work arrives (as Python's do); a worker that dies
// abruptly breaks the executor, as in Python: the task it ran, every pending one and every
// later submit fail with BrokenProcessPool.
import { ProcessError, TimeoutError } from '../errors.js';
import {
  ChunkError,
  checkFunction,
  placeResultError,
  TaskEngine,
  type TaskSink,
  validateCount,
  workerOptions,
} from '../pool/engine.js';
import { collect, iterableKind } from '../pool/pool.js';
import type { TaskKind } from '../pool/worker.js';
import { cpuCount } from '../process/current.js';
import type { StartMethod, StartMethodOrContext } from '../process/start-method.js';
import { validateTimeout } from '../util/deadline.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { BrokenProcessPool } from './errors.js';
import { type Future, type FutureSource, futureOf, settleFuture } from './future.js';

export interface ExecutorOptions {
  maxWorkers?: number | null | undefined;
  initializer?: ((...args: any[]) => unknown) | undefined;
  initargs?: unknown[] | undefined;
  maxTasksPerChild?: number | undefined;
  context?: StartMethodOrContext | undefined;
  /** ThreadPoolExecutor only (Python's thread_name_prefix): its workers' names start with it. */
  threadNamePrefix?: string | undefined;
}

export interface ExecutorMapOptions {
  timeout?: number | undefined;
  chunksize?: number | undefined;
}

export class ProcessPoolExecutor {
  readonly #engine: TaskEngine;
  #shutdown = false;

  /** A number (or null) is Python's positional max_workers: `new ProcessPoolExecutor(4)`. */
  constructor(maxWorkersOrOptions: ExecutorOptions | number | null = {}) {
    const options: ExecutorOptions =
      typeof maxWorkersOrOptions === 'number' || maxWorkersOrOptions === null
        ? { maxWorkers: maxWorkersOrOptions }
        : maxWorkersOrOptions;
    if (typeof options !== 'object') {
      throw new TypeError(
        `the executor takes a number of workers or an options object: { maxWorkers, initializer, initargs, … }, got ${typeof options}`,
      );
    }
    checkOptionNames(options, this.optionNames(), new.target.name);
    const prefix = (options as { threadNamePrefix?: unknown }).threadNamePrefix ?? this.constructor.name;
    if (typeof prefix !== 'string') throw new TypeError('threadNamePrefix must be a string');
    // (null stands for Python's None: the default)
    const maxWorkers =
      options.maxWorkers == null ? this.defaultWorkers() : validateCount(options.maxWorkers, 'maxWorkers');
    this.#engine = new TaskEngine({
      processes: maxWorkers,
      ...workerOptions({ ...options, maxtasks: options.maxTasksPerChild }, this.defaultContext(), 'maxTasksPerChild'),
      lazy: true,
      prefix, // workers named like ProcessPoolExecutor-3
      onCrash: 'break',
      broken: (message) => new BrokenProcessPool(message),
    });
  }

  /** The options the constructor takes. */
  protected optionNames(): string[] {
    return ['maxWorkers', 'initializer', 'initargs', 'maxTasksPerChild', 'context'];
  }

  /** Python: os.cpu_count() workers. */
  protected defaultWorkers(): number {
    return cpuCount();
  }

  protected defaultContext(): StartMethod | undefined {
    return undefined;
  }

  #checkOpen(): void {
    if (this.#shutdown) throw new ProcessError('cannot schedule new futures after shutdown()');
    this.#engine.checkRunning(); // a broken executor throws its BrokenProcessPool
  }

  /** `start`: for a map chunk, where its items start in the input. */
  #future<R>(kind: TaskKind, fn: (...args: any[]) => unknown, args: unknown[], held = false, start = 0): Future<R> {
    const source = new TaskSource(this.#engine, kind === 'apply' ? -1 : start, args.length);
    const future = futureOf<R>(source);
    source.future = future as Future<unknown>;
    try {
      // (the future is the task's sink: no promise is made unless someone awaits it)
      source.id = this.#engine.submitTo(kind, fn, args, source, held);
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) throw error;
      queueMicrotask(() => source.reject(error)); // a SerializationError fails this future only
    }
    return future;
  }

  /** Schedules fn(...args); the Future settles with its outcome. */
  submit<R>(fn: (...a: any[]) => R, ...args: unknown[]): Future<Awaited<R>> {
    checkFunction(fn);
    this.#checkOpen();
    return this.#future<Awaited<R>>('apply', fn, args);
  }

  /**
   * fn over every item, results in input order. As Python's, every item is submitted at
   * once (in chunks of `chunksize`, default 1); `timeout` counts from this call; an error
   * is thrown when its item is reached; leaving the loop early cancels what has not started.
   */
  map<T, R>(
    fn: (x: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: ExecutorMapOptions = {},
  ): AsyncIterableIterator<Awaited<R>> {
    checkFunction(fn);
    this.#checkOpen();
    const { chunksize, timeout } = optionsArg(options, 'map()', '{ timeout: 5000, chunksize: 16 }');
    checkOptionNames(options, ['timeout', 'chunksize'], 'map()');
    const size = chunksize === undefined ? 1 : validateCount(chunksize, 'chunksize');
    const sync = iterableKind(iterable, 'map()') === 'sync';
    if (timeout !== undefined) validateTimeout(timeout);
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    const submitAll = (items: T[], held = false) => {
      const futures: Array<Future<Awaited<R>[]>> = [];
      for (let start = 0; start < items.length; start += size) {
        futures.push(this.#future<Awaited<R>[]>('map', fn, items.slice(start, start + size), held, start));
      }
      return futures;
    };
    // A sync iterable is submitted now, as in Python; an async one as soon as it is read,
    // with the executor held open for it (a shutdown() meanwhile lets it finish).
    let futures: Promise<Array<Future<Awaited<R>[]>>>;
    if (sync) futures = Promise.resolve(submitAll([...(iterable as Iterable<T>)]));
    else {
      const release = this.#engine.hold();
      futures = collect(iterable)
        .then((items) => submitAll(items, true))
        .finally(release);
    }
    futures.catch(() => {});
    return results(futures, deadline, timeout);
  }

  /**
   * No new submits. cancelFutures: pending futures are cancelled. wait (default true):
   * resolves once every future is done and every worker has exited.
   */
  async shutdown(options: { wait?: boolean | undefined; cancelFutures?: boolean | undefined } = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = optionsArg(
      options,
      'shutdown()',
      '{ wait: false, cancelFutures: true }',
    );
    checkOptionNames(options, ['wait', 'cancelFutures'], 'shutdown()');
    this.#shutdown = true;
    if (cancelFutures) for (const future of this.#pendingFutures()) future.cancel();
    this.#engine.close();
    if (!wait) return;
    await Promise.allSettled(this.#pendingFutures().map((future) => future.result()));
    await this.#engine.join();
  }

  /** The futures of the tasks not done yet (the engine keeps their sinks: no set of our own). */
  #pendingFutures(): Array<Future<unknown>> {
    const futures: Array<Future<unknown>> = [];
    for (const sink of this.#engine.pendingSinks())
      if (sink instanceof TaskSource && sink.future) futures.push(sink.future);
    return futures;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }
}

/**
 * A task of an executor: the sink of its outcome, which settles its future, and what the
 * future asks of the executor. One object per future, no closures.
 */
class TaskSource implements FutureSource, TaskSink {
  future: Future<unknown> | undefined;
  /** 0 until the task is sent, and when it could not be (its future fails). */
  id = 0;

  constructor(
    readonly engine: TaskEngine,
    /** For a map chunk, where its items start in the input (-1: a submit()). */
    readonly start: number,
    readonly length: number,
  ) {}

  resolve(value: unknown): void {
    settleFuture(this.future!, true, value);
  }

  reject(error: unknown): void {
    if (this.start >= 0) {
      placeResultError(error, this.start, this.length);
      if (error instanceof ChunkError) error = error.error;
    }
    settleFuture(this.future!, false, error);
  }

  withdraw(reason: unknown): boolean {
    return this.id !== 0 && this.engine.withdraw(this.id, reason);
  }

  isRunning(): boolean {
    return this.id !== 0 && this.engine.isStarted(this.id);
  }
}

/** ProcessPoolExecutor with worker threads; Python's default of min(32, cpuCount() + 4) workers. */
export class ThreadPoolExecutor extends ProcessPoolExecutor {
  protected override defaultWorkers(): number {
    return Math.min(32, cpuCount() + 4);
  }

  protected override defaultContext(): StartMethod {
    return 'thread';
  }

  /** Python's thread_name_prefix too: the workers' names start with it. */
  protected override optionNames(): string[] {
    return [...super.optionNames(), 'threadNamePrefix'];
  }
}

async function* results<R>(
  chunks: Promise<Array<Future<R[]>>>,
  deadline: number | undefined,
  timeout: number | undefined,
): AsyncGenerator<R> {
  const futures = await chunks;
  try {
    for (const future of futures) {
      let values: R[];
      try {
        values = await future.result(deadline === undefined ? undefined : Math.max(0, deadline - Date.now()));
      } catch (error) {
        if (error instanceof TimeoutError) throw new TimeoutError(`map() did not finish within ${timeout} ms`);
        throw error;
      }
      yield* values;
    }
  } finally {
    for (const future of futures) future.cancel();
  }
}
