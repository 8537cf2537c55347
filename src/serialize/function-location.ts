// Where a function was defined, asked of V8 itself through the inspector: the function's
// [[FunctionLocation]] (script id, line, column) and the script table that the Debugger
// domain reports. Session.post is synchronous on the session's own thread, so this works
// inside serialize(). One session per thread, opened on first use; results are cached
// per function by the caller.
//
// The Debugger domain is on only for the moment it is needed: while it is on, V8 runs every
// promise of the program through its debugger hooks (promise-heavy code ran 2.7× slower, and
// a pool's burst of tiny tasks makes a promise each).
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
/** Script id → URL, as the Debugger domain reported them the last time it was on. */
const scripts = new Map<string, string>();
/** The source of the script whose URL was last looked up (it is usually read next). */
let fetched: { scriptId: string; source: string } | undefined;

function connect(): Session {
  if (session) return session;
  const opened = new (require('node:inspector') as typeof import('node:inspector')).Session();
  opened.connect();
  opened.on('Debugger.scriptParsed', (message) => {
    scripts.set(message.params.scriptId, message.params.url);
  });
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

/** Runs `work` with the Debugger domain on (turning it on reports every script so far). */
function withDebugger<T>(work: () => T): T {
  post('Debugger.enable', {});
  try {
    return work();
  } finally {
    post('Debugger.disable', {});
  }
}

const PROBE = '__multiprocessingFunctionProbe';

/** The defining script and position of `fn`, or undefined for native and bound functions. */
export function locate(fn: Function): FunctionLocation | undefined {
  connect();
  const holder = globalThis as Record<string, unknown>;
  holder[PROBE] = fn;
  let location: { scriptId: string; lineNumber: number; columnNumber: number } | undefined;
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
    location = properties.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
      | typeof location
      | undefined;
  } finally {
    delete holder[PROBE];
  }
  if (!location) return undefined;
  const { scriptId } = location;
  if (!scripts.has(scriptId)) {
    // A script loaded since the Debugger was last on: on again, for the table and (while it
    // is on) the script's source, which the caller reads next for a module's exports.
    withDebugger(() => {
      const url = scripts.get(scriptId);
      if (url?.startsWith('file:')) fetched = { scriptId, source: getScriptSource(scriptId) };
    });
  }
  const url = scripts.get(scriptId);
  if (url === undefined || url === '') return undefined;
  return { scriptId, url, line: location.lineNumber, column: location.columnNumber };
}

function getScriptSource(scriptId: string): string {
  return post<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId }).scriptSource;
}

/** The source of a script as V8 runs it (after loaders such as tsx have transformed it). */
export function scriptSource(scriptId: string): string {
  if (fetched?.scriptId === scriptId) {
    const { source } = fetched;
    fetched = undefined;
    return source;
  }
  return withDebugger(() => getScriptSource(scriptId));
}
