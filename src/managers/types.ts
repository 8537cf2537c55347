import { Condition } from '../sync/condition.js';
import { Lock } from '../sync/lock.js';

// The objects a SyncManager holds for its dict(), list(), Namespace(), Value() and Array(),
// with Python's methods under API.md's names. (Queues, locks and the like are the package's
// own shared objects, held in the manager and called through proxies.)

const missing = (what: string, key: unknown) => new RangeError(`${what} ${JSON.stringify(key) ?? String(key)}`);

export class ManagedDict {
  readonly #map: Map<unknown, unknown>;

  constructor(init?: Iterable<readonly [unknown, unknown]> | Record<string, unknown> | null) {
    this.#map = new Map(entriesOf(init));
  }

  get(key: unknown, fallback?: unknown): unknown {
    return this.#map.has(key) ? this.#map.get(key) : fallback;
  }

  set(key: unknown, value: unknown): void {
    this.#map.set(key, value);
  }

  delete(key: unknown): void {
    if (!this.#map.delete(key)) throw missing('no such key:', key);
  }

  has(key: unknown): boolean {
    return this.#map.has(key);
  }

  keys(): unknown[] {
    return [...this.#map.keys()];
  }

  values(): unknown[] {
    return [...this.#map.values()];
  }

  items(): Array<[unknown, unknown]> {
    return [...this.#map.entries()];
  }

  size(): number {
    return this.#map.size;
  }

  update(other: Iterable<readonly [unknown, unknown]> | Record<string, unknown>): void {
    for (const [key, value] of entriesOf(other)) this.#map.set(key, value);
  }

  /** Removes and returns the key's value; the fallback if it has none (RangeError without one). */
  pop(key: unknown, ...fallback: [unknown?]): unknown {
    if (this.#map.has(key)) {
      const value = this.#map.get(key);
      this.#map.delete(key);
      return value;
    }
    if (fallback.length > 0) return fallback[0];
    throw missing('no such key:', key);
  }

  setdefault(key: unknown, value?: unknown): unknown {
    if (!this.#map.has(key)) this.#map.set(key, value);
    return this.#map.get(key);
  }

  clear(): void {
    this.#map.clear();
  }

  /** A copy: a Map (keys of any type survive, unlike a plain object's). */
  copy(): Map<unknown, unknown> {
    return new Map(this.#map);
  }
}

function entriesOf(init: unknown): Iterable<readonly [unknown, unknown]> {
  if (init === undefined || init === null) return [];
  if (init instanceof Map || Array.isArray(init)) return init as Iterable<readonly [unknown, unknown]>;
  if (typeof init === 'object') return Object.entries(init as Record<string, unknown>);
  throw new TypeError('a dict is made from a Map, an array of [key, value] pairs or a plain object');
}

export class ManagedList {
  readonly #items: unknown[];

  constructor(init?: Iterable<unknown> | null) {
    this.#items = init === undefined || init === null ? [] : [...init];
  }

  /** Python's index: negative counts from the end; RangeError outside the list. */
  #at(index: unknown): number {
    if (!Number.isInteger(index)) throw new TypeError(`a list index must be an integer, got ${String(index)}`);
    const at = (index as number) < 0 ? this.#items.length + (index as number) : (index as number);
    if (at < 0 || at >= this.#items.length) {
      throw new RangeError(`list index ${index} is out of range (length ${this.#items.length})`);
    }
    return at;
  }

  get(index: number): unknown {
    return this.#items[this.#at(index)];
  }

  set(index: number, value: unknown): void {
    this.#items[this.#at(index)] = value;
  }

  append(value: unknown): void {
    this.#items.push(value);
  }

  extend(values: Iterable<unknown>): void {
    this.#items.push(...values);
  }

  insert(index: number, value: unknown): void {
    const at = index < 0 ? Math.max(0, this.#items.length + index) : Math.min(index, this.#items.length);
    this.#items.splice(at, 0, value);
  }

  pop(index = -1): unknown {
    return this.#items.splice(this.#at(index), 1)[0];
  }

  remove(value: unknown): void {
    const at = this.#items.indexOf(value);
    if (at < 0) throw missing('the list holds no', value);
    this.#items.splice(at, 1);
  }

  index(value: unknown): number {
    const at = this.#items.indexOf(value);
    if (at < 0) throw missing('the list holds no', value);
    return at;
  }

  count(value: unknown): number {
    return this.#items.filter((item) => item === value).length;
  }

  size(): number {
    return this.#items.length;
  }

  slice(start?: number, end?: number): unknown[] {
    return this.#items.slice(start, end);
  }

  copy(): unknown[] {
    return [...this.#items];
  }
}

export class ManagedNamespace {
  readonly #fields = new Map<string, unknown>();

  constructor(init?: Record<string, unknown> | null) {
    for (const [name, value] of Object.entries(init ?? {})) this.#fields.set(name, value);
  }

  /** The field's value; RangeError for a field never set (Python's AttributeError). */
  get(name: string): unknown {
    if (!this.#fields.has(name)) throw missing('the Namespace has no field', name);
    return this.#fields.get(name);
  }

  set(name: string, value: unknown): void {
    this.#fields.set(name, value);
  }
}

/** Python's manager Value: one value the manager holds (the typecode is only recorded). */
export class ManagedValue {
  #value: unknown;

  constructor(
    readonly typecode: string,
    value: unknown,
  ) {
    this.#value = value;
  }

  get(): unknown {
    return this.#value;
  }

  set(value: unknown): void {
    this.#value = value;
  }
}

/** Python's manager Array: a list of the typecode's items the manager holds. */
export class ManagedArray extends ManagedList {
  constructor(
    readonly typecode: string,
    init: Iterable<unknown> | number,
  ) {
    super(typeof init === 'number' ? new Array(init).fill(0) : init);
  }
}

/** A manager's Condition: over a plain Lock (the manager runs every call in one thread). */
export function makeCondition(): Condition {
  return new Condition(new Lock());
}
