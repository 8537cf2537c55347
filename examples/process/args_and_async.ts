// Seed 002 "(2) 創建帶有參數的進程" and "(4) 進程之間的異步性": arguments go in `args`; ten
// children run concurrently and their lines come out in whatever order the OS schedules
// them. Python's main program waits for its children at exit; so does Node's.
import { isMainProcess, Process } from 'multiprocessing';

export async function countTo(n: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 1; i <= n; i++) console.log(i, `1.子進程id:${process.pid},2.父進程id:${process.ppid}`);
}

export function report(n: number): void {
  console.log(`1.子進程id:${process.pid},2.父進程id:${process.ppid}`, n);
}

if (isMainProcess()) {
  const n = 6;
  new Process({ target: countTo, args: [n] }).start();
  for (let i = 1; i <= n; i++) console.log('*'.repeat(i)); // runs while the child starts
  for (let i = 1; i <= 10; i++) new Process({ target: report, args: [i] }).start();
  console.log('主進程執行結束瞭 ... ', process.pid); // printed first; the program still waits for its children
}
