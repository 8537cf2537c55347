// A ring per pool worker for its results, in one shared segment: one writer (the worker in
// that slot, or its replacement), one reader (the parent), so no lock. Two workers putting
// every tiny result on one locked queue spent most of their time waiting for each other and
// for the parent draining it. A result that does not fit (large, or the ring is full while the
// parent is busy) goes on the pool's result queue as before; order between the two does not
// matter (each result names its task).
//
//   per ring: [i32 head][i32 tail] (byte counts, wrapping as int32), then ringBytes() of records
//   a record: [u32 length][i32 tag][payload], 8-aligned; a length of SKIP sends the reader
//   back to the ring's start (a record never wraps)
//
// A ring's pages are touched only as results pass through it.
// The writer publishes a record by storing the tail last: a worker killed half-way leaves
// nothing visible, and its replacement writes over it.
import type { RecordReceiver } from '../queues/channel.js';
import { NUMBER_MESSAGE_BYTES, writeNumberMessage } from '../serialize/codec.js';
import { attachSegment, createSegment, unlinkSegment } from '../shm/segment.js';

/**
 * A ring's size: 256 KiB (a burst of 20k tiny tasks filled 64 KiB while the parent was still
 * submitting them), less with many workers, so that a pool's rings stay within 4 MiB of
 * /dev/shm (a container's is often 64 MiB), but never under 64 KiB.
 */
export function ringBytes(workers: number): number {
  let size = 256 * 1024;
  while (size > 64 * 1024 && size * workers > 4 * 1024 * 1024) size >>= 1;
  return size;
}
const HEADER_BYTES = 64; // (head and tail, on a cache line of their own)
const RECORD_HEADER = 8;
const SKIP = 0xffffffff;
/** Larger results go on the result queue (the ring is for the many small ones). */
export const MAX_RING_RESULT = 4096;

const HEAD = 0;
const TAIL = 1;

/** The name of a pool's rings, sent to each worker. */
export interface ResultRingsName {
  segment: string;
  workers: number;
  ringBytes: number;
}

/** The parent's side: creates the rings, reads them all. */
export class ResultRings {
  readonly name: ResultRingsName;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #words: Int32Array;

  readonly #ring: number;
  readonly #stride: number;

  constructor(workers: number) {
    this.#ring = ringBytes(workers);
    this.#stride = HEADER_BYTES + this.#ring;
    const segment = createSegment(workers * this.#stride);
    this.name = { segment: segment.name, workers, ringBytes: this.#ring };
    this.#bytes = new Uint8Array(segment.buffer);
    this.#view = new DataView(segment.buffer);
    this.#words = new Int32Array(segment.buffer);
  }

  /**
   * Hands every record the rings hold now to `receiver` (span[start…end) is valid during the
   * call only); returns how many.
   */
  drain(receiver: RecordReceiver): number {
    const ring = this.#ring;
    const mask = ring - 1;
    let count = 0;
    for (let slot = 0; slot < this.name.workers; slot++) {
      const words = (slot * this.#stride) >> 2;
      let head = Atomics.load(this.#words, words + HEAD);
      const tail = Atomics.load(this.#words, words + TAIL);
      const base = slot * this.#stride + HEADER_BYTES;
      while (head !== tail) {
        const at = base + (head & mask);
        const length = this.#view.getUint32(at, true);
        if (length === SKIP) {
          head = (head + (ring - (head & mask))) | 0;
          continue;
        }
        const start = at + RECORD_HEADER;
        const tag = this.#view.getInt32(at + 4, true);
        // (the record is read before it is given back: the receiver gets it in place, and a
        // drain it might start from inside goes on from the next one)
        receiver.record(this.#bytes, start, start + length, tag);
        head = (head + recordSize(length)) | 0;
        Atomics.store(this.#words, words + HEAD, head);
        count++;
      }
      // (a SKIP at the end is given back too)
      Atomics.store(this.#words, words + HEAD, head);
    }
    return count;
  }

  /** Every worker has exited: the segment can go. */
  unlink(): void {
    unlinkSegment(this.name.segment);
  }
}

const recordSize = (length: number) => (RECORD_HEADER + length + 7) & ~7;

/** A worker's side: writes into its slot's ring. */
export class ResultWriter {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #words: Int32Array;
  readonly #word: number;
  readonly #base: number;
  readonly #ring: number;
  /** The tail once the record #reserve() made room for is published. */
  #next = 0;

  constructor(name: ResultRingsName, slot: number) {
    const buffer = attachSegment(name.segment).buffer;
    this.#bytes = new Uint8Array(buffer);
    this.#view = new DataView(buffer);
    this.#words = new Int32Array(buffer);
    this.#ring = name.ringBytes;
    const stride = HEADER_BYTES + this.#ring;
    this.#word = (slot * stride) >> 2;
    this.#base = slot * stride + HEADER_BYTES;
  }

  /** Writes a record; false when it is too large or the ring has no room for it now. */
  tryWrite(tag: number, data: Uint8Array): boolean {
    if (data.length > MAX_RING_RESULT) return false;
    const at = this.#reserve(tag, data.length);
    if (at < 0) return false;
    this.#bytes.set(data, at);
    this.#publish();
    return true;
  }

  /**
   * Writes the message of a number result in place (no buffer for it: most tiny tasks return
   * a number); false when the ring has no room for it now.
   */
  tryWriteNumber(tag: number, value: number): boolean {
    const at = this.#reserve(tag, NUMBER_MESSAGE_BYTES);
    if (at < 0) return false;
    writeNumberMessage(this.#bytes, at, value);
    this.#publish();
    return true;
  }

  /** Room for a record: where its payload goes, or -1; #publish() then makes it visible. */
  #reserve(tag: number, length: number): number {
    const words = this.#words;
    const head = Atomics.load(words, this.#word + HEAD);
    let tail = Atomics.load(words, this.#word + TAIL);
    const ring = this.#ring;
    const size = recordSize(length);
    const offset = tail & (ring - 1);
    const skip = offset + size > ring ? ring - offset : 0;
    if (((tail - head) | 0) + skip + size > ring) return -1;
    if (skip > 0) {
      this.#view.setUint32(this.#base + offset, SKIP, true);
      tail = (tail + skip) | 0;
    }
    const at = this.#base + (tail & (ring - 1));
    this.#view.setUint32(at, length, true);
    this.#view.setInt32(at + 4, tag, true);
    this.#next = (tail + size) | 0;
    return at + RECORD_HEADER;
  }

  /** Publishes the record just reserved: the tail is stored last. */
  #publish(): void {
    Atomics.store(this.#words, this.#word + TAIL, this.#next);
  }
}
