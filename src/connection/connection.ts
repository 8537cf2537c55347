// Pipe and Connection over shared-memory Channels (Listener/Client's are in socket.ts): one channel per direction. Like a file
// descriptor, an end may be held by several processes (sent to a child, say); the channel
// records which processes hold its reading and writing ends, so a reader gets EOFError once
// every writer has closed its end or ended, however it ended.

import { isMainThread } from 'node:worker_threads';
import { BufferTooShort, EOFError, ProcessError } from '../errors.js';
import { Channel, type ChannelHandle, type Message, TooLong } from '../queues/channel.js';
import {
  deserialize,
  deserializeSync,
  isPlain,
  kHandle,
  registerHandleType,
  registerTransfer,
  serialize,
} from '../serialize/index.js';
import { deadlineOf, remaining, validateTimeout } from '../util/deadline.js';
import { kReady, kWhenChanged } from './waitable.js';

interface ConnectionHandle {
  incoming: ChannelHandle | null;
  outgoing: ChannelHandle | null;
}

/** sendBytes()'s argument, checked: a view of its bytes from `offset`, `size` long. */
export function bytesToSend(buf: unknown, offset: number, size: number | undefined): Uint8Array {
  if (!(buf instanceof ArrayBuffer || buf instanceof SharedArrayBuffer || ArrayBuffer.isView(buf))) {
    const got = buf === null ? 'null' : typeof buf === 'object' ? (buf.constructor?.name ?? 'an object') : typeof buf;
    throw new TypeError(
      `sendBytes() needs bytes (a Buffer, typed array, DataView or ArrayBuffer), got ${got}; send() takes any value`,
    );
  }
  const bytes = ArrayBuffer.isView(buf)
    ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
    : new Uint8Array(buf);
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new RangeError(`offset ${offset} is outside the buffer of ${bytes.length} bytes`);
  }
  const length = size ?? bytes.length - offset;
  if (!Number.isInteger(length) || length < 0 || offset + length > bytes.length) {
    throw new RangeError(`size ${String(size)} from offset ${offset} is outside the buffer of ${bytes.length} bytes`);
  }
  return bytes.subarray(offset, offset + length);
}

/** BufferTooShort for a message of `length` bytes when recvBytes() allows `maxlength`. */
export function tooShort(length: number, maxlength: number | undefined): BufferTooShort {
  return new BufferTooShort(
    `the next message is ${length} bytes, longer than maxlength ${maxlength}; it stays queued: receive it with a larger maxlength`,
  );
}

/** A message as recv() returns it: raw bytes (a copy), or the deserialized value. */
function open<T>(message: Message): Promise<T> {
  // Raw bytes and plain data need no import: opened here, without an async function's promise.
  if (message.raw || isPlain(message.bytes)) {
    try {
      return Promise.resolve(openSync<T>(message));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  try {
    return deserialize<T>(message.bytes);
  } finally {
    message.release?.();
  }
}

function openSync<T>(message: Message): T {
  try {
    if (message.raw) return (message.release ? message.bytes.slice() : message.bytes) as T;
    return deserializeSync<T>(message.bytes);
  } finally {
    message.release?.();
  }
}

/**
 * The connections this thread holds open. A thread child shares its pid with the program, so
 * its ends cannot be seen to die with it: they are closed when the thread ends (normally or by
 * process.exit()), as a process's are by the kernel.
 */
const heldHere = new Set<Connection>();
if (!isMainThread) {
  process.on('exit', () => {
    for (const connection of [...heldHere]) connection.close();
  });
}

export class Connection {
  #incoming: Channel | null;
  #outgoing: Channel | null;
  #closed = false;
  /** When the other end was last seen open (checking costs a syscall per holder)… */
  #readerSeenAt = 0;
  /** …and how many closings its channel had counted then (a close() since is seen at once). */
  #closingsSeen = 0;
  /** Wakes this connection's own waiting recv()/poll() calls when it is closed. */
  readonly #wakeups = new Set<{ fire?: (() => void) | undefined }>();

  /** Internal: use Pipe(). */
  constructor(incoming: Channel | null, outgoing: Channel | null, received = false) {
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    incoming?.addHolder('reader');
    outgoing?.addHolder('writer');
    if (received) {
      incoming?.claimInTransit('reader');
      outgoing?.claimInTransit('writer');
    }
    heldHere.add(this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get readable(): boolean {
    return this.#incoming !== null;
  }

  get writable(): boolean {
    return this.#outgoing !== null;
  }

  #out(): Channel {
    if (this.#closed) throw new ProcessError('this Connection is closed');
    if (!this.#outgoing) throw new ProcessError('this Connection is read-only (the receiving end of a one-way Pipe)');
    return this.#outgoing;
  }

  #in(): Channel {
    if (this.#closed) throw new ProcessError('this Connection is closed');
    if (!this.#incoming) throw new ProcessError('this Connection is write-only (the sending end of a one-way Pipe)');
    return this.#incoming;
  }

  /** Sends a value. It is in shared memory when send() is called (no await inside), so order is kept. */
  async send(obj: unknown): Promise<void> {
    const channel = this.#out();
    this.#checkReader(channel);
    channel.tryPut(serialize(obj), false);
  }

  async sendBytes(buf: ArrayBufferView | ArrayBuffer, offset = 0, size?: number): Promise<void> {
    const channel = this.#out();
    const bytes = bytesToSend(buf, offset, size);
    this.#checkReader(channel);
    channel.tryPut(bytes.slice(), true);
  }

  /**
   * Python raises BrokenPipeError when nobody can read any more; so do we: at once after a
   * close(), and within 100 ms of a reader's process dying.
   */
  #checkReader(channel: Channel): void {
    const now = performance.now();
    const closings = channel.closings;
    if (now - this.#readerSeenAt < 100 && closings === this.#closingsSeen) return;
    this.#closingsSeen = closings;
    if (channel.hasHolders('reader')) this.#readerSeenAt = now;
    else {
      throw new EOFError('the other end of the connection is closed: nobody can receive this message');
    }
  }

  /** Waits for the next message; EOFError once the other end is closed and nothing is left. */
  recv<T = unknown>(): Promise<T> {
    // Not an async function: a message that is already there costs one promise, not three.
    let message: Message | undefined;
    try {
      message = this.#in().tryGet();
    } catch (error) {
      return Promise.reject(error);
    }
    return message ? open<T>(message) : this.#recvLater<T>();
  }

  async #recvLater<T>(): Promise<T> {
    return open<T>(await this.#next(undefined));
  }

  recvSync<T = unknown>(): T {
    const channel = this.#in();
    for (let lastLook = false; ; ) {
      const seq = channel.seq('get');
      const message = channel.tryGet();
      if (message) return openSync<T>(message);
      if (lastLook) throw new EOFError();
      // (see #next)
      if (!channel.hasHolders('writer')) lastLook = true;
      else channel.waitSync('get', seq, undefined);
    }
  }

  /** The next message's bytes; BufferTooShort (message kept) when longer than maxlength. */
  async recvBytes(maxlength?: number): Promise<Uint8Array> {
    if (maxlength !== undefined && (!Number.isInteger(maxlength) || maxlength < 0)) {
      throw new RangeError(`maxlength must be a non-negative integer, got ${String(maxlength)}`);
    }
    const message = await this.#next(maxlength);
    if (!message.release) return message.bytes;
    const copy = message.bytes.slice();
    message.release();
    return copy;
  }

  async #next(maxlength: number | undefined): Promise<Message> {
    const channel = this.#in();
    for (let lastLook = false; ; ) {
      const seq = channel.seq('get');
      let message: Message | undefined;
      try {
        message = channel.tryGet(maxlength);
      } catch (error) {
        if (error instanceof TooLong) throw tooShort(error.length, maxlength);
        throw error;
      }
      if (message) return message;
      if (lastLook) throw new EOFError();
      // No writer left, so nothing more can come; but a writer that sent its last messages
      // and closed since the look above left them in the channel: one more look first.
      if (!channel.hasHolders('writer')) lastLook = true;
      else await this.#wait(channel, seq, undefined);
    }
  }

  /** Waits for the channel to change; ProcessError if this connection is closed meanwhile. */
  async #wait(channel: Channel, seq: number, timeout: number | undefined): Promise<void> {
    const wakeup: { fire?: (() => void) | undefined } = {};
    this.#wakeups.add(wakeup);
    try {
      await channel.waitAsync('get', seq, timeout, undefined, { wakeup });
    } finally {
      this.#wakeups.delete(wakeup);
    }
    if (this.#closed) throw new ProcessError('this Connection was closed while a recv() or poll() waited on it');
  }

  /** Resolves true when a message (or end-of-file) is ready, false when the timeout passes first. */
  async poll(timeout = 0): Promise<boolean> {
    validateTimeout(timeout);
    const channel = this.#in();
    const deadline = deadlineOf(timeout);
    for (;;) {
      const seq = channel.seq('get');
      if (channel.size > 0 || !channel.hasHolders('writer')) return true;
      const left = remaining(deadline);
      if (left === 0) return false;
      await this.#wait(channel, seq, left);
    }
  }

  [kReady](): boolean {
    const channel = this.#in();
    return channel.size > 0 || !channel.hasHolders('writer');
  }

  async [kWhenChanged](signal: AbortSignal): Promise<void> {
    const channel = this.#in();
    const wakeup: { fire?: (() => void) | undefined } = {};
    const onAbort = () => wakeup.fire?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (!signal.aborted) await channel.waitAsync('get', channel.seq('get'), undefined, undefined, { wakeup });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    heldHere.delete(this);
    this.#incoming?.removeHolder('reader');
    this.#outgoing?.removeHolder('writer');
    for (const wakeup of this.#wakeups) wakeup.fire?.();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [kHandle](): { type: string; data: ConnectionHandle } {
    if (this.#closed) throw new ProcessError('a closed Connection cannot be sent');
    // Until the receiver takes it over, the end counts as held: the sender may close its
    // own copy right after sending (Python's idiom after Process.start()).
    for (const transfer of [this.#incoming?.addInTransit('reader'), this.#outgoing?.addInTransit('writer')]) {
      if (transfer) registerTransfer(transfer);
    }
    return {
      type: 'Connection',
      data: { incoming: this.#incoming?.handle ?? null, outgoing: this.#outgoing?.handle ?? null },
    };
  }

  toString(): string {
    return `<Connection ${this.readable ? 'r' : ''}${this.writable ? 'w' : ''}${this.#closed ? ' closed' : ''}>`;
  }
}

/** Two connected ends; duplex by default, else [receiving end, sending end] as Python. */
export function Pipe(duplex = true): [Connection, Connection] {
  if (typeof duplex !== 'boolean') throw new TypeError('Pipe(duplex) takes a boolean');
  const forward = Channel.create(0);
  if (!duplex) return [new Connection(forward, null), new Connection(null, forward)];
  const backward = Channel.create(0);
  return [new Connection(backward, forward), new Connection(forward, backward)];
}

registerHandleType('Connection', (data) => {
  const handle = data as ConnectionHandle;
  return new Connection(
    handle.incoming ? Channel.attach(handle.incoming) : null,
    handle.outgoing ? Channel.attach(handle.outgoing) : null,
    true,
  );
});
