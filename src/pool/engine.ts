// The machinery under Pool and the executors: long-lived workers (processes or threads)
// pulling tasks from one shared queue, as Python's multiprocessing.Pool.
//
//   parent                         shared memory                      workers
//   submit ── tasks (tagged) ─────▶ [task queue] ── tagged take ──▶ worker i: running[i] = id
//          └─ new functions ──────▶ [function table] (functions.ts)
//   pump ◀──────────── results ───── [result ring i] (results.ts) ◀── run, send the outcome
//        ◀──── large results ────── [result queue] ◀──────────────┘
//   worker i exits ──▶ fail running[i] (if no result came) ──▶ replace it, or break (executors)
//
// A take records the task's id in the worker's slot in the same locked step that removes it
// from the queue, so a worker that dies at any moment fails exactly the task it held, and no
// other task is lost or run twice. A task that has not been taken can be withdrawn.
import { availableParallelism, constants } from 'node:os';
import { ProcessError, SerializationError, TimeoutError } from '../errors.js';
import { Process } from '../process/process.js';
import { type StartMethod, type StartMethodOrContext, validateStartMethod } from '../process/start-method.js';
import { type Message, RecordBatch, type RecordReceiver } from '../queues/channel.js';
import { kChannel, queueWithRing } from '../queues/queue.js';
import { deserialize, deserializeSync, isPlain, NOT_SCALAR, scalarAt, taskRef } from '../serialize/index.js';
import { allocateInts, type SharedInts } from '../shm/arena.js';
import { Timer, validateTimeout } from '../util/deadline.js';
import { FunctionTable } from './functions.js';
import { ResultRings } from './results.js';
import { TaskTable } from './task-table.js';
import {
  ABANDONED,
  FAILED,
  type Failure,
  INIT_FAILED,
  MAX_TASK_ID,
  SINGLE,
  STARTING,
  type TaskKind,
  type TaskMessage,
  type WorkerSetup,
  writeTask,
} from './worker.js';

export interface EngineOptions {
  processes: number;
  context: StartMethod | undefined;
  initializer: ((...args: any[]) => unknown) | undefined;
  initargs: unknown[];
  /** Recycle a worker after this many tasks; 0: never. */
  maxtasks: number;
  /** Start workers as tasks arrive (executors) rather than all at once (Pool). */
  lazy: boolean;
  /** Names workers: `${prefix}-N`. */
  prefix: string;
  /**
   * A worker ended abruptly (not by close(), terminate() or a task's abort). 'replace' (Pool)
   * fails the task it held and starts another; 'break' (executors) fails every outstanding
   * task with the error `broken` makes and refuses new ones. An initializer that throws
   * breaks either kind (a replacement would fail the same way).
   */
  onCrash: 'replace' | 'break';
  broken?: (message: string) => ProcessError;
}

/**
 * What Pool and the executors validate alike (their option names differ: Pool's
 * `maxtasksperchild` is the executors' `maxTasksPerChild`).
 */
export function workerOptions(
  options: {
    context?: StartMethodOrContext | undefined;
    initializer?: unknown;
    initargs?: unknown;
    maxtasks?: unknown;
  },
  defaultContext: StartMethod | undefined,
  maxtasksName: string,
): Pick<EngineOptions, 'context' | 'initializer' | 'initargs' | 'maxtasks'> {
  const context = options.context === undefined ? defaultContext : validateStartMethod(options.context, 'context');
  // (null stands for Python's None: no initializer, no limit)
  const initializer = options.initializer ?? undefined;
  if (initializer !== undefined) checkFunction(initializer, 'initializer');
  const initargs = options.initargs ?? [];
  if (!Array.isArray(initargs)) throw new TypeError('initargs must be an array');
  const maxtasks = options.maxtasks == null ? 0 : validateCount(options.maxtasks, maxtasksName);
  return { context, initializer: initializer as EngineOptions['initializer'], initargs, maxtasks };
}

export function validateCount(value: unknown, what: string): number {
  if (typeof value !== 'number') {
    const got = value === null ? 'null' : typeof value === 'string' ? `the string '${value}'` : typeof value;
    throw new TypeError(`${what} must be a positive integer, got ${got}`);
  }
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function checkFunction(fn: unknown, what = 'a pool task'): void {
  if (typeof fn !== 'function') throw new TypeError(`${what} must be a function (or a taskRef), got ${typeof fn}`);
}

export interface SubmitOptions {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
}

/** Where a task's outcome goes: its promise's resolving functions, or a caller's sink. */
export interface TaskSink {
  /** `id`: the task's, so that one sink can take the outcomes of many tasks. */
  resolve(value: unknown, id: number): void;
  /** `id` is undefined when every outstanding task fails at once (the pool broke). */
  reject(error: unknown, id: number | undefined): void;
  /**
   * A sink of map chunks of one item that takes the item's result itself, not the chunk's
   * array of one.
   */
  readonly takesItem?: boolean;
}

/** The resolving functions of the promise just made with `capture`: no closure per task. */
let captured: TaskSink | undefined;
function capture(resolve: TaskSink['resolve'], reject: TaskSink['reject']): void {
  captured = { resolve, reject };
}

/**
 * The worker loop, named by module and export: found without asking V8's inspector where the
 * function lives (that costs ~40 ms the first time in a process). The path goes from the
 * package's top: the build moves this code into a shared chunk, one level deep too.
 */
const workerTarget = taskRef(new URL(`../pool/worker${import.meta.url.slice(-3)}`, import.meta.url), 'poolWorker');

/** The tasks watching a signal, behind one 'abort' listener however many tasks share it. */
interface AbortWatch {
  readonly listener: () => void;
  readonly watchers: Set<() => void>;
}
const abortWatches = new WeakMap<AbortSignal, AbortWatch>();

/** Calls `onAbort` when `signal` aborts; returns the function that stops watching. */
function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let watch = abortWatches.get(signal);
  if (!watch) {
    const watchers = new Set<() => void>();
    const listener = () => {
      abortWatches.delete(signal);
      for (const watcher of [...watchers]) watcher();
    };
    watch = { listener, watchers };
    abortWatches.set(signal, watch);
    signal.addEventListener('abort', listener, { once: true });
  }
  const current = watch;
  current.watchers.add(onAbort);
  return () => {
    current.watchers.delete(onAbort);
    if (current.watchers.size === 0 && abortWatches.get(signal) === current) {
      abortWatches.delete(signal);
      signal.removeEventListener('abort', current.listener);
    }
  };
}

/** Workers in a row that may die before they are ready before the pool gives up. */
const MAX_DEATHS_STARTING = 3;
/**
 * After this many workers have ended abruptly with no task, new workers no longer load the
 * table's functions while idle (a module that ends the process some time after its import
 * would otherwise end every replacement too).
 */
const MAX_DEATHS_IDLE = 3;

/** ' (SIGKILL)' for 9: the name of a signal number, for messages. */
function signalName(signal: number): string {
  const name = Object.entries(constants.signals).find(([, number]) => number === signal)?.[0];
  return name ? ` (${name})` : '';
}

/** Tag of the sentinel that tells a worker to exit (close()). */
const SENTINEL_TAG = -1;
const CPUS = availableParallelism();
/** Results taken from the queue under one hold of its lock. */
const RESULTS_AT_ONCE = 256;
/** Tasks collected in one synchronous run are sent at its end, or as soon as they are this large. */
const EARLY_FLUSH_BYTES = 32 * 1024;
/**
 * The rings of a pool's task and result queues: the chunks of a first large map (results of
 * 12 500 numbers are 100 KB) go through them, not through a new segment each. Pages of the
 * ring are only resident once a message has been copied through them.
 */
const POOL_RING = 512 * 1024;

/** An error from one item of a chunk, with the item's position in the chunk. */
export class ChunkError {
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

/**
 * A chunk's result that could not be sent is named by its path in what the worker sent: the
 * chunk's list of results ("the task's result (at [1].f)"), or for a chunk of one, the item's
 * own result ("(at .f)"). In the map's terms the item is the input's [start + k]: say so.
 * (An item's own error comes as a ChunkError, and is left as it is: a task that ran a map of
 * its own may throw that map's message.)
 */
export function placeResultError(error: unknown, start: number, length: number): void {
  if (!(error instanceof SerializationError)) return;
  error.message = error.message.replace(/^the task's result(?: \(at ([^\s:]*)\))?/, (_all, path?: string) => {
    const at =
      length === 1
        ? `[${start}]${path ?? ''}`
        : (path ?? '').replace(/^\[(\d+)\]/, (_bracket, k: string) => `[${start + Number(k)}]`);
    return `the task's result (at ${at})`;
  });
}

export class TaskEngine {
  readonly #options: EngineOptions;
  readonly #tasks = queueWithRing<TaskMessage | null>(POOL_RING);
  readonly #results = queueWithRing<unknown>(POOL_RING);
  readonly #running: Int32Array;
  /** Per worker: 1 while it spins waiting for a task (see maySpin in worker.ts). */
  readonly #spinning: Int32Array;
  readonly #runningName: SharedInts;
  readonly #functions: FunctionTable;
  readonly #resultRings: ResultRings;
  readonly #workers: Array<Process | undefined>;
  readonly #pending = new TaskTable<TaskSink>();
  #started = 0;
  #nextId = 1;
  #workerCounter = 0;
  #state: 'run' | 'close' | 'terminate' | 'broken' = 'run';
  #brokenError: ProcessError | undefined;
  #pumping = false;
  #kick: (() => void) | undefined;
  /** Tasks submitted in this synchronous run, not yet in the task queue (see submit()). */
  readonly #outbox = new RecordBatch();
  #released = false;
  /** Worker exits being handled (a replacement may still start). */
  #exiting = 0;
  /** Outcomes being decoded after an import, by task id. */
  readonly #decoding = new Map<number, Promise<void>>();
  /** Workers in a row that exited before they were ready. */
  #diedStarting = 0;
  /** Workers that ended abruptly while they had no task (see MAX_DEATHS_IDLE). */
  #diedIdle = 0;
  /** Calls accepted before close() that are still reading their input: see hold(). */
  readonly #holds = new Set<() => void>();

  constructor(options: EngineOptions) {
    this.#options = options;
    // (each worker's running task, then each worker's spinning flag)
    const running = allocateInts(2 * options.processes);
    this.#runningName = running.name;
    this.#running = running.array.subarray(0, options.processes);
    this.#spinning = running.array.subarray(options.processes);
    this.#workers = new Array(options.processes).fill(undefined);
    this.#functions = new FunctionTable();
    this.#resultRings = new ResultRings(options.processes);
    if (!options.lazy) for (let i = 0; i < options.processes; i++) this.#startWorker(i);
  }

  get state(): 'run' | 'close' | 'terminate' | 'broken' {
    return this.#state;
  }

  /** The live workers. */
  get workers(): Process[] {
    return this.#workers.filter((w): w is Process => w !== undefined);
  }

  #startWorker(slot: number): void {
    const { context, initializer, initargs, maxtasks, prefix } = this.#options;
    const setup: WorkerSetup = {
      tasks: this.#tasks,
      results: this.#results,
      running: this.#runningName,
      functions: this.#functions.name,
      resultRings: this.#resultRings.name,
      loadAhead: this.#diedIdle < MAX_DEATHS_IDLE,
      slot,
      initializer,
      initargs,
      maxtasks,
    };
    Atomics.store(this.#running, slot, STARTING);
    const worker = new Process({
      target: workerTarget,
      args: [setup],
      daemon: true,
      name: `${prefix}-${++this.#workerCounter}`,
      context,
    });
    worker.start();
    this.#workers[slot] = worker;
    this.#started = Math.max(this.#started, slot + 1);
    void worker.sentinel.then(() => this.#onWorkerExit(slot, worker));
  }

  /** Lazy engines: one more worker when every started one may be busy. */
  #grow(): void {
    if (this.#started >= this.#options.processes || this.#pending.size <= this.#started) return;
    this.#startWorker(this.#started);
  }

  /** A worker ended: fail the task it held (unless its result came), replace it if needed. */
  async #onWorkerExit(slot: number, worker: Process): Promise<void> {
    if (this.#workers[slot] !== worker) return;
    this.#workers[slot] = undefined;
    this.#exiting++;
    try {
      await this.#handleExit(slot, worker);
    } finally {
      this.#exiting--;
    }
  }

  async #handleExit(slot: number, worker: Process): Promise<void> {
    // A worker ended by terminate() or an abort may have held a queue's lock. For a thread
    // only we can tell; for a process, a waiter would find out within a second and warn
    // about a lock the user never made: release it now, quietly.
    for (const queue of [this.#tasks, this.#results]) {
      if (this.#options.context === 'thread') {
        if (worker.ident !== undefined) queue[kChannel].releaseForDeadThread(worker.ident);
      } else if (worker.pid !== undefined) queue[kChannel].releaseForDeadProcess(worker.pid);
    }
    if (this.#state === 'terminate' || this.#state === 'broken') return;
    await this.#drainResults();
    if (this.state === 'broken') return; // its initializer failed
    let held = Atomics.load(this.#running, slot);
    Atomics.store(this.#running, slot, 0);
    Atomics.store(this.#spinning, slot, 0); // (killed while spinning: it spins no more)
    if (held === SENTINEL_TAG) return; // it took its close() sentinel and left
    const abandoned = held === ABANDONED; // its task was aborted or timed out: already rejected
    const starting = held === STARTING;
    if (abandoned || starting) held = 0;
    const code = worker.exitcode ?? 0;
    const crashed = held > 0 || (code !== 0 && !abandoned);
    if (!crashed && this.#state === 'close' && this.#tasks.qsize() === 0 && this.#holds.size === 0) return;
    const how = code < 0 ? `was killed by signal ${-code}${signalName(-code)}` : `exited with code ${code}`;
    const where = `the pool worker ${worker.name} (pid ${worker.pid}) ${how}`;
    // Workers that die before they are ready (their initializer exits, the program's module
    // fails to load) would be replaced for ever, as Python's are: a few in a row break the pool.
    this.#diedStarting = starting ? this.#diedStarting + 1 : 0;
    // (a worker ends by itself with no task only after maxtasks; any other such end counts;
    // a task whose outcome came was over, even if the worker had not cleared its slot yet)
    const idle = held === 0 || !this.#pending.has(held);
    if (idle && !starting && !abandoned && (code !== 0 || this.#options.maxtasks === 0)) this.#diedIdle++;
    if (this.#diedStarting >= MAX_DEATHS_STARTING) {
      const message = `${where} before it was ready to take tasks (in its initializer, or loading modules: see any error printed above), as did the ${MAX_DEATHS_STARTING - 1} before it; the pool takes no more tasks`;
      this.#break(this.#options.broken?.(message) ?? new ProcessError(message));
      return;
    }
    if (crashed && this.#options.onCrash === 'break' && this.#options.broken) {
      const what = held > 0 ? 'while running a task' : 'while idle';
      this.#break(this.#options.broken(`${where} ${what}; the pool is broken and takes no more tasks`));
      return;
    }
    if (held > 0) this.#settle(held, false, new ProcessError(`${where} while running this task`));
    if (this.#state === 'run' || this.#tasks.qsize() > 0 || this.#holds.size > 0) this.#startWorker(slot);
  }

  /** Executors: every outstanding task fails, the other workers are stopped. */
  #break(error: ProcessError, cause?: unknown): void {
    if (this.#state === 'broken' || this.#state === 'terminate') return;
    if (cause !== undefined)
      Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
    this.#state = 'broken';
    this.#brokenError = error;
    this.#failAll(error);
    for (const worker of this.workers) worker.terminate();
  }

  #failAll(error: ProcessError): void {
    this.#tasks[kChannel].discard(this.#outbox);
    const pending = this.#pending.values();
    this.#pending.clear();
    this.#checkIdle();
    for (const task of pending) task.reject(error, undefined);
  }

  /** Reads what is on the result queue now (a dead worker's last outcome may be there). */
  async #drainResults(): Promise<void> {
    while (this.#takeResults() > 0);
    // Outcomes that wait for an import are in too (an initializer's error, say) before the exit
    // is judged.
    await Promise.allSettled(this.#decoding.values());
  }

  /** Takes the results there are now, from the workers' rings and then the queue: how many. */
  #takeResults(): number {
    return this.#resultRings.drain(this.#receiver) + this.#results[kChannel].takeMany(RESULTS_AT_ONCE, this.#receiver);
  }

  /** Where results go as the pump takes them (a scalar is read where it lies: no view each). */
  readonly #receiver: RecordReceiver = {
    record: (span, start, end, tag) => {
      const value = tag > 0 && (tag & FAILED) === 0 ? scalarAt(span, start, end) : NOT_SCALAR;
      if (value === NOT_SCALAR) this.#receive({ bytes: span.subarray(start, end), raw: false }, tag);
      else if (tag & SINGLE) this.#settle(tag & MAX_TASK_ID, true, value, undefined, true);
      else this.#settle(tag, true, value);
    },
    message: (message, tag) => this.#receive(message, tag),
  };

  /**
   * Decodes an outcome; one that cannot be decoded here fails its task. The record's tag is
   * the task's id, with the FAILED bit for a failure (whose value is a Failure) and the
   * SINGLE bit for the result of a map chunk of one item.
   */
  #receive(message: Message, tag: number): void {
    const failed = tag < 0 || (tag & FAILED) !== 0;
    const id = tag < 0 ? tag : tag & MAX_TASK_ID;
    // Plain results (the usual case) are read and dispatched synchronously: no tick each.
    // Others may need an import first: the rest go on meanwhile (an import that waits for
    // the program's top-level await must not hold up every other task's result).
    let value: unknown;
    try {
      value = isPlain(message.bytes) ? deserializeSync(message.bytes) : deserialize(message.bytes);
    } catch (error) {
      this.#settle(id, false, error);
      return;
    } finally {
      message.release?.(); // (deserialize has read the bytes when it returns)
    }
    const single = tag > 0 && (tag & SINGLE) !== 0;
    if (!(value instanceof Promise)) {
      this.#dispatch(id, failed, value, single);
      return;
    }
    const decoding = value.then(
      (decoded) => this.#dispatch(id, failed, decoded, single),
      (error: unknown) => this.#settle(id, false, error),
    );
    this.#decoding.set(id, decoding);
    void decoding.finally(() => this.#decoding.delete(id));
  }

  /** `single`: the result of a map chunk of one item (see #settle). */
  #dispatch(id: number, failed: boolean, value: unknown, single: boolean): void {
    if (!failed) {
      this.#settle(id, true, value, undefined, single);
      return;
    }
    const { error, at } = value as Failure;
    if (id === INIT_FAILED) {
      const cause = error as Error;
      const message = `the pool's initializer threw in a worker (${cause?.name}: ${cause?.message}); the pool takes no more tasks`;
      this.#break(this.#options.broken?.(message) ?? new ProcessError(message), cause);
      return;
    }
    this.#settle(id, false, error, at);
  }

  /**
   * `single`: the result of a map chunk of one item, which is the chunk's array of one unless
   * the sink takes the item's result itself.
   */
  #settle(id: number, ok: boolean, value: unknown, at?: number, single = false): void {
    const pending = this.#pending.get(id);
    if (!pending) return; // aborted, timed out or terminated meanwhile
    this.#pending.delete(id);
    this.#checkIdle();
    if (ok) pending.resolve(single && !pending.takesItem ? [value] : value, id);
    else pending.reject(at === undefined ? value : new ChunkError(value, at), id);
  }

  /**
   * The one reader of results, for the engine's whole life. It keeps the event loop alive
   * only while tasks are outstanding (an idle pool lets the program exit); a submit kicks
   * an idle wait so that the next one is a referenced one.
   */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    const channel = this.#results[kChannel];
    const wakeup: { fire?: (() => void) | undefined } = {};
    this.#kick = () => wakeup.fire?.();
    let yielded = false;
    try {
      while (this.#state !== 'terminate' && this.#state !== 'broken') {
        const seq = channel.seq('get');
        if (this.#takeResults() > 0) {
          yielded = false;
          continue;
        }
        // (a result being decoded is not waited for here: an import stuck behind the program's
        // top-level await must leave the event loop free, so that 'beforeExit' can report it)
        const busy = this.#pending.size > this.#decoding.size;
        if (!busy && this.#state === 'close' && this.workers.length === 0) return;
        if (!busy && !yielded) {
          // Idle: let the callbacks of the results just dispatched run first. A program that
          // awaits each result submits its next task from one of them, and then the wait
          // below is a busy one (which may spin) instead of an idle sleep woken at once.
          yielded = true;
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        wakeup.fire = undefined;
        // Spinning for a result pays when a CPU is free; with every CPU running a task, it
        // would only take time from them.
        const spin = Math.min(this.#pending.size, this.workers.length) < CPUS;
        await channel.waitAsync('get', seq, undefined, undefined, { ref: busy, spin, wakeup });
      }
    } finally {
      this.#pumping = false;
      this.#kick = undefined;
    }
  }

  /** Called when tasks leave #pending: an idle pump must stop holding the event loop. */
  #checkIdle(): void {
    if (this.#pending.size === 0) this.#kick?.();
  }

  /** Throws unless new tasks are accepted. */
  checkRunning(): void {
    if (this.#state === 'run') return;
    if (this.#state === 'broken') throw this.#brokenError!;
    throw new ProcessError(
      `the pool is ${this.#state === 'close' ? 'closed' : 'terminated'}; no new tasks can be submitted`,
    );
  }

  /**
   * Sends one task; the promise settles with its outcome. Serialization errors throw here.
   * map/starmap tasks reject with a ChunkError giving the failing item.
   */
  submit(
    kind: TaskKind,
    fn: (...args: any[]) => unknown,
    args: unknown[],
    options?: SubmitOptions,
    held = false,
  ): Promise<unknown> {
    if (!held || this.#state !== 'close') this.checkRunning();
    const signal = options?.signal;
    const timeout = options?.timeout;
    if (timeout !== undefined) validateTimeout(timeout);
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`signal must be an AbortSignal (from an AbortController), got ${typeof signal}`);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#write(kind, fn, args);
    // (pending before it is sent: a flush that fails settles it)
    const promise = new Promise<unknown>(capture);
    this.#enqueue(id, captured!);
    if (!signal && timeout === undefined) return promise;
    return this.#guard(id, promise, signal, timeout);
  }

  /**
   * submit() for a caller that takes the outcome itself (the chunks of a map): `sink`'s
   * resolve or reject gets it, and no promise is made per task. No signal, no timeout.
   * Returns the task's id.
   */
  submitTo(kind: TaskKind, fn: (...args: any[]) => unknown, args: unknown[], sink: TaskSink, held = false): number {
    if (!held || this.#state !== 'close') this.checkRunning();
    const id = this.#write(kind, fn, args);
    this.#enqueue(id, sink);
    return id;
  }

  #takeId(): number {
    const id = this.#nextId;
    this.#nextId = id === MAX_TASK_ID ? 1 : id + 1; // (ids wrap: they travel as int32 tags)
    return id;
  }

  /** Writes a task into the outbox under a new id. */
  #write(kind: TaskKind, fn: (...args: any[]) => unknown, args: unknown[]): number {
    const id = this.#takeId();
    try {
      writeTask(this.#tasks[kChannel], this.#outbox, this.#functions, id, kind, fn, args);
    } catch (error) {
      // Name the part of the call at fault, not the internal message's field.
      if (error instanceof SerializationError) {
        error.message = error.message.replace(/^value\[(\d+)\]/, (_, i) =>
          kind === 'apply' ? `argument ${i}` : 'an item',
        );
      }
      throw error;
    }
    return id;
  }

  /** The task just written is outstanding: it goes out with the others of this run. */
  #enqueue(id: number, pending: TaskSink): void {
    this.#pending.set(id, pending);
    // Tasks submitted in one synchronous run (a loop of apply()s, the chunks of a map) go
    // into the queue together, under one lock and with one wake-up, at the end of it.
    // A run that has collected enough work for a while goes now: workers start on the first
    // chunks of a large map while the rest are still being serialized here.
    if (this.#outbox.length >= EARLY_FLUSH_BYTES) this.#flush();
    else if (this.#outbox.count === 1) queueMicrotask(() => this.#flush());
    if (this.#options.lazy) this.#grow();
    if (this.#pending.size === 1) this.#kick?.(); // an idle wait becomes a referenced one
    if (!this.#pumping) void this.#pump(); // (an async call costs a promise even when it returns at once)
  }

  /** Puts what submit() collected into the task queue. */
  #flush(): void {
    const batch = this.#outbox;
    if (batch.count === 0) return;
    try {
      this.#tasks[kChannel].putBatch(batch);
    } catch (error) {
      // The queue could not take them (it cannot grow further, say): they fail, nothing hangs.
      const tags = batch.tags();
      this.#tasks[kChannel].discard(batch);
      for (const tag of tags) this.#settle(tag, false, error);
    }
  }

  /** Takes a task back from the outbox or the queue; false when a worker already has it. */
  #takeBack(id: number): boolean {
    const tasks = this.#tasks[kChannel];
    return tasks.withdrawFrom(this.#outbox, id) || tasks.withdraw(id);
  }

  /** The sinks of the tasks not done yet, in the order they were submitted (mostly). */
  pendingSinks(): TaskSink[] {
    return this.#pending.values();
  }

  /** Takes back a task no worker has taken yet: true when it will never run. */
  withdraw(id: number, reason: unknown): boolean {
    if (!this.#pending.has(id) || !this.#takeBack(id)) return false;
    const pending = this.#pending.get(id)!;
    this.#pending.delete(id);
    this.#checkIdle();
    pending.reject(reason, id);
    return true;
  }

  /** True while a worker runs the task. */
  isRunning(id: number): boolean {
    return Array.prototype.indexOf.call(this.#running, id) >= 0;
  }

  /**
   * True once a worker has taken the task: also after it cleared its slot, while the outcome
   * is on its way (a future goes from running to done, as Python's, never back to pending).
   */
  isStarted(id: number): boolean {
    if (!this.#pending.has(id) || this.isRunning(id)) return true;
    return !this.#outbox.has(id) && !this.#tasks[kChannel].holds(id);
  }

  /** Aborts or times out a task: rejects it, and ends its worker if it is running. */
  #guard(id: number, promise: Promise<unknown>, signal: AbortSignal | undefined, timeout: number | undefined) {
    return new Promise<unknown>((resolve, reject) => {
      let timer: Timer | undefined;
      const stop = (reason: unknown) => {
        if (!this.#pending.has(id)) return;
        this.#pending.delete(id);
        // Still queued: take it back. Otherwise a worker took it (its slot says which, under
        // the same lock), so end that worker; #onWorkerExit replaces it.
        if (!this.#takeBack(id)) {
          // Only if the worker still runs this very task: marked abandoned in one step, so a
          // worker that has just finished it takes nothing more and no other task dies with it.
          const slot = Array.prototype.indexOf.call(this.#running, id);
          if (slot >= 0 && Atomics.compareExchange(this.#running, slot, id, ABANDONED) === id) {
            this.#workers[slot]?.kill();
          }
        }
        this.#checkIdle();
        reject(reason);
      };
      const onAbort = () => stop(signal!.reason);
      if (timeout !== undefined) {
        timer = new Timer(() => stop(new TimeoutError(`the task did not finish within ${timeout} ms`)), timeout);
      }
      const unwatch = signal ? watchAbort(signal, onAbort) : undefined;
      promise.then(resolve, reject).finally(() => {
        timer?.clear();
        unwatch?.();
      });
    });
  }

  /**
   * Holds the pool open for a call accepted now whose tasks are still to come (a map reading
   * an async iterable, an imap reading its input lazily): as Python's, a call made before
   * close() runs to its end. Its tasks go with submit(…, held = true), also after close();
   * the workers are told to exit only once every hold is released. `onClose` runs at close()
   * (imap then reads the rest of its input at once). Returns the release.
   */
  hold(onClose?: () => void): () => void {
    this.checkRunning();
    const notify = onClose ?? (() => {});
    this.#holds.add(notify);
    return () => {
      if (this.#holds.delete(notify) && this.#holds.size === 0 && this.#state === 'close') this.#sendSentinels();
    };
  }

  /** No new tasks; workers exit once the queue is drained and the held calls are in. */
  close(): void {
    if (this.#state !== 'run') return;
    this.#state = 'close';
    if (this.#holds.size > 0) {
      for (const onClose of [...this.#holds]) onClose();
      if (this.#holds.size > 0) return; // the last release sends the sentinels
    }
    this.#sendSentinels();
  }

  #sendSentinels(): void {
    this.#flush(); // the tasks go before the sentinels
    const sentinel = new Uint8Array(0);
    // One per slot ever started (lazy engines may not have started them all).
    for (let i = 0; i < this.#started; i++) this.#tasks[kChannel].tryPut(sentinel, false, SENTINEL_TAG);
  }

  /** Stops the workers now; outstanding tasks reject with `error`. */
  async terminate(error: ProcessError): Promise<void> {
    if (this.#state !== 'terminate') {
      if (this.#state !== 'broken') this.#state = 'terminate';
      this.#failAll(error);
    }
    const workers = this.workers;
    for (const worker of workers) worker.terminate();
    await Promise.all(workers.map((worker) => worker.join()));
    await this.join(); // their exits handled, the segments released
  }

  /** Every worker has exited and no task can be submitted: the queues' segments can go now. */
  #releaseSegments(): void {
    if (this.#released || this.workers.length > 0 || this.#exiting > 0) return;
    this.#released = true;
    this.#tasks[kChannel].unlinkSegments();
    this.#results[kChannel].unlinkSegments();
    this.#functions.unlink();
    this.#resultRings.unlink();
  }

  /** Waits for every worker to exit. */
  async join(): Promise<void> {
    for (;;) {
      const workers = this.workers;
      if (workers.length === 0 && this.#exiting === 0) {
        this.#releaseSegments();
        return;
      }
      await Promise.all(workers.map((worker) => worker.join()));
      await new Promise((resolve) => setImmediate(resolve)); // let replacements register
    }
  }
}
