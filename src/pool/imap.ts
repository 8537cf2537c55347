// imap and imapUnordered: the input is read lazily, chunk by chunk, as far ahead of the
// results as keeps the workers busy and no further (flat memory over an endless generator).
//
// How far is "as keeps the workers busy" depends on the tasks. Each chunk makes a round trip
// to a worker and back (tens of microseconds when a worker has to be woken); a window of a
// few chunks leaves the workers idle through most of those trips when tasks take a
// microsecond. So the window is measured in items and sized from the results: enough for
// WINDOW_MS of the pool's work at the rate results came back over the last period, never
// under the floor (2 chunks per worker) nor over MAX_ITEMS. Slow tasks, large items (which
// take time to copy) and a slow consumer (results come back only as fast as it reads) all
// keep it at the floor.
import { ChunkError, placeResultError, type TaskSink } from './engine.js';

/** The window covers this much of the pool's work, at its measured rate. */
export const WINDOW_MS = 2;
/** The rate is measured over periods of at least this long. */
export const PERIOD_MS = 1;
/** The window never holds more items than this (unless 2 chunks per worker are more). */
export const MAX_ITEMS = 1024;

/** How many items a lazy call keeps in flight (submitted, their results not yet read). */
export class ReadAhead {
  readonly #floor: number;
  #limit: number;
  #since: number;
  #count = 0;

  constructor(floor: number, now = performance.now()) {
    this.#floor = floor;
    this.#limit = floor;
    this.#since = now;
  }

  get limit(): number {
    return this.#limit;
  }

  /** No bound any more (the pool was closed: the call reads the rest of its input now). */
  unbound(): void {
    this.#limit = Number.POSITIVE_INFINITY;
  }

  /** `items` results came back. */
  settled(items: number, now = performance.now()): void {
    this.#count += items;
    const elapsed = now - this.#since;
    if (elapsed < PERIOD_MS) return;
    if (this.#limit !== Number.POSITIVE_INFINITY) {
      const cover = Math.ceil((this.#count * WINDOW_MS) / elapsed);
      this.#limit = Math.max(this.#floor, Math.min(MAX_ITEMS, cover));
    }
    this.#since = now;
    this.#count = 0;
  }
}

/** One chunk of a lazy call: the sink of its task. */
class Chunk implements TaskSink {
  values: unknown[] = [];
  error: unknown;
  settled = false;
  failed = false;

  constructor(
    readonly call: { settled(chunk: Chunk): void },
    readonly start: number,
    readonly length: number,
  ) {}

  resolve(values: unknown): void {
    this.values = values as unknown[];
    this.settled = true;
    this.call.settled(this);
  }

  reject(error: unknown): void {
    placeResultError(error, this.start, this.length);
    this.error = error instanceof ChunkError ? error.error : error;
    this.failed = true;
    this.settled = true;
    this.call.settled(this);
  }
}

export interface LazyMapOptions<T> {
  iterator: Iterator<T> | AsyncIterator<T>;
  async: boolean;
  ordered: boolean;
  chunksize: number;
  /** The window never shrinks under this many items. */
  floor: number;
  /** Sends a chunk; its outcome goes to `sink`. May throw (an item that cannot be sent). */
  send(chunk: T[], sink: TaskSink): void;
  /** The call has read its whole input (or stopped reading it): the pool need not wait for it. */
  release(): void;
  onProgress?: ((done: number, total: number | undefined) => void) | undefined;
  /** The clock the window is measured by, in ms (tests give their own). */
  now?: () => number;
}

/** The state of one imap()/imapUnordered() call; results() is what the caller iterates. */
export class LazyMap<T> {
  readonly #options: LazyMapOptions<T>;
  readonly window: ReadAhead;
  /** Chunks sent and not yet read: in input order (ordered), or as they settled (unordered). */
  readonly #queue: Chunk[] = [];
  /** Chunks sent and not yet read, and their items. */
  #chunks = 0;
  #items = 0;
  /** Items read from the input so far: where the next chunk starts. */
  #read = 0;
  #exhausted = false;
  #reading: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  readonly #now: () => number;

  constructor(options: LazyMapOptions<T>) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.window = new ReadAhead(options.floor, this.#now());
  }

  /** The pool was closed: a call made before runs to its end, so the rest is read now. */
  readAll(): void {
    this.window.unbound();
    void this.#refill().catch(() => {}); // (a failure reaches the iteration through its chunk)
  }

  settled(chunk: Chunk): void {
    this.window.settled(chunk.length, this.#now());
    if (!this.#options.ordered) this.#queue.push(chunk);
    const wake = this.#wake;
    if (wake) {
      this.#wake = undefined;
      wake();
    }
  }

  #finish(): void {
    this.#exhausted = true;
    this.#options.release();
  }

  #add(chunk: Chunk): void {
    this.#chunks++;
    this.#items += chunk.length;
    if (this.#options.ordered) this.#queue.push(chunk);
  }

  /**
   * Reads and sends chunks until the window is full. One reader at a time; reading the input
   * or sending a chunk fails in its place in order.
   */
  #refill(): Promise<void> {
    this.#reading ??= this.#readAhead().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #readAhead(): Promise<void> {
    const { iterator, chunksize } = this.#options;
    try {
      while (!this.#exhausted && this.#items < this.window.limit) {
        const items: T[] = [];
        while (items.length < chunksize) {
          const next = this.#options.async ? await iterator.next() : (iterator.next() as IteratorResult<T>);
          if (this.#exhausted) return; // (the caller left while this item was read: nothing more is sent)
          if (next.done) {
            this.#finish();
            break;
          }
          items.push(next.value);
        }
        if (items.length === 0) break;
        const chunk = new Chunk(this, this.#read, items.length);
        this.#read += items.length;
        this.#add(chunk);
        try {
          this.#options.send(items, chunk);
        } catch (error) {
          chunk.reject(error);
        }
      }
    } catch (error) {
      this.#finish();
      const chunk = new Chunk(this, this.#read, 0);
      this.#add(chunk);
      chunk.reject(error);
    }
  }

  /** The next chunk to hand out, once it has settled. */
  async #next(): Promise<Chunk> {
    for (;;) {
      const head = this.#queue[0];
      if (head?.settled) {
        this.#queue.shift();
        return head;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  async *results(): AsyncGenerator<unknown> {
    let done = 0;
    try {
      for (;;) {
        // Refilled in batches (a quarter of the window at least), so that tasks go out
        // together rather than one by one as each result is read. The reading goes on while
        // results are handed out, unless there is nothing to hand out until it sends a chunk.
        const limit = this.window.limit;
        if (this.#chunks === 0 || this.#items <= limit - Math.max(1, limit >> 2)) {
          const reading = this.#refill();
          if (this.#chunks === 0) await reading;
        }
        if (this.#chunks === 0) return; // (the input is exhausted)
        // (a chunk that has settled already is taken without a promise and a tick)
        const head = this.#queue[0];
        const chunk = head?.settled ? this.#queue.shift()! : await this.#next();
        this.#chunks--;
        this.#items -= chunk.length;
        if (chunk.failed) throw chunk.error;
        done += chunk.length;
        this.#options.onProgress?.(done, undefined);
        yield* chunk.values;
      }
    } finally {
      if (!this.#exhausted) {
        // Left early (break, or an error): the input is closed, as a for-of would.
        this.#finish();
        await this.#options.iterator.return?.();
      }
    }
  }
}
