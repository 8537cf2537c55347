// BaseManager and SyncManager, as Python's multiprocessing.managers: a server (in a process
// of its own, or in this one) holds objects; proxies call their methods from any process,
// on this machine or another (a TCP address).
import { Pipe } from '../connection/connection.js';
import type { Address } from '../connection/socket.js';
import { ProcessError } from '../errors.js';
import { currentProcess } from '../process/current.js';
import { Process } from '../process/process.js';
import { JoinableQueue, Queue } from '../queues/queue.js';
import { taskRef } from '../serialize/index.js';
import { Barrier } from '../sync/barrier.js';
import { Event } from '../sync/event.js';
import { Lock } from '../sync/lock.js';
import { RLock } from '../sync/rlock.js';
import { BoundedSemaphore, Semaphore } from '../sync/semaphore.js';
import { checkOptionNames, optionsArg } from '../util/options.js';
import { type BaseProxy, type DictProxy, type ListProxy, linkTo, makeProxy, type NamespaceProxy } from './proxy.js';
import { type Created, ManagerServer, type Registration } from './server.js';
import { ManagedArray, ManagedDict, ManagedList, ManagedNamespace, ManagedValue, makeCondition } from './types.js';

const registries = new WeakMap<Function, Map<string, Registration>>();

/** A class's registry: its own registrations over those of the classes it extends. */
function registryOf(cls: Function): Map<string, Registration> {
  const own = registries.get(cls);
  const parent = Object.getPrototypeOf(cls);
  const inherited = parent && parent !== Function.prototype ? registryOf(parent) : new Map();
  return new Map([...inherited, ...(own ?? [])]);
}

const keyOf = (authkey: Uint8Array | string | undefined): Uint8Array =>
  authkey === undefined
    ? currentProcess().authkey
    : typeof authkey === 'string'
      ? new TextEncoder().encode(authkey)
      : new Uint8Array(authkey);

/** BaseManager.register for `cls`: its own registry, and a factory method named after the typeid. */
function registerType(
  cls: typeof BaseManager,
  typeid: string,
  callable: ((...args: any[]) => unknown) | (new (...args: any[]) => unknown) | undefined,
  options: { exposed?: string[] | undefined },
): void {
  if (typeof typeid !== 'string' || typeid.length === 0) throw new TypeError('register() needs a typeid string');
  if (callable !== undefined && typeof callable !== 'function') {
    throw new TypeError(`register('${typeid}', callable): the callable must be a function or a class`);
  }
  const { exposed } = optionsArg(options, 'register(typeid, callable, options)', "{ exposed: ['get'] }");
  checkOptionNames(options, ['exposed'], 'register()');
  if (exposed !== undefined && !(Array.isArray(exposed) && exposed.every((name) => typeof name === 'string'))) {
    throw new TypeError('exposed must be an array of method names');
  }
  let own = registries.get(cls);
  if (!own) registries.set(cls, (own = new Map()));
  own.set(typeid, { typeid, callable: callable as Registration['callable'], exposed });
  if (!(typeid in cls.prototype)) {
    Object.defineProperty(cls.prototype, typeid, {
      value(this: BaseManager, ...args: unknown[]) {
        return this.create(typeid, ...args);
      },
      configurable: true,
      writable: true,
    });
  }
}

let managers = 0;

/**
 * The manager process's target (runManagerServer), named by module and export: the build joins
 * the package's modules into chunks, where a function is found only through an entry point.
 * The path goes from the package's top (the code may be in a chunk, one level deep too).
 */
const serverTarget = taskRef(
  new URL(`../managers/server${import.meta.url.slice(-3)}`, import.meta.url),
  'runManagerServer',
);

export class BaseManager {
  #address: Address | undefined;
  readonly #authkey: Uint8Array;
  #process: Process | undefined;
  #state: 'initial' | 'started' | 'connected' | 'serving' | 'shutdown' = 'initial';

  /**
   * Registers a type: `await manager.create(typeid, ...args)` (and `manager[typeid](...args)`)
   * makes an object of it in the manager and returns its proxy. A class callable is called
   * with `new`. `exposed` limits the methods proxies may call (default: the public ones).
   */
  static register(
    typeid: string,
    callable?: ((...args: any[]) => unknown) | (new (...args: any[]) => unknown),
    options: { exposed?: string[] | undefined } = {},
  ): void {
    // biome-ignore lint/complexity/noThisInStatic: each subclass has a registry of its own
    registerType(this, typeid, callable, options);
  }

  constructor(options: { address?: Address; authkey?: Uint8Array | string } = {}) {
    const { address, authkey } = optionsArg(options, 'a manager', "{ address: { host: '127.0.0.1', port: 0 } }");
    checkOptionNames(options, ['address', 'authkey'], new.target.name);
    this.#address = address;
    this.#authkey = keyOf(authkey);
  }

  /** Where the manager's server listens (known once it has started). */
  get address(): Address | undefined {
    return this.#address;
  }

  #registry(): Registration[] {
    return [...registryOf(this.constructor).values()];
  }

  /** Starts the server in a new process (daemonic: it ends with this program). */
  async start(options: { initializer?: (...args: any[]) => unknown; initargs?: unknown[] } = {}): Promise<void> {
    const { initializer, initargs = [] } = optionsArg(options, 'start()', '{ initializer, initargs }');
    checkOptionNames(options, ['initializer', 'initargs'], 'start()');
    if (this.#state !== 'initial') throw new ProcessError(`this manager has already been ${this.#state}`);
    if (initializer !== undefined && typeof initializer !== 'function')
      throw new TypeError('initializer must be a function');
    const [reader, writer] = Pipe(false);
    const settings = { address: this.#address, authkey: this.#authkey, initializer, initargs };
    const server = new Process({
      target: serverTarget,
      args: [this.#registry(), settings, writer],
      name: `${this.constructor.name}-${++managers}`,
      daemon: true,
    });
    server.start();
    writer.close();
    try {
      this.#address = await reader.recv<Address>();
    } catch (error) {
      await server.join();
      throw new ProcessError(`the manager process ended before it was serving (exit code ${server.exitcode})`, {
        cause: error,
      });
    } finally {
      reader.close();
    }
    this.#process = server;
    this.#state = 'started';
  }

  /** Connects to a server started elsewhere (its address and authkey given to the constructor). */
  async connect(): Promise<void> {
    if (this.#address === undefined) throw new TypeError('connect() needs the address of the manager to connect to');
    await linkTo(this.#address, this.#authkey).request({ op: 'ping' });
    this.#state = 'connected';
  }

  /** A server in this process: `await server.serveForever()` serves until a client shuts it down. */
  getServer(): { serveForever(): Promise<void>; address: Address } {
    const server = new ManagerServer(this.#registry(), { address: this.#address, authkey: this.#authkey });
    this.#address = server.address;
    this.#state = 'serving';
    return { address: server.address, serveForever: () => server.serveForever() };
  }

  /** Makes an object of a registered type in the manager and returns its proxy. */
  async create<T = BaseProxy>(typeid: string, ...args: unknown[]): Promise<T> {
    if (this.#address === undefined)
      throw new ProcessError('the manager is not started: call start() or connect() first');
    const created = (await linkTo(this.#address, this.#authkey).request({ op: 'create', typeid, args })) as Created;
    return makeProxy({ ...created, address: this.#address, authkey: this.#authkey }) as T;
  }

  /** Stops the server (and waits for its process, if this manager started it). */
  async shutdown(): Promise<void> {
    if (this.#state === 'shutdown' || this.#address === undefined || this.#state === 'initial') return;
    const link = linkTo(this.#address, this.#authkey);
    try {
      await link.request({ op: 'shutdown' });
    } catch {
      // already gone
    }
    link.close();
    this.#state = 'shutdown';
    await this.#process?.join();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}

/**
 * Python's SyncManager. Its factories are the ones register() defines for each typeid below
 * (declared here for their types); `list` and `Array` read their iterable here first.
 */
export class SyncManager extends BaseManager {
  declare dict: <K = unknown, V = unknown>(
    init?: Map<K, V> | Array<[K, V]> | Record<string, V>,
  ) => Promise<DictProxy<K, V>>;
  declare Namespace: (init?: Record<string, unknown>) => Promise<NamespaceProxy>;
  declare Queue: (maxsize?: number) => Promise<BaseProxy>;
  declare JoinableQueue: (maxsize?: number) => Promise<BaseProxy>;
  declare Lock: () => Promise<BaseProxy>;
  declare RLock: () => Promise<BaseProxy>;
  declare Semaphore: (value?: number) => Promise<BaseProxy>;
  declare BoundedSemaphore: (value?: number) => Promise<BaseProxy>;
  declare Event: () => Promise<BaseProxy>;
  declare Condition: () => Promise<BaseProxy>;
  declare Barrier: (parties: number) => Promise<BaseProxy>;
  declare Value: (typecode: string, value: unknown) => Promise<BaseProxy>;

  list<T = unknown>(init?: Iterable<T>): Promise<ListProxy<T>> {
    return this.create('list', init === undefined ? undefined : [...init]);
  }
  Array(typecode: string, init: Iterable<unknown> | number): Promise<BaseProxy> {
    return this.create('Array', typecode, typeof init === 'number' ? init : [...init]);
  }
}

for (const [typeid, callable] of [
  ['dict', ManagedDict],
  ['list', ManagedList],
  ['Namespace', ManagedNamespace],
  ['Queue', Queue],
  ['JoinableQueue', JoinableQueue],
  ['Lock', Lock],
  ['RLock', RLock],
  ['Semaphore', Semaphore],
  ['BoundedSemaphore', BoundedSemaphore],
  ['Event', Event],
  ['Condition', makeCondition],
  ['Barrier', Barrier],
  ['Value', ManagedValue],
  ['Array', ManagedArray],
] as const) {
  SyncManager.register(typeid, callable as unknown as (...args: any[]) => unknown);
}

/** Starts a SyncManager in a new process (Python's multiprocessing.Manager()). */
export async function Manager(): Promise<SyncManager> {
  const manager = new SyncManager();
  await manager.start();
  return manager;
}
