// getContext(method): an object with the package's factories bound to one start method,
// as Python's multiprocessing.get_context(). `ctx.Process` and `ctx.Pool` are the classes
// themselves seen through a proxy that fills in `context`, so `new ctx.Pool(4)`,
// `class W extends ctx.Process` and `instanceof` all behave as with the classes.

import { Pipe } from './connection/connection.js';
import { Pool, type PoolOptions } from './pool/pool.js';
import * as current from './process/current.js';
import { Process, type ProcessOptions } from './process/process.js';
import { getStartMethod, type StartMethod, validateStartMethod } from './process/start-method.js';
import { JoinableQueue, Queue, SimpleQueue } from './queues/queue.js';
import { RawArray, SharedArrayOf } from './sharedctypes/array.js';
import { RawValue, Value } from './sharedctypes/value.js';
import { Barrier } from './sync/barrier.js';
import { Condition } from './sync/condition.js';
import { Event } from './sync/event.js';
import { Lock } from './sync/lock.js';
import { RLock } from './sync/rlock.js';
import { BoundedSemaphore, Semaphore } from './sync/semaphore.js';

/** `cls` seen through a proxy whose constructor fills in `context` (its first argument made an options object by `options`). */
function bind<C extends abstract new (...args: any[]) => unknown>(
  cls: C,
  options: (first: unknown, method: StartMethod) => unknown,
  method: StartMethod,
): C {
  return new Proxy(cls, {
    construct(target, args: unknown[], newTarget) {
      return Reflect.construct(target, [options(args[0], method), ...args.slice(1)], newTarget);
    },
  });
}

const processOptions = (first: unknown, method: StartMethod) => {
  if (first !== undefined && (typeof first !== 'object' || first === null)) return first; // Process says what is wrong
  const options = (first ?? {}) as ProcessOptions;
  return { ...options, context: options.context ?? method };
};

/** Pool(4), Pool({ processes: 4 }) or Pool(): the same with the context's method. */
const poolOptions = (first: unknown, method: StartMethod) => {
  if (first === undefined || first === null) return { context: method };
  if (typeof first !== 'object') return { processes: first, context: method };
  const options = first as PoolOptions;
  return { ...options, context: options.context ?? method };
};

export class Context {
  readonly Process: typeof Process;
  readonly Pool: typeof Pool;
  readonly #method: StartMethod;

  constructor(method: StartMethod) {
    this.#method = validateStartMethod(method);
    this.Process = bind(Process, processOptions, method);
    this.Pool = bind(Pool, poolOptions, method);
  }

  getStartMethod(): StartMethod {
    return this.#method;
  }

  cpuCount = current.cpuCount;
  currentProcess = current.currentProcess;
  parentProcess = current.parentProcess;
  activeChildren = current.activeChildren;
  isMainProcess = current.isMainProcess;
  // The shared objects work with either start method: they are the package's own.
  Queue = Queue;
  JoinableQueue = JoinableQueue;
  SimpleQueue = SimpleQueue;
  Pipe = Pipe;
  Lock = Lock;
  RLock = RLock;
  Semaphore = Semaphore;
  BoundedSemaphore = BoundedSemaphore;
  Condition = Condition;
  Event = Event;
  Barrier = Barrier;
  Value = Value;
  Array = SharedArrayOf;
  RawValue = RawValue;
  RawArray = RawArray;
}

const contexts = new Map<StartMethod, Context>();

export function getContext(method?: StartMethod): Context {
  const chosen = method === undefined ? getStartMethod() : validateStartMethod(method);
  let context = contexts.get(chosen);
  if (!context) contexts.set(chosen, (context = new Context(chosen)));
  return context;
}
