// Test helpers: a shared-memory "board" that tests and their child processes use to
// signal each other without sleeps, and checks that nothing of ours is left behind.
import { readdirSync, readFileSync } from 'node:fs';
import { waitAsync } from '../src/native/futex.ts';
import { createSegment, unlinkSegment } from '../src/shm/segment.ts';

export interface Board {
  readonly name: string;
  get(slot: number): number;
  /** Resolves once slot `slot` holds `value`; rejects after `timeout` ms. */
  waitFor(slot: number, value: number, timeout?: number): Promise<void>;
  close(): void;
}

export function createBoard(slots = 16): Board {
  const segment = createSegment(slots * 4);
  const words = new Int32Array(segment.buffer);
  return {
    name: segment.name,
    get: (slot) => Atomics.load(words, slot),
    async waitFor(slot, value, timeout = 20_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const seen = Atomics.load(words, slot);
        if (seen === value) return;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`board slot ${slot} is ${seen}, still not ${value} after ${timeout} ms`);
        await waitAsync(segment.buffer, slot * 4, seen, { timeout: left });
      }
    },
    close: () => unlinkSegment(segment.name),
  };
}

/** Pids of live processes whose parent is this process (the segment tracker and tsx's esbuild excepted). */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z' && !['awk', 'sh', 'esbuild'].includes(comm))
        pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** How many segments in /dev/shm this process created (their names carry its pid). */
export function segmentsOfThisProcess(): number {
  return readdirSync('/dev/shm').filter((name) => name.split('-')[2] === String(process.pid)).length;
}

export const startMethods = ['spawn', 'thread'] as const;
