// The loop a Pool worker runs: take a task from the shared task queue, note its id in this
// worker's slot (so the parent knows which task died with it), run it, send the outcome back.
import { availableParallelism } from 'node:os';
import { SerializationError } from '../errors.js';
import { type Channel, LARGE_MESSAGE, type RecordBatch, type RecordTag } from '../queues/channel.js';
import { kChannel, type Queue } from '../queues/queue.js';
import { copyPlain, plainLength, plainNumberLength, writePlainNumber } from '../serialize/codec.js';
import {
  deserialize,
  deserializeNumbers,
  deserializeOneNumber,
  deserializeSync,
  isPlain,
  serialize,
  serializeFloats,
} from '../serialize/index.js';
import { attachInts, type SharedInts } from '../shm/arena.js';
import { putUint32 } from '../util/bytes.js';
import { type FunctionTable, FunctionTableReader } from './functions.js';
import { type ResultRingsName, ResultWriter } from './results.js';

/** The id of the outcome a worker sends when the pool's initializer threw. */
export const INIT_FAILED = -2;
/**
 * An outcome on the wire is the serialized result, or `{ error, at }` for a failure; its
 * record's tag is the task's id, with this bit set for a failure (ids stay below it).
 */
export const FAILED = 0x40000000;
/**
 * Set on the tag of the result of a map chunk of one item, sent as that item's result (the
 * parent makes the chunk's array): a chunk of one costs what an apply() does.
 */
export const SINGLE = 0x20000000;
export const MAX_TASK_ID = SINGLE - 1;

export type TaskKind = 'apply' | 'map' | 'starmap';

export interface TaskMessage {
  id: number;
  kind: TaskKind;
  fn: (...args: any[]) => unknown;
  /** apply: the arguments; map/starmap: the chunk's items (a typed array for numbers). */
  args: unknown[] | Int32Array | Float64Array;
}

/** A failure on the wire: the error, and for a chunk the index of the item that failed. */
export interface Failure {
  error: unknown;
  at?: number | undefined;
}

export interface WorkerSetup {
  tasks: Queue<TaskMessage | null>;
  results: Queue<unknown>;
  /**
   * Int32 slots, two per worker: first the id of the task each worker is running (0 when
   * idle), then whether each one spins waiting for a task (named plainly: a worker attaches
   * without loading the shared-array classes).
   */
  running: SharedInts;
  /** The name of the pool's function table (see functions.ts). */
  functions: string;
  /** The pool's result rings: this worker writes into the one of its slot. */
  resultRings: ResultRingsName;
  /** Whether to load the table's functions while idle (see reviveNewFunctions). */
  loadAhead: boolean;
  slot: number;
  initializer: ((...args: any[]) => unknown) | undefined;
  initargs: unknown[];
  maxtasks: number;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === 'object' || typeof value === 'function') &&
  typeof (value as PromiseLike<unknown>).then === 'function';

/** An item of a chunk threw: the error and the item's index. */
class ItemFailure {
  constructor(
    readonly error: unknown,
    readonly at: number,
  ) {}
}

/**
 * Runs fn over items[start…] into values, up to the end or to the first result that is a
 * promise (left in values, its index returned). A plain synchronous loop, so that V8 can
 * optimize it while it runs (the first large chunk would otherwise run interpreted).
 */
function runItems(
  fn: (...args: any[]) => unknown,
  items: ArrayLike<unknown>,
  spread: boolean,
  values: unknown[],
  start: number,
): number {
  let i = start;
  try {
    for (; i < items.length; i++) {
      const value = spread ? fn(...(items[i] as unknown[])) : fn(items[i]);
      values[i] = value;
      if ((typeof value === 'object' || typeof value === 'function') && isThenable(value)) return i;
    }
  } catch (error) {
    throw new ItemFailure(error, i);
  }
  return i;
}

/** What runNumbers() stopped at when a result was not a number. */
let notANumber: unknown;

/**
 * runItems() for a chunk whose results are numbers, as long as they are: into a Float64Array,
 * sent as one block of numbers (no second pass to see that they are). Returns the index of
 * the first result that is not a number (left in notANumber), or the chunk's length.
 */
function runNumbers(fn: (x: unknown) => unknown, items: ArrayLike<unknown>, numbers: Float64Array): number {
  let i = 0;
  try {
    for (; i < items.length; i++) {
      const value = fn(items[i]);
      if (typeof value !== 'number') {
        notANumber = value;
        return i;
      }
      numbers[i] = value;
    }
  } catch (error) {
    throw new ItemFailure(error, i);
  }
  return i;
}

/** Runs a map/starmap chunk: its results, or the failure of the first item that failed. */
async function runChunk(task: TaskMessage, results: Queue<unknown>): Promise<void> {
  const { fn, args: items } = task;
  const spread = task.kind === 'starmap';
  let values: unknown[] = [];
  let i = 0;
  try {
    if (!spread) {
      const numbers = new Float64Array(items.length);
      i = runNumbers(fn, items, numbers);
      if (i === items.length) {
        post(results, task.id, serializeFloats(numbers));
        return;
      }
      values = new Array(items.length);
      // A result that is not a number: the numbers so far go into the array, then on as below.
      for (let k = 0; k < i; k++) values[k] = numbers[k];
      const value = notANumber;
      notANumber = undefined;
      values[i] = isThenable(value) ? await value : value;
      i++;
    }
    if (spread) values = new Array(items.length);
    // Awaited only where a result is a promise: a chunk of plain results runs without a tick.
    while ((i = runItems(fn, items, spread, values, i)) < items.length) {
      values[i] = await values[i];
      i++;
    }
  } catch (error) {
    if (error instanceof ItemFailure) send(results, task.id, false, error.error, error.at);
    else send(results, task.id, false, error, i);
    return;
  }
  send(results, task.id, true, values);
}

/**
 * Puts an outcome on the result queue, tagged with its task's id (the parent can fail the
 * right task even if it cannot decode the outcome). No envelope object: a plain result
 * travels as itself (a number as 9 bytes).
 */
function send(results: Queue<unknown>, id: number, ok: boolean, value: unknown, at?: number): void {
  if (ok && typeof value === 'number' && resultRing?.tryWriteNumber(id, value)) {
    results[kChannel].announce();
    return;
  }
  let data: Uint8Array;
  let failed = !ok;
  try {
    data = ok ? serialize(value) : serialize({ error: value, at } satisfies Failure);
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    // Say which part of the outcome could not be sent, in the user's terms.
    error.message = error.message.replace(/^value(\.error\b)?([^\s:]*)(?=:| )/, (_, inError, path) => {
      const what = ok ? "the task's result" : "the task's error";
      const at = ok ? `${inError ?? ''}${path}` : path;
      return at ? `${what} (at ${at})` : what;
    });
    const sendable = ok ? undefined : sendableError(value);
    data = serialize({ error: sendable ?? error, at: sendable ? at : undefined } satisfies Failure);
    failed = true;
  }
  post(results, failed && id > 0 ? id | FAILED : id, data);
}

/**
 * A task's error that cannot be sent as it is (a property holds a stream, a closure): the same
 * class, message and stack, with the properties that can be sent; the others are named in
 * `notSent`. (Python sends a MaybeEncodingError instead, which loses the class.)
 */
function sendableError(error: unknown): Error | undefined {
  if (!(error instanceof Error)) return undefined;
  const copy = new Error(error.message);
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error));
  const notSent: string[] = [];
  for (const key of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
    if (!('value' in descriptor)) continue; // (an accessor: nothing to send)
    try {
      serialize(descriptor.value);
      Object.defineProperty(copy, key, descriptor);
    } catch {
      notSent.push(key);
    }
  }
  Object.defineProperty(copy, 'notSent', { value: notSent, enumerable: true, configurable: true, writable: true });
  try {
    serialize(copy);
    return copy;
  } catch {
    return undefined;
  }
}

/** This worker's result ring (see results.ts). */
let resultRing: ResultWriter | undefined;

function post(results: Queue<unknown>, tag: number, data: Uint8Array): void {
  const channel = results[kChannel];
  if (resultRing?.tryWrite(tag, data)) channel.announce();
  else channel.tryPut(data, false, tag); // unbounded: always succeeds
}

/** Set in a worker's slot by the parent when it abandons the task there (abort, timeout). */
export const ABANDONED = -3;

/** A worker's slot from its start until its initializer has run: it has not taken anything yet. */
export const STARTING = -4;

/**
 * The task is done: clear the slot, unless the parent abandoned the task meanwhile (it is
 * ending this worker): then take nothing more, so that no other task dies with us.
 */
function finish(running: Int32Array, slot: number, id: number): boolean {
  return Atomics.compareExchange(running, slot, id, 0) === id;
}

/**
 * A task on the wire: [i32 id][u8 kind][u32 where the function is][the function][the
 * arguments]. A function is serialized once per function object; its bytes go into the
 * pool's function table, and a task names it by its entry's offset (the kind's top bit set,
 * no function bytes in the task); one that does not fit in the table travels in each task
 * (the u32 is then its length). The worker revives each function once (it keeps a cache).
 * A chunk's items are serialized on their own, straight to the serializer. An empty record
 * is the sentinel of close().
 */
const KINDS: TaskKind[] = ['apply', 'map', 'starmap'];
const IN_TABLE = 0x80;
const sentFunctions = new WeakMap<Function, Uint8Array>();
const NO_BYTES: Uint8Array = new Uint8Array(0);
const receivedFunctions = new Map<string, (...args: any[]) => unknown>();
const latin1 = (Buffer.prototype as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice;

/**
 * Serializes a task into a record of `batch` (one copy, no buffer of its own when its
 * arguments are plain data); a SerializationError names the function or argument at fault,
 * and leaves the batch as it was.
 */
export function writeTask(
  channel: Channel,
  batch: RecordBatch,
  table: FunctionTable,
  id: number,
  kind: TaskKind,
  fn: (...args: any[]) => unknown,
  args: unknown[],
): void {
  let offset = table.lookup(fn);
  let fnBytes = NO_BYTES;
  if (offset === undefined || offset === 0) {
    // (new to the table, or too large for it: its bytes, serialized once per function object)
    let bytes = sentFunctions.get(fn);
    if (!bytes) {
      bytes = serialize(fn, 'the task function');
      sentFunctions.set(fn, bytes);
    }
    fnBytes = bytes;
    offset ??= table.add(fn, fnBytes);
  }
  const header = offset > 0 ? 9 : 9 + fnBytes.length;
  const only = args[0];
  if (args.length === 1 && typeof only === 'number' && header < LARGE_MESSAGE / 2) {
    // One number: the commonest tiny task (a map of numbers, chunksize 1), without the walk.
    const at = batch.reserve(header + plainNumberLength(only), id);
    const image = batch.image;
    writeTaskHeader(image, at, id, kind, fnBytes, offset);
    writePlainNumber(image, at + header, only);
    return;
  }
  const length = plainLength(args, header);
  if (length < 0 || channel.isLarge(header + length)) {
    // Not plain data, or large: serialized on its own (behind room for the header).
    const data = serialize(args, 'value', header);
    writeTaskHeader(data, 0, id, kind, fnBytes, offset);
    channel.addTo(batch, data, id);
    return;
  }
  const at = batch.reserve(header + length, id);
  const image = batch.image;
  writeTaskHeader(image, at, id, kind, fnBytes, offset);
  copyPlain(image, at + header);
}

function writeTaskHeader(
  data: Buffer,
  at: number,
  id: number,
  kind: TaskKind,
  fnBytes: Uint8Array,
  offset: number,
): void {
  putUint32(data, at, id);
  const code = kind === 'apply' ? 0 : kind === 'map' ? 1 : 2;
  if (offset > 0) {
    data[at + 4] = code | IN_TABLE;
    putUint32(data, at + 5, offset);
    return;
  }
  data[at + 4] = code;
  putUint32(data, at + 5, fnBytes.length);
  data.set(fnBytes, at + 9);
}

/** The last function received, by its bytes: most tasks run the same one as the task before. */
let lastFunction: { bytes: Buffer; fn: (...args: any[]) => unknown } | undefined;
/** The pool's function table, and its functions revived here, by offset. */
let functionTable: FunctionTableReader | undefined;
const tableFunctions = new Map<number, (...args: any[]) => unknown>();

function cachedFunction(bytes: Uint8Array): ((...args: any[]) => unknown) | undefined {
  if (lastFunction?.bytes.equals(bytes)) return lastFunction.fn;
  const fn = receivedFunctions.get(latin1.call(bytes, 0, bytes.length));
  if (fn) lastFunction = { bytes: Buffer.from(bytes), fn };
  return fn;
}

async function loadFunction(bytes: Uint8Array): Promise<(...args: any[]) => unknown> {
  const fn = await deserialize<(...args: any[]) => unknown>(bytes);
  if (receivedFunctions.size >= 1000) receivedFunctions.clear(); // bounded: many one-off lambdas
  receivedFunctions.set(latin1.call(bytes, 0, bytes.length), fn);
  lastFunction = { bytes: Buffer.from(bytes), fn };
  return fn;
}

/**
 * A task from bytes[0…length), decoded without a tick when its function is known and its
 * arguments plain.
 */
function decodeTask(bytes: Uint8Array, length: number): TaskMessage | null | Promise<TaskMessage | null> {
  if (length === 0) return null;
  // (byte by byte: a DataView per task costs more than these reads)
  const id = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24);
  const code = bytes[4]!;
  const kind = KINDS[code & ~IN_TABLE]!;
  const where = (bytes[5]! | (bytes[6]! << 8) | (bytes[7]! << 16) | (bytes[8]! << 24)) >>> 0;
  let fn: ((...args: any[]) => unknown) | undefined;
  let fnBytes: Uint8Array;
  let start: number;
  if (code & IN_TABLE) {
    fn = tableFunctions.get(where);
    fnBytes = fn ? NO_BYTES : functionTable!.entry(where);
    start = 9;
  } else {
    fnBytes = bytes.subarray(9, 9 + where);
    start = 9 + where;
  }
  if (!fn && (fn = cachedFunction(fnBytes)) && code & IN_TABLE) learned(where, fn);
  if (fn && isPlain(bytes, start)) {
    // A chunk of numbers runs straight from a typed array: no array to build item by item.
    const numbers = kind === 'map' ? deserializeNumbers(bytes, start) : undefined;
    const args =
      numbers ?? deserializeOneNumber(bytes, start, length) ?? deserializeSync<unknown[]>(bytes, start, length);
    return { id, kind, fn, args };
  }
  const argBytes = bytes.subarray(start, length);
  return (async () => {
    let loaded = fn;
    if (!loaded) {
      loaded = await loadFunction(fnBytes);
      if (code & IN_TABLE) learned(where, loaded);
    }
    return { id, kind, fn: loaded, args: await deserialize<unknown[]>(argBytes) };
  })();
}

/**
 * Where this worker's tasks are copied as they are taken (see Channel.tryGetInto). A decoding
 * that waits (for a function's module to load) reads the array after the wait: safe, because
 * the worker takes its next task only once this one is decoded.
 */
const scratch = { bytes: new Uint8Array(4096) };
/** Where the task queue stores the id of the task this worker takes (set as it starts). */
let takenId: RecordTag | undefined;

/** The next task if one is queued (undefined if none); its id is in running[slot] as it leaves. */
function tryTake(setup: WorkerSetup): TaskMessage | null | Promise<TaskMessage | null> | undefined {
  const got = setup.tasks[kChannel].tryGetInto(scratch, takenId!);
  if (got === undefined) return undefined;
  if (typeof got === 'number') return decodeTask(scratch.bytes, got);
  let task: TaskMessage | null | Promise<TaskMessage | null>;
  try {
    task = decodeTask(got.bytes, got.bytes.length);
  } catch (error) {
    got.release?.();
    throw error;
  }
  if (!(task instanceof Promise)) {
    got.release?.();
    return task;
  }
  return task.finally(() => got.release?.());
}

/** The next task, waiting for one (this thread blocks: it has nothing else to do). */
function take(setup: WorkerSetup, running: Int32Array): TaskMessage | null | Promise<TaskMessage | null> {
  const task = tryTake(setup); // (null is close()'s sentinel, undefined an empty queue)
  return task === undefined ? waitAndTake(setup, running) : task;
}

/**
 * A worker spins for the next task only while the workers running a task or spinning leave a
 * CPU to the parent, which submits the tasks: two idle workers spinning on two CPUs kept the
 * parent off them for up to a spin's budget. (Sequential round trips on 2 CPUs, median ~20 µs
 * either way: the 90th percentile went from 210-410 µs to 130-365, within this VM's noise.)
 */
const SPIN_CPUS = Math.max(1, availableParallelism() - 1);

function maySpin(running: Int32Array, slot: number): boolean {
  const workers = running.length >> 1;
  let busy = 0;
  for (let i = 0; i < workers; i++) {
    if (i === slot) continue;
    if (Atomics.load(running, i) > 0 || Atomics.load(running, workers + i) !== 0) busy++;
  }
  return busy < SPIN_CPUS;
}

function spinForTask(channel: Channel, running: Int32Array, slot: number, seq: number): boolean {
  if (!maySpin(running, slot)) return false;
  const flag = (running.length >> 1) + slot;
  Atomics.store(running, flag, 1);
  try {
    return channel.spin('get', seq);
  } finally {
    Atomics.store(running, flag, 0);
  }
}

/** A function of the table, loaded here: kept, and marked loaded for the other workers. */
function learned(offset: number, fn: (...args: any[]) => unknown): void {
  tableFunctions.set(offset, fn);
  functionTable!.markLoaded(offset);
}

/** How long an idle worker spends loading functions before it looks for tasks again. */
const REVIVE_WAIT_MS = 200;
/** Entries of the table this worker has seen and not loaded yet. */
let toRevive: number[] = [];

/**
 * Loads, while this worker has no task to run, the functions of the pool's table that another
 * worker has loaded and this one has not. Otherwise a worker that has not run a function yet
 * imports its module when its first task of it arrives, after the other workers have started
 * theirs (Python's spawn workers import the main module as they start). Only functions some
 * worker has loaded (and lived): a module whose import ends the process is imported only to
 * run its tasks, as before; the parent also stops this for new workers after a few workers
 * have died idle (setup.loadAhead). At most REVIVE_WAIT_MS per turn: a module still loading
 * goes on in the background, and the worker goes back to its tasks.
 */
async function reviveNewFunctions(): Promise<void> {
  const deadline = performance.now() + REVIVE_WAIT_MS;
  const waiting = toRevive.concat(functionTable!.newEntries());
  toRevive = [];
  for (const offset of waiting) {
    if (tableFunctions.has(offset)) continue;
    const left = deadline - performance.now();
    if (left <= 0 || !functionTable!.isLoaded(offset)) {
      toRevive.push(offset);
      continue;
    }
    let loading: Promise<void>;
    try {
      const bytes = functionTable!.entry(offset);
      const known = cachedFunction(bytes);
      if (known) {
        tableFunctions.set(offset, known);
        continue;
      }
      loading = loadFunction(bytes).then(
        (fn) => void tableFunctions.set(offset, fn),
        () => {}, // (its task will say why)
      );
    } catch {
      continue;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([loading, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
  }
}

async function waitAndTake(setup: WorkerSetup, running: Int32Array): Promise<TaskMessage | null> {
  const channel = setup.tasks[kChannel];
  let yielded = false;
  for (;;) {
    const seq = channel.seq('get');
    const task = tryTake(setup);
    if (task !== undefined) return task;
    if (!yielded) {
      if (spinForTask(channel, running, setup.slot, seq)) continue; // the next task came within the spin budget
      // About to sleep, and a sleeping thread runs nothing: first let what the tasks left
      // behind run (callbacks of promises they did not await, timers that are due).
      yielded = true;
      if (setup.loadAhead) await reviveNewFunctions();
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    channel.waitSync('get', seq, undefined, { spin: false });
    // (woken by a task, or after a while without one: then the event loop gets another turn,
    // so an idle worker still runs the timers its tasks set, a few times a second)
    yielded = false;
  }
}

export async function poolWorker(setup: WorkerSetup): Promise<void> {
  const { results, slot, initializer, initargs, maxtasks } = setup;
  const running = attachInts(setup.running);
  functionTable = new FunctionTableReader(setup.functions);
  takenId = { array: running, index: slot };
  resultRing = new ResultWriter(setup.resultRings, slot);
  if (initializer) {
    try {
      await initializer(...initargs);
    } catch (error) {
      // Reported, not crashed on: a replacement would fail the same way, for ever.
      send(results, INIT_FAILED, false, error);
      return;
    }
  }
  Atomics.compareExchange(running, slot, STARTING, 0); // ready
  for (let done = 0; maxtasks === 0 || done < maxtasks; done++) {
    let task: TaskMessage | null;
    try {
      const taken = take(setup, running);
      task = taken instanceof Promise ? await taken : taken;
    } catch (error) {
      // The task could not be decoded here (its module failed to import, say): fail it alone.
      const id = Atomics.load(running, slot);
      send(results, id, false, error);
      if (!finish(running, slot, id)) return;
      continue;
    }
    if (task === null) return; // close(): the slot keeps the sentinel's tag, so no one replaces us
    // (a synchronous task's result is sent by now; the await is still one tick per task, as an
    // async task has: promise callbacks a synchronous task started run before the next task,
    // not only when the queue is empty)
    await runTask(task, results);
    if (!finish(running, slot, task.id)) return;
  }
}

/**
 * Runs a task and sends its outcome: a synchronous result before this returns (undefined), a
 * promise's or a chunk's when the promise returned settles. Apart from the worker's loop,
 * which is an async function: V8 compiles the loop alone, and it stays small.
 */
function runTask(task: TaskMessage, results: Queue<unknown>): Promise<void> | undefined {
  const single = task.kind !== 'apply' && task.args.length === 1;
  if (task.kind !== 'apply' && !single) return runChunkAndSend(task, results);
  // (a failed chunk of one fails at its one item: the parent places it)
  const tag = single ? task.id | SINGLE : task.id;
  let value: unknown;
  try {
    if (task.kind === 'map') value = task.fn(task.args[0]);
    else value = task.fn(...((single ? task.args[0] : task.args) as unknown[]));
  } catch (error) {
    send(results, tag, false, error);
    return undefined;
  }
  if (isThenable(value)) return sendWhenSettled(results, tag, value);
  send(results, tag, true, value);
  return undefined;
}

async function sendWhenSettled(results: Queue<unknown>, tag: number, promise: PromiseLike<unknown>): Promise<void> {
  let ok = true;
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    ok = false;
    value = error;
  }
  send(results, tag, ok, value);
}

async function runChunkAndSend(task: TaskMessage, results: Queue<unknown>): Promise<void> {
  try {
    await runChunk(task, results);
  } catch (error) {
    send(results, task.id, false, error);
  }
}
