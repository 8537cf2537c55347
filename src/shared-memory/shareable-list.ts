// ShareableList: a fixed-length list of scalars, strings and bytes in one SharedMemory
// block, as multiprocessing.shared_memory.ShareableList. Each item has a fixed slot: a
// string or bytes item may later be replaced by one no longer than the original's slot.
//
// Layout: [magic u32][count u32], then count × [type u32][length u32][offset u32][capacity u32],
// then the item data, each slot 8-byte aligned.
import { ProcessError } from '../errors.js';
import { kHandle, registerHandleType } from '../serialize/index.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { SharedMemory } from './shared-memory.js';

export type ShareableItem = number | bigint | boolean | string | Uint8Array | null;

const MAGIC = 0x4c53504d; // "MPSL"
const HEADER = 8;
const ENTRY = 16;
enum ItemType {
  Null = 0,
  Number = 1,
  BigInt = 2,
  Boolean = 3,
  String = 4,
  Bytes = 5,
}

function encode(value: unknown, index: number): { type: ItemType; bytes: Uint8Array } {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  if (value === null) return { type: ItemType.Null, bytes: new Uint8Array(0) };
  switch (typeof value) {
    case 'number':
      view.setFloat64(0, value, true);
      return { type: ItemType.Number, bytes };
    case 'bigint':
      if (value < -(1n << 63n) || value >= 1n << 63n)
        throw new RangeError(`item ${index}: bigint ${value} does not fit in 64 bits`);
      view.setBigInt64(0, value, true);
      return { type: ItemType.BigInt, bytes };
    case 'boolean':
      bytes[0] = value ? 1 : 0;
      return { type: ItemType.Boolean, bytes: bytes.subarray(0, 1) };
    case 'string':
      return { type: ItemType.String, bytes: Buffer.from(value, 'utf8') };
    default:
      if (value instanceof Uint8Array) return { type: ItemType.Bytes, bytes: value };
      throw new TypeError(
        `item ${index}: a ShareableList holds numbers, bigints, booleans, strings, Uint8Arrays and null, not ${typeof value}`,
      );
  }
}

const capacityOf = (length: number) => Math.max(8, Math.ceil(length / 8) * 8);

export class ShareableList<T extends ShareableItem = ShareableItem> {
  readonly shm: SharedMemory;
  readonly #view: DataView;

  constructor(sequence?: Iterable<T> | null, options: { name?: string } = {}) {
    checkOptionNames(
      optionsArg(options, 'ShareableList(sequence, options)', "{ name: 'psm_…' }"),
      ['name'],
      'ShareableList',
    );
    if (sequence === null || sequence === undefined) {
      if (options.name === undefined) {
        this.shm = new SharedMemory({ create: true, size: HEADER });
        this.#view = new DataView(this.shm.buf.buffer, this.shm.buf.byteOffset, this.shm.size);
        this.#view.setUint32(0, MAGIC, true);
        return;
      }
      this.shm = new SharedMemory({ name: options.name });
      this.#view = new DataView(this.shm.buf.buffer, this.shm.buf.byteOffset, this.shm.size);
      if (this.shm.size < HEADER || this.#view.getUint32(0, true) !== MAGIC) {
        throw new ProcessError(`shared memory '${options.name}' does not hold a ShareableList`);
      }
      return;
    }
    const items = [...sequence].map((value, i) => encode(value, i));
    const tableEnd = HEADER + items.length * ENTRY;
    let size = Math.ceil(tableEnd / 8) * 8;
    const offsets = items.map((item) => {
      const at = size;
      size += capacityOf(item.bytes.length);
      return at;
    });
    this.shm = new SharedMemory({ create: true, size, ...(options.name ? { name: options.name } : {}) });
    this.#view = new DataView(this.shm.buf.buffer, this.shm.buf.byteOffset, this.shm.size);
    this.#view.setUint32(0, MAGIC, true);
    this.#view.setUint32(4, items.length, true);
    items.forEach((item, i) => {
      const entry = HEADER + i * ENTRY;
      this.#view.setUint32(entry + 8, offsets[i]!, true);
      this.#view.setUint32(entry + 12, capacityOf(item.bytes.length), true);
      this.#write(i, item);
    });
  }

  get length(): number {
    return this.#view.getUint32(4, true);
  }

  #entry(index: number): number {
    if (!Number.isInteger(index)) throw new TypeError(`ShareableList index must be an integer, got ${String(index)}`);
    const length = this.length;
    const i = index < 0 ? index + length : index;
    if (i < 0 || i >= length) throw new RangeError(`ShareableList index ${index} is out of range (length ${length})`);
    return HEADER + i * ENTRY;
  }

  #write(index: number, item: { type: ItemType; bytes: Uint8Array }): void {
    const entry = HEADER + index * ENTRY;
    const offset = this.#view.getUint32(entry + 8, true);
    const capacity = this.#view.getUint32(entry + 12, true);
    if (item.bytes.length > capacity) {
      throw new RangeError(
        `item ${index} needs ${item.bytes.length} bytes but its slot holds ${capacity}; a ShareableList slot cannot grow`,
      );
    }
    this.shm.buf.set(item.bytes, offset);
    this.#view.setUint32(entry + 4, item.bytes.length, true);
    this.#view.setUint32(entry, item.type, true);
  }

  get(index: number): T {
    const entry = this.#entry(index);
    const type = this.#view.getUint32(entry, true) as ItemType;
    const length = this.#view.getUint32(entry + 4, true);
    const offset = this.#view.getUint32(entry + 8, true);
    switch (type) {
      case ItemType.Null:
        return null as T;
      case ItemType.Number:
        return this.#view.getFloat64(offset, true) as T;
      case ItemType.BigInt:
        return this.#view.getBigInt64(offset, true) as T;
      case ItemType.Boolean:
        return (this.#view.getUint8(offset) === 1) as T;
      case ItemType.String:
        return Buffer.from(this.shm.buf.buffer, this.shm.buf.byteOffset + offset, length).toString('utf8') as T;
      case ItemType.Bytes:
        return this.shm.buf.slice(offset, offset + length) as T;
    }
  }

  set(index: number, value: T): void {
    const entry = this.#entry(index);
    this.#write((entry - HEADER) / ENTRY, encode(value, index));
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  #equals(a: ShareableItem, b: ShareableItem): boolean {
    if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
    return a === b;
  }

  count(value: T): number {
    let n = 0;
    for (const item of this) if (this.#equals(item, value)) n++;
    return n;
  }

  /** Position of the first item equal to `value`; throws RangeError when absent (Python's ValueError). */
  index(value: T): number {
    let i = 0;
    for (const item of this) {
      if (this.#equals(item, value)) return i;
      i++;
    }
    throw new RangeError(`${String(value)} is not in the ShareableList`);
  }

  /** struct-like format of the items: d number, q bigint, ? boolean, Ns string, Nb bytes, x null. */
  get format(): string {
    let format = '';
    for (let i = 0; i < this.length; i++) {
      const entry = HEADER + i * ENTRY;
      const capacity = this.#view.getUint32(entry + 12, true);
      format += ['x', 'd', 'q', '?', `${capacity}s`, `${capacity}b`][this.#view.getUint32(entry, true)];
    }
    return format;
  }

  [kHandle](): { type: string; data: { name: string } } {
    return { type: 'ShareableList', data: { name: this.shm.name } };
  }

  toString(): string {
    return `ShareableList([${[...this].map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}], name='${this.shm.name}')`;
  }
}

registerHandleType('ShareableList', (data) => new ShareableList(null, { name: (data as { name: string }).name }));
