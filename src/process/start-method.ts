// Start methods: 'spawn' runs a Process in a fresh Node.js process, 'thread' in a
// worker_threads Worker. Module-level functions mirror Python's get/set_start_method.
import { ProcessError } from '../errors.js';
import { optionsArg } from '../util/options.js';
import { processState } from './state.js';

export type StartMethod = 'spawn' | 'thread';

const methods: readonly StartMethod[] = ['spawn', 'thread'];

/** A start method, or a context from getContext() standing for its method (Python's mp_context=). */
export type StartMethodOrContext = StartMethod | { getStartMethod(): StartMethod };

/** 'spawn' or 'thread'; a context from getContext() stands for its method. */
export function validateStartMethod(method: unknown, what = 'start method'): StartMethod {
  const getter = (method as { getStartMethod?: unknown } | null)?.getStartMethod;
  if (typeof method === 'object' && typeof getter === 'function') method = getter.call(method);
  if (method !== 'spawn' && method !== 'thread') {
    throw new TypeError(`${what} must be 'spawn' or 'thread', got ${JSON.stringify(method)}`);
  }
  return method;
}

export function getStartMethod(): StartMethod {
  return processState().startMethod ?? 'spawn';
}

export function setStartMethod(method: StartMethod, options: { force?: boolean } = {}): void {
  validateStartMethod(method);
  const { force } = optionsArg(options, 'setStartMethod(method, options)', '{ force: true }');
  const state = processState();
  if (state.startMethod !== undefined && !force) {
    throw new ProcessError(
      `the start method has already been set (to '${state.startMethod}'); pass { force: true } to change it`,
    );
  }
  state.startMethod = method;
}

export function getAllStartMethods(): StartMethod[] {
  return [...methods];
}
