// A pool's table of task functions, in shared memory: a task names its function by the
// entry's offset (4 bytes) instead of carrying the function's serialized bytes (130 for a
// module export), which most tasks would repeat. The parent appends; workers read, and mark
// the entries they have loaded.
//
//   word 0: bytes used (published last: an entry is complete before anyone can see it)
//   from byte 8: entries, each [u32 length][u32 flags][the function's bytes], 4-aligned
//   flags: LOADED once a worker has loaded the function (imported its module); idle workers
//   load only such functions ahead of their tasks (see worker.ts), so a module whose import
//   ends the process ends only the workers that run its tasks
//
// The table does not grow: a function that no longer fits travels inside its tasks (a
// program making a new closure for every call fills the table once, and goes on).
import { attachSegment, createSegment, unlinkSegment } from '../shm/segment.js';

const TABLE_BYTES = 256 * 1024;
const FIRST_ENTRY = 8;
const ENTRY_HEADER = 8;
const LOADED = 1;
/** Functions larger than this travel inside their tasks (an entry is for the common, small ones). */
const MAX_ENTRY = 16 * 1024;

const latin1 = (Buffer.prototype as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice;

/** The parent's side: appends functions, remembers their offsets. */
export class FunctionTable {
  readonly name: string;
  readonly #bytes: Uint8Array;
  readonly #words: Int32Array;
  readonly #view: DataView;
  /** By function object: the usual lookup, no string made. */
  readonly #byFunction = new WeakMap<Function, number>();
  /** By bytes: closures of the same source and values share an entry. */
  readonly #byBytes = new Map<string, number>();
  #used = FIRST_ENTRY;

  constructor() {
    const segment = createSegment(TABLE_BYTES);
    this.name = segment.name;
    this.#bytes = new Uint8Array(segment.buffer);
    this.#words = new Int32Array(segment.buffer, 0, 2);
    this.#view = new DataView(segment.buffer);
  }

  /** What add() said for this function object before: its offset, 0 (inline), or undefined. */
  lookup(fn: Function): number | undefined {
    return this.#byFunction.get(fn);
  }

  /** The offset of the entry of fn, whose bytes these are: added if needed; 0 when it does not fit (inline). */
  add(fn: Function, bytes: Uint8Array): number {
    const offset = bytes.length > MAX_ENTRY ? 0 : this.#entry(bytes);
    this.#byFunction.set(fn, offset);
    return offset;
  }

  #entry(bytes: Uint8Array): number {
    const key = latin1.call(bytes, 0, bytes.length);
    const known = this.#byBytes.get(key);
    if (known !== undefined) return known;
    const size = entrySize(bytes.length);
    if (this.#used + size > TABLE_BYTES) return 0; // full: inline from now on
    const offset = this.#used;
    this.#view.setUint32(offset, bytes.length, true);
    this.#view.setUint32(offset + 4, 0, true);
    this.#bytes.set(bytes, offset + ENTRY_HEADER);
    this.#used += size;
    Atomics.store(this.#words, 0, this.#used);
    this.#byBytes.set(key, offset);
    return offset;
  }

  /** Every worker has exited: the segment can go. */
  unlink(): void {
    unlinkSegment(this.name);
  }
}

const entrySize = (length: number) => (ENTRY_HEADER + length + 3) & ~3;

/** A worker's side: the bytes of an entry (the table is attached on first use). */
export class FunctionTableReader {
  readonly #name: string;
  #bytes: Uint8Array | undefined;
  /** Where the entries newEntries() has not listed yet start. */
  #seen = FIRST_ENTRY;

  constructor(name: string) {
    this.#name = name;
  }

  #words: Int32Array | undefined;

  #attach(): Uint8Array {
    if (!this.#bytes) {
      const { buffer } = attachSegment(this.#name);
      this.#bytes = new Uint8Array(buffer);
      this.#words = new Int32Array(buffer);
    }
    return this.#bytes;
  }

  #word(index: number): number {
    this.#attach();
    return Atomics.load(this.#words!, index);
  }

  entry(offset: number): Uint8Array {
    const bytes = this.#attach();
    if (offset < FIRST_ENTRY || offset + ENTRY_HEADER > this.#word(0)) {
      throw new Error(`bad function table offset ${offset}`);
    }
    const length = new DataView(bytes.buffer).getUint32(offset, true);
    return bytes.subarray(offset + ENTRY_HEADER, offset + ENTRY_HEADER + length);
  }

  /** A worker has loaded the entry's function: other workers may load it ahead of its tasks. */
  markLoaded(offset: number): void {
    this.#attach();
    Atomics.or(this.#words!, (offset + 4) >> 2, LOADED);
  }

  isLoaded(offset: number): boolean {
    return (this.#word((offset + 4) >> 2) & LOADED) !== 0;
  }

  /** The offsets of the entries added since the last call. */
  newEntries(): number[] {
    const bytes = this.#attach();
    const used = this.#word(0);
    const view = new DataView(bytes.buffer);
    const offsets: number[] = [];
    for (let at = this.#seen; at < used; at += entrySize(view.getUint32(at, true))) offsets.push(at);
    this.#seen = used;
    return offsets;
  }
}
