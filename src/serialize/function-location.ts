// Where a function was defined, asked of V8 itself through the inspector: the function's
// [[FunctionLocation]] (script id, line, column) and the script table that the Debugger
// domain reports. Session.post is synchronous on the session's own thread, so this works
// inside serialize(). One session per thread, opened on first use; results are cached
// per function by the caller.
//
// The Debugger domain is on only for the moment it is needed: while it is on, V8 runs every
// promise of the program through its debugger hooks (promise-heavy code ran 2.7× slower, and
// a pool's burst of tiny tasks makes a promise each). And it is needed only when the script is
// none of those found without it: turning it on makes V8 report every script loaded so far
// (17-40 ms of the first apply() of a program, in one piece). First, a function that the calling
// code defines, or imports by a relative path, is found in the one of those files that holds its
// text at the place V8 reports (files on the stack, read from disk: V8 runs a .js file as it is).
// What this cannot tell apart: a function that came from elsewhere (a package, say) while one of
// those files holds the very same text at the very same line and column (a copy of that file):
// the copy is named, whose function is the same code, but whose module may differ around it.
import type { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const { readFileSync } = process.getBuiltinModule('node:fs'); // (a builtin every child loads: see docs/design.md, "The build")

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
  let location: V8Location | undefined;
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
  if (!scripts.has(scriptId)) fromCallers(fn, location);
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

interface V8Location {
  scriptId: string;
  lineNumber: number;
  columnNumber: number;
}

/** The files of the code on the current stack, as URLs, innermost first. */
function stackFiles(): string[] {
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.stackTraceLimit = 64;
  Error.prepareStackTrace = (_, sites) => sites;
  try {
    const sites = new Error().stack as unknown as NodeJS.CallSite[];
    const files: string[] = [];
    for (const site of sites) {
      const file = site.getFileName();
      if (file) files.push(file.startsWith('/') ? pathToFileURL(file).href : file);
    }
    return files;
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** The source of a file: URL as read from disk, or undefined. */
function readModule(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  try {
    return readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether `source` has `fn`'s text (as V8 keeps it) around the place V8 reports for `fn`. */
function holds(source: string, fn: Function, location: V8Location): boolean {
  let offset = 0;
  for (let line = 0; line < location.lineNumber; line++) {
    offset = source.indexOf('\n', offset) + 1;
    if (offset === 0) return false;
  }
  offset += location.columnNumber;
  const text = Function.prototype.toString.call(fn);
  const at = source.lastIndexOf(text, offset);
  return at >= 0 && offset < at + text.length;
}

// `import … from './x.js'`, `export … from '../y.js'`, `import './z.js'`: candidates only (a
// match in a comment or a string costs a file read; whether a file is the one is holds()'s)
const RELATIVE_IMPORT = /\b(?:import|export)\b[\s\w{},*$]*?(?:\bfrom\s*)?["'](\.\.?\/[^"'\n]+)["']/g;

/** The files a module's source imports by relative paths, as URLs. */
const importsOf = new Map<string, string[]>();
function relativeImports(url: string, source: string): string[] {
  let found = importsOf.get(url);
  if (!found) {
    found = [...new Set(Array.from(source.matchAll(RELATIVE_IMPORT), (match) => new URL(match[1]!, url).href))];
    importsOf.set(url, found);
  }
  return found;
}

/** The package's own files (its frames call the user's code, they do not define it). */
const ownFiles = new URL('../', import.meta.url).href;

/** A frame of the calling program's own code: a file outside this package and node_modules. */
function isCaller(url: string): boolean {
  return url.startsWith('file:') && !url.startsWith(ownFiles) && !url.includes('/node_modules/');
}

/**
 * Finds the script of `fn` without the Debugger domain when the calling code defines it, or
 * imports it by a relative path: the one file among those that holds its text where V8 says it
 * is. Then the table learns its URL, and `fetched` holds its source.
 */
function fromCallers(fn: Function, location: V8Location): void {
  const known = new Set(scripts.values()); // (a file known under another id is another script)
  const matches: Array<{ url: string; source: string }> = [];
  const tried = new Set<string>();
  const tryFile = (url: string, source = readModule(url)) => {
    tried.add(url);
    if (!known.has(url) && source !== undefined && holds(source, fn, location)) matches.push({ url, source });
  };
  for (const caller of stackFiles()) {
    if (tried.has(caller) || !isCaller(caller)) continue;
    const source = readModule(caller);
    tryFile(caller, source);
    if (source === undefined) continue;
    for (const imported of relativeImports(caller, source)) if (!tried.has(imported)) tryFile(imported);
  }
  if (matches.length !== 1) return; // none, or not telling which: the Debugger's table decides
  const [match] = matches as [{ url: string; source: string }];
  scripts.set(location.scriptId, match.url);
  fetched = { scriptId: location.scriptId, source: match.source };
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
