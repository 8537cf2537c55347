// A compact encoding for small JSON-like values (numbers, strings, booleans, null, undefined,
// arrays, plain objects), used instead of V8's serializer when a value fits: V8 costs ~4 µs
// even for `{ id: 1, ok: true, value: 2 }` (a Serializer object, a header, a buffer each
// time); this costs a fraction of that. Anything else — a shared reference, a cycle, a hole,
// a Date, a typed array, a non-plain prototype, deep nesting, a large value — makes encode()
// return undefined and the caller uses V8, so the two agree on every value they accept.
//
//   0 undefined  1 null  2 false  3 true  4 int32  5 float64  6 string (u32 bytes, UTF-8)
//   7 array (u32 length, items)  8 object (u32 count, (string key, value) pairs)
//   An array of 16 or more numbers is sent as a block of numbers: named properties set on such
//   an array (not on its elements) are not carried (checking costs as much as V8's own path).
//   9 array of int32s  10 array of numbers (float64s), each as u32 length, u8 padding, the
//     padding (so that the numbers start 8-aligned), the numbers:
//     numeric arrays of any size (a map chunk, its results) are a copy loop, not a walk.

import { kHandle } from './handles.js';

const { types } = process.getBuiltinModule('node:util'); // (a builtin every child loads: see docs/design.md, "The build")

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT = 4;
const FLOAT = 5;
const STRING = 6;
const ARRAY = 7;
const OBJECT = 8;
const INTS = 9;
const FLOATS = 10;

const LIMIT = 16 * 1024; // larger values go to V8, which is fast per byte (numeric arrays excepted)
const NUMERIC_LIMIT = 64 * 1024 * 1024;
const MAX_DEPTH = 16;
/** A scratch buffer grown for numeric blocks is kept up to this size (a pool's chunks reuse it). */
const KEEP_SCRATCH = 1024 * 1024;

/** Own ArrayBuffers (byteOffset 0), so that numeric blocks can be aligned for typed-array copies. */
const aligned = (size: number) => Buffer.from(new ArrayBuffer(size));
let scratch = aligned(LIMIT + 64);
let view = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
let at = 0;
/**
 * The objects of the value being written, objects[0…objectCount): the same array for every
 * message, its slots cleared after each (setting `length = 0` instead let V8 drop its backing
 * store, and every message's first push allocated a new one: ~150 bytes per tiny task).
 */
const objects: Array<object | undefined> = [];
let objectCount = 0;
let objectSet: Set<object> | undefined; // once there are many, a set (no quadratic scan)

function seenBefore(value: object): boolean {
  for (let i = 0; i < objectCount; i++) if (objects[i] === value) return true;
  return false;
}

function forgetObjects(): void {
  for (let i = 0; i < objectCount; i++) objects[i] = undefined;
  objectCount = 0;
  objectSet = undefined;
}

class Bail {}
const BAIL = new Bail();

let numericBytes = 0; // bytes of numeric arrays, which do not count against LIMIT

function room(bytes: number): void {
  if (at - numericBytes + bytes > LIMIT) throw BAIL;
  if (at + bytes > scratch.length) grow(at + bytes);
}

function grow(size: number): void {
  const next = aligned(Math.max(size, scratch.length * 2));
  scratch.copy(next, 0, 0, at);
  scratch = next;
  view = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
}

const NOT_NUMBERS = 0;
const INT32S = 1;
const DOUBLES = 2;

/**
 * What an array holds: NOT_NUMBERS, INT32S (each an int32, and not -0) or DOUBLES. A function
 * of its own, apart from the writing: V8 optimizes a large array's loop while it runs (on
 * the stack, then the whole function), and this loop alone compiles in 1-4 ms, where with the
 * typed-array code around it each compile took 4-14 ms of a CPU that the workers need (a
 * pool's first large map of numbers, 100k items: 25-28 → 22-23 ms, medians of 12 runs).
 */
function numbersIn(value: unknown[]): number {
  const length = value.length;
  let ints = true;
  for (let i = 0; i < length; i++) {
    const item = value[i];
    if (typeof item !== 'number') return NOT_NUMBERS;
    // An int32 (and not -0) is unchanged by |0. (No calls per item: this loop often runs
    // before V8 has optimized it, and calls are what costs most there.)
    if (ints && ((item | 0) !== item || (item === 0 && 1 / item < 0))) ints = false;
  }
  return ints ? INT32S : DOUBLES;
}

/** An array of numbers only, of some length: written as one block. */
function writeNumbers(value: unknown[]): boolean {
  const kind = numbersIn(value);
  if (kind === NOT_NUMBERS) return false;
  const ints = kind === INT32S;
  const length = value.length;
  // tag, u32 length, u8 padding, padding: the numbers start 8-aligned from the message start
  // (and in scratch), so one typed-array set() copies them all.
  const size = ints ? 4 : 8;
  const pad = (8 - ((at + 6) % 8)) % 8;
  const bytes = 6 + pad + length * size;
  if (at + bytes > NUMERIC_LIMIT) throw BAIL;
  if (at + bytes > scratch.length) grow(at + bytes);
  scratch[at] = ints ? INTS : FLOATS;
  view.setUint32(at + 1, length, true);
  scratch[at + 5] = pad;
  const start = scratch.byteOffset + at + 6 + pad;
  if (ints) new Int32Array(scratch.buffer, start, length).set(value as number[]);
  else new Float64Array(scratch.buffer, start, length).set(value as number[]);
  at += bytes;
  numericBytes += bytes;
  return true;
}

function writeString(value: string): void {
  room(5 + value.length * 3);
  scratch[at] = STRING;
  const length = value.length;
  let ascii = true;
  // Short ASCII strings: copied a char at a time (cheaper than the UTF-8 encoder's call).
  if (length < 64) {
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) {
        ascii = false;
        break;
      }
      scratch[at + 5 + i] = code;
    }
  } else ascii = false;
  // UTF-8 cannot carry a lone surrogate (V8's format keeps it): leave such strings to V8.
  if (!ascii && !(value as unknown as { isWellFormed(): boolean }).isWellFormed()) throw BAIL;
  const bytes = ascii ? length : scratch.write(value, at + 5, 'utf8');
  view.setUint32(at + 1, bytes, true);
  at += 5 + bytes;
}

function write(value: unknown, depth: number): void {
  switch (typeof value) {
    case 'number':
      room(9);
      if (isInt32(value)) {
        scratch[at] = INT;
        view.setInt32(at + 1, value, true);
        at += 5;
      } else {
        scratch[at] = FLOAT;
        view.setFloat64(at + 1, value, true);
        at += 9;
      }
      return;
    case 'string':
      writeString(value);
      return;
    case 'boolean':
      room(1);
      scratch[at++] = value ? TRUE : FALSE;
      return;
    case 'undefined':
      room(1);
      scratch[at++] = UNDEFINED;
      return;
    case 'object':
      if (value === null) {
        room(1);
        scratch[at++] = NULL;
        return;
      }
      break;
    default:
      throw BAIL; // functions, symbols, bigints
  }
  if (depth >= MAX_DEPTH) throw BAIL;
  // A second reference to the same object must stay one object: V8 keeps that, we do not.
  if (objectSet) {
    if (objectSet.has(value)) throw BAIL;
    objectSet.add(value);
  } else {
    if (seenBefore(value)) throw BAIL;
    objects[objectCount++] = value;
    if (objectCount > 32) objectSet = new Set(objects.slice(0, objectCount) as object[]);
  }
  // V8 refuses Proxies and clones arguments objects differently; a shared object's handle
  // travels as the codec's marker. (An arguments object is not an array: checked below.)
  if (types.isProxy(value) || kHandle in value) throw BAIL;
  if (Array.isArray(value)) {
    // (a holey array fails the typeof check of its holes: undefined)
    if (value.length >= 16 && writeNumbers(value)) return;
    // Named properties on an array (a RegExp match's index, input, groups) travel with V8.
    if (Object.keys(value).length !== value.length) throw BAIL;
    const length = value.length;
    room(5 + length);
    scratch[at] = ARRAY;
    view.setUint32(at + 1, length, true);
    at += 5;
    for (let i = 0; i < length; i++) {
      if (!(i in value)) throw BAIL; // holes
      write(value[i], depth + 1);
    }
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype || types.isArgumentsObject(value)) throw BAIL;
  const keys = Object.keys(value);
  room(5);
  scratch[at] = OBJECT;
  view.setUint32(at + 1, keys.length, true);
  at += 5;
  for (const key of keys) {
    if (key === '__proto__') throw BAIL; // would set the prototype when decoded
    writeString(key);
    write((value as Record<string, unknown>)[key], depth + 1);
  }
}

/**
 * A call's arguments, which the worker spreads into the call: what an array of them holds
 * beside its items (named properties, holes) is not part of the call, so the checks for
 * those are skipped (they cost more than the tiny task they are for).
 */
function writeSpread(args: unknown[]): void {
  const length = args.length;
  if (length >= 16) {
    write(args, 0);
    return;
  }
  room(5 + length);
  scratch[at] = ARRAY;
  view.setUint32(at + 1, length, true);
  at += 5;
  objects[objectCount++] = args;
  for (let i = 0; i < length; i++) write(args[i], 1);
}

/**
 * `reserve` bytes for the caller (left as they are), `flag`, then the compact bytes of
 * `value`; undefined if V8 must do it. Numeric blocks are 8-aligned from the start of the
 * returned buffer (writing starts at `reserve` mod 8 in the scratch buffer for that).
 */
export function encodeCompact(value: unknown, flag: number, reserve = 0): Buffer | undefined {
  const length = compactLength(value, flag, reserve);
  if (length < 0) return undefined;
  const out = Buffer.allocUnsafe(reserve + length);
  copyCompact(out, reserve);
  return out;
}

/** Where the bytes of the last compactLength() start in the scratch buffer. */
let encodedBase = 0;

/**
 * Encodes `flag` and `value` into the scratch buffer: their length in bytes, or -1 if V8
 * must do it. copyCompact() then copies them where the caller wants them (no buffer of their
 * own), `reserve` bytes into its record, which keeps numeric blocks 8-aligned from the record.
 */
export function compactLength(value: unknown, flag: number, reserve = 0, spread = false): number {
  const base = reserve & 7;
  at = base + 1;
  numericBytes = 0;
  forgetObjects();
  try {
    if (spread) writeSpread(value as unknown[]);
    else write(value, 0);
  } catch (error) {
    if (error === BAIL) return -1;
    throw error;
  } finally {
    forgetObjects(); // (nothing of the value stays referenced here)
  }
  scratch[base] = flag;
  encodedBase = base;
  return at - base;
}

/** Copies what compactLength() encoded to `target` at `offset`; call it before any other encoding. */
export function copyCompact(target: Uint8Array, offset: number): void {
  const base = encodedBase;
  if (at - base <= 64) {
    for (let i = base; i < at; i++) target[offset - base + i] = scratch[i]!; // (no view object for a small one)
  } else target.set(new Uint8Array(scratch.buffer, scratch.byteOffset + base, at - base), offset);
  if (scratch.length > KEEP_SCRATCH) {
    scratch = aligned(LIMIT + 64); // do not keep a very large one
    view = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
  }
}

/** Buffer's native UTF-8 slicer, which works on any Uint8Array: no view object, no copy. */
export const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(start: number, end: number): string }).utf8Slice;

/** Little-endian reads without a DataView per message (a tiny message costs less than making one). */
const int32At = (data: Uint8Array, at: number) =>
  data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24);
const uint32At = (data: Uint8Array, at: number) => int32At(data, at) >>> 0;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const float64Cell = new Float64Array(1);
const float64CellBytes = new Uint8Array(float64Cell.buffer);
/** (Through a reused float64 cell: Buffer's and DataView's are slow until V8 has optimized them.) */
export function float64At(data: Uint8Array, at: number): number {
  if (!LITTLE_ENDIAN) return new DataView(data.buffer, data.byteOffset).getFloat64(at, true);
  for (let i = 0; i < 8; i++) float64CellBytes[i] = data[at + i]!;
  return float64Cell[0]!;
}

export function writeFloat64At(data: Uint8Array, at: number, value: number): void {
  if (!LITTLE_ENDIAN) {
    new DataView(data.buffer, data.byteOffset).setFloat64(at, value, true);
    return;
  }
  float64Cell[0] = value;
  for (let i = 0; i < 8; i++) data[at + i] = float64CellBytes[i]!;
}

/** An int32 and not -0: what the compact encoding writes as INT. */
function isInt32(value: number): boolean {
  return (value | 0) === value && !(value === 0 && 1 / value < 0);
}

/** How many bytes writeOneNumber() takes for `value`. */
export function oneNumberLength(value: number): number {
  return isInt32(value) ? 11 : 15;
}

/**
 * `flag`, then the compact bytes of `[value]` (a task's one number argument, the commonest
 * tiny task) at target[at]: the bytes compactLength() gives for it, without its walk, its
 * scratch buffer or its copy. (A few lines that V8 optimizes quickly: a pool's first burst
 * of tiny tasks runs while the three processes are still compiling their hot code.)
 */
export function writeOneNumber(target: Uint8Array, at: number, flag: number, value: number): void {
  target[at] = flag;
  target[at + 1] = ARRAY;
  target[at + 2] = 1;
  target[at + 3] = 0;
  target[at + 4] = 0;
  target[at + 5] = 0;
  if (isInt32(value)) {
    target[at + 6] = INT;
    target[at + 7] = value & 0xff;
    target[at + 8] = (value >> 8) & 0xff;
    target[at + 9] = (value >> 16) & 0xff;
    target[at + 10] = (value >> 24) & 0xff;
  } else {
    target[at + 6] = FLOAT;
    writeFloat64At(target, at + 7, value);
  }
}

/** `[n]` when data[start…end) holds what writeOneNumber() writes (after any flag); else undefined. */
export function readOneNumber(data: Uint8Array, start: number, end: number): number[] | undefined {
  if (data[start + 1] !== ARRAY || data[start + 2] !== 1 || data[start + 3] !== 0) return undefined;
  if (data[start + 4] !== 0 || data[start + 5] !== 0) return undefined;
  const tag = data[start + 6];
  if (tag === INT && end - start === 11) return [int32At(data, start + 7)];
  if (tag === FLOAT && end - start === 15) return [float64At(data, start + 7)];
  return undefined;
}

class Reader {
  at: number;
  constructor(
    readonly data: Uint8Array,
    start: number,
  ) {
    this.at = start + 1; // (after the flag byte)
  }

  string(): string {
    const bytes = uint32At(this.data, this.at + 1);
    const start = this.at + 5;
    this.at = start + bytes;
    return utf8Slice.call(this.data, start, start + bytes);
  }

  value(): unknown {
    const tag = this.data[this.at];
    switch (tag) {
      case UNDEFINED:
        this.at++;
        return undefined;
      case NULL:
        this.at++;
        return null;
      case FALSE:
        this.at++;
        return false;
      case TRUE:
        this.at++;
        return true;
      case INT: {
        const value = int32At(this.data, this.at + 1);
        this.at += 5;
        return value;
      }
      case FLOAT: {
        const value = float64At(this.data, this.at + 1);
        this.at += 9;
        return value;
      }
      case STRING:
        return this.string();
      case ARRAY: {
        const length = uint32At(this.data, this.at + 1);
        this.at += 5;
        const out = new Array(length);
        for (let i = 0; i < length; i++) out[i] = this.value();
        return out;
      }
      case INTS:
      case FLOATS: {
        const { numbers, end } = numberBlock(this.data, this.at);
        this.at = end;
        return toArray(numbers);
      }
      case OBJECT: {
        const count = uint32At(this.data, this.at + 1);
        this.at += 5;
        const out: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.string();
          out[key] = this.value();
        }
        return out;
      }
      default:
        throw new Error(`bad compact tag ${tag} at byte ${this.at}`);
    }
  }
}

/**
 * `flag`, then `numbers` as one block of float64s: the same bytes as the array of those
 * numbers would give (it decodes to an array), without looking at each number first.
 */
export function encodeFloats(numbers: Float64Array, flag: number): Buffer {
  const out = Buffer.allocUnsafe(8 + numbers.length * 8); // (8-aligned, from Node's pool or not)
  out[0] = flag;
  out[1] = FLOATS;
  out.writeUInt32LE(numbers.length, 2);
  out[6] = 1; // one byte of padding: the numbers start at 8
  out[7] = 0;
  new Float64Array(out.buffer, out.byteOffset + 8, numbers.length).set(numbers);
  return out;
}

/**
 * A message that is one block of numbers (a map chunk's items), as a Float64Array with memory
 * of its own (one copy, no loop); undefined for any other message. Int32s are widened: the
 * task function then meets doubles from its first item on, and V8 does not throw away the
 * code it compiled for small integers when an item's square first leaves int32 (a first map
 * of 100k items: 13.6-13.9 -> 12.1-12.7 ms). To the function they are the same numbers.
 */
export function decodeNumbers(data: Uint8Array, start = 0): Float64Array | undefined {
  const tag = data[start + 1];
  if (tag !== INTS && tag !== FLOATS) return undefined;
  const { numbers } = numberBlock(data, start + 1);
  return numbers instanceof Int32Array ? new Float64Array(numbers) : numbers.slice();
}

/**
 * A block of numbers as an array: a copy loop, not Array.from (which boxes every double:
 * ~10× slower), so the array keeps unboxed small-integer or double elements. A function of
 * its own: V8 optimizes the loop of a large block while it runs (on-stack replacement)
 * sooner and more cheaply in a small function than inside the reader's large switch.
 */
function toArray(numbers: Int32Array | Float64Array): number[] {
  const length = numbers.length;
  const out: number[] = new Array(length);
  for (let i = 0; i < length; i++) out[i] = numbers[i]!;
  return out;
}

/**
 * The block of numbers whose tag is at data[at] (tag, u32 length, u8 padding, the padding,
 * the numbers): a typed-array view of it (of a copy when it is not 8-aligned in memory), and
 * where it ends.
 */
function numberBlock(data: Uint8Array, at: number): { numbers: Int32Array | Float64Array; end: number } {
  const ints = data[at] === INTS;
  const length = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(at + 1, true);
  const start = at + 6 + data[at + 5]!;
  const end = start + length * (ints ? 4 : 8);
  let bytes = data.subarray(start, end);
  if ((bytes.byteOffset & 7) !== 0) bytes = new Uint8Array(bytes); // (Buffer#slice would not copy)
  const numbers = ints
    ? new Int32Array(bytes.buffer, bytes.byteOffset, length)
    : new Float64Array(bytes.buffer, bytes.byteOffset, length);
  return { numbers, end };
}

/** Decodes what encodeCompact wrote (its flag byte at data[start]). */
export function decodeCompact(data: Uint8Array, start = 0): unknown {
  return new Reader(data, start).value();
}
