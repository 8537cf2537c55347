// multiprocessing: Python's multiprocessing for Node.js and TypeScript. Re-exports only.
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
export { activeChildren, cpuCount, currentProcess, isMainProcess, parentProcess } from './process/current.js';
export { Process, type ProcessOptions } from './process/process.js';
export { getAllStartMethods, getStartMethod, type StartMethod, setStartMethod } from './process/start-method.js';
export { taskRef } from './serialize/index.js';
