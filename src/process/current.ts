// Module-level functions about processes: currentProcess, parentProcess, activeChildren,
// isMainProcess, cpuCount.
import { availableParallelism } from 'node:os';
import { describeProcess, type Process } from './process.js';
import { processState } from './state.js';

export function cpuCount(): number {
  return availableParallelism();
}

/** The Python `if __name__ == "__main__"` guard: false in every child this package starts. */
export function isMainProcess(): boolean {
  return processState().isMain;
}

export function currentProcess(): Process {
  const state = processState();
  state.current ??= describeProcess('self', state.name, process.pid, process.pid);
  return state.current as Process;
}

export function parentProcess(): Process | null {
  const state = processState();
  if (!state.parent) return null;
  state.parentObject ??= describeProcess(
    'parent',
    state.parent.name,
    state.parent.pid,
    state.parent.threadId ?? state.parent.pid,
  );
  return state.parentObject as Process;
}

/** Live children of this process; finished ones are forgotten (reaped). */
export function activeChildren(): Process[] {
  const state = processState();
  const alive: Process[] = [];
  for (const child of [...state.children] as Process[]) {
    if (child.exitcode === null) alive.push(child);
    else state.children.delete(child);
  }
  return alive;
}
