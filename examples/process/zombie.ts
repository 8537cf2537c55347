// Seeds 001 "4.2 僵尸进程 / 4.3 如何避免" and 004 "5. 僵尸进程": a child that has ended but
// whose status nobody collected stays a zombie in Python until os.wait()/join(). Node's
// runtime (libuv) collects every child's status the moment it ends, so no zombie is ever
// left, with or without join() — the effect of the seed's signal(SIGCHLD, SIG_IGN) trick,
// but with the exit status kept. activeChildren() lists only the children still running.
import { readFileSync } from 'node:fs';
import { activeChildren, isMainProcess, Process } from 'multiprocessing';

export function quick(): void {
  console.log(`child ${process.pid} done`);
}

export async function slow(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
}

function state(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0]!; // R, S, Z…
  } catch {
    return 'gone (reaped)';
  }
}

if (isMainProcess()) {
  const q = new Process({ target: quick });
  const s = new Process({ target: slow });
  q.start();
  s.start();
  await q.sentinel; // wait until it has ended, without join()
  console.log(`quick child ${q.pid}: exitcode ${q.exitcode}, state in /proc: ${state(q.pid!)}`);
  console.log(
    'active children:',
    activeChildren().map((child) => child.name),
  ); // only the slow one
  await s.join();
  console.log('active children after join:', activeChildren().length);
}
