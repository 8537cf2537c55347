// Seed 001 "7.3 共享内存" Array: shm = Array('c', b"hello"); the child prints each byte and
// sets the first to 'H'; the parent then sees "Hello".
import { Array, isMainProcess, Process, type SharedArray } from 'multiprocessing';

export function fun(shm: SharedArray<Uint8Array>): void {
  for (const byte of shm) console.log(byte); // 共享内存对象可迭代
  shm[0] = 'H'.charCodeAt(0);
}

if (isMainProcess()) {
  // const shm = Array('i', [1, 2, 3]);
  // const shm = Array('i', 3);   // 表示开辟三个空间的列表
  const shm = Array('c', 'hello'); // 字节串
  const p = new Process({ target: fun, args: [shm] });
  p.start();
  await p.join();
  for (const byte of shm) console.log(String.fromCharCode(byte)); // 子进程修改,父进程中也跟着修改
  console.log(shm.value); // Hello
}
