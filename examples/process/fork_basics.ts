// Seed 001, 三 "os.fork创建进程": fork() returns twice (0 in the child, the pid in the parent).
// Node.js cannot fork a running interpreter (see docs/processes.md), so the child's part
// becomes a function that a Process runs; the parent's part stays in the main program.
import { isMainProcess, Process } from 'multiprocessing';

export function childPart(): void {
  console.log('新进程创建成功'); // the child: "new process created"
}

if (isMainProcess()) {
  const p = new Process({ target: childPart });
  p.start(); // fork() succeeded: in Python pid > 0 here
  await new Promise((resolve) => setTimeout(resolve, 100)); // sleep(1), scaled down
  console.log('原来的进程'); // the parent: "the original process"
  await p.join();
  console.log('程序执行完毕'); // both ran this line after fork(); here only the parent does
}
