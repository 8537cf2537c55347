// multiprocessing: Python's multiprocessing for Node.js and TypeScript. Re-exports only.

export { Connection, Pipe } from './connection/connection.js';
export { Context, getContext } from './context.js';
export {
  AuthenticationError,
  BrokenBarrierError,
  BufferTooShort,
  Empty,
  EOFError,
  Full,
  ProcessError,
  RemoteError,
  SerializationError,
  TimeoutError,
} from './errors.js';
export { Manager } from './managers/lazy.js';
export { AsyncResult } from './pool/async-result.js';
export { type MapOptions, Pool, type PoolOptions, type TaskOptions, ThreadPool } from './pool/pool.js';
export { activeChildren, cpuCount, currentProcess, isMainProcess, parentProcess } from './process/current.js';
export { Process, type ProcessOptions } from './process/process.js';
export {
  getAllStartMethods,
  getStartMethod,
  type StartMethod,
  type StartMethodOrContext,
  setStartMethod,
} from './process/start-method.js';
export { JoinableQueue, Queue, type QueueOptions, SimpleQueue } from './queues/queue.js';
export { taskRef } from './serialize/index.js';
export { RawArray, type RawSharedArray, type SharedArray, SharedArrayOf as Array } from './sharedctypes/array.js';
export type { TypeCode } from './sharedctypes/typecodes.js';
export { type RawSharedValue, RawValue, type SharedValue, Value } from './sharedctypes/value.js';
export { Barrier, type BarrierOptions } from './sync/barrier.js';
export { Condition } from './sync/condition.js';
export { Event } from './sync/event.js';
export { Lock } from './sync/lock.js';
export { RLock } from './sync/rlock.js';
export { BoundedSemaphore, Semaphore } from './sync/semaphore.js';
export type { AcquireOptions } from './sync/semlock.js';
