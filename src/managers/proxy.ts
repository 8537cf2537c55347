// Proxies: objects in a manager, called from any process. A proxy's methods are async; each
// call is a request on a connection to the manager (connections are kept for the next call,
// and a call made while another is outstanding opens one more). A proxy passes to other
// processes as a handle (the manager's address, authkey and the object's id).

import { type Connection, Pipe } from '../connection/connection.js';
import { type Address, Client, type SocketConnection } from '../connection/socket.js';
import { EOFError, ProcessError } from '../errors.js';
import { kHandle, registerHandleType } from '../serialize/index.js';
import type { Created, Request } from './server.js';

export interface ProxyHandle extends Created {
  address: Address;
  authkey: Uint8Array;
}

/** The connections of this process to one manager. */
class ManagerLink {
  static readonly #links = new Map<string, ManagerLink>();
  readonly #idle: Array<SocketConnection | Connection> = [];

  /** One per manager and key: a wrong key must not ride on a connection made with the right one. */
  static #key(address: Address, authkey: Uint8Array): string {
    return `${JSON.stringify(address)} ${Buffer.from(authkey).toString('hex')}`;
  }

  private constructor(
    readonly address: Address,
    readonly authkey: Uint8Array,
  ) {}

  static of(address: Address, authkey: Uint8Array): ManagerLink {
    const key = ManagerLink.#key(address, authkey);
    let link = ManagerLink.#links.get(key);
    if (!link) ManagerLink.#links.set(key, (link = new ManagerLink(address, authkey)));
    return link;
  }

  async request(request: Request): Promise<unknown> {
    const connection = this.#idle.pop() ?? (await this.#connect());
    let reply: { ok: boolean; value?: unknown; error?: unknown };
    try {
      await connection.send(request);
      reply = await connection.recv();
    } catch (error) {
      connection.close();
      if (error instanceof EOFError) {
        throw new ProcessError('the manager is gone (it was shut down, or its process ended)', { cause: error });
      }
      throw error;
    }
    this.#idle.push(connection);
    if (!reply.ok) throw reply.error;
    return reply.value;
  }

  /**
   * A new connection to the manager: a Pipe to it when it runs on this machine (see server.ts),
   * else the socket. A manager that does not take the Pipe leaves the client on the socket.
   */
  async #connect(): Promise<SocketConnection | Connection> {
    const socket = await Client(this.address, { authkey: this.authkey });
    if (!isLocal(this.address)) return socket;
    const [mine, theirs] = Pipe(true);
    let reply: { ok: boolean } | undefined;
    try {
      await socket.send({ op: 'upgrade', pipe: theirs } satisfies Request);
      reply = await socket.recv();
    } catch {
      // (an older manager, or one that cannot attach the Pipe: the socket serves)
    } finally {
      theirs.close(); // (the manager holds it now, or nobody will)
    }
    if (!reply?.ok) {
      mine.close();
      return socket.closed ? Client(this.address, { authkey: this.authkey }) : socket;
    }
    socket.close();
    return mine;
  }

  /** Closes this process's connections to the manager (after its shutdown). */
  close(): void {
    for (const connection of this.#idle.splice(0)) connection.close();
    ManagerLink.#links.delete(ManagerLink.#key(this.address, this.authkey));
  }
}

/** A Unix socket, or TCP to this machine's loopback: the manager shares this machine's memory. */
function isLocal(address: Address): boolean {
  if (typeof address === 'string') return true;
  const host = address.host.toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function linkTo(address: Address, authkey: Uint8Array): ManagerLink {
  return ManagerLink.of(address, authkey);
}

/** A proxy for an object in a manager: its methods (the exposed ones) are async calls there. */
export class BaseProxy {
  readonly #handle: ProxyHandle;
  readonly #link: ManagerLink;

  /** Internal: made by a manager's create() (or received from another process). */
  constructor(handle: ProxyHandle) {
    this.#handle = handle;
    this.#link = linkTo(handle.address, handle.authkey);
    for (const name of handle.exposed) {
      if (name in this || name === 'then') continue; // (a thenable proxy would be awaited away)
      Object.defineProperty(this, name, {
        value: (...args: unknown[]) => this.callMethod(name, args),
        enumerable: false,
      });
    }
  }

  /** Python's _callmethod: runs `method(...args)` on the object in the manager. */
  callMethod(method: string, args: unknown[] = []): Promise<unknown> {
    return this.#link.request({ op: 'call', id: this.#handle.id, method, args });
  }

  get typeid(): string {
    return this.#handle.typeid;
  }

  [kHandle](): { type: string; data: ProxyHandle } {
    return { type: 'ManagerProxy', data: this.#handle };
  }

  toString(): string {
    return `<${this.constructor.name} of a '${this.#handle.typeid}' in the manager at ${JSON.stringify(this.#handle.address)}>`;
  }
}

/** A dict in a manager (Python's DictProxy), with API.md's method names. */
export class DictProxy<K = unknown, V = unknown> extends BaseProxy {
  get(key: K, fallback?: V): Promise<V | undefined> {
    return this.callMethod('get', fallback === undefined ? [key] : [key, fallback]) as Promise<V | undefined>;
  }
  set(key: K, value: V): Promise<void> {
    return this.callMethod('set', [key, value]) as Promise<void>;
  }
  delete(key: K): Promise<void> {
    return this.callMethod('delete', [key]) as Promise<void>;
  }
  has(key: K): Promise<boolean> {
    return this.callMethod('has', [key]) as Promise<boolean>;
  }
  keys(): Promise<K[]> {
    return this.callMethod('keys') as Promise<K[]>;
  }
  values(): Promise<V[]> {
    return this.callMethod('values') as Promise<V[]>;
  }
  items(): Promise<Array<[K, V]>> {
    return this.callMethod('items') as Promise<Array<[K, V]>>;
  }
  size(): Promise<number> {
    return this.callMethod('size') as Promise<number>;
  }
  update(other: Map<K, V> | Array<[K, V]> | Record<string, V>): Promise<void> {
    return this.callMethod('update', [other]) as Promise<void>;
  }
  pop(key: K, ...fallback: [V?]): Promise<V> {
    return this.callMethod('pop', [key, ...fallback]) as Promise<V>;
  }
  setdefault(key: K, value?: V): Promise<V> {
    return this.callMethod('setdefault', [key, value]) as Promise<V>;
  }
  clear(): Promise<void> {
    return this.callMethod('clear') as Promise<void>;
  }
  copy(): Promise<Map<K, V>> {
    return this.callMethod('copy') as Promise<Map<K, V>>;
  }
}

/** A list in a manager (Python's ListProxy), with API.md's method names. */
export class ListProxy<T = unknown> extends BaseProxy {
  get(index: number): Promise<T> {
    return this.callMethod('get', [index]) as Promise<T>;
  }
  set(index: number, value: T): Promise<void> {
    return this.callMethod('set', [index, value]) as Promise<void>;
  }
  append(value: T): Promise<void> {
    return this.callMethod('append', [value]) as Promise<void>;
  }
  extend(values: Iterable<T>): Promise<void> {
    return this.callMethod('extend', [[...values]]) as Promise<void>;
  }
  insert(index: number, value: T): Promise<void> {
    return this.callMethod('insert', [index, value]) as Promise<void>;
  }
  pop(index?: number): Promise<T> {
    return this.callMethod('pop', index === undefined ? [] : [index]) as Promise<T>;
  }
  remove(value: T): Promise<void> {
    return this.callMethod('remove', [value]) as Promise<void>;
  }
  index(value: T): Promise<number> {
    return this.callMethod('index', [value]) as Promise<number>;
  }
  count(value: T): Promise<number> {
    return this.callMethod('count', [value]) as Promise<number>;
  }
  size(): Promise<number> {
    return this.callMethod('size') as Promise<number>;
  }
  slice(start?: number, end?: number): Promise<T[]> {
    return this.callMethod('slice', [start, end]) as Promise<T[]>;
  }
  copy(): Promise<T[]> {
    return this.callMethod('copy') as Promise<T[]>;
  }
}

/** A namespace in a manager (Python's NamespaceProxy): fields read and written by name. */
export class NamespaceProxy extends BaseProxy {
  get(name: string): Promise<unknown> {
    return this.callMethod('get', [name]);
  }
  set(name: string, value: unknown): Promise<void> {
    return this.callMethod('set', [name, value]) as Promise<void>;
  }
}

const kinds: Record<string, new (handle: ProxyHandle) => BaseProxy> = {
  dict: DictProxy,
  list: ListProxy,
  Namespace: NamespaceProxy,
};

export function makeProxy(handle: ProxyHandle): BaseProxy {
  return new (kinds[handle.typeid] ?? BaseProxy)(handle);
}

registerHandleType('ManagerProxy', (data) => makeProxy(data as ProxyHandle));
