// The wire format: one flag byte, then V8's structured clone (v8.serialize) — or, for
// scalars and small JSON-like values, a cheaper encoding of the same value (flags 2-6).
//
//   PLAIN  the value is plain data: the receiver runs v8.deserialize and nothing else.
//   EXT    the value held functions, class instances, errors or shared-object handles: the
//          sender replaced each with a marker object ({"\u0000mp": kind, ...}) and the
//          receiver revives the markers after v8.deserialize (importing modules first).
//
// Shared references and cycles survive both ways (one memo per message).
import { DefaultDeserializer, DefaultSerializer } from 'node:v8';
import { SerializationError } from '../errors.js';
import {
  compactLength,
  copyCompact,
  decodeCompact,
  decodeNumbers,
  encodeCompact,
  encodeFloats,
  float64At,
  oneNumberLength,
  readOneNumber,
  utf8Slice,
  writeFloat64At,
  writeOneNumber,
} from './compact.js';
import { encodeFunction, type FunctionWire, isLoaded, loadFunction, resolveFunction } from './functions.js';
import { decodeHandle, type HandleWire, isHandleTypeLoaded, kHandle, loadHandleType } from './handles.js';

const PLAIN = 0;
const EXT = 1;
// Scalars skip V8's serializer altogether (it costs about a microsecond even for a number):
const NUMBER = 2; // float64, little-endian
const STRING = 3; // UTF-8
const SCALAR = 4; // one byte: 0 undefined, 1 null, 2 false, 3 true
const SCALARS = [undefined, null, false, true];
// Small JSON-like values skip it too (see compact.ts), plain or holding markers:
const COMPACT_PLAIN = 5;
const COMPACT_EXT = 6;
const SHORT_STRING = 1024;
const MARK = '\u0000mp';

type Marker =
  | { [MARK]: 'fn'; fn: FunctionWire }
  | { [MARK]: 'instance'; cls: FunctionWire; props: Record<string, unknown> }
  | { [MARK]: 'error'; ctor: ErrorCtor; name: string; message: string; stack: unknown; props: Record<string, unknown> }
  | { [MARK]: 'handle'; handle: HandleWire }
  | { [MARK]: 'undefined-hole' };

type ErrorCtor = { builtin: string } | { ref: FunctionWire } | null;

const BUILTIN_ERRORS = new Map<Function, string>(
  ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError']
    .map((name) => [(globalThis as unknown as Record<string, Function>)[name]!, name] as [Function, string])
    .concat([[DOMException, 'DOMException']]),
);

const CLONEABLE = new Set<unknown>([
  Object.prototype,
  Array.prototype,
  null,
  Date.prototype,
  RegExp.prototype,
  Map.prototype,
  Set.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
]);

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'Object';
}

// ---------------------------------------------------------------------------------------
// Sending.

const isPrimitive = (value: unknown) =>
  value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol');

/** Whether anything in the graph needs a marker (cheap walk; no copies). */
function needsMarkers(value: unknown, seen: Set<object>, path: string): boolean {
  if (typeof value === 'function') return true;
  if (typeof value === 'symbol')
    throw new SerializationError(`${path} is a Symbol, which cannot be sent to another process`);
  if (value === null || typeof value !== 'object') return false;
  if (seen.has(value)) return false;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof SharedArrayBuffer && !(kHandle in value)) throw sharedBufferError(path);
    return kHandle in value;
  }
  if (value instanceof ArrayBuffer) return false;
  if (value instanceof SharedArrayBuffer) throw sharedBufferError(path);
  if (kHandle in value || value instanceof Error) return true;
  const proto = Object.getPrototypeOf(value);
  if (!CLONEABLE.has(proto)) return true;
  if (value instanceof Map) {
    for (const [k, v] of value)
      if (needsMarkers(k, seen, `${path} key`) || needsMarkers(v, seen, `${path}.get(…)`)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const v of value) if (needsMarkers(v, seen, `${path} member`)) return true;
    return false;
  }
  // Primitives are skipped before a path string is built for them (a 12 500-number chunk
  // would otherwise cost 12 500 strings).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (isPrimitive(item)) continue;
      if (needsMarkers(item, seen, `${path}[${i}]`)) return true;
    }
    return false;
  }
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (isPrimitive(item)) continue;
    if (needsMarkers(item, seen, `${path}.${key}`)) return true;
  }
  return false;
}

function sharedBufferError(path: string): SerializationError {
  return new SerializationError(
    `${path} is a SharedArrayBuffer (or a view of one) that is not a multiprocessing shared object; it cannot be sent to another process. Use SharedMemory, Array or RawArray from multiprocessing instead.`,
  );
}

function errorCtor(error: Error): ErrorCtor {
  let proto = Object.getPrototypeOf(error);
  while (proto && proto !== Object.prototype) {
    const ctor = proto.constructor as Function;
    const builtin = BUILTIN_ERRORS.get(ctor);
    if (builtin) return { builtin };
    try {
      return { ref: encodeFunction(ctor) };
    } catch {
      // not exported: try its base class
    }
    proto = Object.getPrototypeOf(proto);
  }
  return null;
}

function encode(value: unknown, memo: Map<object, unknown>, path: string): unknown {
  if (typeof value === 'function') {
    try {
      return { [MARK]: 'fn', fn: encodeFunction(value) };
    } catch (error) {
      throw new SerializationError(`${path}: ${(error as Error).message}`);
    }
  }
  if (value === null || typeof value !== 'object') return value;
  const done = memo.get(value);
  if (done !== undefined) return done;
  if (kHandle in value && typeof (value as Record<symbol, unknown>)[kHandle] === 'function') {
    const { type, data } = (value as unknown as { [kHandle](): { type: string; data: unknown } })[kHandle]();
    const marker = { [MARK]: 'handle', handle: { type, data: undefined as unknown } };
    memo.set(value, marker);
    marker.handle.data = encode(data, memo, `${path} (${type} handle)`);
    return marker;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (value instanceof Error) {
    const props: Record<string, unknown> = {};
    const marker = {
      [MARK]: 'error',
      ctor: errorCtor(value),
      name: value.name,
      message: value.message,
      stack: value.stack,
      props,
    };
    memo.set(value, marker);
    if ('cause' in value) props.cause = encode(value.cause, memo, `${path}.cause`);
    if (value instanceof AggregateError) props.errors = encode(value.errors, memo, `${path}.errors`);
    for (const key of Object.keys(value)) {
      if (key !== 'cause' && key !== 'errors')
        props[key] = encode((value as unknown as Record<string, unknown>)[key], memo, `${path}.${key}`);
    }
    return marker;
  }
  if (value instanceof Map) {
    const out = new Map();
    memo.set(value, out);
    for (const [k, v] of value) out.set(encode(k, memo, `${path} key`), encode(v, memo, `${path}.get(…)`));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    memo.set(value, out);
    for (const v of value) out.add(encode(v, memo, `${path} member`));
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    memo.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = encode(value[i], memo, `${path}[${i}]`);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (CLONEABLE.has(proto) && proto !== Object.prototype && proto !== null) return value; // Date, RegExp, boxed
  const props: Record<string, unknown> = {};
  let result: unknown = props;
  if (!CLONEABLE.has(proto)) {
    const cls = proto.constructor;
    let wire: FunctionWire | undefined;
    if (typeof cls === 'function') {
      try {
        wire = encodeFunction(cls);
      } catch {
        wire = undefined; // a class that is not exported: the instance travels as a plain object
      }
    }
    if (wire?.by === 'ref') result = { [MARK]: 'instance', cls: wire, props };
    else if (isNativeObject(value)) {
      throw new SerializationError(`${path} is a ${typeName(value)}, which cannot be sent to another process`);
    }
  }
  memo.set(value, result);
  for (const key of Object.keys(value))
    props[key] = encode((value as Record<string, unknown>)[key], memo, `${path}.${key}`);
  return result;
}

/** Objects with internal slots or native handles that copying own properties would lose. */
function isNativeObject(value: object): boolean {
  return (
    value instanceof Promise ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof WeakRef ||
    (typeof (value as { _handle?: unknown })._handle === 'object' && (value as { _handle?: unknown })._handle !== null)
  );
}

function withReserve(data: Buffer, reserve: number): Buffer {
  const out = Buffer.allocUnsafe(reserve + data.length);
  out.set(data, reserve);
  return out;
}

/** The length of a number's message (flag, float64). */
export const NUMBER_MESSAGE_BYTES = 9;

/** Writes the message of a number at target[at…at + NUMBER_MESSAGE_BYTES). */
export function writeNumberMessage(target: Uint8Array, at: number, value: number): void {
  target[at] = NUMBER;
  writeFloat64At(target, at + 1, value); // (a worker's first tasks run before V8 has optimized Buffer's)
}

function serializeScalar(value: unknown): Buffer | undefined {
  switch (typeof value) {
    case 'number': {
      const out = Buffer.allocUnsafe(NUMBER_MESSAGE_BYTES);
      writeNumberMessage(out, 0, value);
      return out;
    }
    case 'string':
      // UTF-8 cannot carry a lone surrogate; V8's format keeps it.
      if (value.length > SHORT_STRING || !(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
        return undefined;
      }
      return Buffer.concat([SCALAR_PREFIX[STRING]!, Buffer.from(value, 'utf8')]);
    case 'boolean':
      return value ? TRUE : FALSE;
    case 'undefined':
      return UNDEFINED;
    default:
      return value === null ? NULL : undefined;
  }
}

const SCALAR_PREFIX: Record<number, Buffer> = { [STRING]: Buffer.from([STRING]) };
const UNDEFINED = Buffer.from([SCALAR, 0]);
const NULL = Buffer.from([SCALAR, 1]);
const FALSE = Buffer.from([SCALAR, 2]);
const TRUE = Buffer.from([SCALAR, 3]);

/** What scalarAt() returns for a message that is not a scalar. */
export const NOT_SCALAR = Symbol('not a scalar');

/**
 * The value of the message in data[start…end) if it is a scalar, else NOT_SCALAR: without an
 * object or a view per message (the tiny-task path reads results where they lie).
 */
export function scalarAt(data: Uint8Array, start: number, end: number): unknown {
  switch (data[start]) {
    case NUMBER:
      return float64At(data, start + 1);
    case STRING:
      return utf8Slice.call(data, start + 1, end);
    case SCALAR:
      return SCALARS[data[start + 1]!];
    default:
      return NOT_SCALAR;
  }
}

/**
 * `root` names the value in error messages ("value.fn: …"). The first `reserve` bytes of
 * the result are left for the caller (a header of its own: no second buffer and copy).
 */
export function serialize(value: unknown, root = 'value', reserve = 0): Buffer {
  const scalar = serializeScalar(value);
  if (scalar) return reserve === 0 ? scalar : withReserve(scalar, reserve);
  try {
    let plain = true;
    if (value !== null && (typeof value === 'object' || typeof value === 'function' || typeof value === 'symbol')) {
      // A value the compact encoding takes is plain data (it refuses functions, class
      // instances, errors and handles): then no separate walk looks for markers.
      if (typeof value === 'object') {
        const compact = encodeCompact(value, COMPACT_PLAIN, reserve);
        if (compact) return compact;
      }
      plain = !needsMarkers(value, new Set(), root);
    }
    const wire = plain ? value : encode(value, new Map(), root);
    // (an object the compact encoding refused above goes straight to V8)
    const compact =
      plain && typeof value === 'object'
        ? undefined
        : encodeCompact(wire, plain ? COMPACT_PLAIN : COMPACT_EXT, reserve);
    if (compact) return compact;
    // The flag byte goes first through the serializer itself: no second copy of the body.
    const serializer = new DefaultSerializer();
    if (reserve > 0) serializer.writeRawBytes(Buffer.alloc(reserve));
    serializer.writeRawBytes(plain ? PLAIN_BYTE : EXT_BYTE);
    serializer.writeHeader();
    serializer.writeValue(wire);
    return serializer.releaseBuffer();
  } catch (error) {
    if (error instanceof SerializationError) throw error;
    throw new SerializationError(`the value cannot be sent to another process: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

const PLAIN_BYTE = Buffer.from([PLAIN]);
const EXT_BYTE = Buffer.from([EXT]);

// ---------------------------------------------------------------------------------------
// Receiving.

function isMarker(value: unknown): value is Marker {
  return value !== null && typeof value === 'object' && MARK in value;
}

/** Every function reference and handle type in the graph (to import them before reviving). */
function collectFunctions(value: unknown, seen: Set<object>, out: Array<FunctionWire | string>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  if (isMarker(value)) {
    if (value[MARK] === 'fn') out.push(value.fn);
    else if (value[MARK] === 'instance') out.push(value.cls);
    else if (value[MARK] === 'error' && value.ctor && 'ref' in value.ctor) out.push(value.ctor.ref);
    else if (value[MARK] === 'handle') out.push(value.handle.type);
  }
  const children =
    value instanceof Map
      ? [...value.keys(), ...value.values()]
      : value instanceof Set
        ? [...value]
        : Object.values(value);
  for (const child of children) collectFunctions(child, seen, out);
}

function revive(value: unknown, memo: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (memo.has(value)) return memo.get(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (isMarker(value)) return reviveMarker(value, memo);
  if (value instanceof Map) {
    const entries = [...value];
    memo.set(value, value);
    value.clear();
    for (const [k, v] of entries) value.set(revive(k, memo), revive(v, memo));
    return value;
  }
  if (value instanceof Set) {
    const members = [...value];
    memo.set(value, value);
    value.clear();
    for (const v of members) value.add(revive(v, memo));
    return value;
  }
  memo.set(value, value);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = revive(record[key], memo);
  return value;
}

function reviveMarker(marker: Marker, memo: Map<object, unknown>): unknown {
  switch (marker[MARK]) {
    case 'fn': {
      const fn = resolveFunction(marker.fn);
      memo.set(marker, fn);
      return fn;
    }
    case 'instance': {
      const cls = resolveFunction(marker.cls);
      const instance = Object.create(cls.prototype as object) as Record<string, unknown>;
      memo.set(marker, instance);
      for (const [key, v] of Object.entries(marker.props)) instance[key] = revive(v, memo);
      const hook = (cls.prototype as Record<symbol, unknown>)[kRevive];
      if (typeof hook === 'function') hook.call(instance);
      return instance;
    }
    case 'error': {
      const error = makeError(marker);
      memo.set(marker, error);
      for (const [key, v] of Object.entries(marker.props)) {
        Object.defineProperty(error, key, {
          value: revive(v, memo),
          writable: true,
          configurable: true,
          enumerable: key !== 'cause' && key !== 'errors',
        });
      }
      return error;
    }
    case 'handle': {
      const data = revive(marker.handle.data, memo);
      const object = decodeHandle({ type: marker.handle.type, data });
      memo.set(marker, object);
      return object;
    }
    default:
      return undefined;
  }
}

function makeError(marker: Extract<Marker, { [MARK]: 'error' }>): Error {
  let error: Error;
  const ctor = marker.ctor;
  if (ctor && 'builtin' in ctor && ctor.builtin === 'DOMException') {
    error = new DOMException(marker.message, marker.name);
  } else {
    let cls: Function = Error;
    if (ctor && 'builtin' in ctor) cls = (globalThis as unknown as Record<string, Function>)[ctor.builtin] ?? Error;
    else if (ctor) cls = resolveFunction(ctor.ref);
    // A real Error object (not just the prototype), without running the class's constructor.
    error = Reflect.construct(Error, [marker.message], cls) as Error;
  }
  if (error.name !== marker.name) {
    Object.defineProperty(error, 'name', { value: marker.name, writable: true, configurable: true, enumerable: false });
  }
  Object.defineProperty(error, 'stack', { value: marker.stack, writable: true, configurable: true, enumerable: false });
  return error;
}

/**
 * An array of plain data encoded into the compact encoder's scratch buffer, for copyPlain()
 * to copy into a record of the caller's: its length in bytes, or -1 when serialize() must do
 * it. The bytes are those serialize(items, root, reserve) gives after its `reserve` bytes,
 * except that holes and named properties of `items` itself are not looked for: it is for an
 * array whose items the receiver takes one by one (a call's arguments, a map chunk's items;
 * see writeSpread in compact.ts).
 */
export function plainLength(items: unknown[], reserve: number): number {
  return compactLength(items, COMPACT_PLAIN, reserve, true);
}

export { copyCompact as copyPlain };

/** The bytes of the message of `[value]`, one number, as writePlainNumber() writes it. */
export const plainNumberLength = oneNumberLength;

/** The message of `[value]`, one number (a task's one argument) at target[at], without a walk. */
export function writePlainNumber(target: Uint8Array, at: number, value: number): void {
  writeOneNumber(target, at, COMPACT_PLAIN, value);
}

/** `[n]` when the message in data[start…end) is that of an array of one number; else undefined. */
export function deserializeOneNumber(data: Uint8Array, start: number, end: number): number[] | undefined {
  return data[start] === COMPACT_PLAIN ? readOneNumber(data, start, end) : undefined;
}

/** Called on a revived instance whose class prototype defines it. */
export const kRevive = Symbol.for('multiprocessing.revive');

/** The message of an array holding these numbers, straight from a Float64Array. */
export function serializeFloats(numbers: Float64Array): Buffer {
  return encodeFloats(numbers, COMPACT_PLAIN);
}

/**
 * A message (from data[start]) that is one block of numbers, as a Float64Array (indexable as
 * the array it was, without building one: a map chunk's items); undefined for any other.
 */
export function deserializeNumbers(data: Uint8Array, start = 0): Float64Array | undefined {
  return data[start] === COMPACT_PLAIN ? decodeNumbers(data, start) : undefined;
}

/** Whether the message in data[start…] holds no functions or handles (it decodes at once). */
export function isPlain(data: Uint8Array, start = 0): boolean {
  return data[start] !== EXT && data[start] !== COMPACT_EXT;
}

/** The value as sent (markers not revived yet), and whether it holds markers. */
function body(data: Uint8Array, start = 0, end = data.length): { value: unknown; plain: boolean } {
  const flag = data[start]!;
  if (end - start < 2 || flag > COMPACT_EXT) {
    throw new SerializationError('received data is not a multiprocessing message (bad flag byte)');
  }
  if (flag === COMPACT_PLAIN || flag === COMPACT_EXT)
    return { value: decodeCompact(data, start), plain: flag === COMPACT_PLAIN };
  const deserializer = new OwnMemoryDeserializer(data.subarray(start + 1, end));
  deserializer.readHeader();
  return { value: deserializer.readValue() as unknown, plain: flag === PLAIN };
}

/**
 * Node's deserializer, except that typed arrays, DataViews and Buffers get memory of their
 * own, as structuredClone gives them. Node's makes them views of the bytes it reads (or of
 * its shared buffer pool), and those bytes are a queue's segment that the next large message
 * reuses, or a batch of messages.
 */
class OwnMemoryDeserializer extends DefaultDeserializer {
  // (documented in Node's v8 module, missing from its type declarations)
  _readHostObject(): ArrayBufferView {
    const base = DefaultDeserializer.prototype as unknown as { _readHostObject(): ArrayBufferView };
    const view = base._readHostObject.call(this);
    // (not zero-filled first, and never a slice of Node's shared pool)
    const copy = Buffer.allocUnsafeSlow(view.byteLength);
    copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    const memory = copy.buffer as ArrayBuffer;
    if (Buffer.isBuffer(view)) return Buffer.from(memory);
    if (view instanceof DataView) return new DataView(memory);
    return new (view.constructor as new (buffer: ArrayBuffer) => ArrayBufferView)(memory);
  }
}

export async function deserialize<T = unknown>(data: Uint8Array): Promise<T> {
  const scalar = scalarAt(data, 0, data.length);
  if (scalar !== NOT_SCALAR) return scalar as T;
  const { value, plain } = body(data);
  if (plain) return value as T;
  const needed: Array<FunctionWire | string> = [];
  collectFunctions(value, new Set(), needed);
  for (const item of needed) {
    // Already loaded (the common case after the first message): no await, no tick.
    if (typeof item === 'string' ? isHandleTypeLoaded(item) : isLoaded(item)) continue;
    await (typeof item === 'string' ? loadHandleType(item) : loadFunction(item));
  }
  return revive(value, new Map()) as T;
}

/** The message in data[start…end) (all of data by default), revived; plain data only (see isPlain). */
export function deserializeSync<T = unknown>(data: Uint8Array, start = 0, end = data.length): T {
  const scalar = scalarAt(data, start, end);
  if (scalar !== NOT_SCALAR) return scalar as T;
  const { value, plain } = body(data, start, end);
  if (plain) return value as T;
  return revive(value, new Map()) as T;
}
