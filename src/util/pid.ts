// Whether another process still runs, for the checks that recover what a dead process held.

const { readFileSync } = process.getBuiltinModule('node:fs'); // (a builtin every child loads: see docs/design.md, "The build")

/** How long a process seen running (not a zombie) is taken to be running without a new look. */
const CONFIRMED_MS = 100;
const confirmed = new Map<number, number>();

/** A child of this process has exited (its exit event came): it is not believed alive any longer. */
export function pidExited(pid: number): void {
  confirmed.delete(pid);
}

/**
 * True while the process runs. A zombie (dead, not yet reaped by its parent) counts as dead:
 * signal 0 still reaches it, and a parent blocked in a `…Sync` wait cannot reap its child.
 * Reading its state costs a file read, and even signal 0 a system call, so a process seen
 * running is believed for 100 ms without a new look (a pipe's recv() asks about its writers
 * whenever it finds the pipe empty: at every message of a ping-pong). A death is thus noticed
 * up to 100 ms late, except a child's of this process, which is known as soon as it exits.
 */
export function pidAlive(pid: number): boolean {
  const now = performance.now();
  const seen = confirmed.get(pid);
  if (seen !== undefined && now - seen < CONFIRMED_MS) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') {
      confirmed.delete(pid);
      return false;
    }
  }
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
