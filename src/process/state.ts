// What this thread of this process knows about itself as a `multiprocessing` process:
// its name, identity path (for child names like Process-1:2), daemon flag, authkey, its
// parent, and whether it is still bootstrapping (importing the target's module). Kept on
// globalThis under a registered symbol so that two copies of the package loaded in one
// thread (say through a bundler) still agree on it.
import { createRequire } from 'node:module';
import type { StartMethod } from './start-method.js';

export interface ParentInfo {
  pid: number;
  name: string;
  /** threadId of the parent when this process is a thread of the same OS process. */
  threadId?: number;
}

export interface ProcessState {
  /** True in the program's main thread of its first process only. */
  isMain: boolean;
  name: string;
  identity: number[];
  childCounter: number;
  daemon: boolean;
  authkey: Uint8Array;
  parent: ParentInfo | null;
  bootstrapping: boolean;
  startMethod: StartMethod | undefined;
  /** Live children started from this thread (Process objects), for activeChildren(). */
  children: Set<object>;
  /** The Process object of this process, once built (child) or first asked for (main). */
  current: object | undefined;
  /** A stand-in for the parent, once first asked for. */
  parentObject: object | undefined;
}

const key = Symbol.for('multiprocessing.processState');
const require = createRequire(import.meta.url);
const { closeSync, openSync, readSync } = process.getBuiltinModule('node:fs'); // (a builtin every child loads: see docs/design.md, "The build")

/**
 * A main process's authkey, made when first asked for (a child is given its parent's): 32
 * bytes of the kernel's randomness, read from /dev/urandom as Python's os.urandom() does.
 * Loading node:crypto for them cost the first Process.start() (or new Pool()) 3-10 ms.
 */
function newAuthkey(): Uint8Array {
  const key = new Uint8Array(32);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      for (let got = 0; got < key.length; ) {
        const read = readSync(fd, key, got, key.length - got, null);
        if (read <= 0) throw new Error('/dev/urandom ended');
        got += read;
      }
    } finally {
      closeSync(fd);
    }
    return key;
  } catch {
    // (no /dev/urandom: Windows, a sandbox without /dev)
    return new Uint8Array((require('node:crypto') as typeof import('node:crypto')).randomBytes(32));
  }
}

export function processState(): ProcessState {
  const holder = globalThis as unknown as Record<symbol, ProcessState | undefined>;
  let state = holder[key];
  if (!state) {
    let authkey: Uint8Array | undefined;
    state = {
      isMain: true,
      name: 'MainProcess',
      identity: [],
      childCounter: 0,
      daemon: false,
      get authkey(): Uint8Array {
        authkey ??= newAuthkey();
        return authkey;
      },
      set authkey(value: Uint8Array) {
        authkey = value;
      },
      parent: null,
      bootstrapping: false,
      startMethod: undefined,
      children: new Set(),
      current: undefined,
      parentObject: undefined,
    };
    holder[key] = state;
  }
  return state;
}
