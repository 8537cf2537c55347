// A pool's table of task functions, in shared memory: a task names its function by the
// entry's offset (4 bytes) instead of carrying the function's serialized bytes (130 for a
// module export), which most tasks would repeat. The parent appends; workers read.
//
//   word 0: bytes used (published last: an entry is complete before anyone can see it)
//   from byte 8: entries, each [u32 length][the function's bytes], 4-aligned
//
// The table does not grow: a function that no longer fits travels inside its tasks (a
// program making a new closure for every call fills the table once, and goes on).
import { attachSegment, createSegment, unlinkSegment } from '../shm/segment.js';

const TABLE_BYTES = 256 * 1024;
const FIRST_ENTRY = 8;
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
    const size = (4 + bytes.length + 3) & ~3;
    if (this.#used + size > TABLE_BYTES) return 0; // full: inline from now on
    const offset = this.#used;
    this.#view.setUint32(offset, bytes.length, true);
    this.#bytes.set(bytes, offset + 4);
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

/** A worker's side: the bytes of an entry (the table is attached on first use). */
export class FunctionTableReader {
  readonly #name: string;
  #bytes: Uint8Array | undefined;
  /** Where the entries newEntries() has not listed yet start. */
  #seen = FIRST_ENTRY;

  constructor(name: string) {
    this.#name = name;
  }

  #attach(): Uint8Array {
    this.#bytes ??= new Uint8Array(attachSegment(this.#name).buffer);
    return this.#bytes;
  }

  #used(bytes: Uint8Array): number {
    return Atomics.load(new Int32Array(bytes.buffer, 0, 1), 0);
  }

  entry(offset: number): Uint8Array {
    const bytes = this.#attach();
    if (offset < FIRST_ENTRY || offset + 4 > this.#used(bytes)) throw new Error(`bad function table offset ${offset}`);
    const length = new DataView(bytes.buffer).getUint32(offset, true);
    return bytes.subarray(offset + 4, offset + 4 + length);
  }

  /** The offsets of the entries added since the last call. */
  newEntries(): number[] {
    const bytes = this.#attach();
    const used = this.#used(bytes);
    const view = new DataView(bytes.buffer);
    const offsets: number[] = [];
    for (let at = this.#seen; at < used; at += (4 + view.getUint32(at, true) + 3) & ~3) offsets.push(at);
    this.#seen = used;
    return offsets;
  }
}
