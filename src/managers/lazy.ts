// Manager() from 'multiprocessing': the managers' code (sockets, crypto) is loaded only when
// a program asks for one, not by every child that imports the package.
import type { SyncManager } from './manager.js';

/** Starts a SyncManager in a new process (Python's multiprocessing.Manager()). */
export async function Manager(): Promise<SyncManager> {
  const { Manager: start } = await import('./manager.js');
  return start();
}
