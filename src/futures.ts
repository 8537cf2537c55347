// multiprocessing/futures: concurrent.futures for Node.
export { TimeoutError } from './errors.js';
export { BrokenProcessPool, CancelledError, InvalidStateError } from './futures/errors.js';
export {
  type ExecutorMapOptions,
  type ExecutorOptions,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
} from './futures/executor.js';
export {
  ALL_COMPLETED,
  asCompleted,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  type ReturnWhen,
  wait,
} from './futures/future.js';
