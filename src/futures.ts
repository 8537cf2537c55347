// multiprocessing/futures: concurrent.futures for Node (executors land with the pools issue).
export { TimeoutError } from './errors.js';
