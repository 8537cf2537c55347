// Queue, SimpleQueue and JoinableQueue over a shared-memory Channel. Items are serialized
// by the package's serializer (functions, class instances, errors, shared objects and
// other queues included) and delivered to exactly one get(), FIFO per producer.
//
// Python's Queue has a feeder thread that flushes puts in the background; here put()
// writes into shared memory before it returns, so joinThread() has nothing left to wait for.
import { Empty, Full, ProcessError } from '../errors.js';
import { deserialize, deserializeSync, kHandle, registerHandleType, serialize } from '../serialize/index.js';
import { deadlineOf, remaining, Timer } from '../util/deadline.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { Channel, type ChannelHandle, type Message } from './channel.js';

export interface QueueOptions {
  block?: boolean | undefined;
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
}

function validateMaxsize(maxsize: unknown): number {
  if (typeof maxsize !== 'number' || !Number.isInteger(maxsize) || maxsize < 0 || maxsize > 0x7fffffff) {
    throw new RangeError(`Queue maxsize must be a non-negative integer (0 for unbounded), got ${String(maxsize)}`);
  }
  return maxsize;
}

function waitPlan(options: QueueOptions | undefined): { block: boolean; deadline: number } {
  const { block = true, timeout } = optionsArg(options, 'a queue call', '{ block: false } or { timeout: 500 }');
  checkOptionNames(options ?? {}, ['block', 'timeout', 'signal'], 'a queue call');
  if (typeof block !== 'boolean') throw new TypeError('queue option `block` must be a boolean');
  return { block, deadline: block ? deadlineOf(timeout) : 0 };
}

/** Deserializes a message, then lets its large-message segment carry the next one. */
function decode<T>(message: Message): Promise<T> {
  try {
    return deserialize<T>(message.bytes); // its synchronous part has read the bytes on return
  } finally {
    message.release?.();
  }
}

function decodeSync<T>(message: Message): T {
  try {
    return deserializeSync<T>(message.bytes);
  } finally {
    message.release?.();
  }
}

interface PendingGet {
  resolve: (message: Message) => void;
  reject: (reason: unknown) => void;
  timer: Timer | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** The channel the next Queue constructed takes, instead of a new one (see fromHandle). */
let attaching: Channel | undefined;

/**
 * A new Queue over a ring of `ring` bytes rather than the default (package-internal: a pool's
 * queues carry large chunks from the start).
 */
export function queueWithRing<T>(ring: number): Queue<T> {
  attaching = Channel.create(0, ring);
  return new Queue<T>();
}

/** Package-internal access to a queue's channel (the pool's tagged takes use it). */
export const kChannel = Symbol('multiprocessing.Queue.channel');

export class Queue<T = unknown> {
  readonly #channel: Channel;
  #closed = false;
  /** This thread's waiting get()s, FIFO; one pump sleeps for them all. */
  #getters: PendingGet[] = [];
  #pumping = false;

  constructor(maxsize = 0) {
    if (attaching) {
      this.#channel = attaching;
      attaching = undefined;
    } else {
      this.#channel = Channel.create(validateMaxsize(maxsize));
    }
  }

  protected get channel(): Channel {
    return this.#channel;
  }

  get [kChannel](): Channel {
    return this.#channel;
  }

  #checkOpen(): void {
    if (this.#closed) throw new ProcessError('this Queue is closed in this process; put() is no longer allowed');
  }

  /** Adds an item, waiting while a bounded queue is full. */
  async put(item: T, options?: QueueOptions): Promise<void> {
    this.#checkOpen();
    const { block, deadline } = waitPlan(options);
    const data = serialize(item);
    for (;;) {
      const seq = this.#channel.seq('put');
      if (this.#channel.tryPut(data, false)) return;
      const left = remaining(deadline);
      if (!block || left === 0) throw new Full(`the queue is full (maxsize ${this.#channel.maxsize})`);
      await this.#channel.waitAsync('put', seq, left, options?.signal);
    }
  }

  /** put() for a thread that may block (a worker loop). */
  putSync(item: T, options?: QueueOptions): void {
    this.#checkOpen();
    const { block, deadline } = waitPlan(options);
    const data = serialize(item);
    for (;;) {
      const seq = this.#channel.seq('put');
      if (this.#channel.tryPut(data, false)) return;
      const left = remaining(deadline);
      if (!block || left === 0) throw new Full(`the queue is full (maxsize ${this.#channel.maxsize})`);
      this.#channel.waitSync('put', seq, left);
    }
  }

  putNowait(item: T): void {
    this.putSync(item, { block: false });
  }

  /** Removes and returns the next item, waiting while the queue is empty. */
  async get(options?: QueueOptions): Promise<T> {
    const { block, deadline } = waitPlan(options);
    const signal = options?.signal;
    if (signal?.aborted) throw signal.reason;
    if (this.#getters.length === 0) {
      const message = this.#channel.tryGet();
      if (message) return decode<T>(message);
    }
    if (!block || remaining(deadline) === 0) throw new Empty();
    const message = await new Promise<Message>((resolve, reject) => {
      const getter: PendingGet = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      const left = remaining(deadline);
      if (left !== undefined) {
        getter.timer = new Timer(() => {
          if (this.#drop(getter)) reject(new Empty(`the queue stayed empty for ${options?.timeout} ms`));
        }, left);
      }
      if (signal) {
        getter.onAbort = () => {
          if (this.#drop(getter)) reject(signal.reason);
        };
        signal.addEventListener('abort', getter.onAbort, { once: true });
      }
      this.#getters.push(getter);
      if (!this.#pumping) void this.#pump();
    });
    return decode<T>(message);
  }

  #drop(getter: PendingGet): boolean {
    const index = this.#getters.indexOf(getter);
    if (index < 0) return false;
    this.#getters.splice(index, 1);
    this.#settle(getter);
    return true;
  }

  #settle(getter: PendingGet): void {
    getter.timer?.clear();
    if (getter.onAbort) getter.signal!.removeEventListener('abort', getter.onAbort);
  }

  /** The one sleeper of this thread: hands each arriving item to the oldest waiting get(). */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#getters.length > 0) {
        const seq = this.#channel.seq('get');
        const message = this.#channel.tryGet();
        if (message) {
          const getter = this.#getters.shift()!;
          this.#settle(getter);
          getter.resolve(message);
          continue;
        }
        await this.#channel.waitAsync('get', seq, undefined);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** get() for a thread that may block (a worker loop). */
  getSync(options?: QueueOptions): T {
    const { block, deadline } = waitPlan(options);
    for (;;) {
      const seq = this.#channel.seq('get');
      const message = this.#channel.tryGet();
      if (message) return decodeSync<T>(message);
      const left = remaining(deadline);
      if (!block || left === 0) throw new Empty();
      this.#channel.waitSync('get', seq, left);
    }
  }

  getNowait(): T {
    return this.getSync({ block: false });
  }

  /** The number of items in the queue at this moment (exact, unlike Python's). */
  qsize(): number {
    return this.#channel.size;
  }

  empty(): boolean {
    return this.#channel.size === 0;
  }

  full(): boolean {
    const maxsize = this.#channel.maxsize;
    return maxsize > 0 && this.#channel.size >= maxsize;
  }

  /** No more puts from this process (Python's close()); gets still work. */
  close(): void {
    this.#closed = true;
  }

  /** Resolves once this process's puts are delivered: they already are when put() returns. */
  async joinThread(): Promise<void> {
    if (!this.#closed) throw new ProcessError('joinThread() needs close() first, as in Python');
  }

  cancelJoinThread(): void {}

  [kHandle](): { type: string; data: { channel: ChannelHandle; kind: string } } {
    return { type: 'Queue', data: { channel: this.#channel.handle, kind: this.constructor.name } };
  }

  static fromHandle(data: { channel: ChannelHandle; kind: string }): Queue {
    attaching = Channel.attach(data.channel);
    if (data.kind === 'JoinableQueue') return new JoinableQueue();
    if (data.kind === 'SimpleQueue') return new SimpleQueue() as unknown as Queue;
    return new Queue();
  }

  toString(): string {
    return `<${this.constructor.name} qsize=${this.qsize()}>`;
  }
}

/** A Queue whose consumers say when each item is done, so producers can join() the work. */
export class JoinableQueue<T = unknown> extends Queue<T> {
  /** One item fetched from the queue has been processed. */
  taskDone(): void {
    if (!this.channel.taskDone()) {
      throw new ProcessError('taskDone() called more times than there were items put on the queue');
    }
  }

  /** Resolves when every item put has been marked done with taskDone(). */
  async join(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = optionsArg(options, 'join()', '{ signal }');
    checkOptionNames(options, ['signal'], 'join()');
    await this.channel.waitAllDone(signal);
  }
}

/** Python's SimpleQueue: put, get, empty, close. */
export class SimpleQueue<T = unknown> {
  readonly #queue: Queue<T>;

  constructor() {
    this.#queue = new Queue<T>();
  }

  put(item: T): Promise<void> {
    return this.#queue.put(item);
  }

  get(...none: []): Promise<T> {
    if (none.length > 0) {
      throw new TypeError("SimpleQueue.get() takes no arguments (as Python's); for a timeout, use a Queue");
    }
    return this.#queue.get();
  }

  empty(): boolean {
    return this.#queue.empty();
  }

  close(): void {
    this.#queue.close();
  }

  [kHandle](): { type: string; data: { channel: ChannelHandle; kind: string } } {
    const { data } = this.#queue[kHandle]();
    return { type: 'Queue', data: { ...data, kind: 'SimpleQueue' } };
  }
}

registerHandleType('Queue', (data) => Queue.fromHandle(data as { channel: ChannelHandle; kind: string }));
