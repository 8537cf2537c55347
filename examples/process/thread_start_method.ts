// Seed 004's Thread section: Python's threading.Thread has the same shape as Process. Here
// the 'thread' start method runs the same Process API in a worker thread of this process
// (same pid, its own memory), the counterpart of multiprocessing.dummy.
import { currentProcess, getContext, isMainProcess } from 'multiprocessing';

export function zzw(who: string): void {
  const me = currentProcess();
  console.log(`${who}: ${me.name} runs in pid ${me.pid} as thread ${me.ident}`);
}

if (isMainProcess()) {
  const ctx = getContext('thread');
  const threads = [1, 2, 3].map((i) => new ctx.Process({ target: zzw, args: [`worker ${i}`] }));
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  console.log(`main program pid ${process.pid}; alive: ${threads.map((t) => t.isAlive())}`);
}
