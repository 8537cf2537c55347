// Seeds 001 "4.1 孤儿进程" and 004 "6. 孤儿进程": a child whose parent ends first is adopted by
// the system and runs on. Here the parent exits with process.exit() while its non-daemonic
// child still works; the child finishes and reports its new parent.
import { isMainProcess, Process } from 'multiprocessing';

export async function orphan(parentPid: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  console.log(`orphan ${process.pid}: my parent was ${parentPid}, now it is ${process.ppid} (adopted)`);
}

if (isMainProcess()) {
  const p = new Process({ target: orphan, args: [process.pid] });
  p.start();
  console.log(`parent ${process.pid} exits now, leaving child ${p.pid} running`);
  process.exit(0); // unlike a normal end, exit() does not wait for children
}
