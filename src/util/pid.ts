// Whether another process still runs, for the checks that recover what a dead process held.
import { readFileSync } from 'node:fs';

/** How long a process seen running (not a zombie) is taken to be running without a new look. */
const CONFIRMED_MS = 100;
const confirmed = new Map<number, number>();

/**
 * True while the process runs. A zombie (dead, not yet reaped by its parent) counts as dead:
 * signal 0 still reaches it, and a parent blocked in a `…Sync` wait cannot reap its child.
 * Reading its state costs a file read, so a process seen running is believed for 100 ms (a
 * pipe's recvSync() asks at every empty turn).
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') {
      confirmed.delete(pid);
      return false;
    }
  }
  const now = performance.now();
  const seen = confirmed.get(pid);
  if (seen !== undefined && now - seen < CONFIRMED_MS) return true;
  let alive: boolean;
  try {
    // "pid (comm) S …": the state follows the command's closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    alive = state !== 'Z' && state !== 'X';
  } catch {
    alive = false; // gone meanwhile
  }
  if (alive) {
    if (confirmed.size > 1024) confirmed.clear(); // (pids come and go: keep it small)
    confirmed.set(pid, now);
  } else confirmed.delete(pid);
  return alive;
}
