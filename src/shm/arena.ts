// Small shared objects (locks, semaphores, values) live in slots carved out of shared
// arenas instead of one segment each: a segment costs a file descriptor's worth of kernel
// work and a mapping, a slot costs a bump of a pointer. A slot is named by (segment, byte
// offset); any thread of any process can attach to it by that name. Slots are not reused:
// an arena segment is removed with the rest when the program tree ends.
import { attachSegment, createSegment } from './segment.js';

export interface Slot {
  readonly segment: string;
  readonly offset: number;
  readonly buffer: SharedArrayBuffer;
}

const ARENA_SIZE = 64 * 1024;
const OWN_SEGMENT_ABOVE = 8 * 1024;

let arena: { name: string; buffer: SharedArrayBuffer; used: number } | undefined;
const attached = new Map<string, SharedArrayBuffer>();

/** Allocates `bytes` of zeroed shared memory, aligned to 8 bytes (64 for small objects). */
export function allocate(bytes: number): Slot {
  if (bytes > OWN_SEGMENT_ABOVE) {
    const segment = createSegment(bytes);
    attached.set(segment.name, segment.buffer);
    return { segment: segment.name, offset: 0, buffer: segment.buffer };
  }
  // Small objects get their own cache line, so two locks never share one.
  const size = Math.ceil(bytes / 64) * 64;
  if (!arena || arena.used + size > ARENA_SIZE) {
    const segment = createSegment(ARENA_SIZE);
    attached.set(segment.name, segment.buffer);
    arena = { name: segment.name, buffer: segment.buffer, used: 0 };
  }
  const slot = { segment: arena.name, offset: arena.used, buffer: arena.buffer };
  arena.used += size;
  return slot;
}

/** The buffer of a segment named in a handle, attached once per thread. */
export function attachShared(segment: string): SharedArrayBuffer {
  let buffer = attached.get(segment);
  if (!buffer) {
    buffer = attachSegment(segment).buffer;
    attached.set(segment, buffer);
  }
  return buffer;
}

/** Int32 words in an arena, named so that another process or thread can attach to them. */
export interface SharedInts {
  readonly segment: string;
  readonly offset: number;
  readonly length: number;
}

/** Allocates `length` zeroed Int32 words: their name (plain data, to send) and a view. */
export function allocateInts(length: number): { name: SharedInts; array: Int32Array } {
  const slot = allocate(4 * length);
  return {
    name: { segment: slot.segment, offset: slot.offset, length },
    array: new Int32Array(slot.buffer, slot.offset, length),
  };
}

export function attachInts(name: SharedInts): Int32Array {
  return new Int32Array(attachShared(name.segment), name.offset, name.length);
}
