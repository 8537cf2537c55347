// getContext(method): an object with the package's factories bound to one start method,
// as Python's multiprocessing.get_context(). `ctx.Process` is the Process class itself
// seen through a proxy that fills in `context`, so `new ctx.Process(...)`,
// `class W extends ctx.Process` and `instanceof` all behave as with Process.

import * as current from './process/current.js';
import { Process, type ProcessOptions } from './process/process.js';
import { getStartMethod, type StartMethod, validateStartMethod } from './process/start-method.js';

function bindProcess(method: StartMethod): typeof Process {
  return new Proxy(Process, {
    construct(target, args: [ProcessOptions?], newTarget) {
      const options = args[0] ?? {};
      return Reflect.construct(
        target,
        [{ ...options, context: options.context ?? method }, ...args.slice(1)],
        newTarget,
      );
    },
  });
}

export class Context {
  readonly Process: typeof Process;
  readonly #method: StartMethod;

  constructor(method: StartMethod) {
    this.#method = validateStartMethod(method);
    this.Process = bindProcess(method);
  }

  getStartMethod(): StartMethod {
    return this.#method;
  }

  cpuCount = current.cpuCount;
  currentProcess = current.currentProcess;
  parentProcess = current.parentProcess;
  activeChildren = current.activeChildren;
  isMainProcess = current.isMainProcess;
}

const contexts = new Map<StartMethod, Context>();

export function getContext(method?: StartMethod): Context {
  const chosen = method === undefined ? getStartMethod() : validateStartMethod(method);
  let context = contexts.get(chosen);
  if (!context) contexts.set(chosen, (context = new Context(chosen)));
  return context;
}
