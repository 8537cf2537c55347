// Array and RawArray: typed arrays over shared memory, as multiprocessing.Array. The
// object IS a typed array of the typecode's element type (arr[0] = 5, length, iteration,
// Atomics all work directly), from a small subclass that adds getLock()/getObj() and, for
// 'c' arrays, a `value` getter/setter (the bytes up to the first NUL, as Python's).
// Derived arrays (map, slice, …) are plain typed arrays, not shared.
import { kHandle, registerHandleType } from '../serialize/index.js';
import { allocate, attachShared } from '../shm/arena.js';
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import { type ArrayFor, type TypeCode, type TypedArrayConstructor, toElement, typeInfo } from './typecodes.js';
import { type LockOption, resolveLock } from './value.js';

interface ArrayHandle {
  typecode: TypeCode;
  segment: string;
  offset: number;
  length: number;
  lock: Lock | RLock | null;
}

interface SharedArrayMembers<A> {
  readonly typecode: TypeCode;
  getLock(): Lock | RLock;
  getObj(): SharedArray<A>;
  /** 'c' arrays only: the bytes up to the first NUL, as a UTF-8 string. */
  get value(): string;
  set value(next: string | Uint8Array);
}

/** What Array() returns: a typed array plus these members. */
export type SharedArray<A = Int32Array> = A & SharedArrayMembers<A>;

export type RawSharedArray<A = Int32Array> = Omit<SharedArray<A>, 'getLock' | 'getObj'>;

/** `.value` is a 'c' array's text (Python's Array('c').value); other arrays have none. */
function charsOnly(typecode: TypeCode): void {
  if (typecode !== 'c') {
    throw new TypeError(
      `only 'c' arrays have a .value; this '${typecode}' array is read by index (arr[0]) or arr.slice()`,
    );
  }
}

const handles = new WeakMap<object, ArrayHandle>();
const classes = new Map<string, new (buffer: SharedArrayBuffer, offset: number, length: number) => object>();

function sharedClass(base: TypedArrayConstructor, synchronized: boolean) {
  const key = `${base.name}:${synchronized}`;
  let cls = classes.get(key);
  if (cls) return cls;
  const Base = base as any;
  class Shared extends Base {
    static get [Symbol.species]() {
      return base;
    }
    get typecode(): TypeCode {
      return handles.get(this)!.typecode;
    }
    get value(): string {
      charsOnly(handles.get(this)!.typecode);
      const bytes = this as unknown as Uint8Array;
      const end = bytes.indexOf(0);
      return Buffer.from(bytes.buffer, bytes.byteOffset, end < 0 ? bytes.length : end).toString('utf8');
    }
    set value(next: string | Uint8Array) {
      charsOnly(handles.get(this)!.typecode);
      const bytes = this as unknown as Uint8Array;
      const source = typeof next === 'string' ? Buffer.from(next, 'utf8') : next;
      if (!(source instanceof Uint8Array)) throw new TypeError("a 'c' array's value must be a string or a Uint8Array");
      if (source.length > bytes.length) {
        throw new RangeError(`value of ${source.length} bytes is too long for a 'c' array of ${bytes.length}`);
      }
      bytes.set(source);
      if (source.length < bytes.length) bytes[source.length] = 0;
    }
    [kHandle]() {
      return { type: 'Array', data: handles.get(this)! };
    }
  }
  class Synchronized extends Shared {
    getLock(): Lock | RLock {
      return handles.get(this)!.lock!;
    }
    getObj() {
      return this;
    }
  }
  cls = synchronized ? Synchronized : Shared;
  classes.set(key, cls);
  return cls;
}

function build(handle: ArrayHandle, buffer: SharedArrayBuffer): object {
  const info = typeInfo(handle.typecode);
  const cls = sharedClass(info.array, handle.lock !== null);
  const array = new cls(buffer, handle.offset, handle.length);
  handles.set(array, handle);
  return array;
}

function initialElements(typecode: TypeCode, sizeOrInit: unknown): { length: number; values?: ArrayLike<unknown> } {
  if (typeof sizeOrInit === 'number') {
    if (!Number.isSafeInteger(sizeOrInit) || sizeOrInit < 0) {
      throw new RangeError(`Array size must be a non-negative integer, got ${sizeOrInit}`);
    }
    return { length: sizeOrInit };
  }
  if (typeof sizeOrInit === 'string') {
    if (typecode !== 'c') throw new TypeError(`a string initialiser needs typecode 'c', not '${typecode}'`);
    const bytes = Buffer.from(sizeOrInit, 'utf8');
    return { length: bytes.length, values: bytes };
  }
  if (sizeOrInit !== null && typeof sizeOrInit === 'object' && 'length' in sizeOrInit) {
    const values = sizeOrInit as ArrayLike<unknown>;
    return { length: values.length, values };
  }
  throw new TypeError(
    `Array's second argument must be a size or an array-like of initial values, got ${sizeOrInit === null ? 'null' : typeof sizeOrInit}`,
  );
}

function create(typecode: TypeCode, sizeOrInit: unknown, lock: Lock | RLock | null): object {
  const info = typeInfo(typecode);
  const { length, values } = initialElements(typecode, sizeOrInit);
  const elements = values ? Array.from(values, (v, i) => toElement(typecode, v, `Array initial value [${i}]`)) : [];
  const slot = allocate(Math.max(8, length * info.bytes));
  const handle: ArrayHandle = { typecode, segment: slot.segment, offset: slot.offset, length, lock };
  const array = build(handle, slot.buffer) as { [index: number]: number | bigint };
  elements.forEach((element, i) => {
    array[i] = element;
  });
  return array;
}

/** Array(typecode, sizeOrInit, { lock }): a shared typed array, synchronized unless `lock: false`. */
export function SharedArrayOf<T extends TypeCode>(
  typecode: T,
  sizeOrInit: number | ArrayLike<number | bigint | boolean> | Uint8Array | string,
  options?: LockOption,
): SharedArray<ArrayFor<T>> {
  typeInfo(typecode);
  return create(typecode, sizeOrInit, resolveLock(options)) as SharedArray<ArrayFor<T>>;
}

/** RawArray(typecode, sizeOrInit): no lock, no getLock()/getObj(). */
export function RawArray<T extends TypeCode>(
  typecode: T,
  sizeOrInit: number | ArrayLike<number | bigint | boolean> | Uint8Array | string,
): RawSharedArray<ArrayFor<T>> {
  typeInfo(typecode);
  return create(typecode, sizeOrInit, null) as RawSharedArray<ArrayFor<T>>;
}

registerHandleType('Array', (data) => {
  const handle = data as ArrayHandle;
  return build(handle, attachShared(handle.segment));
});
