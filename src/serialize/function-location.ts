// Where a function was defined, asked of V8 itself through the inspector: the function's
// [[FunctionLocation]] (script id, line, column) and the script table that the Debugger
// domain reports. Session.post is synchronous on the session's own thread, so this works
// inside serialize(). One session per thread, opened on first use; results are cached
// per function by the caller.
import type { Session } from 'node:inspector';
import { createRequire } from 'node:module';

// (loaded on first use: most processes never locate a function, and a child imports this
// package before it runs anything)
const require = createRequire(import.meta.url);

export interface FunctionLocation {
  scriptId: string;
  url: string;
  /** 0-based, as V8 reports them. */
  line: number;
  column: number;
}

let session: Session | undefined;
const scripts = new Map<string, string>();

function connect(): Session {
  if (session) return session;
  const opened = new (require('node:inspector') as typeof import('node:inspector')).Session();
  opened.connect();
  opened.on('Debugger.scriptParsed', (message) => {
    scripts.set(message.params.scriptId, message.params.url);
  });
  opened.post('Debugger.enable');
  session = opened;
  return opened;
}

function post<T>(method: string, params: object): T {
  const inspector = connect();
  let result: T | undefined;
  let failure: Error | null = null;
  inspector.post(method, params, (error, value) => {
    failure = error;
    result = value as T;
  });
  if (failure) throw failure;
  if (result === undefined) throw new Error(`inspector ${method} did not answer synchronously`);
  return result;
}

const PROBE = '__multiprocessingFunctionProbe';

/** The defining script and position of `fn`, or undefined for native and bound functions. */
export function locate(fn: Function): FunctionLocation | undefined {
  connect();
  const holder = globalThis as Record<string, unknown>;
  holder[PROBE] = fn;
  try {
    const evaluated = post<{ result: { objectId?: string } }>('Runtime.evaluate', {
      expression: `globalThis.${PROBE}`,
    });
    const objectId = evaluated.result.objectId;
    if (!objectId) return undefined;
    const properties = post<{ internalProperties?: Array<{ name: string; value?: { value?: unknown } }> }>(
      'Runtime.getProperties',
      { objectId, ownProperties: true },
    );
    post('Runtime.releaseObject', { objectId });
    const location = properties.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
      | { scriptId: string; lineNumber: number; columnNumber: number }
      | undefined;
    if (!location) return undefined;
    const url = scripts.get(location.scriptId);
    if (url === undefined || url === '') return undefined;
    return { scriptId: location.scriptId, url, line: location.lineNumber, column: location.columnNumber };
  } finally {
    delete holder[PROBE];
  }
}

/** The source of a script as V8 runs it (after loaders such as tsx have transformed it). */
export function scriptSource(scriptId: string): string {
  return post<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId }).scriptSource;
}
