// Value and RawValue: one ctypes-typed scalar in shared memory, as multiprocessing.Value.
// A synchronized Value takes its lock around each read and write of `.value` (a sync
// acquire, skipped when this thread already holds the lock, e.g. inside withLock); the
// read-modify-write `v.value += 1` needs `getLock().withLock(...)` exactly as in Python.
import { kHandle, registerHandleType } from '../serialize/index.js';
import { allocate, attachShared } from '../shm/arena.js';
import { Lock } from '../sync/lock.js';
import { kHeldByThread } from '../sync/owner.js';
import { RLock } from '../sync/rlock.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { type TypeCode, type TypeInfo, toElement, typeInfo } from './typecodes.js';

export type ScalarValue = number | bigint | boolean | string;

export interface SharedValue<T extends ScalarValue = ScalarValue> {
  value: T;
  readonly typecode: TypeCode;
  getLock(): Lock | RLock;
  getObj(): SharedValue<T>;
}

export type RawSharedValue<T extends ScalarValue = ScalarValue> = Omit<SharedValue<T>, 'getLock' | 'getObj'>;

export interface LockOption {
  lock?: boolean | Lock | RLock | undefined;
}

interface ValueHandle {
  typecode: TypeCode;
  segment: string;
  offset: number;
  lock: Lock | RLock | null;
}

export function resolveLock(options: LockOption | undefined): Lock | RLock | null {
  const { lock = true } = optionsArg(options, 'Value/Array', '{ lock: false }');
  checkOptionNames(options ?? {}, ['lock'], 'Value/Array');
  if (lock === true) return new RLock();
  if (lock === false) return null;
  if (lock instanceof Lock || lock instanceof RLock) return lock;
  throw new TypeError('the `lock` option must be true, false, a Lock or an RLock');
}

/** Runs `fn` under `lock` unless this thread holds it already. */
export function locked<R>(lock: Lock | RLock | null, fn: () => R): R {
  if (lock === null || lock[kHeldByThread]()) return fn();
  lock.acquireSync();
  try {
    return fn();
  } finally {
    lock.release();
  }
}

function decode(info: TypeInfo, raw: number | bigint): ScalarValue {
  if (info.kind === 'bool') return raw !== 0;
  if (info.kind === 'char') return String.fromCharCode(raw as number);
  return raw;
}

export class SharedScalar implements RawSharedValue {
  readonly typecode: TypeCode;
  readonly #info: TypeInfo;
  readonly #cell:
    | Int8Array
    | Uint8Array
    | Int16Array
    | Uint16Array
    | Int32Array
    | Uint32Array
    | BigInt64Array
    | BigUint64Array
    | Float32Array
    | Float64Array;
  readonly #handle: ValueHandle;
  protected readonly lock: Lock | RLock | null;

  constructor(typecode: TypeCode, init: ScalarValue | undefined, lock: Lock | RLock | null, attach?: ValueHandle) {
    this.#info = typeInfo(typecode);
    this.typecode = typecode;
    if (attach) {
      this.#handle = attach;
      this.lock = attach.lock;
      this.#cell = new this.#info.array(attachShared(attach.segment) as unknown as ArrayBuffer, attach.offset, 1);
      return;
    }
    const element = init === undefined ? undefined : toElement(typecode, init, 'Value initial value');
    this.lock = lock;
    const slot = allocate(8);
    this.#handle = { typecode, segment: slot.segment, offset: slot.offset, lock: this.lock };
    this.#cell = new this.#info.array(slot.buffer as unknown as ArrayBuffer, slot.offset, 1);
    if (element !== undefined) this.#cell[0] = element as never;
  }

  get value(): any {
    return locked(this.lock, () => decode(this.#info, this.#cell[0]!));
  }

  set value(next: any) {
    const element = toElement(this.typecode, next, 'Value');
    locked(this.lock, () => {
      this.#cell[0] = element as never;
    });
  }

  [kHandle](): { type: string; data: ValueHandle } {
    return { type: 'Value', data: this.#handle };
  }

  toString(): string {
    return `<${this.lock ? 'Synchronized' : 'c_'}${this.typecode} value=${String(this.value)}>`;
  }
}

/** A Value with a lock: getLock() and getObj() as Python's synchronized wrapper. */
export class SynchronizedScalar extends SharedScalar implements SharedValue {
  getLock(): Lock | RLock {
    return this.lock!;
  }

  getObj(): SharedValue {
    return this;
  }
}

/** Value(typecode, init, { lock }): synchronized unless `lock: false`. */
export function Value(typecode: TypeCode, init?: ScalarValue, options?: LockOption): SharedValue {
  typeInfo(typecode);
  const lock = resolveLock(options);
  return (lock
    ? new SynchronizedScalar(typecode, init, lock)
    : new SharedScalar(typecode, init, null)) as unknown as SharedValue;
}

/** RawValue(typecode, init): no lock, no getLock()/getObj(). */
export function RawValue(typecode: TypeCode, init?: ScalarValue): RawSharedValue {
  return new SharedScalar(typecode, init, null);
}

registerHandleType('Value', (data) => {
  const handle = data as ValueHandle;
  return handle.lock
    ? new SynchronizedScalar(handle.typecode, undefined, handle.lock, handle)
    : new SharedScalar(handle.typecode, undefined, null, handle);
});
