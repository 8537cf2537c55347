// SharedMemory: a named block of shared memory, as multiprocessing.shared_memory.
// `buf` is a Uint8Array over a SharedArrayBuffer, so Atomics work on views of it.
// Python's rule holds: the creator should unlink() it; we also remove it when the program
// tree ends, however it ends.
import { ProcessError } from '../errors.js';
import { kHandle, registerHandleType } from '../serialize/index.js';
import { attachSegment, createSegment, unlinkSegment } from '../shm/segment.js';

export interface SharedMemoryOptions {
  name?: string | undefined;
  create?: boolean | undefined;
  size?: number | undefined;
}

export class SharedMemory {
  readonly name: string;
  readonly size: number;
  #buf: Uint8Array | undefined;

  constructor(options: SharedMemoryOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('SharedMemory takes an options object: { name?, create?, size? }');
    }
    const { name, create = false, size = 0 } = options;
    if (name !== undefined && typeof name !== 'string') throw new TypeError('SharedMemory name must be a string');
    if (typeof create !== 'boolean') throw new TypeError('SharedMemory create must be a boolean');
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`SharedMemory size must be a non-negative integer, got ${String(size)}`);
    }
    if (create) {
      if (size === 0)
        throw new RangeError(
          'SharedMemory size must be positive when create is true (e.g. { create: true, size: 1024 })',
        );
      const segment = createSegment(size, name);
      this.name = segment.name;
      this.#buf = new Uint8Array(segment.buffer);
    } else {
      if (name === undefined)
        throw new TypeError('SharedMemory needs a name to attach to (or create: true to make a new one)');
      const segment = attachSegment(name);
      this.name = segment.name;
      this.#buf = new Uint8Array(segment.buffer);
    }
    this.size = this.#buf.length;
  }

  get buf(): Uint8Array {
    if (!this.#buf) throw new ProcessError(`SharedMemory '${this.name}' is closed; attach again to use it`);
    return this.#buf;
  }

  /** Drops this object's view; the memory is unmapped once nothing references it. */
  close(): void {
    this.#buf = undefined;
  }

  /** Removes the name, so no process can attach any more; existing views stay valid. */
  unlink(): void {
    unlinkSegment(this.name);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [kHandle](): { type: string; data: { name: string } } {
    return { type: 'SharedMemory', data: { name: this.name } };
  }

  toString(): string {
    return `SharedMemory('${this.name}', size=${this.size})`;
  }
}

registerHandleType('SharedMemory', (data) => new SharedMemory({ name: (data as { name: string }).name }));
