// How a function crosses a boundary: by reference to the export that it is (pickle's way),
// by source when it is self-contained, or not at all (SerializationError naming what it
// captures). Decisions are cached per function; a cached function costs one WeakMap lookup.
import { createRequire, findSourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { SerializationError } from '../errors.js';
import { type ExportRef, findExport } from './exports.js';
import { PROVIDED, sourceForm } from './free-variables.js';
import { type FunctionLocation, locate } from './function-location.js';

export type FunctionWire =
  | { by: 'ref'; kind: 'esm' | 'cjs'; url: string; name: string }
  | { by: 'source'; expression: string; method: boolean; name: string };

export interface FunctionDescription {
  url: string | undefined;
  line: number;
  column: number;
  exportName: string | undefined;
  bySource: boolean;
  captures: string[];
}

/** Set on the callables taskRef() returns. */
export const kTaskRef = Symbol.for('multiprocessing.taskRef');

const decisions = new WeakMap<Function, FunctionWire | SerializationError>();
const locations = new WeakMap<Function, FunctionLocation | null>();

function locationOf(fn: Function): FunctionLocation | undefined {
  let location = locations.get(fn);
  if (location === undefined) {
    location = locate(fn) ?? null;
    locations.set(fn, location);
  }
  return location ?? undefined;
}

/** file:line:column of a definition, in the original source when a loader (tsx) left a source map. */
function where(location: FunctionLocation | undefined): string {
  if (!location) return 'an unknown place';
  let { url, line, column } = location;
  try {
    const entry = findSourceMap(url)?.findEntry(line, column) as
      | { originalSource?: string; originalLine?: number; originalColumn?: number }
      | undefined;
    if (entry?.originalSource && entry.originalLine !== undefined && entry.originalColumn !== undefined) {
      ({ originalSource: url, originalLine: line, originalColumn: column } = entry);
    }
  } catch {
    // no usable source map: the position in the code V8 ran
  }
  const file = url.startsWith('file:') ? fileURLToPath(url) : url;
  return `${file}:${line + 1}:${column + 1}`;
}

function decide(fn: Function): FunctionWire | SerializationError {
  const tagged = (fn as unknown as Record<symbol, ExportRef | undefined>)[kTaskRef];
  if (tagged) return { by: 'ref', ...tagged };
  const label = fn.name ? `function '${fn.name}'` : 'an anonymous function';
  const location = locationOf(fn);
  if (location) {
    const exported = findExport(fn, location);
    if (exported) return { by: 'ref', ...exported };
  }
  const text = Function.prototype.toString.call(fn);
  if (/^class\b/.test(text)) {
    return new SerializationError(
      `class '${fn.name || '<anonymous>'}' (defined at ${where(location)}) cannot be sent to another process: it is not exported from its module. Export it so the receiver can import it.`,
    );
  }
  if (!location && /\[native code\]/.test(text)) {
    return new SerializationError(
      `${label} is a built-in or bound function and cannot be sent to another process; wrap it in an exported function or a self-contained arrow function`,
    );
  }
  const form = sourceForm(fn);
  if (!form) {
    return new SerializationError(
      `${label} (defined at ${where(location)}) cannot be sent: its source could not be parsed`,
    );
  }
  if (form.captures.length > 0) {
    return new SerializationError(
      `${label} (defined at ${where(location)}) cannot be sent to another process: it captures ${form.captures
        .map((name) => `'${name}'`)
        .join(
          ', ',
        )} from its enclosing scope. Export it from its module, or make it self-contained (pass what it needs as arguments).`,
    );
  }
  return { by: 'source', expression: form.expression, method: form.method, name: fn.name };
}

/** The wire form of `fn`, or a SerializationError thrown in the sender. */
export function encodeFunction(fn: Function): FunctionWire {
  let decision = decisions.get(fn);
  if (!decision) {
    decision = decide(fn);
    decisions.set(fn, decision);
  }
  if (decision instanceof SerializationError) {
    throw new SerializationError(decision.message);
  }
  // A taskRef is a stand-in that imports on call; the receiver must get the export itself.
  if (decision.by === 'ref' && !(kTaskRef in fn)) sentHere.set(refKey(decision), fn);
  return decision;
}

/** Functions this thread has sent, by reference key: a message that comes back resolves at once. */
const sentHere = new Map<string, Function>();

function refKey(wire: Extract<FunctionWire, { by: 'ref' }>): string {
  return `${wire.kind}:${wire.url}#${wire.name}`;
}

/**
 * The export `fn` travels as (a module's, or a taskRef's), or undefined when it travels by
 * source or cannot travel. Unlike describeFunction(), it does not ask V8 where `fn` is
 * defined when the answer does not need it (a taskRef): that lookup costs ~30 ms the first
 * time in a process.
 */
export function exportNameOf(fn: Function): string | undefined {
  let decision = decisions.get(fn);
  if (!decision) {
    decision = decide(fn);
    decisions.set(fn, decision);
  }
  return decision instanceof SerializationError || decision.by !== 'ref' ? undefined : decision.name;
}

export function describeFunction(fn: Function): FunctionDescription {
  const location = locationOf(fn);
  let exportName: string | undefined;
  let bySource = false;
  let captures: string[] = [];
  const decision = decisions.get(fn) ?? decide(fn);
  if (!(decision instanceof SerializationError)) {
    if (decision.by === 'ref') exportName = decision.name;
    else bySource = true;
  } else {
    captures = sourceForm(fn)?.captures ?? [];
  }
  return {
    url: location?.url,
    line: (location?.line ?? -1) + 1,
    column: (location?.column ?? -1) + 1,
    exportName,
    bySource,
    captures,
  };
}

/** The URL of the module that defines `fn` (a taskRef's module), if V8 knows it. */
export function functionModuleUrl(fn: Function): string | undefined {
  const tagged = (fn as unknown as Record<symbol, ExportRef | undefined>)[kTaskRef];
  if (tagged) return tagged.kind === 'cjs' ? pathToFileURL(tagged.url).href : tagged.url;
  const url = locationOf(fn)?.url;
  if (!url || url.startsWith('node:')) return undefined;
  return url.startsWith('/') ? pathToFileURL(url).href : url;
}

// ---------------------------------------------------------------------------------------
// Receiving side.

const namespaces = new Map<string, Record<string, unknown>>();
const compiled = new Map<string, Function>();
const require = createRequire(import.meta.url);
const { realpathSync } = process.getBuiltinModule('node:fs'); // (a builtin every child loads: see docs/design.md, "The build")

/** esbuild's keepNames helper, which tsx inserts into function bodies. */
function nameHelper<T extends Function>(target: T, value: string): T {
  return Object.defineProperty(target, 'name', { value, configurable: true });
}

function compile(wire: Extract<FunctionWire, { by: 'source' }>): Function {
  let fn = compiled.get(wire.expression);
  if (!fn) {
    const helpers = [...PROVIDED];
    const value = new Function(...helpers, `return ${wire.expression};`)(nameHelper) as unknown;
    if (wire.method) {
      const descriptor = Object.values(Object.getOwnPropertyDescriptors(value as object))[0]!;
      fn = (descriptor.value ?? descriptor.get) as Function;
    } else {
      fn = value as Function;
    }
    compiled.set(wire.expression, fn);
  }
  return fn;
}

function pick(namespace: Record<string, unknown>, wire: Extract<FunctionWire, { by: 'ref' }>): Function {
  const value = wire.kind === 'cjs' && wire.name === '' ? namespace : namespace[wire.name];
  if (typeof value !== 'function') {
    throw new SerializationError(
      `'${wire.name || 'module.exports'}' exported by ${wire.url} is ${typeof value}, not the function that was sent; do both processes run the same code?`,
    );
  }
  return value;
}

function cacheKey(wire: Extract<FunctionWire, { by: 'ref' }>): string {
  return `${wire.kind}:${wire.url}`;
}

/** Records a module this thread imported itself (a child's main module), for synchronous lookups. */
export function rememberModule(url: string, namespace: Record<string, unknown>): void {
  namespaces.set(`esm:${url}`, namespace);
}

/** Whether resolveFunction can find what `wire` refers to without importing anything. */
export function isLoaded(wire: FunctionWire): boolean {
  return wire.by !== 'ref' || namespaces.has(cacheKey(wire)) || sentHere.has(refKey(wire));
}

/** The program's own module (this thread runs it: the main thread of the main process). */
function isMainModule(specifier: string): boolean {
  const main = process.argv[1];
  if (!isMainThread || !main) return false;
  try {
    return specifier.split(/[?#]/)[0] === pathToFileURL(realpathSync(main)).href;
  } catch {
    return false;
  }
}

/**
 * Imports the program's own module. While that module is still running its top-level
 * await, the import waits for it to finish; if the module is awaiting the very value being
 * decoded, that is for ever: Node then finds nothing left to do and emits 'beforeExit'
 * (before exiting with code 13 and no word of why). Then the value fails with an
 * explanation instead, and the program goes on.
 */
async function importMain(specifier: string, wire: FunctionWire & { by: 'ref' }): Promise<unknown> {
  let onIdle: (() => void) | undefined;
  const deadlocked = new Promise<never>((_, reject) => {
    onIdle = () =>
      reject(
        new SerializationError(
          `the value refers to '${wire.name}' of the program's own module ${wire.url}, which cannot be imported until its top-level await finishes, and that await is waiting for this value; define '${wire.name}' in a module of its own and import it from there`,
        ),
      );
    process.once('beforeExit', onIdle);
  });
  try {
    return await Promise.race([import(specifier), deadlocked]);
  } finally {
    process.off('beforeExit', onIdle!);
  }
}

/** Imports what `wire` refers to, so that resolveFunction can find it synchronously. */
export async function loadFunction(wire: FunctionWire): Promise<void> {
  if (wire.by !== 'ref' || namespaces.has(cacheKey(wire))) return;
  let namespace: Record<string, unknown>;
  if (wire.kind === 'cjs') namespace = require(wire.url) as Record<string, unknown>;
  else {
    const specifier = wire.url.startsWith('/') ? pathToFileURL(wire.url).href : wire.url;
    try {
      namespace = (await (isMainModule(specifier) ? importMain(specifier, wire) : import(specifier))) as Record<
        string,
        unknown
      >;
    } catch (error) {
      if (error instanceof SerializationError) throw error;
      throw new SerializationError(`could not import ${wire.url} to find '${wire.name}': ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  namespaces.set(cacheKey(wire), namespace);
}

/** The function `wire` stands for; refs must be loaded already or loadable with require(). */
export function resolveFunction(wire: FunctionWire): Function {
  if (wire.by === 'source') return compile(wire);
  const known = sentHere.get(refKey(wire));
  if (known) return known;
  let namespace = namespaces.get(cacheKey(wire));
  if (!namespace) {
    try {
      const path = wire.url.startsWith('file:') ? new URL(wire.url).pathname : wire.url;
      namespace = require(path) as Record<string, unknown>;
      namespaces.set(cacheKey(wire), namespace);
    } catch (error) {
      throw new SerializationError(
        `${wire.url} is not loaded in this thread and cannot be loaded synchronously; use the async form (get() rather than getSync(), say)`,
        { cause: error },
      );
    }
  }
  return pick(namespace, wire);
}
