// Seed 001 "五、Multiprocessing创建进程": wrap the work in a function, bind it to a
// Process, start() it, join() it. The child's change to `a` does not reach the parent.
// (sleep(2)/sleep(3) scaled to 200 ms/300 ms.)
import { isMainProcess, Process } from 'multiprocessing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export let a = 1;

export async function fun(): Promise<void> {
  await sleep(200);
  console.log('子进程事件', process.pid);
  a = 10000;
  console.log('a = ', a);
}

if (isMainProcess()) {
  const p = new Process({ target: fun }); // 创建进程对象
  p.start(); // 启动进程
  await sleep(300);
  console.log('这是父进程');
  await p.join(); // 回收进程
  console.log('parent a:', a); // 1
}
