// Listener and Client: connections over a socket (a Unix socket path, or TCP { host, port },
// which reaches other machines), as Python's multiprocessing.connection. A socket connection
// has the methods of a Pipe's Connection; its messages are frames on the stream:
//
//   [u32 length][u8 kind: 0 a value (the codec's bytes), 1 raw bytes][payload]
//
// With an authkey, each side proves it knows the key without sending it (Python's scheme):
// the server sends a random challenge, the client answers with its HMAC, the server says
// welcome or failure; then the client challenges the server the same way.
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError, EOFError, ProcessError, SerializationError } from '../errors.js';
import { deserialize, kHandle, serialize } from '../serialize/index.js';
import { deadlineOf, remaining, Timer, validateTimeout } from '../util/deadline.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { bytesToSend, Connection, tooShort } from './connection.js';
import { kReady, kWhenChanged } from './waitable.js';

// node:net and node:crypto are loaded on first use: a child imports this package before it
// runs anything, and most never open a socket.
const require = createRequire(import.meta.url);
const { unlinkSync } = process.getBuiltinModule('node:fs'); // (a builtin every child loads: see docs/design.md, "The build")
let netModule: typeof import('node:net') | undefined;
let cryptoModule: typeof import('node:crypto') | undefined;
const net = () => (netModule ??= require('node:net') as typeof import('node:net'));
const crypto = () => (cryptoModule ??= require('node:crypto') as typeof import('node:crypto'));

export type Address = string | { host: string; port: number };

const VALUE = 0;
const BYTES = 1;
const FRAME_HEADER = 5;
const CHALLENGE = Buffer.from('#CHALLENGE#');
const WELCOME = Buffer.from('#WELCOME#');
const FAILURE = Buffer.from('#FAILURE#');

interface Frame {
  kind: number;
  payload: Buffer;
}

/**
 * A Connection over a socket: made by Listener.accept() and Client(). It is a Connection for
 * `instanceof` too (API.md: accept() and Client() give Connections).
 */
export class SocketConnection {
  readonly #socket: Socket;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** The whole length (header included) of the frame being received, once its header is in. */
  #need = 0;
  readonly #frames: Frame[] = [];
  readonly #wakers = new Set<() => void>();
  #ended = false;
  #closed = false;
  #error: Error | undefined;

  /** Internal: made by Listener and Client. */
  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    // Only a waiting recv()/poll() keeps the program alive, as with a Pipe.
    socket.unref();
    socket.on('data', (chunk: Buffer) => this.#take(chunk));
    const end = () => {
      this.#ended = true;
      this.#wake();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', (error) => {
      this.#error = error;
      end();
    });
  }

  /** Collects the stream's chunks into frames; a frame's chunks are joined once, when all are in. */
  #take(chunk: Buffer): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    const before = this.#frames.length;
    while (this.#pendingBytes >= FRAME_HEADER) {
      if (this.#need === 0) {
        const first = this.#pending[0]!;
        const header = first.length >= FRAME_HEADER ? first : Buffer.concat(this.#pending, this.#pendingBytes);
        this.#need = FRAME_HEADER + header.readUInt32LE(0);
      }
      if (this.#pendingBytes < this.#need) break;
      const all = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
      this.#frames.push({ kind: all[4]!, payload: all.subarray(FRAME_HEADER, this.#need) });
      const rest = all.subarray(this.#need);
      this.#pending = rest.length > 0 ? [rest] : [];
      this.#pendingBytes = rest.length;
      this.#need = 0;
    }
    if (this.#frames.length > before) this.#wake();
  }

  #wake(): void {
    for (const wake of [...this.#wakers]) wake();
  }

  /** Resolves at the next frame, end of stream or close; `signal` stops the wait early. */
  #changed(timeout: number | undefined, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let timer: Timer | undefined;
      const done = () => {
        this.#wakers.delete(done);
        if (this.#wakers.size === 0) this.#socket.unref();
        timer?.clear();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      if (this.#wakers.size === 0) this.#socket.ref();
      this.#wakers.add(done);
      if (timeout !== undefined) timer = new Timer(done, timeout);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #open(): void {
    if (this.#closed) throw new ProcessError('this Connection is closed');
  }

  #write(kind: number, payload: Uint8Array): void {
    this.#open();
    if (this.#ended || this.#socket.destroyed || !this.#socket.writable) {
      throw new EOFError('the other end of the connection is closed: nobody can receive this message');
    }
    // One write (one syscall, one segment) for a small frame; a large one is not copied.
    const header = Buffer.allocUnsafe(FRAME_HEADER);
    header.writeUInt32LE(payload.length, 0);
    header[4] = kind;
    if (payload.length <= 64 * 1024) this.#socket.write(Buffer.concat([header, payload]));
    else {
      this.#socket.write(header);
      this.#socket.write(payload);
    }
  }

  /** Sends a value (written to the socket in call order, so order is kept without awaiting). */
  async send(obj: unknown): Promise<void> {
    this.#write(VALUE, serialize(obj));
  }

  async sendBytes(buf: ArrayBufferView | ArrayBuffer, offset = 0, size?: number): Promise<void> {
    this.#write(BYTES, bytesToSend(buf, offset, size));
  }

  /** The next frame, waiting for it; EOFError once the other end has closed and none is left. */
  async #next(): Promise<Frame> {
    for (;;) {
      this.#open();
      const frame = this.#frames[0];
      if (frame) return frame;
      if (this.#ended) {
        throw this.#error && !/ECONNRESET|EPIPE/.test(String((this.#error as NodeJS.ErrnoException).code))
          ? this.#error
          : new EOFError();
      }
      await this.#changed(undefined);
      if (this.#closed) throw new ProcessError('this Connection was closed while a recv() or poll() waited on it');
    }
  }

  async recv<T = unknown>(): Promise<T> {
    await this.#next();
    const frame = this.#frames.shift()!;
    return frame.kind === BYTES ? (new Uint8Array(frame.payload) as T) : deserialize<T>(frame.payload);
  }

  /** A socket cannot be read synchronously in Node: only a Pipe's Connection has recvSync(). */
  recvSync<T = unknown>(): T {
    throw new ProcessError('recvSync() needs a Pipe; a socket Connection (Listener/Client) receives with await recv()');
  }

  /** The next message's bytes; BufferTooShort (message kept) when longer than maxlength. */
  async recvBytes(maxlength?: number): Promise<Uint8Array> {
    if (maxlength !== undefined && (!Number.isInteger(maxlength) || maxlength < 0)) {
      throw new RangeError(`maxlength must be a non-negative integer, got ${String(maxlength)}`);
    }
    const frame = await this.#next();
    if (maxlength !== undefined && frame.payload.length > maxlength) throw tooShort(frame.payload.length, maxlength);
    this.#frames.shift();
    return new Uint8Array(frame.payload);
  }

  /** Resolves true when a message (or end-of-file) is ready, false when the timeout passes first. */
  async poll(timeout = 0): Promise<boolean> {
    validateTimeout(timeout);
    const deadline = deadlineOf(timeout);
    for (;;) {
      this.#open();
      if (this[kReady]()) return true;
      const left = remaining(deadline);
      if (left === 0) return false;
      await this.#changed(left);
    }
  }

  [kReady](): boolean {
    return this.#frames.length > 0 || this.#ended;
  }

  [kWhenChanged](signal: AbortSignal): Promise<void> {
    return this.#changed(undefined, signal);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end(() => this.#socket.destroy()); // (what was sent is still delivered)
    this.#wake();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get readable(): boolean {
    return true;
  }

  get writable(): boolean {
    return true;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [kHandle](): never {
    throw new SerializationError(
      'a socket Connection (from Listener/Client) cannot be sent to another process; send its address and connect there with Client()',
    );
  }

  toString(): string {
    return `<Connection socket${this.#closed ? ' closed' : ''}>`;
  }
}

const plainHasInstance = Function.prototype[Symbol.hasInstance];
Object.defineProperty(Connection, Symbol.hasInstance, {
  value(this: typeof Connection, value: unknown): boolean {
    return value instanceof SocketConnection || plainHasInstance.call(this, value);
  },
});

// ---------------------------------------------------------------------------------------
// Authentication.

function keyOf(authkey: unknown): Buffer | undefined {
  if (authkey === undefined || authkey === null) return undefined;
  if (typeof authkey === 'string') return Buffer.from(authkey, 'utf8');
  if (authkey instanceof Uint8Array) return Buffer.from(authkey);
  throw new TypeError('authkey must be a Uint8Array or a string');
}

const digest = (key: Buffer, message: Uint8Array) => crypto().createHmac('sha256', key).update(message).digest();

async function challenge(connection: SocketConnection, key: Buffer): Promise<void> {
  const message = Buffer.concat([CHALLENGE, crypto().randomBytes(32)]);
  await connection.sendBytes(message);
  const answer = Buffer.from(await connection.recvBytes(256));
  const expected = digest(key, message);
  if (answer.length === expected.length && crypto().timingSafeEqual(answer, expected)) {
    await connection.sendBytes(WELCOME);
    return;
  }
  await connection.sendBytes(FAILURE);
  throw new AuthenticationError('the other side does not know the authkey (its answer to the challenge was wrong)');
}

async function answer(connection: SocketConnection, key: Buffer): Promise<void> {
  const message = Buffer.from(await connection.recvBytes(256));
  if (!message.subarray(0, CHALLENGE.length).equals(CHALLENGE)) {
    throw new AuthenticationError('the other side sent no authentication challenge (does it use an authkey?)');
  }
  await connection.sendBytes(digest(key, message));
  const verdict = Buffer.from(await connection.recvBytes(256));
  if (!verdict.equals(WELCOME)) throw new AuthenticationError('the other side refused our authkey');
}

/** Runs `steps` on a fresh connection; any failure closes it and becomes an AuthenticationError. */
async function authenticate(connection: SocketConnection, steps: () => Promise<void>): Promise<SocketConnection> {
  try {
    await steps();
    return connection;
  } catch (error) {
    connection.close();
    if (error instanceof AuthenticationError) throw error;
    throw new AuthenticationError(`authentication failed: ${(error as Error).message}`, { cause: error });
  }
}

// ---------------------------------------------------------------------------------------
// Listener and Client.

function checkAddress(address: unknown): Address {
  if (typeof address === 'string' && address.length > 0) return address;
  if (address !== null && typeof address === 'object') {
    const { host, port } = address as { host?: unknown; port?: unknown };
    if (typeof host === 'string' && Number.isInteger(port) && (port as number) >= 0 && (port as number) < 65536) {
      return { host, port: port as number };
    }
  }
  throw new TypeError(
    `an address is a Unix socket path (a string) or { host, port } for TCP, got ${JSON.stringify(address)}`,
  );
}

/** localhost as an IP, so that a TCP listener binds at once and knows its port. */
const hostOf = (host: string) => (host === 'localhost' ? '127.0.0.1' : host);

let listeners = 0;

export class Listener {
  readonly #server: Server;
  readonly #key: Buffer | undefined;
  readonly #requested: Address;
  readonly #sockets: Socket[] = [];
  readonly #takers: Array<{ resolve: (socket: Socket) => void; reject: (error: unknown) => void }> = [];
  #error: Error | undefined;
  #closed = false;
  #path: string | undefined;
  /** The local address a connection must have been made to (see the constructor). */
  #only: string | undefined;

  #admits(socket: Socket): boolean {
    if (this.#only === undefined) return true;
    const local = (socket.localAddress ?? '').replace(/^::ffff:/, '');
    return local === this.#only || (this.#only === '127.0.0.1' && local === '::1' && this.#loopbackName());
  }

  /** Asked for as 'localhost': IPv6's loopback is the same host. */
  #loopbackName(): boolean {
    return typeof this.#requested === 'object' && this.#requested.host === 'localhost';
  }

  constructor(options: { address?: Address; backlog?: number; authkey?: Uint8Array | string } = {}) {
    const {
      address,
      backlog = 16,
      authkey,
    } = optionsArg(options, 'Listener', "{ address: { host: '127.0.0.1', port: 0 } }");
    checkOptionNames(options, ['address', 'backlog', 'authkey'], 'Listener');
    if (!Number.isInteger(backlog) || backlog < 1)
      throw new RangeError(`backlog must be a positive integer, got ${backlog}`);
    this.#key = keyOf(authkey);
    this.#requested =
      address === undefined
        ? join(tmpdir(), `mp-${process.pid}-${++listeners}-${crypto().randomBytes(4).toString('hex')}.sock`)
        : checkAddress(address);
    this.#server = net().createServer((socket) => {
      if (!this.#admits(socket)) {
        socket.destroy();
        return;
      }
      const taker = this.#takers.shift();
      if (taker) taker.resolve(socket);
      else this.#sockets.push(socket);
    });
    this.#server.on('error', (error) => {
      this.#error = error;
      for (const taker of this.#takers.splice(0)) taker.reject(error);
    });
    if (typeof this.#requested === 'string') {
      this.#path = this.#requested;
      this.#server.listen({ path: this.#requested, backlog });
    } else if (this.#requested.port !== 0) {
      this.#server.listen({ host: hostOf(this.#requested.host), port: this.#requested.port, backlog });
    } else {
      // Node binds a given host only after a lookup (a tick later), so the port the system picks
      // would not be known when the constructor returns, as `address` promises. Bound to every
      // interface instead (at once), it admits only connections made to the host asked for.
      this.#server.listen({ port: 0, backlog });
      this.#only = net().isIP(hostOf(this.#requested.host)) ? hostOf(this.#requested.host) : undefined;
    }
    this.#server.unref();
  }

  /** The address clients connect to; for TCP with port 0, the port the system picked. */
  get address(): Address {
    if (typeof this.#requested === 'string') return this.#requested;
    const bound = this.#server.address();
    return bound && typeof bound === 'object'
      ? { host: this.#requested.host, port: bound.port }
      : { ...this.#requested };
  }

  /** The next client's connection, authenticated if there is an authkey (AuthenticationError otherwise). */
  async accept(): Promise<SocketConnection> {
    if (this.#closed) throw new ProcessError('this Listener is closed');
    if (this.#error) throw this.#error;
    let socket = this.#sockets.shift();
    if (!socket) {
      this.#server.ref(); // (an idle listener does not keep the program alive)
      try {
        socket = await new Promise<Socket>((resolve, reject) => {
          this.#takers.push({ resolve, reject });
        });
      } finally {
        if (this.#takers.length === 0) this.#server.unref();
      }
    }
    const connection = new SocketConnection(socket);
    const key = this.#key;
    if (!key) return connection;
    return authenticate(connection, async () => {
      await challenge(connection, key);
      await answer(connection, key);
    });
  }

  /** Stops listening. Connections already accepted stay open (Node's close callback would wait for them). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of this.#sockets.splice(0)) socket.destroy();
    for (const taker of this.#takers.splice(0)) taker.reject(new ProcessError('the Listener was closed'));
    this.#server.close();
    if (this.#path) {
      try {
        unlinkSync(this.#path);
      } catch {
        // already gone (Node removes it on close)
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Connects to a Listener's address; with an authkey, both sides prove they know it. */
export async function Client(
  address: Address,
  options: { authkey?: Uint8Array | string } = {},
): Promise<SocketConnection> {
  const target = checkAddress(address);
  const { authkey } = optionsArg(options, 'Client(address, options)', "{ authkey: 'secret' }");
  checkOptionNames(options, ['authkey'], 'Client');
  const key = keyOf(authkey);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const connecting =
      typeof target === 'string'
        ? net().createConnection({ path: target })
        : net().createConnection({
            host: hostOf(target.host),
            port: target.port,
            family: net().isIP(target.host) || undefined,
          });
    connecting.once('connect', () => {
      connecting.off('error', reject);
      resolve(connecting);
    });
    connecting.once('error', reject);
  });
  const connection = new SocketConnection(socket);
  if (!key) return connection;
  return authenticate(connection, async () => {
    await answer(connection, key);
    await challenge(connection, key);
  });
}
