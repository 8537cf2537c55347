// taskRef(module, name): a function that the sender never imports itself. Calling it in the
// sender imports the module and calls the export; sending it sends the reference.
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kTaskRef } from './functions.js';

/** Resolves a module specifier: file URLs and absolute paths as they are, relative paths against the cwd, bare names as packages. */
function resolveModule(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') {
    throw new TypeError('taskRef(module, name) needs a module path, file: URL or package name');
  }
  if (/^(file|data|node):/.test(module)) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (module.startsWith('.')) return pathToFileURL(resolve(process.cwd(), module)).href;
  const require = createRequire(`${process.cwd()}/`);
  return pathToFileURL(require.resolve(module)).href;
}

export function taskRef(module: string | URL, name = 'default'): (...args: any[]) => Promise<any> {
  if (typeof name !== 'string') throw new TypeError('taskRef name must be a string (an export name)');
  const url = resolveModule(module);
  const call = async (...args: unknown[]) => {
    const namespace = (await import(url)) as Record<string, unknown>;
    const fn = namespace[name];
    if (typeof fn !== 'function') throw new TypeError(`${url} has no exported function '${name}'`);
    return fn(...args);
  };
  Object.defineProperty(call, kTaskRef, { value: { kind: 'esm', url, name } });
  Object.defineProperty(call, 'name', { value: name });
  return call;
}
