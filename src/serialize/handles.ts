// Shared objects (locks, queues, shared memory, …) cross a boundary as handles: the sender
// asks the object for { type, data } through `obj[kHandle]()`, the receiver rebuilds a live
// object backed by the same shared state with the decoder registered for `type`. `data`
// goes through the same serializer, so it may hold other handles.
import { createRequire } from 'node:module';
import { SerializationError } from '../errors.js';

export const kHandle = Symbol.for('multiprocessing.handle');

export interface HandleWire {
  type: string;
  data: unknown;
}

// On globalThis, so that every copy of the package loaded in a thread shares one table.
const registryKey = Symbol.for('multiprocessing.handleDecoders');
const holder = globalThis as unknown as Record<symbol, Map<string, (data: unknown) => unknown> | undefined>;
const decoders = (holder[registryKey] ??= new Map());

// Where the package's own shared objects register their decoders, so that a process can
// receive one without having imported that part of the package itself: the public entry
// point that imports the module defining it (the build joins modules into the entry points and
// shared chunks; an entry point is the same module instance everywhere). The paths go from
// the package's top: the build moves this code into a chunk one level deep too.
const BUILTIN: Record<string, string> = {
  Lock: '../index.js',
  RLock: '../index.js',
  Semaphore: '../index.js',
  Event: '../index.js',
  Condition: '../index.js',
  Barrier: '../index.js',
  Value: '../index.js',
  Array: '../index.js',
  SharedMemory: '../shared-memory.js',
  ShareableList: '../shared-memory.js',
  Queue: '../index.js',
  Connection: '../index.js',
  ManagerProxy: '../managers.js',
};
const require = createRequire(import.meta.url);

export function registerHandleType(type: string, decode: (data: unknown) => unknown): void {
  decoders.set(type, decode);
}

function builtinModule(type: string): string | undefined {
  if (decoders.has(type) || !Object.hasOwn(BUILTIN, type)) return undefined;
  const module = BUILTIN[type]!;
  return new URL(import.meta.url.endsWith('.ts') ? module.replace(/\.js$/, '.ts') : module, import.meta.url).href;
}

/** Whether the decoder of `type` is registered in this thread. */
export function isHandleTypeLoaded(type: string): boolean {
  return decoders.has(type);
}

/** Imports the module that registers `type`, if it is one of ours not loaded yet. */
export async function loadHandleType(type: string): Promise<void> {
  const module = builtinModule(type);
  if (module) await import(module);
}

export function decodeHandle(handle: HandleWire): unknown {
  const module = builtinModule(handle.type);
  if (module) require(new URL(module).pathname);
  const decode = decoders.get(handle.type);
  if (!decode) {
    throw new SerializationError(
      `received a handle of type '${handle.type}', but no module of this process registered that type; import the module that defines it (import 'multiprocessing' registers all built-in ones)`,
    );
  }
  return decode(handle.data);
}

// Transfers: a handle whose sender must keep something alive until the receiver has it (a
// Connection end) registers a callback here while serialize() runs inside collectTransfers();
// the caller (Process.start) calls them with the receiver's pid once it knows it.
type Transfer = (receiverPid: number) => void;
let transfers: Transfer[] | undefined;

export function registerTransfer(transfer: Transfer): void {
  transfers?.push(transfer);
}

export function collectTransfers<T>(fn: () => T): { result: T; transfers: Transfer[] } {
  const outer = transfers;
  const mine: Transfer[] = [];
  transfers = mine;
  try {
    return { result: fn(), transfers: mine };
  } finally {
    transfers = outer;
  }
}
