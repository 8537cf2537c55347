// Which of this process's worker threads have ended, so that a lock one of them held when it
// was stopped can be recovered (its pid is the process's own, which lives on). One shared
// table for all threads of the process, passed to each thread it starts: slot `id & 1023`
// holds the id of the live thread there, or minus the id of the one that ended last.
import { isMainThread, workerData } from 'node:worker_threads';

const SLOTS = 1024;

const given = (workerData as { threadTable?: unknown } | null | undefined)?.threadTable;
let table: Int32Array | undefined =
  !isMainThread && given instanceof SharedArrayBuffer ? new Int32Array(given) : undefined;

/** The table, for a thread about to be started (made on first use). */
export function threadTable(): SharedArrayBuffer {
  table ??= new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  return table.buffer as SharedArrayBuffer;
}

export function threadStarted(id: number): void {
  threadTable();
  Atomics.store(table!, id % SLOTS, id);
}

export function threadEnded(id: number): void {
  if (table) Atomics.compareExchange(table, id % SLOTS, id, -id);
}

/**
 * Whether the thread whose id's low 10 bits are `bits` is known to have ended (a thread this
 * package started and saw exit, with no newer thread in its slot). Unknown threads live.
 */
export function threadHasEnded(bits: number): boolean {
  return table !== undefined && Atomics.load(table, bits % SLOTS) < 0;
}
