// Whether another process still runs, for the checks that recover what a dead process held.
import { readFileSync } from 'node:fs';

/**
 * True while the process runs. A zombie (dead, not yet reaped by its parent) counts as dead:
 * signal 0 still reaches it, and a parent blocked in a `…Sync` wait cannot reap its child.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // "pid (comm) S …": the state follows the command's closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false; // gone meanwhile
  }
}
