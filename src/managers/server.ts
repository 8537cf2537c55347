// The manager's server: it holds the managed objects and runs the methods its clients call.
// One request at a time per connection (a client opens another connection for a call made
// while one is outstanding), so a call that waits (a Queue's get) holds up nobody else.
//
//   request:  { op: 'create', typeid, args } | { op: 'call', id, method, args }
//             | { op: 'ping' } | { op: 'shutdown' } | { op: 'upgrade', pipe }
//   response: { ok: true, value } | { ok: false, error }
//
// A client on this machine upgrades its connection after the authentication: it sends one
// end of a Pipe (shared memory) and makes its requests there, as it would on the socket. A
// round trip through shared memory costs a fraction of one through a socket and two event
// loops. (The socket carried the Pipe end, so only a client that knew the key gets one.)
import type { Connection } from '../connection/connection.js';
import { type Address, Listener, type SocketConnection } from '../connection/socket.js';
import { EOFError, ProcessError } from '../errors.js';

/** A registered type: how to make its objects, and which methods clients may call. */
export interface Registration {
  typeid: string;
  callable: ((...args: any[]) => unknown) | undefined;
  exposed: string[] | undefined;
}

export type Request =
  | { op: 'create'; typeid: string; args: unknown[] }
  | { op: 'call'; id: number; method: string; args: unknown[] }
  | { op: 'ping' }
  | { op: 'shutdown' }
  | { op: 'upgrade'; pipe: Connection };

/** What a client's requests come on: a socket connection, or the Pipe end it upgraded to. */
type RequestConnection = SocketConnection | Connection;

/** What a client needs to make a proxy: the object's id and the methods it may call. */
export interface Created {
  id: number;
  typeid: string;
  exposed: string[];
}

const isClass = (fn: Function) => /^class[\s{]/.test(Function.prototype.toString.call(fn));

/** The public methods of an object: its own and its prototypes', not Object's, none starting with '_'. */
export function publicMethods(object: object): string[] {
  const names = new Set<string>();
  for (let at: object | null = object; at && at !== Object.prototype; at = Object.getPrototypeOf(at)) {
    for (const name of Object.getOwnPropertyNames(at)) {
      // (not the …Sync twins: a blocking call would stop the manager serving anyone else)
      if (name === 'constructor' || name.startsWith('_') || name === 'then' || name.endsWith('Sync')) continue;
      const descriptor = Object.getOwnPropertyDescriptor(at, name);
      if (descriptor && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
}

export class ManagerServer {
  readonly #listener: Listener;
  readonly #types = new Map<string, Registration>();
  readonly #objects = new Map<number, { object: object; exposed: string[] }>();
  #nextId = 1;
  readonly #connections = new Set<RequestConnection>();
  #stopping: (() => void) | undefined;
  readonly #stopped: Promise<void>;

  constructor(registry: Registration[], options: { address?: Address | undefined; authkey: Uint8Array | string }) {
    for (const registration of registry) this.#types.set(registration.typeid, registration);
    this.#listener = new Listener({ address: options.address, authkey: options.authkey });
    this.#stopped = new Promise((resolve) => {
      this.#stopping = resolve;
    });
  }

  get address(): Address {
    return this.#listener.address;
  }

  /** Serves clients until one asks for a shutdown. */
  async serveForever(): Promise<void> {
    const accepting = (async () => {
      for (;;) {
        let connection: SocketConnection;
        try {
          connection = await this.#listener.accept();
        } catch (error) {
          if ((error as Error).message === 'the Listener was closed') return;
          continue; // a client that failed to authenticate: serve the next one
        }
        void this.#serve(connection);
      }
    })();
    await this.#stopped;
    await this.#listener.close();
    await accepting;
    for (const connection of this.#connections) connection.close(); // (their waits end too)
  }

  async #serve(connection: RequestConnection): Promise<void> {
    this.#connections.add(connection);
    try {
      await this.#serveRequests(connection);
    } finally {
      this.#connections.delete(connection);
    }
  }

  async #serveRequests(connection: RequestConnection): Promise<void> {
    for (;;) {
      let request: Request;
      try {
        request = await connection.recv<Request>();
      } catch {
        connection.close(); // the client closed (or sent what cannot be read)
        return;
      }
      let response: { ok: boolean; value?: unknown; error?: unknown };
      try {
        response = { ok: true, value: await this.#handle(request) };
      } catch (error) {
        response = { ok: false, error };
      }
      try {
        await connection.send(response);
      } catch (error) {
        if (error instanceof EOFError) return;
        await connection.send({ ok: false, error }); // (a result that cannot be sent)
      }
      if (request.op === 'shutdown') {
        connection.close();
        this.#stopping?.();
        return;
      }
    }
  }

  async #handle(request: Request): Promise<unknown> {
    switch (request.op) {
      case 'ping':
      case 'shutdown':
        return null;
      case 'upgrade':
        // (served from now on like a socket connection; closed at shutdown like one)
        void this.#serve(request.pipe);
        return null;
      case 'create': {
        const type = this.#types.get(request.typeid);
        if (!type) throw new ProcessError(`the manager has no type '${request.typeid}' registered`);
        if (!type.callable) throw new ProcessError(`type '${request.typeid}' was registered without a callable`);
        const made = isClass(type.callable)
          ? new (type.callable as unknown as new (...args: unknown[]) => object)(...request.args)
          : await type.callable(...request.args);
        if (made === null || (typeof made !== 'object' && typeof made !== 'function')) {
          throw new TypeError(`the callable of '${request.typeid}' must make an object, got ${typeof made}`);
        }
        const exposed = type.exposed ?? publicMethods(made as object);
        const id = this.#nextId++;
        this.#objects.set(id, { object: made as object, exposed });
        return { id, typeid: request.typeid, exposed } satisfies Created;
      }
      case 'call': {
        const held = this.#objects.get(request.id);
        if (!held) throw new ProcessError(`the manager holds no object ${request.id} (was it shut down?)`);
        if (!held.exposed.includes(request.method)) {
          throw new TypeError(`'${request.method}' is not a method the manager exposes for this object`);
        }
        const method = (held.object as Record<string, unknown>)[request.method];
        if (typeof method !== 'function') throw new TypeError(`'${request.method}' is not a method of this object`);
        return method.apply(held.object, request.args); // (a promise is awaited by the caller)
      }
      default:
        throw new ProcessError(`unknown manager request ${JSON.stringify((request as { op?: unknown }).op)}`);
    }
  }
}

/** The manager process's target: serves, after telling its starter the address it listens on. */
export async function runManagerServer(
  registry: Registration[],
  settings: {
    address: Address | undefined;
    authkey: Uint8Array;
    initializer?: (...a: any[]) => unknown;
    initargs: unknown[];
  },
  report: { send(value: unknown): Promise<void>; close(): void },
): Promise<void> {
  if (settings.initializer) await settings.initializer(...settings.initargs);
  const server = new ManagerServer(registry, { address: settings.address, authkey: settings.authkey });
  await report.send(server.address);
  report.close();
  await server.serveForever();
}
