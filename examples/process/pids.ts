// Seed 001 "3.1 进程ID" and seed 002 "(1) 進程的使用": os.getpid()/os.getppid() are
// process.pid/process.ppid; currentProcess() and parentProcess() describe the same.
import { currentProcess, isMainProcess, Process, parentProcess } from 'multiprocessing';

export function func(): void {
  console.log(`1.子進程id:${process.pid},2.父進程id:${process.ppid}`);
  console.log(
    `  currentProcess(): ${currentProcess().name} pid ${currentProcess().pid}; parentProcess(): ${parentProcess()?.name} pid ${parentProcess()?.pid}`,
  );
}

if (isMainProcess()) {
  const p = new Process({ target: func });
  p.start();
  console.log(`Get child PID: ${p.pid}`); // the pid fork() returned to the parent
  console.log(`3.主進程id:${process.pid},4.父進程id:${process.ppid}`);
  await p.join();
}
