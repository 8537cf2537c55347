// The only module that loads the native addon (native/addon.cc). It exports a typed
// interface; everything above it is TypeScript. A missing build is a clear error at
// first use, not at import, so thread-only programs and tools that never touch shared
// memory still load.
import { createRequire } from 'node:module';
import { ProcessError } from '../errors.js';

/** Result of a synchronous futex wait. */
export enum WaitResult {
  Woken = 0,
  NotEqual = 1,
  TimedOut = 2,
}

export interface NativeWaiter {
  /** Watch the 32-bit word at `byteOffset`; report `id` once it differs from `expected` or is woken. */
  add(id: number, buffer: SharedArrayBuffer, byteOffset: number, expected: number): void;
  /** Stop watching; false when it had already fired. */
  remove(id: number): boolean;
  /** Whether pending watches keep the event loop alive. */
  ref(on: boolean): void;
}

export interface NativeBinding {
  open(name: string, size: number, create: boolean): SharedArrayBuffer;
  unlink(name: string): boolean;
  wait(buffer: SharedArrayBuffer, byteOffset: number, expected: number, timeoutMs: number): WaitResult;
  wake(buffer: SharedArrayBuffer, byteOffset: number, count: number): number;
  setParentDeathSignal(signal: number): void;
  createWaiter(onFired: (ids: number[]) => void): NativeWaiter;
}

let binding: NativeBinding | undefined;

export function native(): NativeBinding {
  if (binding) return binding;
  const require = createRequire(import.meta.url);
  try {
    binding = require('../../build/Release/multiprocessing.node') as NativeBinding;
  } catch (error) {
    throw new ProcessError(
      'the native addon of multiprocessing is not built (build/Release/multiprocessing.node could not be loaded); ' +
        'run `npm rebuild multiprocessing` (needs python3, make and g++) and try again',
      { cause: error },
    );
  }
  return binding;
}
