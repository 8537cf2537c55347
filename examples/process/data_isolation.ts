// Seed 001 "父子进程的变量域" and seed 002 "(3) 進程之間的數據彼此隔離": a child changing a
// variable changes only its own copy; the parent's stays as it was.
import { isMainProcess, Process } from 'multiprocessing';

export let a = 1;
export let total = 100;

export function child(): void {
  console.log('子进程');
  console.log('a = ', a); // 1: the child starts from the module's own value
  a = 10000;
  console.log('a = ', a); // 10000
  total += 1;
  console.log('total in the child:', total); // 101
}

if (isMainProcess()) {
  const p = new Process({ target: child });
  p.start();
  await p.join();
  console.log('父进程');
  console.log('parent a :', a); // 1
  console.log('parent total :', total); // 100
}
