// Channel: a many-producer, many-consumer queue of byte messages in shared memory, the
// layer under Queue, SimpleQueue, JoinableQueue and Connection.
//
//   producer                        shared memory                         consumer
//   serialize(item) ──▶ [lock] ring: [len|flags][bytes] [len|flags][bytes] … [lock] ──▶ deserialize
//        │ large (≥ 64 KiB, or a quarter of a larger ring): the bytes go to a segment of
//        │ their own; the ring carries its name
//
// A Lock (SemLock) guards the header and the ring; producers and consumers copy under it
// and (de)serialize outside it. A put publishes its record only after the copy, so a
// process killed mid-put leaves nothing half-written behind. The ring grows (doubling, into
// a new segment whose name the header holds) when a record does not fit; other processes
// notice the new generation and re-attach.
//
// Header (Int32 words):
//   0 COUNT  1 HEAD  2 TAIL  3 USED  4 CAPACITY  5 GENERATION  6 NOT_EMPTY (seq, bumped by
//   put)  7 NOT_FULL (seq, bumped by get)  8 MAXSIZE  9 GET_WAITERS  10 PUT_WAITERS
//   11 UNFINISHED (JoinableQueue)  12 ALL_DONE (seq)  13 CLOSED (bumped when a holder leaves)
//   14 NOT_EMPTY_AT, 15 NOT_FULL_AT: µs clock of the last put (get), for adaptive spinning
//   16.. PENDING pids of producers copying a large item (8)
//   24.. READERS (pid, count) × 12   48.. WRITERS (pid, count) × 12
//   72.. READERS IN TRANSIT × 8   80.. WRITERS IN TRANSIT × 8: an expiry (seconds, > 0), or
//        -pid once the receiving process is known (held while that process lives)
//   88.. ring segment name (UTF-8, 200 bytes)
//   138.. SPARE × 4: (state, capacity, name × 10 words) segments of consumed large messages,
//        kept for the next large put (no new segment, no page faults); state 0 empty,
//        1 being written or taken, 2 ready
//   186 SLEEP_SEQ: the NOT_EMPTY value the last getter to sleep sleeps on (see announce)

import { availableParallelism } from 'node:os';
import { threadId } from 'node:worker_threads';
import { ProcessError } from '../errors.js';
import { waitAsync, waitSync, wake } from '../native/futex.js';
import { threadHasEnded } from '../process/threads.js';
import { allocate, attachShared } from '../shm/arena.js';
import { attachSegment, createSegment, unlinkSegment } from '../shm/segment.js';
import { Kind, SemLock, type SemLockHandle } from '../sync/semlock.js';
import { putUint32 } from '../util/bytes.js';
import { pidAlive } from '../util/pid.js';

enum H {
  Count = 0,
  Head = 1,
  Tail = 2,
  Used = 3,
  Capacity = 4,
  Generation = 5,
  NotEmpty = 6,
  NotFull = 7,
  MaxSize = 8,
  GetWaiters = 9,
  PutWaiters = 10,
  Unfinished = 11,
  AllDone = 12,
  Closed = 13,
  NotEmptyAt = 14,
  NotFullAt = 15,
  Pending = 16,
  Readers = 24,
  Writers = 48,
  ReadersInTransit = 72,
  WritersInTransit = 80,
  Name = 88,
}
const PENDING_SLOTS = 8;
const HOLDER_SLOTS = 12;
const TRANSIT_SLOTS = 8;
/** An end sent to another process counts as held for this long, or until the receiver takes it. */
const TRANSIT_SECONDS = 30;
const EPOCH = 1_700_000_000; // seconds, so that an int32 holds them for decades
const nowSeconds = () => Math.floor(Date.now() / 1000) - EPOCH;
const NAME_BYTES = 200;
const SPARE_BASE = H.Name + NAME_BYTES / 4;
const SPARE_SLOTS = 4;
const SPARE_WORDS = 12;
const SPARE_NAME_BYTES = (SPARE_WORDS - 2) * 4;
/** Segments up to this size are kept for reuse; larger ones are unlinked. */
const SPARE_MAX = 16 * 1024 * 1024;
/**
 * The NOT_EMPTY value the last getter to sleep sleeps on (see announce): after the spares, so
 * that the words above keep their places.
 */
const SLEEP_SEQ = SPARE_BASE + SPARE_SLOTS * SPARE_WORDS;
const HEADER_BYTES = (SLEEP_SEQ + 1) * 4;

/** A new channel's ring, unless it asks for another size (a power of two). */
const INITIAL_RING = 64 * 1024;
const MAX_RING = 1 << 30;
/** takeMany() stops taking records once it has taken this many bytes of ring. */
const MANY_BYTES = 256 * 1024;
/** A large message's segment: its length (u32), then from this offset (8-aligned) its bytes. */
const SIDE_HEADER = 8;
/**
 * Messages from this size on travel in a segment of their own, or from a quarter of the ring
 * when that is more (see largeFrom): a segment's creation and first page faults cost more than
 * copying through a ring that has room.
 */
export const LARGE_MESSAGE = 64 * 1024;
/** A quarter of a ring larger than 1 MiB still sends messages from this size on to a segment. */
const MAX_INLINE = 256 * 1024;
/** Copies out of the ring up to this many bytes are made byte by byte, without a view. */
const SHORT_COPY = 64;
const RECORD_HEADER = 16; // length u32, flags u32, tag i32, unused
const FLAG_SIDE = 1; // the payload is the name of a segment holding the bytes
const FLAG_RAW = 2; // sent with sendBytes
const FLAG_WITHDRAWN = 4; // taken back by its sender before anyone got it: skipped by getters
// Records are 16-aligned, as long as their header, and the ring a power of two: a header never wraps.
const recordSize = (payload: number) => (RECORD_HEADER + payload + 15) & ~15;
/**
 * Copies out of a ring that are decoded and dropped come from slabs, as Buffer.allocUnsafe()'s
 * do from Node's pool (an ArrayBuffer per message is work for the collector), 8-aligned (a
 * block of numbers is read in place), but as plain Uint8Arrays: the decoders then meet one
 * kind of array (ring views and segments are Uint8Arrays too), where V8's optimized code for
 * one kind was thrown away when the other came.
 */
const SLAB = 64 * 1024;
// (the first slab is made by the first copy: many a process or thread that imports the package
// never makes one, and a slab made at import costs each of them 64 KiB)
let slab = new Uint8Array(0);
let slabAt = SLAB;

function slice(length: number): Uint8Array {
  if (length > SLAB >> 3) return new Uint8Array(length);
  if (slabAt + length > SLAB) {
    slab = new Uint8Array(SLAB);
    slabAt = 0;
  }
  const out = slab.subarray(slabAt, slabAt + length);
  slabAt = (slabAt + length + 7) & ~7;
  return out;
}

/** Checks of the count before a consumer sleeps (a producer on the other CPU is often quicker). */
const SPINS = 2000;
/**
 * Adaptive spinning: a waiter whose last wait ended within this many microseconds (measured
 * to the put or get that ended it, not to when the sleeper woke) spins up to 3× that long (at
 * least 50 µs, at most this) before sleeping, since a sleep costs a wake-up of 30-60 µs on
 * these machines (more than a tiny task's whole round trip). A waiter whose waits are long
 * does not spin, nor does an idle (unreferenced) one, so idle or slow consumers cost no CPU.
 */
const SPIN_MAX_US = availableParallelism() > 1 ? 300 : 0;
const MIN_SPIN_US = 50;
/**
 * A microsecond clock shared by the processes of a machine (CLOCK_MONOTONIC; timeOrigin +
 * performance.now() differs between processes by hundreds of µs), as an int32 (it wraps:
 * compare by difference).
 */
const nowMicros = () => {
  const [seconds, nanos] = process.hrtime();
  return ((seconds * 1_000_000 + Math.floor(nanos / 1000)) % 4294967296) | 0;
};
/** A waiter re-checks for dead producers/writers this often. */
const CHECK_MS = 250;

export type Role = 'reader' | 'writer';

/** A payload ready for the ring: large ones are the name of the segment holding them. */
interface Prepared {
  payload: Uint8Array;
  flags: number;
  side?: string;
  slot?: number;
}

export interface ChannelHandle {
  header: { segment: string; offset: number };
  lock: SemLockHandle;
}

export interface Message {
  bytes: Uint8Array;
  /** True when sent with sendBytes (raw), false for serialized values. */
  raw: boolean;
  /**
   * For a large message, `bytes` is a view of its segment: call release() once done with it
   * (after deserializing it, or after copying it) so the segment can carry the next one.
   */
  release?: () => void;
}

/** Where a get stores the tag of the record it takes: array[index], in the same step. */
export interface RecordTag {
  array: Int32Array;
  index: number;
}

/** What takeMany() hands its records to. */
export interface RecordReceiver {
  /** A small record: its bytes are span[start…end), to be read during the call. */
  record(span: Uint8Array, start: number, end: number, tag: number): void;
  /** A large or raw record. */
  message(message: Message, tag: number): void;
}

/**
 * Who holds a connection end: this thread of this process, as a lock's owner token (the pid,
 * and a thread's low id bits above it: 0 for a main thread, so a process's token is its pid).
 */
const PID_MASK = 0x3fffff;
const HOLDER = (process.pid & PID_MASK) | ((threadId & 0x3ff) << 22);

/** A holder token still counts: its process lives and, for a thread of ours, it has not ended. */
function holderAlive(holder: number): boolean {
  if (holder === HOLDER) return true;
  const pid = holder & PID_MASK;
  if (pid === (process.pid & PID_MASK)) return !threadHasEnded((holder >>> 22) & 0x3ff);
  return pidAlive(pid);
}

/** Large-message segments this process has mapped, by name (they are reused, so kept mapped). */
const spares = new Map<string, SharedArrayBuffer>();

function spareBuffer(name: string): SharedArrayBuffer {
  let buffer = spares.get(name);
  if (!buffer) {
    buffer = attachSegment(name).buffer;
    spares.set(name, buffer);
    if (spares.size > 64) spares.delete(spares.keys().next().value!);
  }
  return buffer;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Channel {
  readonly handle: ChannelHandle;
  readonly #lock: SemLock;
  readonly #headerBuffer: SharedArrayBuffer;
  readonly #h: Int32Array;
  readonly #offset: number;
  #ring: Uint8Array;
  #ringView: DataView;
  #generation: number;
  /** Microseconds to spin before sleeping, learnt from recent waits (see SPIN_MAX_US). */
  #spinBudget = 0;

  private constructor(handle: ChannelHandle, lock: SemLock, headerBuffer: SharedArrayBuffer) {
    this.handle = handle;
    this.#lock = lock;
    this.#headerBuffer = headerBuffer;
    this.#offset = handle.header.offset;
    this.#h = new Int32Array(headerBuffer, handle.header.offset, HEADER_BYTES / 4);
    this.#generation = -1;
    this.#ring = new Uint8Array(0);
    this.#ringView = new DataView(new ArrayBuffer(0));
  }

  static create(maxsize: number, ring = INITIAL_RING): Channel {
    if (!(ring >= INITIAL_RING && (ring & (ring - 1)) === 0)) {
      throw new RangeError(`a channel's ring must be a power of two of at least ${INITIAL_RING} bytes, got ${ring}`);
    }
    const slot = allocate(HEADER_BYTES);
    const lock = SemLock.create(Kind.Lock, 0, 0);
    const channel = new Channel(
      { header: { segment: slot.segment, offset: slot.offset }, lock: lock.handle },
      lock,
      slot.buffer,
    );
    const segment = createSegment(ring);
    channel.#publishRing(segment.name, ring);
    Atomics.store(channel.#h, H.MaxSize, maxsize);
    return channel;
  }

  static attach(handle: ChannelHandle): Channel {
    return new Channel(handle, SemLock.attach(handle.lock), attachShared(handle.header.segment));
  }

  #publishRing(name: string, capacity: number): void {
    const bytes = encoder.encode(name);
    const target = new Uint8Array(this.#headerBuffer, this.#offset + H.Name * 4, NAME_BYTES);
    target.fill(0);
    target.set(bytes);
    Atomics.store(this.#h, H.Capacity, capacity);
    Atomics.add(this.#h, H.Generation, 1);
  }

  #ringName(): string {
    const bytes = new Uint8Array(this.#headerBuffer, this.#offset + H.Name * 4, NAME_BYTES);
    const end = bytes.indexOf(0);
    return decoder.decode(bytes.slice(0, end < 0 ? NAME_BYTES : end));
  }

  /** Under the lock: make sure our view of the ring is the current segment. */
  #syncRing(): void {
    const generation = Atomics.load(this.#h, H.Generation);
    if (generation === this.#generation) return;
    const buffer = attachSegment(this.#ringName()).buffer;
    this.#ring = new Uint8Array(buffer);
    this.#ringView = new DataView(buffer);
    this.#generation = generation;
  }

  // -------------------------------------------------------------------------------------
  // Copying in and out of the ring (under the lock).

  #copyIn(at: number, bytes: Uint8Array): number {
    const capacity = this.#ring.length;
    if (at + bytes.length <= capacity) {
      this.#ring.set(bytes, at);
      return (at + bytes.length) % capacity;
    }
    const first = Math.min(bytes.length, capacity - at);
    this.#ring.set(bytes.subarray(0, first), at);
    if (first < bytes.length) this.#ring.set(bytes.subarray(first), 0);
    return (at + bytes.length) % capacity;
  }

  /** A copy of ring bytes; `own`: in an ArrayBuffer of its own (bytes handed to the user). */
  #copyOut(at: number, length: number, own = false): Uint8Array {
    const out = own ? new Uint8Array(length) : slice(length);
    this.#copyInto(out, at, length);
    return out;
  }

  /** Copies `length` ring bytes from `at` to the start of `out`. */
  #copyInto(out: Uint8Array, at: number, length: number): void {
    const ring = this.#ring;
    const capacity = ring.length;
    if (at + length <= capacity) {
      // (a short record byte by byte: a view to copy from is an object per task taken)
      if (length <= SHORT_COPY) for (let i = 0; i < length; i++) out[i] = ring[at + i]!;
      else out.set(ring.subarray(at, at + length));
      return;
    }
    const first = Math.min(length, capacity - at);
    out.set(this.#ring.subarray(at, at + first));
    if (first < length) out.set(this.#ring.subarray(0, length - first), first);
  }

  /** Grows the ring (under the lock) until `needed` more bytes fit. */
  #grow(needed: number): void {
    const h = this.#h;
    const used = Atomics.load(h, H.Used);
    let capacity = this.#ring.length;
    while (capacity - used < needed) capacity *= 2;
    if (capacity > MAX_RING) {
      throw new ProcessError(
        `the queue holds ${used} bytes and cannot grow past ${MAX_RING}; consume items or bound it with maxsize`,
      );
    }
    const next = createSegment(capacity);
    const head = Atomics.load(h, H.Head);
    const bytes = this.#copyOut(head, used);
    new Uint8Array(next.buffer).set(bytes);
    const old = this.#ringName();
    Atomics.store(h, H.Head, 0);
    Atomics.store(h, H.Tail, used);
    this.#publishRing(next.name, capacity);
    unlinkSegment(old);
    this.#syncRing();
  }

  // -------------------------------------------------------------------------------------
  // Put.

  /**
   * From how many bytes on a message goes in a segment of its own: 64 KiB, or a quarter of the
   * ring if it is larger, up to 256 KiB (a record is copied under the lock; read without the
   * lock: the ring only grows, and a message that does not fit makes it grow).
   */
  get largeFrom(): number {
    return Math.min(MAX_INLINE, Math.max(LARGE_MESSAGE, Atomics.load(this.#h, H.Capacity) >> 2));
  }

  /** Whether a message of `length` bytes goes in a segment of its own (the header is read only past 64 KiB). */
  isLarge(length: number): boolean {
    return length >= LARGE_MESSAGE && length >= this.largeFrom;
  }

  /** Prepares a payload: small ones as they are, large ones in a segment of their own. */
  #prepare(bytes: Uint8Array): Prepared {
    if (!this.isLarge(bytes.length)) return { payload: bytes, flags: 0 };
    const slot = this.#markPending();
    let segment = this.#takeSpare(bytes.length + SIDE_HEADER);
    if (!segment) {
      segment = createSegment(bytes.length + SIDE_HEADER);
      spares.set(segment.name, segment.buffer);
    }
    const view = new DataView(segment.buffer);
    view.setUint32(0, bytes.length, true);
    new Uint8Array(segment.buffer, SIDE_HEADER, bytes.length).set(bytes);
    return { payload: encoder.encode(segment.name), flags: FLAG_SIDE, side: segment.name, slot };
  }

  /** A spare segment of at least `size` bytes, if one is ready. */
  #takeSpare(size: number): { name: string; buffer: SharedArrayBuffer } | undefined {
    const h = this.#h;
    for (let i = 0; i < SPARE_SLOTS; i++) {
      const at = SPARE_BASE + i * SPARE_WORDS;
      if (Atomics.load(h, at) !== 2 || Atomics.load(h, at + 1) < size) continue;
      if (Atomics.compareExchange(h, at, 2, 1) !== 2) continue;
      const bytes = new Uint8Array(this.#headerBuffer, this.#offset + (at + 2) * 4, SPARE_NAME_BYTES);
      const end = bytes.indexOf(0);
      const name = decoder.decode(bytes.slice(0, end < 0 ? SPARE_NAME_BYTES : end));
      Atomics.store(h, at, 0);
      try {
        return { name, buffer: spareBuffer(name) };
      } catch {
        // it vanished (the tree is ending): make a new one
      }
    }
    return undefined;
  }

  /** Keeps a consumed large message's segment for the next large put, or removes it. */
  #giveBack(name: string, buffer: SharedArrayBuffer): void {
    const h = this.#h;
    const name8 = encoder.encode(name);
    if (buffer.byteLength <= SPARE_MAX && name8.length < SPARE_NAME_BYTES) {
      for (let i = 0; i < SPARE_SLOTS; i++) {
        const at = SPARE_BASE + i * SPARE_WORDS;
        if (Atomics.compareExchange(h, at, 0, 1) !== 0) continue;
        const target = new Uint8Array(this.#headerBuffer, this.#offset + (at + 2) * 4, SPARE_NAME_BYTES);
        target.fill(0);
        target.set(name8);
        Atomics.store(h, at + 1, buffer.byteLength);
        Atomics.store(h, at, 2);
        return;
      }
    }
    spares.delete(name);
    unlinkSegment(name);
  }

  /**
   * For an owner that knows nobody will use the channel again (a pool whose workers have all
   * exited): removes its ring and spare segments now rather than when the program ends.
   * Mappings already made stay valid; the header slot stays in its arena.
   */
  unlinkSegments(): void {
    const h = this.#h;
    for (let i = 0; i < SPARE_SLOTS; i++) {
      const at = SPARE_BASE + i * SPARE_WORDS;
      if (Atomics.compareExchange(h, at, 2, 1) !== 2) continue;
      const bytes = new Uint8Array(this.#headerBuffer, this.#offset + (at + 2) * 4, SPARE_NAME_BYTES);
      const end = bytes.indexOf(0);
      const name = decoder.decode(bytes.slice(0, end < 0 ? SPARE_NAME_BYTES : end));
      spares.delete(name);
      unlinkSegment(name);
    }
    // Large messages nobody will read (a terminated pool's last results): their segments too.
    this.#syncRing();
    const capacity = this.#ring.length;
    let at = Atomics.load(h, H.Head);
    for (let n = Atomics.load(h, H.Count); n > 0; n--) {
      const length = this.#ringView.getUint32(at, true);
      if (this.#ringView.getUint32(at + 4, true) & FLAG_SIDE) {
        const name = decoder.decode(this.#copyOut((at + RECORD_HEADER) % capacity, length));
        spares.delete(name);
        unlinkSegment(name);
      }
      at = (at + recordSize(length)) % capacity;
    }
    unlinkSegment(this.#ringName());
  }

  /** Records that this process is copying a large item, so its death mid-copy is noticed. */
  #markPending(): number {
    for (let i = 0; i < PENDING_SLOTS; i++) {
      if (Atomics.compareExchange(this.#h, H.Pending + i, 0, process.pid) === 0) return i;
    }
    return -1;
  }

  /**
   * One attempt: true when the record was written, false when the queue is full. `tag`
   * travels beside the payload; a consumer can have it recorded as it takes the record.
   */
  tryPut(bytes: Uint8Array, raw: boolean, tag = 0): boolean {
    const h = this.#h;
    const maxsize = Atomics.load(h, H.MaxSize);
    if (maxsize > 0 && Atomics.load(h, H.Count) >= maxsize) return false;
    const prepared = this.#prepare(bytes);
    this.#lock.acquireSync(undefined);
    try {
      if (maxsize > 0 && Atomics.load(h, H.Count) >= maxsize) {
        if (prepared.side) this.#giveBack(prepared.side, spareBuffer(prepared.side));
        return false;
      }
      this.#syncRing();
      const size = recordSize(prepared.payload.length);
      if (this.#ring.length - Atomics.load(h, H.Used) < size) this.#grow(size);
      const tail = Atomics.load(h, H.Tail);
      // Records are 16-aligned and the ring a power of two: a header never wraps.
      this.#ringView.setUint32(tail, prepared.payload.length, true);
      this.#ringView.setUint32(tail + 4, prepared.flags | (raw ? FLAG_RAW : 0), true);
      this.#ringView.setInt32(tail + 8, tag, true);
      this.#copyIn((tail + RECORD_HEADER) % this.#ring.length, prepared.payload);
      // Publish only now: a process killed above leaves the queue as it was.
      Atomics.store(h, H.Tail, (tail + size) % this.#ring.length);
      Atomics.add(h, H.Used, size);
      Atomics.add(h, H.Count, 1);
      Atomics.add(h, H.Unfinished, 1);
      // Only a sleeper learns from this stamp (a spinner times itself): skip the clock otherwise.
      if (Atomics.load(h, H.GetWaiters) > 0) Atomics.store(h, H.NotEmptyAt, nowMicros());
      Atomics.add(h, H.NotEmpty, 1);
    } finally {
      this.#lock.releaseLock();
      if (prepared.slot !== undefined && prepared.slot >= 0) Atomics.store(h, H.Pending + prepared.slot, 0);
    }
    if (Atomics.load(h, H.GetWaiters) > 0) wake(this.#headerBuffer, this.#offset + H.NotEmpty * 4, 1);
    return true;
  }

  /** Adds a record of these bytes to a batch (a large one goes to a segment of its own now). */
  addTo(batch: RecordBatch, bytes: Uint8Array, tag: number): void {
    if (!this.isLarge(bytes.length)) {
      batch.image.set(bytes, batch.reserve(bytes.length, tag));
      return;
    }
    const prepared = this.#prepare(bytes);
    batch.image.set(prepared.payload, batch.reserve(prepared.payload.length, tag, prepared.flags));
    batch.sides.push({ tag, side: prepared.side!, slot: prepared.slot! });
  }

  /** Takes a record back from a batch not yet put: false if it holds none with this tag. */
  withdrawFrom(batch: RecordBatch, tag: number): boolean {
    if (!batch.remove(tag)) return false;
    const index = batch.sides.findIndex((side) => side.tag === tag);
    if (index >= 0) this.#dropSide(batch.sides.splice(index, 1)[0]!);
    return true;
  }

  /** Empties a batch without putting it (its large records' segments are given back). */
  discard(batch: RecordBatch): void {
    for (const side of batch.sides) this.#dropSide(side);
    batch.clear();
  }

  /** A large record that will not be put: its segment goes back, its copy is no longer pending. */
  #dropSide({ side, slot }: RecordBatch['sides'][number]): void {
    this.#giveBack(side, spareBuffer(side));
    if (slot >= 0) Atomics.store(this.#h, H.Pending + slot, 0);
  }

  /**
   * Puts a batch's records under one hold of the lock and with one wake-up (an unbounded
   * channel only: the pool's task queue), and empties the batch. A batch of tiny tasks costs
   * one lock, one copy and one syscall. If the ring cannot grow, it throws and nothing is put
   * (the batch keeps its records).
   */
  putBatch(batch: RecordBatch): void {
    const h = this.#h;
    if (Atomics.load(h, H.MaxSize) > 0) throw new ProcessError('putBatch() is for unbounded channels');
    const count = batch.count;
    const total = batch.length;
    if (count === 0) return;
    this.#lock.acquireSync(undefined);
    try {
      this.#syncRing();
      // Room for the whole batch first: a ring that cannot grow fails it before any is published.
      if (this.#ring.length - Atomics.load(h, H.Used) < total) this.#grow(total);
      const tail = Atomics.load(h, H.Tail);
      // (16-aligned, as the tail is: at the ring's end the copy wraps between whole headers)
      this.#copyIn(tail, batch.image.subarray(0, total));
      Atomics.store(h, H.Tail, (tail + total) % this.#ring.length);
      Atomics.add(h, H.Used, total);
      Atomics.add(h, H.Count, count);
      Atomics.add(h, H.Unfinished, count);
      Atomics.store(h, H.NotEmptyAt, nowMicros());
      Atomics.add(h, H.NotEmpty, 1);
    } finally {
      this.#lock.releaseLock();
    }
    for (const { slot } of batch.sides) if (slot >= 0) Atomics.store(h, H.Pending + slot, 0);
    batch.clear();
    const waiters = Atomics.load(h, H.GetWaiters);
    if (waiters > 0) wake(this.#headerBuffer, this.#offset + H.NotEmpty * 4, Math.min(waiters, count));
  }

  /**
   * Wakes getters as a put does, for something they look for beside this channel (a pool
   * worker's result ring): the word moves first, so a getter about to sleep does not. For a
   * channel with one getting thread (a pool's result queue, read by its pump): only the call
   * that moves the word off the value that getter sleeps on wakes it. Earlier calls moved it
   * before the getter read it (it does not sleep), later ones after it was woken; each of
   * those used to be a futex system call while the woken getter had not run yet.
   */
  announce(): void {
    const h = this.#h;
    if (Atomics.load(h, H.GetWaiters) > 0) Atomics.store(h, H.NotEmptyAt, nowMicros());
    const before = Atomics.add(h, H.NotEmpty, 1);
    if (Atomics.load(h, H.GetWaiters) > 0 && before === Atomics.load(h, SLEEP_SEQ)) {
      wake(this.#headerBuffer, this.#offset + H.NotEmpty * 4, 1);
    }
  }

  // -------------------------------------------------------------------------------------
  // Get.

  /** One attempt: the next message, or undefined when the queue is empty. */
  tryGet(maxlength?: number): Message | undefined {
    return this.#get(maxlength, undefined, undefined) as Message | undefined;
  }

  /**
   * tryGet() for a reader that decodes each message at once (a pool worker, its tasks): a
   * small record is copied into `scratch.bytes` (replaced by a larger array when too short),
   * and its length returned: no buffer and no object per message. A large or raw one comes
   * as a Message, as from tryGet(). The record's tag is stored in recordTag.array[index]
   * under the lock, in the same step as the take: whoever watches that slot never misses a
   * taken record.
   */
  tryGetInto(scratch: { bytes: Uint8Array }, recordTag: RecordTag): number | Message | undefined {
    return this.#get(undefined, recordTag, scratch);
  }

  #get(
    maxlength: number | undefined,
    recordTag: RecordTag | undefined,
    scratch: { bytes: Uint8Array } | undefined,
  ): number | Message | undefined {
    const h = this.#h;
    if (Atomics.load(h, H.Count) === 0) return undefined;
    let record: Uint8Array | undefined;
    let length: number;
    let flags: number;
    // (made only when a withdrawn record holds a segment: no array per get)
    let withdrawnSides: Uint8Array[] | undefined;
    this.#lock.acquireSync(undefined);
    try {
      if (Atomics.load(h, H.Count) === 0) return undefined;
      this.#syncRing();
      let head = Atomics.load(h, H.Head);
      length = this.#ringView.getUint32(head, true);
      flags = this.#ringView.getUint32(head + 4, true);
      while (flags & FLAG_WITHDRAWN) {
        this.#pop(head, length);
        if (flags & FLAG_SIDE) {
          (withdrawnSides ??= []).push(this.#copyOut((head + RECORD_HEADER) % this.#ring.length, length));
        }
        if (Atomics.load(h, H.Count) === 0) return undefined;
        head = Atomics.load(h, H.Head);
        length = this.#ringView.getUint32(head, true);
        flags = this.#ringView.getUint32(head + 4, true);
      }
      if (recordTag) Atomics.store(recordTag.array, recordTag.index, this.#ringView.getInt32(head + 8, true));
      if (maxlength !== undefined && !(flags & FLAG_SIDE) && length > maxlength) {
        throw new TooLong(length);
      }
      const at = (head + RECORD_HEADER) % this.#ring.length;
      if (scratch && !(flags & (FLAG_RAW | FLAG_SIDE))) {
        if (scratch.bytes.length < length) scratch.bytes = new Uint8Array(Math.max(length, 2 * scratch.bytes.length));
        this.#copyInto(scratch.bytes, at, length);
      } else record = this.#copyOut(at, length, (flags & FLAG_RAW) !== 0);
      if (maxlength !== undefined && flags & FLAG_SIDE) {
        const sideLength = new DataView(spareBuffer(decoder.decode(record!))).getUint32(0, true);
        if (sideLength > maxlength) throw new TooLong(sideLength);
      }
      this.#pop(head, length);
    } finally {
      this.#lock.releaseLock();
      if (withdrawnSides) this.#giveBackAll(withdrawnSides);
    }
    if (Atomics.load(h, H.PutWaiters) > 0) wake(this.#headerBuffer, this.#offset + H.NotFull * 4, 1);
    return record ? this.#message(record, flags) : length;
  }

  /** Gives back the segments of withdrawn records (their records hold the segments' names). */
  #giveBackAll(sides: Uint8Array[]): void {
    for (const side of sides) {
      const name = decoder.decode(side);
      this.#giveBack(name, spareBuffer(name));
    }
  }

  /**
   * Up to `max` records (and about MANY_BYTES of ring) under one hold of the lock, their
   * bytes one copy out of the ring, handed to `receiver` in order: a small one as where it
   * lies in that copy (no object per record), a large or raw one as a Message. For a reader
   * that drains a busy channel (a pool's results). Returns how many it took.
   */
  takeMany(max: number, receiver: RecordReceiver): number {
    const h = this.#h;
    if (Atomics.load(h, H.Count) === 0) return 0;
    // Per record: where its payload starts in the copy, its length, its flags, its tag.
    const found: number[] = [];
    let withdrawnSides: Uint8Array[] | undefined;
    let span: Uint8Array;
    this.#lock.acquireSync(undefined);
    try {
      this.#syncRing();
      const capacity = this.#ring.length;
      const head = Atomics.load(h, H.Head);
      const count = Atomics.load(h, H.Count);
      let bytes = 0;
      let taken = 0;
      while (taken < count && found.length < 4 * max && bytes < MANY_BYTES) {
        const at = (head + bytes) % capacity;
        const length = this.#ringView.getUint32(at, true);
        const flags = this.#ringView.getUint32(at + 4, true);
        if (!(flags & FLAG_WITHDRAWN))
          found.push(bytes + RECORD_HEADER, length, flags, this.#ringView.getInt32(at + 8, true));
        else if (flags & FLAG_SIDE)
          (withdrawnSides ??= []).push(this.#copyOut((at + RECORD_HEADER) % capacity, length));
        bytes += recordSize(length);
        taken++;
      }
      span = this.#copyOut(head, bytes);
      Atomics.store(h, H.Head, (head + bytes) % capacity);
      Atomics.sub(h, H.Used, bytes);
      Atomics.sub(h, H.Count, taken);
      if (Atomics.load(h, H.PutWaiters) > 0) Atomics.store(h, H.NotFullAt, nowMicros());
      Atomics.add(h, H.NotFull, 1);
    } finally {
      this.#lock.releaseLock();
      if (withdrawnSides) this.#giveBackAll(withdrawnSides);
    }
    const records = found.length / 4;
    if (Atomics.load(h, H.PutWaiters) > 0) wake(this.#headerBuffer, this.#offset + H.NotFull * 4, records);
    for (let i = 0; i < 4 * records; i += 4) {
      const at = found[i]!;
      const end = at + found[i + 1]!;
      const flags = found[i + 2]!;
      if (!(flags & (FLAG_RAW | FLAG_SIDE))) receiver.record(span, at, end, found[i + 3]!);
      else {
        // (raw bytes go to the user: in a buffer of their own, not a view of the copy)
        const record = flags & FLAG_RAW ? new Uint8Array(span.subarray(at, end)) : span.subarray(at, end);
        receiver.message(this.#message(record, flags), found[i + 3]!);
      }
    }
    return records;
  }

  /** A record as a Message: large ones are a view of their segment. */
  #message(record: Uint8Array, flags: number): Message {
    const raw = (flags & FLAG_RAW) !== 0;
    if (!(flags & FLAG_SIDE)) return { bytes: record, raw };
    // A large message is handed over as a view of its segment; release() returns the
    // segment to the channel's spares once the receiver is done with the bytes.
    const name = decoder.decode(record);
    const buffer = spareBuffer(name);
    const length = new DataView(buffer).getUint32(0, true);
    let released = false;
    return {
      bytes: new Uint8Array(buffer, SIDE_HEADER, length),
      raw,
      release: () => {
        if (released) return;
        released = true;
        this.#giveBack(name, buffer);
      },
    };
  }

  /**
   * A thread of this process that used the channel has ended (terminated by its pool): if it
   * held the lock, release it. Safe: a put publishes last and a get pops last, so a thread
   * stopped half-way left the ring as it was.
   */
  releaseForDeadThread(threadId: number): void {
    this.#lock.releaseIfHeldByThread(threadId);
  }

  /** The same for a process of the caller's that has exited (see SemLock.releaseIfHeldByProcess). */
  releaseForDeadProcess(pid: number): void {
    this.#lock.releaseIfHeldByProcess(pid);
  }

  /** Removes the record at `head` (under the lock). */
  #pop(head: number, length: number): void {
    const h = this.#h;
    const size = recordSize(length);
    Atomics.store(h, H.Head, (head + size) % this.#ring.length);
    Atomics.sub(h, H.Used, size);
    Atomics.sub(h, H.Count, 1);
    if (Atomics.load(h, H.PutWaiters) > 0) Atomics.store(h, H.NotFullAt, nowMicros());
    Atomics.add(h, H.NotFull, 1);
  }

  /**
   * Takes back the oldest record carrying `tag` if no one has got it yet: true when it was
   * found (it will never be delivered), false when it was already taken.
   */
  withdraw(tag: number): boolean {
    return this.#find(tag, true);
  }

  /** Whether a record with this tag is still queued (not taken, not withdrawn). */
  holds(tag: number): boolean {
    return this.#find(tag, false);
  }

  #find(tag: number, withdraw: boolean): boolean {
    const h = this.#h;
    this.#lock.acquireSync(undefined);
    try {
      this.#syncRing();
      let at = Atomics.load(h, H.Head);
      for (let n = Atomics.load(h, H.Count); n > 0; n--) {
        const length = this.#ringView.getUint32(at, true);
        const flags = this.#ringView.getUint32(at + 4, true);
        if (!(flags & FLAG_WITHDRAWN) && this.#ringView.getInt32(at + 8, true) === tag) {
          if (withdraw) this.#ringView.setUint32(at + 4, flags | FLAG_WITHDRAWN, true);
          return true;
        }
        at = (at + recordSize(length)) % this.#ring.length;
      }
      return false;
    } finally {
      this.#lock.releaseLock();
    }
  }

  // -------------------------------------------------------------------------------------
  // Waiting.

  /** The word and value to wait on before retrying: NOT_EMPTY for getters, NOT_FULL for putters. */
  seq(kind: 'get' | 'put'): number {
    return Atomics.load(this.#h, kind === 'get' ? H.NotEmpty : H.NotFull);
  }

  #waitWord(kind: 'get' | 'put'): number {
    return this.#offset + (kind === 'get' ? H.NotEmpty : H.NotFull) * 4;
  }

  #waiters(kind: 'get' | 'put'): number {
    return kind === 'get' ? H.GetWaiters : H.PutWaiters;
  }

  /** Spins up to the adaptive budget; true when the word changed meanwhile. */
  #spin(word: number, seq: number, start: number): boolean {
    const h = this.#h;
    if (this.#spinBudget === 0) return false;
    const limit = this.#spinBudget;
    for (let i = 1; ; i++) {
      if (Atomics.load(h, word) !== seq) {
        this.#learn((nowMicros() - start) | 0);
        return true;
      }
      if ((i & 63) === 0 && ((nowMicros() - start) | 0) > limit) return false;
    }
  }

  /**
   * Remembers how long the last wait really lasted (µs from its start to the put or get that
   * ended it, not to when the sleeper woke): short waits make the next spin worth it.
   */
  #learn(micros: number): void {
    if (micros < SPIN_MAX_US) this.#spinBudget = Math.min(SPIN_MAX_US, Math.max(MIN_SPIN_US, micros * 3));
    else {
      // One long wait (a collection on the other side, say) halves the budget rather than
      // ending it: the next wait of a busy exchange would otherwise sleep and pay a wake-up.
      // Waits that stay long bring it to nothing within a few waits.
      const half = this.#spinBudget >> 1;
      this.#spinBudget = half < MIN_SPIN_US ? 0 : half;
    }
  }

  /** After a sleep: when did the event that woke us happen? */
  #learnFromSleep(kind: 'get' | 'put', start: number): void {
    const at = Atomics.load(this.#h, kind === 'get' ? H.NotEmptyAt : H.NotFullAt);
    this.#learn(Math.max(0, (at - start) | 0));
  }

  /**
   * Waits (spinning first, see SPIN_MAX_US) until the word moves past `seq`, `timeout` passes
   * or CHECK_MS pass (then the caller retries). `ref: false` does not keep the event loop
   * alive; `spin: false` sleeps at once; `wakeup.fire()` ends the wait early from this thread.
   * False when the wait timed out (it was not woken and the word did not move).
   */
  async waitAsync(
    kind: 'get' | 'put',
    seq: number,
    timeout: number | undefined,
    signal?: AbortSignal,
    options?: { ref?: boolean; spin?: boolean; wakeup?: { fire?: (() => void) | undefined } },
  ): Promise<boolean> {
    const h = this.#h;
    const word = kind === 'get' ? H.NotEmpty : H.NotFull;
    const ref = options?.ref ?? true;
    for (let i = 0; i < SPINS / 4; i++) if (Atomics.load(h, word) !== seq) return true;
    const start = nowMicros();
    // An idle (unreferenced) wait does not spin, nor one whose caller knows every CPU is busy.
    if (ref && options?.spin !== false && this.#spin(word, seq, start)) return true;
    // A wait ended by wakeup.fire() says nothing about how soon items arrive: not learnt.
    let kicked = false;
    const inner: { fire?: (() => void) | undefined } = {};
    if (options?.wakeup) {
      options.wakeup.fire = () => {
        kicked = true;
        inner.fire?.();
      };
    }
    Atomics.add(h, this.#waiters(kind), 1);
    if (kind === 'get') Atomics.store(h, SLEEP_SEQ, seq); // (after the count: see announce)
    try {
      const outcome = await waitAsync(this.#headerBuffer, this.#waitWord(kind), seq, {
        timeout: timeout === undefined ? CHECK_MS : Math.min(timeout, CHECK_MS),
        signal,
        ref,
        wakeup: inner,
      });
      if (outcome === 'timed-out') {
        this.#spinBudget = 0; // a long wait: do not spin before the next one
        this.checkDeadProducers();
        return false;
      }
      if (!kicked && ref) this.#learnFromSleep(kind, start);
      return true;
    } finally {
      Atomics.sub(h, this.#waiters(kind), 1);
    }
  }

  /**
   * The spinning a wait does before it sleeps, alone: true when the word moved past `seq`
   * meanwhile, false when the adaptive budget ran out first (then waitSync with spin: false).
   */
  spin(kind: 'get' | 'put', seq: number): boolean {
    const h = this.#h;
    const word = kind === 'get' ? H.NotEmpty : H.NotFull;
    for (let i = 0; i < SPINS; i++) if (Atomics.load(h, word) !== seq) return true;
    return this.#spin(word, seq, nowMicros());
  }

  waitSync(kind: 'get' | 'put', seq: number, timeout: number | undefined, options?: { spin?: boolean }): void {
    const h = this.#h;
    const start = nowMicros();
    if (options?.spin !== false && this.spin(kind, seq)) return;
    Atomics.add(h, this.#waiters(kind), 1);
    if (kind === 'get') Atomics.store(h, SLEEP_SEQ, seq);
    try {
      const outcome = waitSync(
        this.#headerBuffer,
        this.#waitWord(kind),
        seq,
        timeout === undefined ? CHECK_MS : Math.min(timeout, CHECK_MS),
      );
      if (outcome === 'timed-out') {
        this.#spinBudget = 0; // a long wait: do not spin before the next one
        this.checkDeadProducers();
      } else this.#learnFromSleep(kind, start);
    } finally {
      Atomics.sub(h, this.#waiters(kind), 1);
    }
  }

  /** A producer that died while copying a large item: drop the partial item, say so. */
  checkDeadProducers(): void {
    this.#lock.recoverFromDeadOwner();
    for (let i = 0; i < PENDING_SLOTS; i++) {
      const pid = Atomics.load(this.#h, H.Pending + i);
      if (pid === 0 || pid === process.pid || pidAlive(pid)) continue;
      if (Atomics.compareExchange(this.#h, H.Pending + i, pid, 0) === pid) {
        process.emitWarning(`process ${pid} died while putting a large item on a queue; the partial item was dropped`, {
          code: 'MP_QUEUE_PRODUCER_DIED',
        });
      }
    }
  }

  // -------------------------------------------------------------------------------------
  // State.

  get size(): number {
    return Atomics.load(this.#h, H.Count);
  }

  get maxsize(): number {
    return Atomics.load(this.#h, H.MaxSize);
  }

  /** JoinableQueue: one task done; false when there was none outstanding. */
  taskDone(): boolean {
    const h = this.#h;
    for (;;) {
      const unfinished = Atomics.load(h, H.Unfinished);
      if (unfinished <= 0) return false;
      if (Atomics.compareExchange(h, H.Unfinished, unfinished, unfinished - 1) === unfinished) {
        if (unfinished === 1) {
          Atomics.add(h, H.AllDone, 1);
          wake(this.#headerBuffer, this.#offset + H.AllDone * 4);
        }
        return true;
      }
    }
  }

  get unfinished(): number {
    return Atomics.load(this.#h, H.Unfinished);
  }

  async waitAllDone(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const seq = Atomics.load(this.#h, H.AllDone);
      if (Atomics.load(this.#h, H.Unfinished) <= 0) return;
      await waitAsync(this.#headerBuffer, this.#offset + H.AllDone * 4, seq, { signal });
    }
  }

  // -------------------------------------------------------------------------------------
  // Holders (for a Connection's end-of-file): which processes hold the reading and writing ends.

  #holders(role: Role): number {
    return role === 'reader' ? H.Readers : H.Writers;
  }

  addHolder(role: Role): void {
    const base = this.#holders(role);
    const h = this.#h;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      if (Atomics.load(h, base + i * 2) === HOLDER) {
        Atomics.add(h, base + i * 2 + 1, 1);
        return;
      }
    }
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      if (Atomics.compareExchange(h, base + i * 2, 0, HOLDER) === 0) {
        Atomics.add(h, base + i * 2 + 1, 1);
        return;
      }
    }
    throw new ProcessError(`a connection end can be held by at most ${HOLDER_SLOTS} processes at once`);
  }

  removeHolder(role: Role): void {
    const base = this.#holders(role);
    const h = this.#h;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      if (Atomics.load(h, base + i * 2) === HOLDER) {
        if (Atomics.sub(h, base + i * 2 + 1, 1) <= 1) {
          Atomics.store(h, base + i * 2 + 1, 0);
          Atomics.compareExchange(h, base + i * 2, HOLDER, 0);
        }
        break;
      }
    }
    this.#announceClose();
  }

  /**
   * The sender of an end: keep it counted as held until the receiver takes it over. Returns
   * a function that ties the hold to the receiving process once its pid is known.
   */
  addInTransit(role: Role): (pid: number) => void {
    const base = role === 'reader' ? H.ReadersInTransit : H.WritersInTransit;
    const h = this.#h;
    const now = nowSeconds();
    const expiry = now + TRANSIT_SECONDS;
    for (let i = 0; i < TRANSIT_SLOTS; i++) {
      const current = Atomics.load(h, base + i);
      const free = current === 0 || (current > 0 && current < now) || (current < 0 && !pidAlive(-current));
      if (free && Atomics.compareExchange(h, base + i, current, expiry) === current) {
        return (pid) => {
          Atomics.compareExchange(h, base + i, expiry, -pid);
        };
      }
    }
    // All slots busy: the end may report end-of-file early if every sender also closes at once.
    return () => {};
  }

  /** The receiver of an end takes over one in-transit hold. */
  claimInTransit(role: Role): void {
    const base = role === 'reader' ? H.ReadersInTransit : H.WritersInTransit;
    const h = this.#h;
    // Prefer the hold tied to this process, then any other.
    for (let i = 0; i < TRANSIT_SLOTS; i++) {
      if (Atomics.compareExchange(h, base + i, -process.pid, 0) === -process.pid) return;
    }
    for (let i = 0; i < TRANSIT_SLOTS; i++) {
      const current = Atomics.load(h, base + i);
      if (current > 0 && Atomics.compareExchange(h, base + i, current, 0) === current) return;
    }
  }

  /** Counts the ends closed so far: a change says a holder may have left. */
  get closings(): number {
    return Atomics.load(this.#h, H.Closed);
  }

  /** Wakes waiters so they notice a holder left. */
  #announceClose(): void {
    Atomics.add(this.#h, H.Closed, 1);
    Atomics.add(this.#h, H.NotEmpty, 1);
    Atomics.add(this.#h, H.NotFull, 1);
    wake(this.#headerBuffer, this.#offset + H.NotEmpty * 4);
    wake(this.#headerBuffer, this.#offset + H.NotFull * 4);
  }

  /** Whether any live process still holds this role (dead holders are forgotten). */
  hasHolders(role: Role): boolean {
    const base = this.#holders(role);
    const h = this.#h;
    let alive = false;
    const transit = role === 'reader' ? H.ReadersInTransit : H.WritersInTransit;
    const now = nowSeconds();
    for (let i = 0; i < TRANSIT_SLOTS; i++) {
      const hold = Atomics.load(h, transit + i);
      if (hold >= now || (hold < 0 && pidAlive(-hold))) alive = true;
    }
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      const holder = Atomics.load(h, base + i * 2);
      if (holder === 0) continue;
      if (holderAlive(holder)) {
        if (Atomics.load(h, base + i * 2 + 1) > 0) alive = true;
      } else if (Atomics.compareExchange(h, base + i * 2, holder, 0) === holder) {
        Atomics.store(h, base + i * 2 + 1, 0);
      }
    }
    return alive;
  }
}

/** Thrown inside tryGet when a message exceeds maxlength; the message stays queued. */
export class TooLong extends Error {
  constructor(readonly length: number) {
    super(`message of ${length} bytes`);
  }
}

const BATCH_IMAGE = 64 * 1024;

/**
 * Records collected by one producer for one putBatch(), laid out exactly as they will lie in
 * the ring (16-aligned headers, each payload behind its header), so that under the lock the
 * batch is one copy. A producer may write a payload in place (reserve()): no buffer of its
 * own per record.
 */
export class RecordBatch {
  #image = Buffer.allocUnsafeSlow(BATCH_IMAGE);
  #length = 0;
  #count = 0;
  /** Large records: the segments holding their bytes (see Channel.#prepare). */
  readonly sides: Array<{ tag: number; side: string; slot: number }> = [];

  /** The records' bytes; replaced when it grows (read it after reserve()). */
  get image(): Buffer {
    return this.#image;
  }

  get length(): number {
    return this.#length;
  }

  get count(): number {
    return this.#count;
  }

  /** Appends a record's header: the offset in `image` at which its `length` bytes go. */
  reserve(length: number, tag: number, flags = 0): number {
    const at = this.#length;
    const end = at + recordSize(length);
    if (end > this.#image.length) {
      const image = Buffer.allocUnsafeSlow(Math.max(end, 2 * this.#image.length));
      image.set(this.#image.subarray(0, at));
      this.#image = image;
    }
    const image = this.#image;
    putUint32(image, at, length);
    putUint32(image, at + 4, flags);
    putUint32(image, at + 8, tag);
    this.#length = end;
    this.#count++;
    return at + RECORD_HEADER;
  }

  /** The tags of the records, in order. */
  tags(): number[] {
    const tags: number[] = [];
    for (let at = 0; at < this.#length; at += recordSize(this.#image.readUInt32LE(at))) {
      tags.push(this.#image.readInt32LE(at + 8));
    }
    return tags;
  }

  has(tag: number): boolean {
    return this.#find(tag) >= 0;
  }

  /** Removes the record with this tag (the ones behind it move up): false if there is none. */
  remove(tag: number): boolean {
    const at = this.#find(tag);
    if (at < 0) return false;
    const size = recordSize(this.#image.readUInt32LE(at));
    this.#image.copyWithin(at, at + size, this.#length);
    this.#length -= size;
    this.#count--;
    return true;
  }

  /** Empties the batch (a large image is let go: a big burst does not stay resident). */
  clear(): void {
    this.#length = 0;
    this.#count = 0;
    this.sides.length = 0;
    if (this.#image.length > 16 * BATCH_IMAGE) this.#image = Buffer.allocUnsafeSlow(BATCH_IMAGE);
  }

  #find(tag: number): number {
    for (let at = 0; at < this.#length; at += recordSize(this.#image.readUInt32LE(at))) {
      if (this.#image.readInt32LE(at + 8) === tag) return at;
    }
    return -1;
  }
}
